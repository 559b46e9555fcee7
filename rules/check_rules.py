#!/usr/bin/env python3
"""Self-check for the built-in Sigma rule pack (rules/builtin).

Checks, with the standard library and PyYAML only:
  * every rule parses as YAML and has the required Sigma keys with sane values
    (fresh UUIDv4 ids, unique ids and titles, file name = snake_case of the title,
    valid status and level, ATT&CK tactic and technique tags, logsource product aws with
    one of the services cloudcase reads (SOURCES),
    AWS documentation references, author cloudcase);
  * every rule has tests/<rule file stem>/ with at least one positive*.json and one
    negative*.json, each a single record of the rule's log in the shape cloudcase's reader
    gives it (CloudTrail records as AWS delivers them; other logs with "logSource" naming
    the log) that uses only documentation or private IP ranges and the example account ids;
  * every positive test event matches its rule and every negative does not, using the
    small reference evaluator below (case-insensitive matching, wildcards, dotted paths
    that fan out over arrays, the modifiers the pack uses, and the condition grammar).
    The Rust engine (crates/sigma) is the authority; this evaluator only guards the data.

When pySigma is importable it also parses every rule with pySigma and runs pySigma's
offline validators (the ATT&CK/D3FEND tag validators are skipped: they download data).

Usage: python3 rules/check_rules.py [RULES_DIR]     (exit status 1 on any error)
"""

import glob
import ipaddress
import json
import os
import re
import sys
import uuid

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("check_rules.py needs PyYAML (pip install pyyaml)")

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIRED = ["title", "id", "status", "description", "references", "author", "date", "tags",
            "logsource", "detection", "falsepositives", "level"]
STATUSES = {"stable", "test", "experimental", "deprecated", "unsupported"}
LEVELS = ["informational", "low", "medium", "high", "critical"]
# ATT&CK tactics, current names (v19: stealth and defense-impairment replaced defense-evasion)
# plus defense-evasion, kept for data sets labelled with earlier ATT&CK versions.
TACTICS = {"reconnaissance", "resource-development", "initial-access", "execution", "persistence",
           "privilege-escalation", "defense-evasion", "stealth", "defense-impairment", "credential-access",
           "discovery", "lateral-movement", "collection", "command-and-control", "exfiltration", "impact"}
TECHNIQUE_RE = re.compile(r"^attack\.t\d{4}(\.\d{3})?$")
ACCOUNTS = {"111122223333", "444455556666"}
DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
# The logs a built-in rule may name (logsource service), as cloudcase names them.
SOURCES = {"cloudtrail", "s3_access", "vpc_flow", "guardduty", "route53_resolver", "billing"}
PRIVATE_NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                                                 "fc00::/7")]
# Keys a test record of each non-CloudTrail log must have (the reader's raw record), its
# address fields and its account field.
OTHER_SHAPES = {
    "s3_access": (["eventTime", "eventSource", "eventName", "sourceIPAddress", "requestParameters", "s3AccessLog"],
                  ["sourceIPAddress", "s3AccessLog.remoteIp"], None),
    "vpc_flow": (["account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
                  "bytes", "start", "end", "action", "log-status"], ["srcaddr", "dstaddr"], "account-id"),
    "guardduty": (["accountId", "region", "id", "type", "severity", "resource", "service", "createdAt", "updatedAt"],
                  ["service.action.awsApiCallAction.remoteIpDetails.ipAddressV4"], "accountId"),
    "route53_resolver": (["account_id", "region", "vpc_id", "query_timestamp", "query_name", "query_type", "rcode",
                          "srcaddr", "srcids"], ["srcaddr", "answers.Rdata"], "account_id"),
    "billing": (["lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UnblendedCost"], [],
                "lineItem/UsageAccountId"),
}
RECORD_KEYS = ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
               "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID",
               "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory"]


def snake(title):
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


# --------------------------------------------------------------------------- evaluator
class Unsupported(Exception):
    pass


def field_values(record, path):
    """Values at a dotted path; arrays fan out (any element may match). Returns (present, values)."""
    out = []
    present = [False]

    def walk(node, parts):
        if isinstance(node, list):
            for el in node:
                walk(el, parts)
            return
        if not parts:
            present[0] = True
            out.append(node)
            return
        if not isinstance(node, dict):
            return
        for i in range(len(parts), 0, -1):  # also accept keys that contain dots themselves
            key = ".".join(parts[:i])
            if key in node:
                walk(node[key], parts[i:])

    walk(record, path.split("."))
    return present[0], out


def as_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float, str)):
        return str(v)
    return None  # objects are not matched by value


