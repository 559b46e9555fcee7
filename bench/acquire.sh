#!/usr/bin/env bash
# Throughput and peak memory of `cloudcase acquire` against sha256sum and cp, in the same run.
#
# Usage: bench/acquire.sh [SIZE_MB]        total size of the generated files in MB (default 2000)
# Env:   FILES (default 256)               number of files (sizes vary ±50% around SIZE_MB/FILES)
#        BENCH_TMP (default /tmp)          where the corpus and the copies are written
#        RUNS (default 1)                  timed runs per command; the median is reported
#        KEEP=1                            keep the generated corpus for the next run
#
# Measures, over the same files (page cache warmed first, so all read from memory):
#   sha256sum                    hash every file, one process (the baseline the target is set against)
#   cp -r                        copy the tree (no fsync: the data may still be in the page cache)
#   cp -r && sync                copy and flush to disk (what durability costs)
#   cloudcase acquire            copy + hash in one read, durable objects (fsync per large file,
#                                one syncfs per batch of small ones), into a fresh case
# and prints MB/s (10^6 bytes/s) of each, acquire/sha256sum (target >= 0.9) and peak RSS.
# Copies are kept until the end (see fresh_out): needs about (1 + 3 x RUNS) x SIZE free in BENCH_TMP.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-2000}
FILES=${FILES:-256}
RUNS=${RUNS:-1}
BASE=${BENCH_TMP:-/tmp}/cloudcase-bench-acquire
CORPUS=$BASE/corpus-${SIZE_MB}MB-${FILES}
OUT=""

cargo build --release --quiet -p cloudcase
BIN=${CARGO_TARGET_DIR:-target}/release/cloudcase

if [ ! -f "$CORPUS.complete" ]; then
  rm -rf "$CORPUS" "$CORPUS.complete"
  mkdir -p "$CORPUS"
  echo "generating $FILES files, ~$SIZE_MB MB, in $CORPUS ..." >&2
  avg=$(( SIZE_MB * 1000000 / FILES ))
  for i in $(seq 1 "$FILES"); do
    dir=$CORPUS/d$(( i % 8 ))
    mkdir -p "$dir"
    # size in [avg/2, 3*avg/2)
    size=$(( avg / 2 + ( (RANDOM * 32768 + RANDOM) % avg ) ))
    head -c "$size" /dev/urandom > "$dir/f$i.bin"
  done
  touch "$CORPUS.complete"
fi
OUT_N=0
cleanup() {
  rm -rf "$BASE"/out-*
  [ "${KEEP:-0}" = 1 ] || rm -rf "$BASE"
}
trap cleanup EXIT
LIST=$(mktemp)
find "$CORPUS" -type f -name '*.bin' -print0 | sort -z > "$LIST"
NFILES=$(tr -cd '\0' < "$LIST" | wc -c)
BYTES=$(xargs -0 stat -c %s < "$LIST" | awk '{s+=$1} END{print s}')
xargs -0 cat < "$LIST" > /dev/null   # warm the page cache

# run "$@" and print "wall_seconds peak_rss_kib"
timed() {
  if [ -x /usr/bin/time ]; then
    local tf
    tf=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null 2>&1
    tail -n1 "$tf"
    rm -f "$tf"
  else
    local start end pid hwm=0 v
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
      sleep 0.05
    done
    wait "$pid"
    end=$(date +%s.%N)
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') $hwm"
  fi
}

# best of $RUNS: "seconds rss"; $1 is a setup command run (untimed) before each run,
# and @OUT@ in the arguments stands for the $OUT the setup chose
best() {
  local setup=$1; shift
  local best="" rss="" a
  for _ in $(seq "$RUNS"); do
    eval "$setup"
    local args=()
    for a in "$@"; do args+=("${a//@OUT@/$OUT}"); done
    read -r secs kib < <(timed "${args[@]}")
    if [ -z "${secs:-}" ]; then echo "could not time: $*" >&2; exit 1; fi
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; rss=$kib; fi
  done
  echo "$best $rss"
}

# Each run writes to a new directory; nothing is deleted until the end, because
# deleting thousands of files just before a run slows ext4's inode allocation
# for the next one (an artifact that would penalize whichever command runs next).
fresh_out() { OUT_N=$((OUT_N + 1)); OUT=$BASE/out-$OUT_N; mkdir -p "$OUT"; sync; sleep 1; }
fresh_case() { fresh_out; "$BIN" case init "$OUT/case" --name bench --examiner bench > /dev/null; sync; }

# (best runs in this shell, not a subshell, so the last $OUT is known afterwards.)
best : sh -c "xargs -0 sha256sum < '$LIST'" > "$BASE/r"; read -r HS HR < "$BASE/r"
best fresh_out cp -r "$CORPUS" @OUT@/copy > "$BASE/r"; read -r CS CR < "$BASE/r"
best fresh_out sh -c 'cp -r "$0" "$1/copy" && sync' "$CORPUS" @OUT@ > "$BASE/r"; read -r YS YR < "$BASE/r"
best fresh_case "$BIN" acquire --case @OUT@/case "$CORPUS" > "$BASE/r"; read -r AS AR < "$BASE/r"
"$BIN" verify --case "$OUT/case" > /dev/null || { echo "verify failed after the benchmark" >&2; exit 1; }

report() { # name secs rss
  awk -v n="$1" -v s="$2" -v r="$3" -v b="$BYTES" -v h="$HS" \
    'BEGIN{printf "%-26s %7.2f s %8.1f MB/s  %5.2fx sha256sum  peak RSS %7.1f MB\n", n, s, b/s/1e6, h/s, r/1024}'
}
echo "corpus: $NFILES files, $(awk -v b="$BYTES" 'BEGIN{printf "%.2f GB", b/1e9}') in $CORPUS; $(nproc) cores; best of $RUNS; page cache warm"
report "sha256sum" "$HS" "$HR"
report "cp -r" "$CS" "$CR"
report "cp -r && sync" "$YS" "$YR"
report "cloudcase acquire" "$AS" "$AR"
awk -v a="$AS" -v h="$HS" 'BEGIN{r=h/a; printf "acquire/sha256sum throughput ratio: %.2f (target >= 0.90: %s)\n", r, (r >= 0.9 ? "met" : "NOT met")}'
