#!/usr/bin/env python3
"""Differential check: DuckDB running `cloudcase rules sql --dialect duckdb` over an events
table must return exactly the (rule_id, file, record) findings of `cloudcase hunt --format jsonl`.

usage: duckdb_diff.py EVENTS QUERY.sql HUNT.jsonl
EVENTS is a directory written by `cloudcase export --format parquet` (read as the README's
view).
Prints one JSON summary line; exits 1 on any difference, 3 when duckdb is missing.
"""
import json
import os
import sys

from pairs import compare

try:
    import duckdb
except ImportError:
    print("SKIPPED: python module duckdb not installed")
    sys.exit(3)


def events_view(con, events):
    glob = os.path.join(events, "**", "*.parquet").replace("'", "''")
    con.execute(
        f"CREATE VIEW events AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)"
    )


def main():
    events, query, hunt = sys.argv[1:4]
    con = duckdb.connect()
    events_view(con, events)
    text = open(query, encoding="utf-8").read()
    rows = con.execute(text).fetchall()
    summary, same = compare([(r[0], r[7], r[8]) for r in rows], text, hunt)
    print(json.dumps(summary))
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