def as_number(v):
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def wildcard_regex(pattern, mode):
    """Sigma string with * ? and backslash escapes -> anchored regex."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    body = "".join(out)
    if mode in ("contains", "endswith"):
        body = ".*" + body
    if mode in ("contains", "startswith"):
        body = body + ".*"
    return "^" + body + "$"


def match_item(record, field, modifiers, values):
    mods = list(modifiers)
    known = {"contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr", "exists",
             "gt", "gte", "lt", "lte", "fieldref", "cased"}
    bad = [m for m in mods if m not in known]
    if bad:
        raise Unsupported(f"modifier {bad[0]} not supported by the reference evaluator")
    if not isinstance(values, list):
        values = [values]
    present, leaves = field_values(record, field) if field is not None else (False, [])

    def one(pattern):
        if "exists" in mods:
            return present == bool(pattern)
        if pattern is None:
            return (not present) or any(v is None for v in leaves)
        if "fieldref" in mods:
            _, others = field_values(record, str(pattern))
            mode = next((m for m in ("contains", "startswith", "endswith") if m in mods), "eq")
            for v in leaves:
                tv = as_text(v)
                for o in others:
                    to = as_text(o)
                    if tv is None or to is None:
                        continue
                    a, b = (tv, to) if "cased" in mods else (tv.lower(), to.lower())
                    if (mode == "eq" and a == b) or (mode == "contains" and b in a) or \
                            (mode == "startswith" and a.startswith(b)) or (mode == "endswith" and a.endswith(b)):
                        return True
            return False
        for op in ("gt", "gte", "lt", "lte"):
            if op in mods:
                p = float(pattern)
                for v in leaves:
                    n = as_number(v)
                    if n is not None and ((op == "gt" and n > p) or (op == "gte" and n >= p) or
                                          (op == "lt" and n < p) or (op == "lte" and n <= p)):
                        return True
                return False
        if "cidr" in mods:
            net = ipaddress.ip_network(str(pattern), strict=False)
            for v in leaves:
                try:
                    if ipaddress.ip_address(str(v)) in net:
                        return True
                except ValueError:
                    pass
            return False
        if "re" in mods:
            flags = (re.I if "i" in mods else 0) | (re.M if "m" in mods else 0) | (re.S if "s" in mods else 0)
            rx = re.compile(str(pattern), flags)
            return any(as_text(v) is not None and rx.search(as_text(v)) for v in leaves)
        if isinstance(pattern, bool):
            pattern = "true" if pattern else "false"
        if isinstance(pattern, (int, float)):
            for v in leaves:
                n = as_number(v)
                if n is not None and n == float(pattern):
                    return True
            pattern = str(pattern)
        mode = next((m for m in ("contains", "startswith", "endswith") if m in mods), "eq")
        rx = re.compile(wildcard_regex(str(pattern), mode), 0 if "cased" in mods else re.I | re.S)
        return any(as_text(v) is not None and rx.match(as_text(v)) for v in leaves)

    results = [one(p) for p in values]
    return all(results) if "all" in mods else any(results)


def match_detection(record, det):
    if isinstance(det, list):
        if all(isinstance(d, dict) for d in det):
            return any(match_detection(record, d) for d in det)
        raise Unsupported("keyword lists are not used by the built-in pack")
    if isinstance(det, dict):
        for key, values in det.items():
            field, *mods = key.split("|")
            if not match_item(record, field, mods, values):
                return False
        return True
    raise Unsupported(f"detection of type {type(det).__name__}")


def tokenize(cond):
    return re.findall(r"\(|\)|[^\s()]+", cond)


def eval_condition(cond, names, hit):
    toks = tokenize(cond)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def group(pattern):
        if pattern == "them":
            sel = [n for n in names if not n.startswith("_")]
        else:
            rx = re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")
            sel = [n for n in names if rx.match(n)]
        if not sel:
            raise Unsupported(f"'{pattern}' names no detection")
        return sel

    def atom():
        t = take()
        if t == "(":
            v = expr()
            if take() != ")":
                raise Unsupported("unbalanced parentheses")
            return v
        if t == "not":
            return not atom()
        if t in ("1", "all", "any") and peek() == "of":
            take()
            sel = group(take())
            vals = [hit(n) for n in sel]
            return all(vals) if t == "all" else any(vals)
        if t not in names:
            raise Unsupported(f"condition names unknown detection '{t}'")
        return hit(t)

    def term():
        v = atom()
        while peek() == "and":
            take()
            r = atom()
            v = v and r
        return v

    def expr():
        v = term()
        while peek() == "or":
            take()
            r = term()
            v = v or r
        return v

    v = expr()
    if pos[0] != len(toks):
        raise Unsupported(f"trailing tokens in condition: {toks[pos[0]:]}")
    return v


def rule_matches(rule, record):
    det = dict(rule["detection"])
    cond = det.pop("condition")
    if isinstance(cond, list):
        raise Unsupported("multiple conditions")
    det.pop("timeframe", None)
    cache = {}

    def hit(name):
        if name not in cache:
            cache[name] = match_detection(record, det[name])
        return cache[name]

    return eval_condition(cond, list(det.keys()), hit)


# --------------------------------------------------------------------------- checks
def check_other_record(path, rec, service, errors):
    """A record of a log other than CloudTrail, in the shape cloudcase's reader gives it."""
    if rec.get("logSource") != service:
        errors.append(f"{path}: logSource must be {service!r} (the rule's log)")
    keys, address_fields, account_field = OTHER_SHAPES[service]
    for k in keys:
        if k not in rec:
            errors.append(f"{path}: missing {k}")
    if account_field and rec.get(account_field) not in ACCOUNTS:
        errors.append(f"{path}: {account_field} not an example account id")
    for field in address_fields:
        for ip in field_values(rec, field)[1]:
            try:
                addr = ipaddress.ip_address(str(ip))
            except ValueError:
                errors.append(f"{path}: {field} {ip!r} is not an address")
                continue
            if not any(addr in n for n in DOC_NETS + PRIVATE_NETS):
                errors.append(f"{path}: {field} {ip} outside the documentation and private ranges")


