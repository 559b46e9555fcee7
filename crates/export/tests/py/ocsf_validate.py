"""Validates an OCSF export against the OCSF 1.1.0 schema.

usage: ocsf_validate.py OUT [ROWS_PER_CLASS]

Each row becomes the OCSF event it stands for (NULLs and empty objects dropped, `unmapped`
parsed from its JSON text, the export's own provenance and partition columns set aside) and
is validated with pydantic-ocsf's models of OCSF 1.1.0 (required attributes, types, enums,
type_uid), then checked for attributes the schema does not have: pydantic-ocsf allows extra
keys, so every nested model's extras must be empty and top-level extras must be the base
event's classification, occurrence and cloud-profile attributes. Prints `SKIPPED: <why>` and
exits 3 when pyarrow or pydantic-ocsf is missing.
"""
import json
import sys

try:
    import importlib

    import pyarrow.dataset as ds
    events = importlib.import_module("ocsf.v1_1_0.events")
    objects = importlib.import_module("ocsf.v1_1_0.objects")
    from pydantic import BaseModel
except ImportError as e:  # pragma: no cover
    print(f"SKIPPED: pyarrow or pydantic-ocsf is not installed ({e})")
    sys.exit(3)

out = sys.argv[1]
per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 2000

CLASSES = {
    6003: events.ApiActivity,
    3002: events.Authentication,
    3001: events.AccountChange,
    4001: events.NetworkActivity,
    4003: events.DnsActivity,
    2004: events.DetectionFinding,
}
# Base event attributes pydantic-ocsf 1.1.0 does not model (includes/classification.json,
# includes/occurrence.json, profiles/cloud.json), with their dictionary types.
BASE = {
    "time": int, "activity_id": int, "activity_name": str, "class_uid": int, "category_uid": int, "type_uid": int, "class_name": str,
    "category_name": str, "type_name": str, "count": int, "start_time": int, "end_time": int,
    "cloud": dict,
}
EXPORT_ONLY = {"source_file", "record", "evidence_sha256", "account", "region", "day"}


def prune(v):
    if isinstance(v, dict):
        out = {k: prune(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not None and x != {} and x != []}
    if isinstance(v, list):
        return [prune(x) for x in v]
    return v


def extras(model, path, found):
    if path == ".unmapped":  # free-form by definition
        return
    if isinstance(model, BaseModel):
        for k in (model.model_extra or {}):
            found.append(f"{path}.{k}")
        for name in type(model).model_fields:
            extras(getattr(model, name, None), f"{path}.{name}", found)
    elif isinstance(model, list):
        for i, x in enumerate(model):
            extras(x, f"{path}[{i}]", found)


rows = ds.dataset(out, format="parquet", partitioning="hive").to_table().to_pylist()
seen = {}
fail = []
for row in rows:
    uid = row["class_uid"]
    if seen.get(uid, 0) >= per_class:
        continue
    seen[uid] = seen.get(uid, 0) + 1
    event = prune({k: v for k, v in row.items() if k not in EXPORT_ONLY})
    if "unmapped" in event:
        event["unmapped"] = json.loads(event["unmapped"])
        if not isinstance(event["unmapped"], dict):
            fail.append(f"{uid}: unmapped is not an object")
    where = f"class {uid} {row['source_file']}:{row['record']}"
    model = CLASSES.get(uid)
    if model is None:
        fail.append(f"{where}: class_uid not exported by design")
        continue
    try:
        parsed = model.model_validate(event)
        cloud = objects.Cloud.model_validate(event["cloud"])
    except Exception as e:  # pydantic's ValidationError and friends
        fail.append(f"{where}: {str(e).splitlines()[:3]}")
        continue
    found = []
    extras(parsed.__class__.model_validate(event), "", found)
    extras(cloud, ".cloud", found)
    for k in list(found):
        key = k.lstrip(".")
        if key in BASE and isinstance(event[key], BASE[key]):
            found.remove(k)
    if found:
        fail.append(f"{where}: attributes not in OCSF 1.1.0: {found}")
    if event["type_uid"] != uid * 100 + event["activity_id"]:
        fail.append(f"{where}: type_uid")

if fail:
    for f in fail[:20]:
        print("FAIL:", f)
    print(f"{len(fail)} failures")
    sys.exit(1)
print(f"ok: {sum(seen.values())} rows validated, by class {dict(sorted(seen.items()))}")
