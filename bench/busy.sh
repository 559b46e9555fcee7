#!/usr/bin/env bash
# Issue 15's target table on the busy-account shape, every command against zcat in the same run.
#
# Usage: bench/busy.sh [SIZE]            SIZE of uncompressed JSON, e.g. 2GB (default), 20GB
# Env:   RUNS (default 3)                timed runs per command; the median is reported
#        SHAPE (default busy)            corpus shape (busy or standard)
#        SIGMA_RULES (default ../shared/sigma/rules)
#
# Measures, over the same .json.gz files (page cache warm):
#   zcat                                   the baseline
#   stats, timeline --format jsonl, hunt, hunt + SigmaHQ, scope --auto
# and prints each one's median time, MB/s, ratio to zcat and peak RSS, then the targets:
#   stats >= 3x zcat, timeline >= 1.5x, hunt >= 2x, hunt + SigmaHQ >= 1.5x, scope <= 1.5x hunt's
#   time, peak RSS <= 300 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-2GB}
RUNS=${RUNS:-3}
SHAPE=${SHAPE:-busy}
SIGMA_RULES=${SIGMA_RULES:-../shared/sigma/rules}
. bench/lib.sh
prepare_corpus
measure_zcat
BIN=target/release/cloudcase
read -r SS SR < <(measure $BIN stats --quiet --format json "$DIR/AWSLogs")
report "stats" "$SS" "$SR"
read -r TS TR < <(measure $BIN timeline --quiet --format jsonl "$DIR/AWSLogs")
report "timeline --format jsonl" "$TS" "$TR"
read -r HS HR < <(measure $BIN hunt --quiet --format jsonl "$DIR/AWSLogs")
report "hunt (built-in pack + analytics)" "$HS" "$HR"
AS=""
if [ -d "$SIGMA_RULES" ]; then
  read -r AS AR < <(measure $BIN hunt --quiet --format jsonl --rules "$SIGMA_RULES" "$DIR/AWSLogs")
  report "hunt + SigmaHQ AWS rules" "$AS" "$AR"
fi
read -r CS CR < <(measure $BIN scope --auto --format json "$DIR/AWSLogs")
report "scope --auto" "$CS" "$CR"
awk -v z="$ZS" -v s="$SS" -v t="$TS" -v h="$HS" -v a="${AS:-0}" -v c="$CS" \
  'BEGIN{
     printf "targets: stats %.2fx (>= 3), timeline %.2fx (>= 1.5), hunt %.2fx (>= 2)", z/s, z/t, z/h
     if (a > 0) printf ", hunt+SigmaHQ %.2fx (>= 1.5)", z/a
     printf ", scope/hunt %.2f (<= 1.5)\n", c/h
   }'
