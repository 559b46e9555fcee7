"""Reference verdicts from pySigma's SQLite backend, for crates/sigma/tests/pysigma_diff.rs.

Usage: python3 pysigma_eval.py CONFIG.json OUT.json
       python3 pysigma_eval.py synth EVENTS.jsonl RULE.yml...  (derive test events from the rules)

CONFIG: {"events": "events.jsonl", "collections": [["rule.yml", ...], ...]}
  events.jsonl holds one CloudTrail record per line; its line number (from 0) is the event id.
  Each collection is converted on its own (a correlation and the rules it references go together).

The events are flattened the way Zircolite (the SQLite backend's consumer) does: nested object keys
joined with dots, each object also stored whole as compact JSON text (keys sorted) so that a rule may
match it as a string, arrays stored as JSON text only (no element columns), booleans as 'true'/'false',
null as NULL. Columns are TEXT COLLATE NOCASE, as in Zircolite.

OUT: {"rules": {RULE_ID: [event ids]}, "correlations": {RULE_ID: [[group values], window_end_ms]},
      "errors": {RULE_ID or title: message}, "sqlite": version}
"""

import json
import re
import sqlite3
import sys

from sigma.backends.sqlite import sqliteBackend
from sigma.backends.sqlite.runtime import execute_plan
from sigma.collection import SigmaCollection


def flatten(value, prefix, out):
    if isinstance(value, dict):
        if prefix:
            out.setdefault(prefix.lower(), (prefix, canonical(value)))
        for k, v in value.items():
            flatten(v, f"{prefix}.{k}" if prefix else k, out)
    elif isinstance(value, list):
        out.setdefault(prefix.lower(), (prefix, canonical(value)))
    elif value is None:
        pass
    elif isinstance(value, bool):
        out.setdefault(prefix.lower(), (prefix, "true" if value else "false"))
    else:
        out.setdefault(prefix.lower(), (prefix, value))


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def quote(name):
    return "`" + name.replace("`", "``") + "`"


def regexp(pattern, value):
    return value is not None and re.search(pattern, str(value)) is not None


BASE_EVENT = {
    "eventVersion": "1.09",
    "userIdentity": {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": "arn:aws:iam::123456789012:user/synthetic",
        "accountId": "123456789012",
        "accessKeyId": "AKIAEXAMPLE",
        "userName": "synthetic",
    },
    "eventTime": "2025-01-01T00:00:00Z",
    "eventSource": "synthetic.amazonaws.com",
    "eventName": "SyntheticCall",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "198.51.100.7",
    "userAgent": "synthetic-agent/1.0",
    "requestParameters": None,
    "responseElements": None,
    "eventType": "AwsApiCall",
    "recipientAccountId": "123456789012",
}


