#!/usr/bin/env bash
# Throughput and peak memory of reading CloudTrail, against zcat, in the same run.
#
# Usage: bench/timeline.sh [SIZE]        SIZE of uncompressed JSON, e.g. 1GB (default), 2GB, 200MB
# Env:   BENCH_DIR (default bench/out)   where the generated corpus is kept between runs
#        RUNS (default 2)                timed runs per command; the median is reported
#
# Measures, over the same .json.gz files:
#   zcat                                   every file to /dev/null (the baseline)
#   cloudcase timeline --format jsonl      full parse, normalize, sort, format  > /dev/null
#   cloudcase stats --format json          count-only pass (no sorting, no output per event)
# and prints MB/s of uncompressed JSON, events/s, ratio to zcat and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1GB}
RUNS=${RUNS:-2}
. bench/lib.sh
prepare_corpus
measure_zcat
read -r TS TR < <(measure target/release/cloudcase timeline --quiet --format jsonl "$DIR/AWSLogs")
report "timeline --format jsonl > /dev/null" "$TS" "$TR"
read -r SS SR < <(measure target/release/cloudcase stats --quiet --format json "$DIR/AWSLogs")
report "stats (count-only pass)" "$SS" "$SR"
