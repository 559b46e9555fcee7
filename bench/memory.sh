#!/usr/bin/env bash
# Whether memory stays flat as the input grows: each command's peak RSS on two or more sizes
# of the same corpus shape, side by side, with the ratio of the largest size's peak to the
# smallest's (1.00 = flat).
#
# Usage: bench/memory.sh [SIZE...]         sizes of uncompressed JSON, smallest first
#                                          (default 2GB 20GB)
# Env:   SHAPE (default busy)              corpus shape (busy or standard)
#        RUNS (default 1)                  runs per command; the largest peak is reported
#        SIGMA_RULES (default ../shared/sigma/rules)
#
# Commands: stats, timeline --format jsonl, hunt, hunt + SigmaHQ, scope --auto. Peak RSS is
# /usr/bin/time's maximum resident set size; times are printed for reference only (the
# throughput figures come from bench/busy.sh, with zcat in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- 2GB 20GB; fi
if [ $# -lt 2 ]; then echo "memory.sh: give two sizes or more, smallest first" >&2; exit 2; fi
RUNS=${RUNS:-1}
SHAPE=${SHAPE:-busy}
SIGMA_RULES=${SIGMA_RULES:-../shared/sigma/rules}
. bench/lib.sh
BIN=target/release/cloudcase

# The commands, one per line: a label, a tab, the arguments before the input folder.
COMMANDS=$(printf '%s\t%s\n' \
  "stats" "stats --quiet --format json" \
  "timeline --format jsonl" "timeline --quiet --format jsonl" \
  "hunt" "hunt --quiet --format jsonl")
if [ -d "$SIGMA_RULES" ]; then
  COMMANDS="$COMMANDS"$'\n'"$(printf '%s\t%s' "hunt + SigmaHQ" "hunt --quiet --format jsonl --rules $SIGMA_RULES")"
fi
COMMANDS="$COMMANDS"$'\n'"$(printf '%s\t%s' "scope --auto" "scope --auto --format json")"

# peaks SIZE: "label<TAB>seconds<TAB>rss_kib" per command, on the corpus of SIZE.
peaks() {
  SIZE=$1
  prepare_corpus >&2
  while IFS=$'\t' read -r label args; do
    # shellcheck disable=SC2086 # the arguments are split on purpose
    read -r secs kib < <(measure $BIN $args "$DIR/AWSLogs")
    printf '%s\t%s\t%s\n' "$label" "$secs" "$kib"
  done <<< "$COMMANDS"
  rm -f "$LIST" "$TIMES"
}

# One file of "label<TAB>seconds<TAB>rss_kib" lines per size, pasted side by side.
cols=()
for size in "$@"; do
  f=$(mktemp)
  peaks "$size" > "$f"
  cols+=("$f")
done
printf '%-26s' "peak RSS"
for size in "$@"; do printf ' %14s' "$size"; done
printf ' %8s\n' "ratio"
paste "${cols[@]}" |
  awk -F'\t' '{printf "%-26s", $1; for (i = 2; i < NF; i += 3) printf " %8.1f MB %4.0fs", $(i+1)/1024, $i;
    printf " %7.2f\n", $(NF)/$3}'
rm -f "${cols[@]}"
