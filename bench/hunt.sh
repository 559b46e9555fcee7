#!/usr/bin/env bash
# Throughput and peak memory of `cloudcase hunt`, against zcat, in the same run.
#
# Usage: bench/hunt.sh [SIZE]            SIZE of uncompressed JSON, e.g. 1GB (default), 2GB
# Env:   BENCH_DIR, RUNS                 as for bench/timeline.sh
#        SIGMA_RULES (default ../shared/sigma/rules)  SigmaHQ rules run besides the built-in pack
#
# Measures, over the same .json.gz files:
#   zcat                                   the baseline
#   hunt (built-in pack + analytics)       > /dev/null
#   hunt (built-in + SigmaHQ AWS rules)    > /dev/null, when SIGMA_RULES exists
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1GB}
RUNS=${RUNS:-2}
SIGMA_RULES=${SIGMA_RULES:-../shared/sigma/rules}
. bench/lib.sh
prepare_corpus
measure_zcat
read -r HS HR < <(measure target/release/cloudcase hunt --quiet --format jsonl "$DIR/AWSLogs")
report "hunt, built-in pack + analytics" "$HS" "$HR"
if [ -d "$SIGMA_RULES" ]; then
  read -r AS AR < <(measure target/release/cloudcase hunt --quiet --format jsonl --rules "$SIGMA_RULES" "$DIR/AWSLogs")
  report "hunt, built-in + SigmaHQ AWS rules" "$AS" "$AR"
fi
