#!/usr/bin/env bash
# Every command of the job on a case of many small objects, under a stock open-file limit:
# wall time, peak RSS and peak open descriptors of each, with `cp -r && sync` and `sha256sum`
# over the same tree as baselines in the same run.
#
# Usage: bench/scale.sh [ACCOUNTS] [REGIONS] [DAYS] [LOGS_PER_HOUR]
#   default 10 accounts x 17 regions x 35 days x (6 logs + 1 digest) an hour = 999,600 objects
#   (an organisation trail: AWSLogs/o-…/<account>/CloudTrail[-Digest]/<region>/YYYY/MM/DD/…)
# Env: BENCH_TMP (default /tmp)   where the tree, the copy and the case go (~10 GB at 1 M objects)
#      FD_LIMIT (default 256)      ulimit -n of every cloudcase command (macOS's default)
#      KEEP=1                      keep the tree (for the next run) and the case
#      NO_BUILD=1                  use the release binaries already built
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS=${1:-10}
REGIONS=${2:-17}
DAYS=${3:-35}
LOGS=${4:-6}
FD_LIMIT=${FD_LIMIT:-256}
BASE=${BENCH_TMP:-/tmp}/cloudcase-bench-scale
TREE=$BASE/tree-$ACCOUNTS-$REGIONS-$DAYS-$LOGS
CASE=$BASE/case
COPY=$BASE/copy

if [ "${NO_BUILD:-0}" != 1 ]; then
  cargo build --release --quiet -p cloudcase
  cargo build --release --quiet -p cloudcase-trail --features testkit --example scale-trail
fi
BIN=$PWD/target/release/cloudcase

if [ ! -f "$TREE/files" ]; then
  rm -rf "$TREE"
  mkdir -p "$TREE"
  echo "writing the tree in $TREE ..." >&2
  start=$(date +%s.%N)
  target/release/examples/scale-trail "$TREE" "$ACCOUNTS" "$REGIONS" "$DAYS" "$LOGS" > "$TREE/files.tmp"
  mv "$TREE/files.tmp" "$TREE/files"
  echo "tree written in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.0f", e-s}') s" >&2
fi
FILES=$(cat "$TREE/files")
BYTES=$(du -sb "$TREE/bucket" | cut -f1)
STATS=$(mktemp)
trap 'rm -f "$STATS"' EXIT

# run NAME CMD...: runs CMD under the fd limit, sampling its open descriptors (itself and its
# children) every 50 ms; prints time, peak RSS (KiB, largest process) and peak descriptors.
run() {
  local name=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  bash -c "ulimit -n $FD_LIMIT; exec /usr/bin/time -o '$STATS' -f '%e %M' \"\$@\"" _ "$@" > "$BASE/$name.out" 2> "$BASE/$name.err" &
  local pid=$! peak=0 n
  while kill -0 "$pid" 2>/dev/null; do
    n=0
    for p in $(pgrep -P "$pid" 2>/dev/null) $(pgrep -f "$BIN" 2>/dev/null); do
      # a process may end between pgrep and ls: count nothing then
      c=$( { ls "/proc/$p/fd" 2>/dev/null || true; } | wc -l); n=$(( n > c ? n : c ))
    done
    peak=$(( peak > n ? peak : n ))
    sleep 0.05
  done
  local rc=0; wait "$pid" || rc=$?
  read -r secs kib < "$STATS"
  printf '%-34s %8.1f s  %9.0f objects/s  peak RSS %7.1f MB  peak fds %4d  exit %d\n' \
    "$name" "$secs" "$(awk -v f="$FILES" -v s="$secs" 'BEGIN{print f/s}')" "$(awk -v k="$kib" 'BEGIN{print k/1024}')" "$peak" "$rc"
}

echo "tree: $FILES objects, $(awk -v b="$BYTES" 'BEGIN{printf "%.2f GB", b/1e9}'); $(nproc) cores; ulimit -n $FD_LIMIT for cloudcase; caches dropped before each command when permitted"
rm -rf "$COPY"; run "cp -r && sync (baseline)" sh -c "cp -r '$TREE/bucket' '$COPY' && sync"; rm -rf "$COPY"
run "sha256sum (baseline)" sh -c "cd '$TREE/bucket' && find . -type f -print0 | xargs -0 sha256sum > /dev/null"
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$CASE"; fi
"$BIN" case init "$CASE" --name "scale bench" --examiner bench > /dev/null
run "acquire" "$BIN" acquire --case "$CASE" "$TREE/bucket" -q
run "acquire again (all held)" "$BIN" acquire --case "$CASE" "$TREE/bucket" -q
run "verify" "$BIN" verify --case "$CASE"
run "trail validate --case" "$BIN" trail validate --case "$CASE" --public-keys "$TREE/keys.json" --signatures "$TREE/signatures.json"
run "stats --case" "$BIN" stats --case "$CASE"
run "hunt --case" "$BIN" hunt --case "$CASE" --format jsonl
run "scope --case --principal" "$BIN" scope --case "$CASE" --principal alice --format json
run "report --kind all (html)" "$BIN" report --kind all --case "$CASE" --format html
if command -v chromium > /dev/null; then
  run "report --kind evidence (pdf)" "$BIN" report --kind evidence --case "$CASE" --format pdf
  pdf=$(tail -n1 "$BASE/report --kind evidence (pdf).out")
  command -v pdfinfo > /dev/null && echo "evidence record: $(pdfinfo "$pdf" | awk '/^Pages/{print $2}') pages"
fi
for f in "$BASE"/*.err; do
  grep -H -m3 -E '^(failed|error|cloudcase: files)' "$f" || true
done
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$TREE"; fi
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$CASE"; fi
