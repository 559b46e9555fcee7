#!/usr/bin/env python3
"""Differential check: DuckDB running `cloudcase rules sql --dialect duckdb` over an events
table must return exactly the (rule_id, file, record) findings of `cloudcase hunt --format jsonl`.

usage: duckdb_diff.py EVENTS QUERY.sql HUNT.jsonl
EVENTS is either a JSON Lines file with the export contract's cloudtrail columns, or a
directory written by `cloudcase export --format parquet` (read as the README's view).
Prints one JSON summary line; exits 1 on any difference, 3 when duckdb is missing.
"""
import collections
import json
import os
import re
import sys

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


REFUSED = re.compile(r'^-- refused: .*?: rule "(.*)"(?: \((.*)\))? not compiled to SQL: ')


def refused_ids(sql):
    """Rule ids (hunt's rule_id: the id, else the title) the query's header lists as refused."""
    ids = set()
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        m = REFUSED.match(line)
        if m:
            ids.add(m.group(2) or json.loads('"' + m.group(1) + '"'))
    return ids


def main():
    events, query, hunt = sys.argv[1:4]
    con = duckdb.connect()
    events_view(con, events)
    text = open(query, encoding="utf-8").read()
    refused = refused_ids(text)
    rows = con.execute(text).fetchall()
    sql = collections.Counter((r[0], r[7], int(r[8])) for r in rows)
    want = collections.Counter()
    skipped = collections.Counter()
    with open(hunt, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            finding = json.loads(line)
            if finding.get("origin") == "rule" and finding["rule_id"] in refused:
                skipped[finding["rule_id"]] += 1
            elif finding.get("origin") == "rule":
                want[(finding["rule_id"], finding["file"], int(finding["record"]))] += 1
    missing = want - sql
    extra = sql - want
    print(json.dumps({
        "pairs": sum(want.values()),
        "sql_rows": sum(sql.values()),
        "rules_with_findings": len({k[0] for k in want}),
        "refused_rules": len(refused),
        "findings_of_refused_rules": sum(skipped.values()),
        "missing": [list(k) for k in sorted(missing)[:10]],
        "extra": [list(k) for k in sorted(extra)[:10]],
        "missing_count": sum(missing.values()),
        "extra_count": sum(extra.values()),
    }))
    sys.exit(1 if missing or extra else 0)


if __name__ == "__main__":
    main()