def unwild(s):
    """A string a Sigma pattern matches: wildcards filled, escapes removed."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "*?\\":
            out.append(s[i + 1])
            i += 2
            continue
        out.append({"*": "X", "?": "y"}.get(c, c))
        i += 1
    return "".join(out)


def satisfying(mods, value):
    """A value satisfying `field|mods: value`, or None when none is derived."""
    if value is None:
        return ("absent",)
    if any(m in mods for m in ("re", "base64", "base64offset", "cidr", "expand", "fieldref",
                                "gt", "gte", "lt", "lte", "exists", "windash", "wide", "utf16le",
                                "utf16be", "utf16", "neq")):
        return None
    if isinstance(value, (bool, int, float)):
        return ("value", value)
    v = unwild(str(value))
    if "contains" in mods:
        v = "pre-" + v + "-post"
    elif "startswith" in mods:
        v = v + "-post"
    elif "endswith" in mods:
        v = "pre-" + v
    return ("value", v)


def assignments(search):
    """Field assignments satisfying a search identifier (one per alternative/value)."""
    if isinstance(search, list):
        out = []
        for alt in search:
            if isinstance(alt, dict):
                out.extend(assignments(alt))
        return out
    if not isinstance(search, dict):
        return []
    # For each item, its candidate values; combine the first of each, then vary one at a time.
    items = []
    for key, values in search.items():
        field, *mods = str(key).split("|")
        if not field:
            return []
        values = values if isinstance(values, list) else [values]
        if "all" in mods:
            if "contains" in mods and all(isinstance(v, str) for v in values):
                items.append((field, [("value", "-".join(unwild(v) for v in values))]))
                continue
            return []
        cands = [c for c in (satisfying(mods, v) for v in values) if c is not None]
        if not cands:
            return []
        items.append((field, cands))
    base = {f: c[0] for f, c in items}
    out = [base]
    for f, c in items:
        for alt in c[1:4]:
            out.append({**base, f: alt})
    return out


def put(event, field, value):
    parts = field.split(".")
    node = event
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    if value == ("absent",):
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value[1]


def mutate(assign, kind, field):
    """The assignment with one field mutated."""
    a = dict(assign)
    v = a.get(field)
    if v is None or v == ("absent",):
        return None
    val = v[1]
    if kind == "upper":
        return {**a, field: ("value", val.upper())} if isinstance(val, str) else None
    if kind == "missing":
        return {**a, field: ("absent",)}
    if kind == "null":
        return {**a, field: ("value", None)}
    if kind == "array":
        return {**a, field: ("value", [val])}
    if kind == "array2":
        return {**a, field: ("value", ["zzz", val])}
    if kind == "other":
        return {**a, field: ("value", "zzz-other")}
    if kind == "text":
        return {**a, field: ("value", json.dumps(val) if not isinstance(val, str) else val)}
    if kind == "object":
        return {**a, field: ("value", {"inner": val})}
    return None


MUTATIONS = ["upper", "missing", "null", "array", "array2", "other", "text", "object"]


def synth(rule_files, out_path):
    """Events derived from the rules' own values, and mutants of them."""
    import yaml

    events = []
    for path in rule_files:
        for doc in yaml.safe_load_all(open(path, encoding="utf-8")):
            det = (doc or {}).get("detection") or {}
            name = path.rsplit("/", 1)[-1]
            per_ident = {}
            for ident, search in det.items():
                if ident in ("condition", "timeframe"):
                    continue
                per_ident[ident] = assignments(search)
            combos = []
            for ident, assigns in per_ident.items():
                combos.extend((ident, a) for a in assigns)
            idents = list(per_ident)
            for i, x in enumerate(idents):
                for y in idents[i + 1:]:
                    for a in per_ident[x][:2]:
                        for b in per_ident[y][:2]:
                            combos.append((f"{x}+{y}", {**a, **b}))
            for label, assign in combos:
                variants = [("plain", assign)]
                for field in assign:
                    for kind in MUTATIONS:
                        m = mutate(assign, kind, field)
                        if m is not None:
                            variants.append((f"{kind}:{field}", m))
                for kind, a in variants:
                    ev = json.loads(json.dumps(BASE_EVENT))
                    for field, value in a.items():
                        put(ev, field, value)
                    ev["eventID"] = f"{name}/{label}/{kind}"
                    events.append(ev)
    # Hand-made cases for what the derivation above leaves out (regex, field references).
    extra = [
        ("re/imds", {"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}}),
        ("re/imds-ssm", {"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}, "eventSource": "ssm.amazonaws.com"}),
        ("re/imds-internal", {"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/aws:x/y"}, "sourceIPAddress": "AWS Internal"}),
        ("re/not-aws-role", {"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/app/i-1"}}),
        ("fieldref/same", {"eventSource": "iam.amazonaws.com", "eventName": "UpdateLoginProfile", "userIdentity": {"type": "IAMUser", "arn": "bob"}, "requestParameters": {"userName": "BOB"}}),
        ("fieldref/other", {"eventSource": "iam.amazonaws.com", "eventName": "UpdateLoginProfile", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/alice"}, "requestParameters": {"userName": "bob"}}),
        ("fieldref/missing", {"eventSource": "iam.amazonaws.com", "eventName": "UpdateLoginProfile", "requestParameters": {}}),
        ("backdoor/self", {"eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/bob"}, "responseElements": {"accessKey": {"userName": "bob"}}}),
        ("nested/containers", {"eventSource": "ecs.amazonaws.com", "eventName": "RegisterTaskDefinition", "requestParameters": {"containerDefinitions": [{"command": ["sh", "-c", "curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]}]}}),
        ("nested/layers-empty", {"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionConfiguration20150331v2", "requestParameters": {"layers": []}}),
        ("nested/versioning", {"eventSource": "s3.amazonaws.com", "eventName": "PutBucketVersioning", "requestParameters": {"VersioningConfiguration": {"Status": "Suspended"}}}),
        ("nested/policy", {"eventSource": "iam.amazonaws.com", "eventName": "PutUserPolicy", "userAgent": "S3 Browser 9.1", "requestParameters": {"policyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::<YOUR-BUCKET-NAME>/*\"}]}"}}),
        ("nested/publicly", {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromDBSnapshot", "responseElements": {"publiclyAccessible": True}}),
        ("nested/guardduty-disable", {"eventSource": "guardduty.amazonaws.com", "eventName": "UpdateDetector", "requestParameters": {"enable": False}}),
    ]
    for label, fields in extra:
        ev = json.loads(json.dumps(BASE_EVENT))
        for k, v in fields.items():
            if isinstance(v, dict) and isinstance(ev.get(k), dict):
                ev[k].update(v)
            else:
                ev[k] = v
        ev["eventID"] = f"hand/{label}"
        events.append(ev)
    with open(out_path, "w", encoding="utf-8") as f:
        for ev in events:
            f.write(json.dumps(ev) + "\n")


def main():
    if sys.argv[1] == "synth":
        synth(sys.argv[3:], sys.argv[2])
        return
    config = json.load(open(sys.argv[1]))
    events = []
    with open(config["events"], encoding="utf-8") as f:
        for line in f:
            flat = {}
            flatten(json.loads(line), "", flat)
            events.append(flat)

    backend_options = dict(timestamp_field="eventTime", collect_errors=True)
    converted = []
    errors = {}
    columns = {"eventtime": "eventTime"}
    for files in config["collections"]:
        collection = SigmaCollection.load_ruleset(files, collect_errors=True)
        for e in collection.errors:
            errors[f"{getattr(e, 'source', '')}"] = str(e)
        for rule in collection.rules:
            for e in rule.errors:
                errors[str(rule.id or rule.title)] = str(e)
        backend = sqliteBackend(**backend_options)
        out = json.loads(backend.convert(collection, output_format="zircolite"))
        for rule, e in backend.errors:
            errors[str(rule.id or rule.title)] = str(e)
        for entry in out:
            converted.append(entry)
            for field in entry.get("required_fields", []):
                columns.setdefault(field.lower(), field)

    db = sqlite3.connect(":memory:")
    db.create_function("regexp", 2, regexp)
    names = sorted(columns.values(), key=str.lower)
    db.execute(
        "CREATE TABLE logs (" + ", ".join(f"{quote(n)} TEXT COLLATE NOCASE" for n in names) + ")"
    )
    placeholders = ", ".join("?" for _ in names)
    db.executemany(
        f"INSERT INTO logs (rowid, {', '.join(quote(n) for n in names)}) VALUES (?, {placeholders})",
        (
            [i + 1] + [flat.get(n.lower(), (None, None))[1] for n in names]
            for i, flat in enumerate(events)
        ),
    )

    rules = {}
    correlations = {}
    for entry in converted:
        key = entry["id"] or entry["title"]
        try:
            if entry["result_type"] == "correlation":
                rows, _ = execute_plan(db, entry["correlation_plan"], include_events=False)
                correlations[key] = sorted(
                    [
                        [str(v).lower() if v is not None else None for v in row["group_keys"].values()],
                        round(row["occurrence_time"] * 1000),
                    ]
                    for row in rows
                )
            else:
                ids = set()
                for sql in entry["rule"]:
                    sql = re.sub(r"^SELECT \* FROM", "SELECT rowid FROM", sql)
                    ids.update(r[0] - 1 for r in db.execute(sql))
                rules[key] = sorted(ids)
        except Exception as e:  # report, never hide
            errors[key] = f"{type(e).__name__}: {e}"

    json.dump(
        {"rules": rules, "correlations": correlations, "errors": errors, "sqlite": sqlite3.sqlite_version},
        open(sys.argv[2], "w"),
    )


if __name__ == "__main__":
    main()
