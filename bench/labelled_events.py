#!/usr/bin/env python3
"""Recall and benign rate of cloudcase's rules on labelled CloudTrail events.

Usage:
    bench/labelled_events.py [--bin target/release/cloudcase] [--min-level low]
                             [--tests ../shared/datasets/panther-cloudtrail-tests/tests.jsonl]
                             [--list] [-- extra hunt arguments]

The input is JSON Lines of labelled tests, each with `log` (one CloudTrail record) and
`expected_result` (true: malicious for the rule the test belongs to; false: a benign lookalike),
as in Panther's detection-rule unit tests in ../shared. Every record is written to a file of its
own, `cloudcase hunt` runs over the folder (analytics off; only rule findings count) and a record
is flagged when a finding points to its file. Prints recall, the benign rate and the number of
records the reader rejected; with --list also every missed malicious record and every flagged
lookalike with the rules that fired, grouped by the test's rule.

To try rule changes without rebuilding: `-- --no-builtin --rules rules/builtin`.
tests/labelled_events.rs asserts regression floors on the same measure.
"""
import argparse, collections, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/cloudcase"))
    ap.add_argument("--min-level", default="low")
    ap.add_argument("--tests", default=os.path.join(ROOT, "../shared/datasets/panther-cloudtrail-tests/tests.jsonl"))
    ap.add_argument("--list", action="store_true", help="list misses and flagged lookalikes")
    ap.add_argument("extra", nargs="*", help="extra arguments for cloudcase hunt (after --)")
    a = ap.parse_args()
    tests = [json.loads(l) for l in open(a.tests) if l.strip()]
    with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as side:
        for i, t in enumerate(tests):
            with open(f"{d}/t{i:04d}.json", "w") as f:
                json.dump({"Records": [t["log"]]}, f)
        rej = os.path.join(side, "rejects.jsonl")  # outside the input folder
        out = subprocess.run([a.bin, "hunt", d, "--format", "jsonl", "--min-level", a.min_level,
                              "--no-analytics", "--rejects", rej] + a.extra,
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(out.stderr)
        flagged = collections.defaultdict(list)
        for line in out.stdout.splitlines():
            f = json.loads(line)
            if f.get("origin") == "analytic":
                continue
            flagged[os.path.basename(f["file"])].append(f"{f['level']}: {f['rule_title']}")
        rejected = {os.path.basename(json.loads(l)["file"]) for l in open(rej)} if os.path.exists(rej) else set()
    c = collections.Counter()
    misses, lookalikes = collections.defaultdict(list), collections.defaultdict(list)
    for i, t in enumerate(tests):
        name = f"t{i:04d}.json"
        hit = name in flagged
        mal = bool(t["expected_result"])
        c[(mal, hit)] += 1
        c[("rejected", mal)] += name in rejected
        label = f"{t['log'].get('eventName')}: {t.get('test_name')}"
        if mal and not hit:
            misses[t.get("rule_id")].append(label + (" (rejected by the reader)" if name in rejected else ""))
        if not mal and hit:
            lookalikes[t.get("rule_id")].append(f"{label} <- {'; '.join(sorted(set(flagged[name])))}")
    m, b = c[(True, True)] + c[(True, False)], c[(False, True)] + c[(False, False)]
    print(f"min-level {a.min_level}: malicious {c[(True, True)]}/{m} flagged (recall {c[(True, True)] / m:.3f}); "
          f"benign {c[(False, True)]}/{b} flagged ({c[(False, True)] / b:.3f}); "
          f"rejected by the reader: {len(rejected)} ({c[('rejected', True)]} malicious)")
    if a.list:
        for title, groups in (("missed malicious records", misses), ("flagged benign lookalikes", lookalikes)):
            print(f"\n== {title}")
            for rule in sorted(groups):
                for x in groups[rule]:
                    print(f"{rule} | {x}")


if __name__ == "__main__":
    main()
