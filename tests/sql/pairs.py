"""The pair comparison shared by the differential checks (duckdb_diff.py, spark_diff.py): the
(rule_id, file, record) rows an engine returned for `cloudcase rules sql` against the rule
findings of `cloudcase hunt --format jsonl`, leaving out the rules the query refused."""
import collections
import json
import re

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


def compare(rows, sql, hunt):
    """Compares `rows` ((rule_id, file, record) tuples) with the rule findings in the file
    `hunt`, less the rules `sql` refuses. Returns (summary dict, whether they are equal)."""
    refused = refused_ids(sql)
    got = collections.Counter((r[0], r[1], int(r[2])) for r in rows)
    want = collections.Counter()
    skipped = collections.Counter()
    with open(hunt, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            finding = json.loads(line)
            if finding.get("origin") != "rule":
                continue
            if finding["rule_id"] in refused:
                skipped[finding["rule_id"]] += 1
            else:
                want[(finding["rule_id"], finding["file"], int(finding["record"]))] += 1
    missing = want - got
    extra = got - want
    summary = {
        "pairs": sum(want.values()),
        "sql_rows": sum(got.values()),
        "rules_with_findings": len({k[0] for k in want}),
        "refused_rules": len(refused),
        "findings_of_refused_rules": sum(skipped.values()),
        "missing": [list(k) for k in sorted(missing)[:10]],
        "extra": [list(k) for k in sorted(extra)[:10]],
        "missing_count": sum(missing.values()),
        "extra_count": sum(extra.values()),
    }
    return summary, not missing and not extra
