#!/usr/bin/env python3
"""Runs `cloudcase rules sql --dialect spark` over a `cloudcase export` Parquet folder on Spark
and writes the findings as JSON Lines in the shape of `cloudcase hunt --format jsonl`.

    spark-submit cloudcase_spark.py --parquet s3://bucket/export/ --sql s3://bucket/rules.spark.sql \
        --out s3://bucket/findings/ [--table events] [--min-level informational]

--parquet  the export folder (`OUT` of `cloudcase export --format parquet --out OUT`, either
           schema), local or any file system Spark reads (s3://, s3a://, abfss://, dbfs:/, hdfs://).
           Its Hive partitions account=/region=/day= are read as string columns.
--sql      the query file `cloudcase rules sql --dialect spark` wrote (local, or a URI Spark reads).
--out      a plain local path: one JSON Lines file written by the driver; a URI (s3://…,
           file:///…, dbfs:/…): a new folder holding one part-*.txt JSON Lines file, written by
           Spark.
--table    the view name the query reads (`rules sql --table`, default `events`).
--min-level  drop findings below this level (default: keep every level, as
           `hunt --min-level informational`; hunt's own default is `low`).

Each line has every key of a hunt rule finding, in hunt's order. The query fills `time`,
`level`, `rule_id`, `rule_title`, `event_id`, `principal`, `source_ip`, `file`, `record`, and
`origin` is `rule`; `tactics`, `techniques`, `access_key`, `region`, `account`, `event_source`,
`event_name`, `error_code`, `detail`, `sha256` and `origin_path` are written empty (`""`), for
an import into a case to complete from the rule pack and the evidence.

Needs only PySpark (3.4 or later, as the spark dialect does); no other Python module.
"""
import argparse
import os
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import TimestampType

# Keys of a rule finding in `cloudcase hunt --format jsonl`, in its order
# (crates/detect/src/sink/jsonl.rs and sink/fields.rs).
HUNT_KEYS = [
    "time", "level", "rule_id", "rule_title", "origin", "tactics", "techniques", "principal",
    "access_key", "source_ip", "region", "account", "event_source", "event_name", "error_code",
    "event_id", "detail", "sha256", "origin_path", "file", "record",
]

# Keys the query's columns fill; the others are written empty.
FROM_QUERY = {"level", "rule_id", "rule_title", "principal", "source_ip", "event_id", "file"}

# Query columns, as `cloudcase rules sql` returns them.
QUERY_COLUMNS = [
    "rule_id", "rule_title", "level", "event_id", "time", "principal", "source_ip", "file",
    "record",
]

LEVELS = ["informational", "low", "medium", "high", "critical"]


def parse_args(argv):
    """The job's options; unknown arguments (Glue adds its own, e.g. --JOB_NAME) are ignored."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--parquet", required=True, help="the cloudcase export folder (path or URI)")
    p.add_argument("--sql", required=True, help="the query of `cloudcase rules sql --dialect spark`")
    p.add_argument("--out", required=True, help="findings: local JSON Lines file, or folder URI")
    p.add_argument("--table", default="events", help="view name the query reads (default events)")
    p.add_argument("--min-level", default="informational", choices=LEVELS,
                   help="drop findings below this level (default: keep all)")
    args, _unknown = p.parse_known_args(argv)
    if "." in args.table or not args.table.replace("_", "").isalnum():
        p.error(f"--table {args.table!r}: a temporary view needs a plain name (letters, digits, _)")
    return args


def has_scheme(path):
    """Whether `path` is a URI (s3://, file:///, dbfs:/…) rather than a local path."""
    head, sep, _ = path.partition(":")
    return bool(sep) and len(head) > 1 and head.replace("+", "").isalnum()


def read_text(spark, path):
    """The whole text of a local file, or of a URI through Spark's file systems."""
    if not has_scheme(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    return spark.read.text(path, wholetext=True).first()[0]


def query_text(text):
    """The query without trailing semicolons (spark.sql takes one statement)."""
    return text.rstrip().rstrip(";").rstrip()


def events_view(spark, parquet, table):
    """The README's view: the export folder, partition values kept as strings."""
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    spark.read.parquet(parquet).createOrReplaceTempView(table)


def as_hunt_time(col, dtype):
    """hunt's time text (UTC, milliseconds, `Z`) from the query's `time`: a timestamp
    (`--schema cloudtrail`) or milliseconds since the epoch (`--schema ocsf`)."""
    ts = col if isinstance(dtype, TimestampType) else F.timestamp_millis(col)
    return F.date_format(ts, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")


def findings(spark, sql, min_level):
    """The query's rows as hunt-shaped findings: a DataFrame of one JSON text column `line`,
    plus the sort keys (time, rule_id, file, record)."""
    rows = spark.sql(sql)
    missing = [c for c in QUERY_COLUMNS if c not in rows.columns]
    if missing:
        raise SystemExit(f"cloudcase_spark: the query lacks columns {missing}: not a "
                         "`cloudcase rules sql` query?")
    if min_level != "informational":
        rows = rows.where(F.col("level").isin(LEVELS[LEVELS.index(min_level):]))
    time_col = as_hunt_time(F.col("time"), rows.schema["time"].dataType)
    fields = []
    for key in HUNT_KEYS:
        if key == "time":
            value = time_col
        elif key == "origin":
            value = F.lit("rule")
        elif key == "record":
            value = F.col("record").cast("long")
        elif key in FROM_QUERY:
            value = F.coalesce(F.col(key).cast("string"), F.lit(""))
        else:
            value = F.lit("")
        fields.append(value.alias(key))
    return rows.select(
        F.to_json(F.struct(*fields)).alias("line"),
        time_col.alias("t"), "rule_id", "file", F.col("record").cast("long").alias("record"),
    )


def write(frame, out):
    """Writes the lines ordered by time, rule, file, record; returns how many."""
    # One partition sorted in place: no range-partitioning pass, so the table is scanned once.
    lines = frame.repartition(1).sortWithinPartitions("t", "rule_id", "file", "record")
    lines = lines.select("line")
    if has_scheme(out):
        lines = lines.cache()
        count = lines.count()
        lines.write.mode("errorifexists").option("compression", "none").text(out)
        lines.unpersist()
        return count
    count = 0
    tmp = out + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        for row in lines.toLocalIterator():
            f.write(row[0])
            f.write("\n")
            count += 1
    os.replace(tmp, out)
    return count


def main(argv=None):
    """Runs the job; uses the active SparkSession when there is one (Databricks, tests)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.appName("cloudcase-rules").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    start = time.monotonic()
    events_view(spark, args.parquet, args.table)
    sql = query_text(read_text(spark, args.sql))
    count = write(findings(spark, sql, args.min_level), args.out)
    print(f"cloudcase_spark: {count} findings written to {args.out} in "
          f"{time.monotonic() - start:.1f} s (Spark {spark.version})", file=sys.stderr)
    return count


if __name__ == "__main__":
    main()
