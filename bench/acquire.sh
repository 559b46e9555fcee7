#!/usr/bin/env bash
# Throughput and peak memory of `cloudcase acquire` against sha256sum and cp, in the same run.
#
# Usage: bench/acquire.sh [SIZE_MB]        total size of the generated files in MB (default 2000)
# Env:   CORPUS=DIR                        measure on this existing tree instead (for example a
#                                          CloudTrail corpus: CORPUS=bench/out/corpus-2GB-busy);
#                                          every regular file under DIR is acquired; DIR is never
#                                          modified or deleted
#        FILES (default 256)               number of generated files (sizes vary ±50% around SIZE_MB/FILES)
#        BENCH_TMP (default /tmp)          where the generated corpus and the copies are written
#        RUNS (default 3)                  timed runs per command; the median is reported, with the
#                                          spread (min–max)
#        KEEP=1                            keep the generated corpus for the next run
#
# Measures, over the same files (page cache warmed first, so all read from memory):
#   sha256sum                    hash every file, one process
#   cp -r                        copy the tree (no fsync: the data may still be in the page cache)
#   cp -r && sync                copy and flush to disk (what durability costs; the target's baseline)
#   cloudcase acquire            copy + hash in one read, durable objects (fsync per large file,
#                                one syncfs per batch of small ones), into a fresh case
# and prints MB/s (10^6 bytes/s) of each, the ratios to sha256sum and to cp -r && sync (issue 15's
# target: acquire >= 0.9x cp -r && sync) and peak RSS.
# Copies are kept until the end (see fresh_out): needs about (1 + 3 x RUNS) x SIZE free in BENCH_TMP.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-2000}
FILES=${FILES:-256}
RUNS=${RUNS:-3}
BASE=${BENCH_TMP:-/tmp}/cloudcase-bench-acquire
GIVEN=${CORPUS:-}
CORPUS=${CORPUS:-$BASE/corpus-${SIZE_MB}MB-${FILES}}
OUT=""

cargo build --release --quiet -p cloudcase
BIN=${CARGO_TARGET_DIR:-target}/release/cloudcase

if [ -n "$GIVEN" ]; then
  [ -d "$CORPUS" ] || { echo "CORPUS=$CORPUS is not a directory" >&2; exit 2; }
  CORPUS=$(cd "$CORPUS" && pwd)
elif [ ! -f "$CORPUS.complete" ]; then
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
  rm -f "$BASE/r"
  [ "${KEEP:-0}" = 1 ] || [ -n "$GIVEN" ] || rm -rf "$BASE"
}
trap cleanup EXIT
LIST=$(mktemp)
mkdir -p "$BASE"
find "$CORPUS" -type f -print0 | sort -z > "$LIST"
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

# median of $RUNS: "seconds rss min max" (rss: the largest of any run); $1 is a setup command
# run (untimed) before each run, and @OUT@ in the arguments stands for the $OUT the setup chose
median() {
  local setup=$1; shift
  local all="" rss=0 a
  for _ in $(seq "$RUNS"); do
    eval "$setup"
    local args=()
    for a in "$@"; do args+=("${a//@OUT@/$OUT}"); done
    read -r secs kib < <(timed "${args[@]}")
    if [ -z "${secs:-}" ]; then echo "could not time: $*" >&2; exit 1; fi
    all="$all $secs"
    [ "$kib" -gt "$rss" ] && rss=$kib
  done
  printf '%s\n' $all | sort -g | awk -v r="$rss" '{a[NR]=$1}
    END{m=(NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; print m, r, a[1], a[NR]}'
}

# Each run writes to a new directory; nothing is deleted until the end, because
# deleting thousands of files just before a run slows ext4's inode allocation
# for the next one (an artifact that would penalize whichever command runs next).
fresh_out() { OUT_N=$((OUT_N + 1)); OUT=$BASE/out-$OUT_N; mkdir -p "$OUT"; sync; sleep 1; }
fresh_case() { fresh_out; "$BIN" case init "$OUT/case" --name bench --examiner bench > /dev/null; sync; }

# (median runs in this shell, not a subshell, so the last $OUT is known afterwards.)
median : sh -c "xargs -0 sha256sum < '$LIST'" > "$BASE/r"; read -r HS HR HMIN HMAX < "$BASE/r"
median fresh_out cp -r "$CORPUS" @OUT@/copy > "$BASE/r"; read -r CS CR CMIN CMAX < "$BASE/r"
median fresh_out sh -c 'cp -r "$0" "$1/copy" && sync' "$CORPUS" @OUT@ > "$BASE/r"; read -r YS YR YMIN YMAX < "$BASE/r"
median fresh_case "$BIN" acquire --case @OUT@/case "$CORPUS" > "$BASE/r"; read -r AS AR AMIN AMAX < "$BASE/r"
"$BIN" verify --case "$OUT/case" > /dev/null || { echo "verify failed after the benchmark" >&2; exit 1; }

report() { # name secs rss min max
  awk -v n="$1" -v s="$2" -v r="$3" -v lo="$4" -v hi="$5" -v b="$BYTES" -v h="$HS" -v y="$YS" \
    'BEGIN{printf "%-20s %7.2f s (%.2f-%.2f) %8.1f MB/s  %5.2fx sha256sum  %5.2fx cp+sync  peak RSS %6.1f MB\n",
                  n, s, lo, hi, b/s/1e6, h/s, y/s, r/1024}'
}
echo "corpus: $NFILES files, $(awk -v b="$BYTES" 'BEGIN{printf "%.3f GB", b/1e9}') in $CORPUS; $(nproc) cores; median (min-max) of $RUNS; page cache warm"
report "sha256sum" "$HS" "$HR" "$HMIN" "$HMAX"
report "cp -r" "$CS" "$CR" "$CMIN" "$CMAX"
report "cp -r && sync" "$YS" "$YR" "$YMIN" "$YMAX"
report "cloudcase acquire" "$AS" "$AR" "$AMIN" "$AMAX"
awk -v a="$AS" -v h="$HS" -v y="$YS" 'BEGIN{printf "acquire throughput: %.2fx sha256sum, %.2fx cp -r && sync (target >= 0.90: %s)\n", h/a, y/a, (y/a >= 0.9 ? "met" : "NOT met")}'