def check_record(path, rec, errors, service="cloudtrail"):
    if not isinstance(rec, dict):
        errors.append(f"{path}: not a single JSON object")
        return
    if service != "cloudtrail":
        check_other_record(path, rec, service, errors)
        return
    if "logSource" in rec:
        errors.append(f"{path}: a CloudTrail record has no logSource")
    for k in RECORD_KEYS:
        if k not in rec:
            errors.append(f"{path}: missing {k}")
    if rec.get("eventType") != "AwsConsoleSignIn" and "requestID" not in rec:
        errors.append(f"{path}: missing requestID")
    for k in ("eventID",) + (("requestID",) if "requestID" in rec else ()):
        try:
            uuid.UUID(str(rec.get(k)))
        except ValueError:
            errors.append(f"{path}: {k} is not a UUID")
    if rec.get("recipientAccountId") not in ACCOUNTS:
        errors.append(f"{path}: recipientAccountId not an example account id")
    acct = (rec.get("userIdentity") or {}).get("accountId")
    if acct is not None and acct not in ACCOUNTS:
        errors.append(f"{path}: userIdentity.accountId not an example account id")
    ip = str(rec.get("sourceIPAddress", ""))
    try:
        if not any(ipaddress.ip_address(ip) in n for n in DOC_NETS):
            errors.append(f"{path}: sourceIPAddress {ip} outside the documentation ranges")
    except ValueError:
        if not (ip.endswith(".amazonaws.com") or ip == "AWS Internal"):
            errors.append(f"{path}: sourceIPAddress {ip!r} is neither an address nor an AWS service")
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", str(rec.get("eventTime", ""))):
        errors.append(f"{path}: eventTime not in CloudTrail's format")


# --------------------------------------------------------------------------- pySigma differential
def flatten_rows(record, limit=5000):
    """A record as SQLite rows: dotted columns, one row per combination of array elements."""
    rows = [{}]

    def walk(node, prefix, rows):
        if isinstance(node, dict):
            if prefix:  # the object itself is present (for exists)
                for r in rows:
                    r[prefix] = json.dumps(node)
            for k, v in node.items():
                rows = walk(v, f"{prefix}.{k}" if prefix else k, rows)
            return rows
        if isinstance(node, list):
            if not node:
                return rows
            out = []
            for el in node:
                out.extend(walk(el, prefix, [dict(r) for r in rows]))
                if len(out) > limit:
                    raise Unsupported("too many array combinations")
            return out
        value = as_text(node) if isinstance(node, bool) else node
        for r in rows:
            r[prefix] = value
        return rows

    return walk(record, "", rows)


