#!/usr/bin/env python3
"""Differential check: DuckDB running `cloudcase rules sql --dialect duckdb` over an events
table must return exactly the (rule_id, file, record) findings of `cloudcase hunt --format jsonl`.

usage: duckdb_diff.py EVENTS QUERY.sql HUNT.jsonl
EVENTS is either a JSON Lines file with the export contract's cloudtrail columns, or a
directory written by `cloudcase export --format parquet` (read as the README's view).
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

PIVOTS = [
    "event_name", "event_source", "aws_region", "recipient_account_id", "source_ip_address",
    "user_agent", "error_code", "error_message", "event_type", "event_id", "request_id",
    "user_identity_type", "user_identity_arn", "user_identity_principal_id",
    "user_identity_account_id", "user_identity_user_name", "user_identity_access_key_id",
    "user_identity_invoked_by", "session_issuer_arn", "session_issuer_user_name",
    "source_identity",
]


def events_view(con, events):
    if os.path.isdir(events):
        glob = os.path.join(events, "**", "*.parquet").replace("'", "''")
        con.execute(
            f"CREATE VIEW events AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)"
        )
        return
    cols = {"log_source": "VARCHAR", "event_time": "VARCHAR", "raw": "VARCHAR",
            "source_file": "VARCHAR", "record": "BIGINT"}
    cols.update({p: "VARCHAR" for p in PIVOTS})
    spec = ", ".join(f"'{k}': '{v}'" for k, v in cols.items())
    path = events.replace("'", "''")
    con.execute(
        f"CREATE TABLE events AS SELECT * FROM read_json('{path}', format = 'newline_delimited', "
        f"columns = {{{spec}}}, maximum_object_size = 1073741824)"
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
