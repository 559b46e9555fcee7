#!/usr/bin/env bash
# Time and peak memory of `cloudcase scope` against `cloudcase hunt` over the same corpus, in one run.
#
# Usage: bench/scope.sh [SIZE]            SIZE of uncompressed JSON, e.g. 2GB (default)
# Env:   RUNS (default 1)                timed runs per command; the median is reported
#
# The corpus is generated with the leaked-key incident (kept in bench/out/incident/), so that
# `scope --auto` has a compromised key to find. Target: scope <= 2x hunt's time, peak RSS <= 500 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-2GB}
RUNS=${RUNS:-1}
BENCH_DIR=bench/out/incident
. bench/lib.sh
prepare_corpus
measure_zcat
read -r HS HR < <(measure target/release/cloudcase hunt --quiet --format jsonl "$DIR/AWSLogs")
report "hunt (built-in pack + analytics)" "$HS" "$HR"
read -r SS SR < <(measure target/release/cloudcase scope --auto --format json "$DIR/AWSLogs")
report "scope --auto --format json" "$SS" "$SR"
awk -v s="$SS" -v h="$HS" 'BEGIN{printf "scope/hunt time ratio: %.2f (target <= 2)\n", s/h}'