def pysigma_verdicts(rule_files, cases):
    """{(stem, test path): verdict} from pySigma's SQLite backend, or None if unavailable."""
    try:
        import sqlite3
        from sigma.backends.sqlite import sqliteBackend
        from sigma.collection import SigmaCollection
    except ImportError:
        return None
    backend = sqliteBackend()
    queries = {}
    for path in rule_files:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            queries[stem] = backend.convert(SigmaCollection.from_yaml(f.read()))[0]
    verdicts = {}
    for stem, path, rec in cases:
        if stem not in queries:
            continue
        try:
            rows = flatten_rows(rec)
        except Unsupported:
            continue
        cols = sorted({c for r in rows for c in r} | set(re.findall(r"`([^`]+)`", queries[stem])) |
                      set(re.findall(r"\b([A-Za-z][A-Za-z0-9]*)\b\s*(?:=|<|>| IS | LIKE | REGEXP )", queries[stem])))
        db = sqlite3.connect(":memory:")
        db.create_function("REGEXP", 2, lambda rx, v: v is not None and re.search(rx, str(v)) is not None)
        db.execute("CREATE TABLE logs (" + ", ".join(f'"{c}"' for c in cols) + ")")
        for r in rows:
            keys = [k for k in r if k in cols]
            db.execute(f"INSERT INTO logs ({', '.join(chr(34) + k + chr(34) for k in keys)}) VALUES "
                       f"({', '.join('?' for _ in keys)})", [r[k] for k in keys])
        try:
            verdicts[(stem, path)] = bool(db.execute(queries[stem]).fetchall())
        except sqlite3.Error as e:
            verdicts[(stem, path)] = f"SQLite error: {e}"
        db.close()
    return verdicts


