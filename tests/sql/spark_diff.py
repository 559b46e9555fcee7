#!/usr/bin/env python3
"""Differential check of contrib/spark/cloudcase_spark.py in local Spark: the findings the job
writes for `cloudcase rules sql --dialect spark` over a `cloudcase export` folder must be exactly
hunt's rule findings ((rule_id, file, record) pairs, as duckdb_diff.py compares them), every line
must carry hunt's keys in hunt's order, and the keys the query fills must hold hunt's values.

usage: spark_diff.py (LABEL PARQUET_DIR QUERY.sql HUNT.jsonl OUT)…
One SparkSession (local[2], 4 shuffle partitions) runs every set. OUT is a local file, or a
file:// URI (the job then writes a folder through Spark). Prints one JSON summary line per set
and a last line with the session's start-up and the job's run times; exits 1 on any
difference, 3 (printing SKIPPED) when pyspark or java is missing.
"""
import json
import os
import shutil
import sys
import time

from pairs import compare

try:
    from pyspark.sql import SparkSession
except ImportError:
    print("SKIPPED: python module pyspark not installed")
    sys.exit(3)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    print("SKIPPED: java not found (PySpark needs a JRE: Debian's openjdk-17-jre-headless)")
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "contrib", "spark"))
import cloudcase_spark  # noqa: E402

# Keys the job fills from the query; each must equal hunt's value. `level` is the rule's level:
# hunt reports a rule's later findings for one identity a level lower when they are routine
# (crates/detect/src/routine.rs, with a `detail` saying so), which the query cannot know.
FILLED = ["time", "rule_id", "rule_title", "origin", "principal", "source_ip", "event_id",
          "file", "record"]
LEVELS = cloudcase_spark.LEVELS


def read_lines(out):
    """The job's output lines: the file, or the part files of the folder a URI names."""
    if not out.startswith("file://"):
        with open(out, encoding="utf-8") as f:
            return f.read().splitlines()
    folder = out[len("file://"):]
    lines = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("part-"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                lines.extend(f.read().splitlines())
    return lines


def check_values(findings, hunt):
    """Lines whose keys are not hunt's, and filled values that differ from hunt's."""
    by_pair = {}
    with open(hunt, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                h = json.loads(line)
                by_pair[(h.get("rule_id"), h.get("file"), h.get("record"))] = h
    bad_keys, bad_values, routine = 0, [], 0
    for f in findings:
        if list(f) != cloudcase_spark.HUNT_KEYS:
            bad_keys += 1
        h = by_pair.get((f["rule_id"], f["file"], f["record"]))
        if h is None:
            continue
        pair = [f["rule_id"], f["file"], f["record"]]
        for key in FILLED:
            if f[key] != h[key]:
                bad_values.append(pair + [key, f[key], h[key]])
        if f["level"] != h["level"]:
            lowered = LEVELS.index(f["level"]) == LEVELS.index(h["level"]) + 1
            if lowered and h["detail"]:
                routine += 1
            else:
                bad_values.append(pair + ["level", f["level"], h["level"]])
    return bad_keys, bad_values, routine


def main():
    sets = sys.argv[1:]
    if not sets or len(sets) % 5:
        sys.exit("usage: spark_diff.py (LABEL PARQUET_DIR QUERY.sql HUNT.jsonl OUT)…")
    start = time.monotonic()
    spark = (SparkSession.builder.master("local[2]").appName("cloudcase-spark-diff")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "2g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    started = time.monotonic() - start
    ok = True
    job_seconds = 0.0
    for i in range(0, len(sets), 5):
        label, parquet, query, hunt, out = sets[i:i + 5]
        t = time.monotonic()
        cloudcase_spark.main(["--parquet", parquet, "--sql", query, "--out", out])
        took = time.monotonic() - t
        job_seconds += took
        findings = [json.loads(line) for line in read_lines(out) if line.strip()]
        text = open(query, encoding="utf-8").read()
        summary, same = compare(
            [(f["rule_id"], f["file"], f["record"]) for f in findings], text, hunt)
        bad_keys, bad_values, routine = check_values(findings, hunt)
        summary.update({"label": label, "job_seconds": round(took, 1),
                        "lines_without_hunts_keys": bad_keys,
                        "levels_hunt_lowered_as_routine": routine,
                        "value_mismatches": len(bad_values), "value_examples": bad_values[:5]})
        print(json.dumps(summary))
        ok = ok and same and not bad_keys and not bad_values
    print(json.dumps({"spark": spark.version, "session_start_seconds": round(started, 1),
                      "job_seconds": round(job_seconds, 1)}))
    spark.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
