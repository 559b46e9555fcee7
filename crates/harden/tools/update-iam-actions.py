#!/usr/bin/env python3
"""Rebuilds crates/harden/data/iam-actions.tsv: every IAM action, one `prefix<TAB>Action` a line.

Two sources, in order of preference:

  --sar DIR_OR_URL   the AWS Service Authorization Reference in JSON
                     (https://servicereference.us-east-1.amazonaws.com/ : an index of
                     {"service", "url"} objects; each service file has "Name" (the IAM prefix)
                     and "Actions": [{"Name": ...}]). A folder holds the same files saved with
                     `curl` (index.json plus one <service>.json each). This is the authority.
  --parliament [FILE] the snapshot of the same reference that parliament (PyPI) ships as
                     iam_definition.json (its `prefix` and `privileges[].privilege`); the
                     shipped table is built from it when no network reaches the reference.
  --botocore         offline fallback: every operation of every service model botocore ships
                     (botocore is installed with moto). The IAM prefix is the model's
                     `signingName` (else `endpointPrefix`); an operation name is the IAM action
                     name for nearly every service, but botocore knows nothing of IAM-only
                     actions (e.g. `iam:PassRole`, `s3:ListBucket`), so --extra adds those.
  --extra FILE       lines `prefix<TAB>Action` merged in (the project's own lists:
                     policy/*.json, crates/aws/src/actions.rs, and extra-actions.tsv beside this
                     script for actions with no API operation).

Usage:
  python3 update-iam-actions.py --sar https://servicereference.us-east-1.amazonaws.com/ > iam-actions.tsv
  python3 update-iam-actions.py --parliament --extra ../data/extra-actions.tsv > iam-actions.tsv   (shipped)
  python3 update-iam-actions.py --botocore --extra ../data/extra-actions.tsv > iam-actions.tsv
"""
import argparse
import json
import os
import sys
import urllib.request


def load(src):
    if src.startswith("http://") or src.startswith("https://"):
        with urllib.request.urlopen(src, timeout=60) as r:
            return json.load(r)
    with open(src, encoding="utf-8") as f:
        return json.load(f)


def from_sar(root):
    remote = root.startswith("http")
    index = load(root if remote else os.path.join(root, "index.json"))
    for entry in index:
        url = entry["url"] if remote else os.path.join(root, entry["service"] + ".json")
        doc = load(url)
        prefix = doc.get("Name", entry["service"])
        for action in doc.get("Actions", []):
            yield prefix.lower(), action["Name"]


# Signing names that are not the IAM prefix (the Service Authorization Reference's "Name").
PREFIX_FIXES = {"monitoring": "cloudwatch", "email": "ses", "awslambda": "lambda"}


def from_botocore():
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    for service in session.get_available_services():
        model = loader.load_service_model(service, "service-2")
        meta = model.get("metadata", {})
        prefix = (meta.get("signingName") or meta.get("endpointPrefix") or service).lower()
        prefix = PREFIX_FIXES.get(prefix, prefix)
        for op in model.get("operations", {}):
            yield prefix, op


def from_parliament(path):
    if not path:
        import parliament

        path = os.path.join(os.path.dirname(parliament.__file__), "iam_definition.json")
    for service in load(path):
        for privilege in service["privileges"]:
            yield service["prefix"].lower(), privilege["privilege"]


def from_extra(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                prefix, action = line.split("\t")
                yield prefix, action


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sar")
    ap.add_argument("--parliament", nargs="?", const="", default=None)
    ap.add_argument("--botocore", action="store_true")
    ap.add_argument("--extra", action="append", default=[])
    args = ap.parse_args()
    if not args.sar and args.parliament is None and not args.botocore:
        ap.error("name a source: --sar DIR_OR_URL, --parliament [FILE] or --botocore")
    pairs = set()
    if args.sar:
        pairs.update(from_sar(args.sar))
    if args.parliament is not None:
        pairs.update(from_parliament(args.parliament))
    if args.botocore:
        pairs.update(from_botocore())
    for extra in args.extra:
        pairs.update(from_extra(extra))
    if args.sar:
        source = "Service Authorization Reference"
    elif args.parliament is not None:
        source = "Service Authorization Reference snapshot parliament ships (iam_definition.json)"
    else:
        source = "botocore service models"
    print(f"# IAM actions per service prefix, from the {source}; rebuilt by crates/harden/tools/update-iam-actions.py")
    for prefix, action in sorted(pairs):
        print(f"{prefix}\t{action}")


if __name__ == "__main__":
    sys.exit(main())