def main():
    rules_dir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(HERE, "builtin")
    tests_dir = os.path.join(rules_dir, "tests")
    errors, warnings = [], []
    rules = {}
    ids, titles = {}, {}
    files = sorted(glob.glob(os.path.join(rules_dir, "*.yml")) + glob.glob(os.path.join(rules_dir, "*.yaml")))
    for path in files:
        name = os.path.basename(path)
        stem = os.path.splitext(name)[0]
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
        except yaml.YAMLError as e:
            errors.append(f"{name}: YAML error: {e}")
            continue
        if len(docs) != 1 or not isinstance(docs[0], dict):
            errors.append(f"{name}: expected exactly one YAML mapping (one rule per file)")
            continue
        r = docs[0]
        rules[stem] = r
        for k in REQUIRED:
            if k not in r or r[k] in (None, "", []):
                errors.append(f"{name}: missing {k}")
        title = str(r.get("title", ""))
        if snake(title) != stem:
            errors.append(f"{name}: file name should be {snake(title)}.yml")
        if len(title) > 110:
            errors.append(f"{name}: title longer than 110 characters")
        try:
            u = uuid.UUID(str(r.get("id")))
            if u.version != 4 or str(u) != str(r.get("id")):
                errors.append(f"{name}: id is not a canonical UUIDv4")
        except ValueError:
            errors.append(f"{name}: id is not a UUID")
        if r.get("id") in ids:
            errors.append(f"{name}: id also used by {ids[r.get('id')]}")
        ids[r.get("id")] = name
        if title.lower() in titles:
            errors.append(f"{name}: title also used by {titles[title.lower()]}")
        titles[title.lower()] = name
        if r.get("status") not in STATUSES:
            errors.append(f"{name}: status {r.get('status')!r} invalid")
        if r.get("level") not in LEVELS:
            errors.append(f"{name}: level {r.get('level')!r} invalid")
        if r.get("author") != "cloudcase":
            errors.append(f"{name}: author must be cloudcase")
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(r.get("date", ""))):
            errors.append(f"{name}: date must be YYYY-MM-DD")
        ls = r.get("logsource") or {}
        if ls.get("product") != "aws" or ls.get("service") not in SOURCES:
            errors.append(f"{name}: logsource must be product aws with a service of {sorted(SOURCES)}")
        for ref in r.get("references") or []:
            if not str(ref).startswith("https://docs.aws.amazon.com/"):
                errors.append(f"{name}: reference {ref} is not AWS documentation")
        tags = r.get("tags") or []
        if len(set(tags)) != len(tags):
            errors.append(f"{name}: duplicate tags")
        tactics = [t for t in tags if t.startswith("attack.") and t[7:] in TACTICS]
        techniques = [t for t in tags if TECHNIQUE_RE.match(t)]
        for t in tags:
            if t not in tactics and t not in techniques:
                errors.append(f"{name}: tag {t} is neither an ATT&CK tactic nor a technique")
        if not tactics or not techniques:
            errors.append(f"{name}: needs at least one ATT&CK tactic and one technique tag")
        det = r.get("detection") or {}
        if "condition" not in det:
            errors.append(f"{name}: detection without condition")
        if not isinstance(r.get("falsepositives"), list):
            errors.append(f"{name}: falsepositives must be a list")

    # tests
    n_pos = n_neg = n_fail = 0
    cases = []
    for stem, r in rules.items():
        tdir = os.path.join(tests_dir, stem)
        pos = sorted(glob.glob(os.path.join(tdir, "positive*.json")))
        neg = sorted(glob.glob(os.path.join(tdir, "negative*.json")))
        if not pos or not neg:
            errors.append(f"{stem}: tests/{stem}/ needs at least one positive*.json and one negative*.json")
        for path, expected in [(p, True) for p in pos] + [(p, False) for p in neg]:
            rel = os.path.relpath(path, rules_dir)
            try:
                with open(path, encoding="utf-8") as f:
                    rec = json.load(f)
            except (OSError, ValueError) as e:
                errors.append(f"{rel}: invalid JSON: {e}")
                continue
            check_record(rel, rec, errors, str((r.get("logsource") or {}).get("service")))
            if isinstance(rec, dict):
                cases.append((stem, rel, rec))
            if isinstance(rec, dict) and "condition" in (r.get("detection") or {}):
                try:
                    got = rule_matches(r, rec)
                except Unsupported as e:
                    warnings.append(f"{rel}: not evaluated ({e})")
                    continue
                except (re.error, ValueError, TypeError) as e:
                    errors.append(f"{rel}: evaluation failed: {e}")
                    continue
                if got != expected:
                    n_fail += 1
                    errors.append(f"{rel}: expected {'match' if expected else 'no match'}, got {'match' if got else 'no match'}")
            if expected:
                n_pos += 1
            else:
                n_neg += 1
    if os.path.isdir(tests_dir):
        for d in sorted(os.listdir(tests_dir)):
            if d not in rules:
                errors.append(f"tests/{d}: no rule {d}.yml")

    # pySigma, when available
    pysigma = "pySigma not importable: parse check skipped"
    try:
        from sigma.rule import SigmaRule
        from sigma.collection import SigmaCollection
    except ImportError:
        SigmaRule = None
    if SigmaRule is not None:
        parsed = 0
        for path in files:
            try:
                with open(path, encoding="utf-8") as f:
                    SigmaRule.from_yaml(f.read())
                parsed += 1
            except Exception as e:  # pySigma raises many exception types
                errors.append(f"{os.path.basename(path)}: pySigma: {e}")
        issues = 0
        try:
            from sigma.validators.core import validators
            from sigma.validation import SigmaValidator
            # these two download ATT&CK / D3FEND data at run time
            chosen = [v for k, v in validators.items()
                      if "attack" not in k and "d3" not in k and "fend" not in k]
            collection = SigmaCollection.load_ruleset([rules_dir], recursion_pattern="*.yml")
            validator = SigmaValidator(chosen)
            for issue in validator.validate_rules(collection):
                issues += 1
                where = ", ".join(os.path.basename(str(getattr(rr, "source", None) or rr.title)) for rr in issue.rules)
                warnings.append(f"pySigma {type(issue).__name__}: {issue.description} [{where}]")
        except Exception as e:  # validators vary between pySigma versions
            warnings.append(f"pySigma validators not run: {e}")
        try:
            from importlib.metadata import version
            ver = version("pySigma")
        except Exception:
            ver = "?"
        pysigma = f"pySigma {ver}: {parsed}/{len(files)} rules parsed, {issues} validator issue(s)"
        try:
            verdicts = pysigma_verdicts(files, cases)
        except Exception as e:  # conversion problems are reported, not fatal
            verdicts = None
            warnings.append(f"pySigma SQLite differential not run: {e}")
        if verdicts is not None:
            differ = 0
            for (stem, rel), got in sorted(verdicts.items()):
                expected = os.path.basename(rel).startswith("positive")
                if got is not expected:
                    differ += 1
                    warnings.append(f"{rel}: pySigma SQLite backend says {got!r}, expected {expected} "
                                    "(rows are one combination of array elements each, so fields of different "
                                    "array elements never meet; see README)")
            pysigma += (f"; SQLite backend verdicts: {len(verdicts) - differ}/{len(verdicts)} "
                        "test events agree")

    levels = {lv: 0 for lv in LEVELS}
    for r in rules.values():
        if r.get("level") in levels:
            levels[r["level"]] += 1
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    print(f"rules: {len(rules)} in {os.path.relpath(rules_dir)}; levels: " +
          ", ".join(f"{k} {v}" for k, v in levels.items()))
    print(f"tests: {n_pos} positive, {n_neg} negative events; verdicts checked with the reference evaluator")
    print(pysigma)
    print(f"{n_pos + n_neg - n_fail} passed, {n_fail} failed")
    print("OK" if not errors else f"FAILED: {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
