"""Reads an export back with pyarrow and checks it against the inputs and hunt's findings.

usage: readback.py OUT SCHEMA STATS_JSON FINDINGS_JSONL
Exits 0 and prints `ok: …` when every check holds; prints `SKIPPED: <why>` and exits 3 when
pyarrow is missing.
"""
import datetime
import hashlib
import json
import os
import re
import sys

try:
    import pyarrow.dataset as ds
except ImportError as e:  # pragma: no cover
    print(f"SKIPPED: pyarrow is not installed ({e})")
    sys.exit(3)

out, schema, stats_path, findings_path = sys.argv[1:5]
stats = json.load(open(stats_path))
table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
rows = table.to_pylist()
names = set(table.schema.names)
fail = []


def check(cond, what):
    if not cond:
        fail.append(what)


# Row counts: every event (OCSF: every event of a log with an OCSF class).
expected = stats["events"]
if schema == "ocsf":
    expected -= stats["by_log_source"].get("billing", 0)
check(len(rows) == expected, f"rows {len(rows)} != events {expected}")

# Part files: named part-N.parquet under account=/region=/day=, nothing half-written left.
for root, _dirs, files in os.walk(out):
    rel = os.path.relpath(root, out)
    for f in files:
        check(re.fullmatch(r"part-\d+\.parquet", f) is not None, f"stray file {rel}/{f}")
        check(re.fullmatch(r"account=[^/=]+/region=[^/=]+/day=\d{4}-\d{2}-\d{2}", rel) is not None,
              f"partition directory {rel}")

for col in ("source_file", "record", "evidence_sha256", "account", "region", "day"):
    check(col in names, f"missing column {col}")


def day_of(row):
    if schema == "ocsf":
        t = datetime.datetime.fromtimestamp(row["time"] / 1000, datetime.timezone.utc)
    else:
        t = row["event_time"]
    return t.strftime("%Y-%m-%d")


def part_value(v):
    if not v:
        return "unknown"
    s = re.sub(r"[^A-Za-z0-9_.-]", "_", v[:128])
    return "_" + s[1:] if s.startswith(".") else s


by_loc = {}
hashes = {}
for r in rows:
    if schema == "ocsf":
        account = (r["cloud"] or {}).get("account") or {}
        account = account.get("uid") if r["metadata"]["log_provider"] != "vpc_flow" else None
        region = (r["cloud"] or {}).get("region")
        check(r["raw_data"] is not None, "raw_data missing")
    else:
        account, region = r["recipient_account_id"], r["aws_region"]
        check(r["raw"] is not None, "raw missing")
    if account is not None or schema == "cloudtrail":
        check(r["account"] == part_value(account), f"account partition {r['account']} for {account}")
    check(r["region"] == part_value(region), f"region partition {r['region']} for {region}")
    check(str(r["day"]) == day_of(r), f"day partition {r['day']}")
    by_loc[(r["source_file"], r["record"])] = r
    hashes.setdefault(r["source_file"], r["evidence_sha256"])
check(len(by_loc) == len(rows), "source_file and record do not identify rows")

# evidence_sha256: the input file's SHA-256.
for path, digest in list(hashes.items())[:50]:
    want = hashlib.sha256(open(path, "rb").read()).hexdigest()
    check(digest == want, f"evidence_sha256 of {path}")

# Pivot columns: equal to hunt's view of the same event, and to the raw CloudTrail record.
PIVOTS = {
    "event_name": "eventName", "event_source": "eventSource", "aws_region": "awsRegion",
    "recipient_account_id": "recipientAccountId", "source_ip_address": "sourceIPAddress",
    "user_agent": "userAgent", "error_code": "errorCode", "error_message": "errorMessage",
    "event_type": "eventType", "event_id": "eventID", "request_id": "requestID",
    "user_identity_type": "userIdentity.type", "user_identity_arn": "userIdentity.arn",
    "user_identity_principal_id": "userIdentity.principalId",
    "user_identity_account_id": "userIdentity.accountId",
    "user_identity_user_name": "userIdentity.userName",
    "user_identity_access_key_id": "userIdentity.accessKeyId",
    "user_identity_invoked_by": "userIdentity.invokedBy",
    "session_issuer_arn": "userIdentity.sessionContext.sessionIssuer.arn",
    "session_issuer_user_name": "userIdentity.sessionContext.sessionIssuer.userName",
    "source_identity": "userIdentity.sessionContext.sourceIdentity",
}


def at(obj, path):
    for k in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


matched = 0
for line in open(findings_path):
    f = json.loads(line)
    r = by_loc.get((f["file"], f["record"]))
    check(r is not None, f"finding {f['rule_id']} at {f['file']}:{f['record']} has no row")
    if r is None:
        continue
    matched += 1
    if schema == "cloudtrail":
        pairs = [("event_name", f["event_name"]), ("event_source", f["event_source"]),
                 ("event_id", f["event_id"]), ("source_ip_address", f["source_ip"]),
                 ("aws_region", f["region"]), ("recipient_account_id", f["account"]),
                 ("user_identity_access_key_id", f["access_key"]), ("error_code", f["error_code"])]
    else:
        pairs = [("time", None)]
    for col, want in pairs:
        if want is not None:
            check((r[col] or "") == want, f"{col} {r[col]!r} != hunt's {want!r}")
check(matched > 0, "no finding matched a row")

if schema == "cloudtrail":
    ct = [r for r in rows if r["log_source"] == "cloudtrail"]
    for r in ct[:: max(1, len(ct) // 500)]:
        raw = json.loads(r["raw"])
        for col, path in PIVOTS.items():
            want = at(raw, path)
            check(r[col] == want, f"{col} {r[col]!r} != raw {path} {want!r}")
        want_ro = raw.get("readOnly")
        check(r["read_only"] == want_ro, f"read_only {r['read_only']} != {want_ro}")

if fail:
    for f in fail[:20]:
        print("FAIL:", f)
    print(f"{len(fail)} failures")
    sys.exit(1)
print(f"ok: {len(rows)} rows, {matched} findings matched, {len(hashes)} files")
