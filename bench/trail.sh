#!/usr/bin/env bash
# Throughput and peak memory of `cloudcase trail validate` (offline: digest signatures, the digest
# chain, every log file's SHA-256) against sha256sum and zcat of the same log files, in one run.
#
# Usage: bench/trail.sh [SIZE]            SIZE of uncompressed JSON, e.g. 2GB (default), 20GB
# Env:   SHAPE (default busy)             corpus shape (busy or standard), as bench/busy.sh
#        RUNS (default 3)                 timed runs per command; the median is reported, with the
#                                         spread (min–max)
#
# The corpus is bench/lib.sh's (generated if missing, else reused). cloudcase-gen writes log files
# only, so signed hourly digests over them (one chain per account and region, test RSA key) are
# written beside it, in bench/out/trail-SIZE-SHAPE/, by the cloudcase-trail example `digest-tree`
# (kept for the next run); the corpus itself is not modified. `trail validate` is given both trees.
#
# Measures (page cache warm):
#   sha256sum       hash every log file as stored (compressed), one process
#   zcat            inflate every log file, one process
#   trail validate  inflate and hash every log file (all cores), check 1 digest chain per account
#                   and region: signatures, chain links, coverage
# and prints files/s, MB/s of compressed and of uncompressed bytes, events/s and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-2GB}
RUNS=${RUNS:-3}
SHAPE=${SHAPE:-busy}
. bench/lib.sh
prepare_corpus
cargo build --release --quiet -p cloudcase-trail --features testkit --example digest-tree
TRAIL=${BENCH_DIR:-bench/out}/trail-$SIZE-$SHAPE
if [ ! -f "$TRAIL/signatures.json" ]; then
  rm -rf "$TRAIL"
  mkdir -p "$TRAIL"
  target/release/examples/digest-tree "$DIR/AWSLogs" "$TRAIL" > "$TRAIL/counts.tmp"
  mv "$TRAIL/counts.tmp" "$TRAIL/counts"
fi
read -r LOGS DIGESTS < "$TRAIL/counts"
STORED=$(xargs -0 stat -c %s < "$LIST" | awk '{s+=$1} END{print s}')
echo "digests: $DIGESTS in $TRAIL, over $LOGS log files ($(awk -v b="$STORED" 'BEGIN{printf "%.3f GB", b/1e9}') compressed)"

# median of $RUNS as "seconds rss min max" (rss: the largest of any run)
spread() {
  local out all="" rss=0 kib
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$TIMES" -f '%e %M' "$@" > /dev/null 2>/dev/null || true
    out=$(tail -n1 "$TIMES")
    all="$all ${out% *}" kib=${out#* }
    [ "$kib" -gt "$rss" ] && rss=$kib
  done
  printf '%s\n' $all | sort -g | awk -v r="$rss" '{a[NR]=$1}
    END{m=(NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; print m, r, a[1], a[NR]}'
}
line() { # name secs rss min max
  awk -v n="$1" -v s="$2" -v r="$3" -v lo="$4" -v hi="$5" -v f="$NFILES" -v c="$STORED" \
    -v b="$BYTES" -v e="$EVENTS" \
    'BEGIN{printf "%-16s %6.2f s (%.2f-%.2f) %7.0f files/s %7.1f MB/s stored %7.1f MB/s uncompressed %9.0f events/s  peak RSS %6.1f MB\n",
                  n, s, lo, hi, f/s, c/s/1e6, b/s/1e6, e/s, r/1024}'
}
read -r HS HR HL HH < <(spread sh -c "xargs -0 sha256sum < '$LIST'")
line "sha256sum" "$HS" "$HR" "$HL" "$HH"
read -r ZS ZR ZL ZH < <(spread sh -c "xargs -0 zcat < '$LIST'")
line "zcat" "$ZS" "$ZR" "$ZL" "$ZH"
BIN=target/release/cloudcase
VALIDATE=("$BIN" trail validate --public-keys "$TRAIL/keys.json" --signatures "$TRAIL/signatures.json"
  "$DIR/AWSLogs" "$TRAIL/AWSLogs")
"${VALIDATE[@]}" > /dev/null || { echo "trail validate did not find every file valid" >&2; exit 1; }
read -r VS VR VL VH < <(spread "${VALIDATE[@]}")
line "trail validate" "$VS" "$VR" "$VL" "$VH"
awk -v v="$VS" -v h="$HS" -v z="$ZS" \
  'BEGIN{printf "trail validate: %.2fx sha256sum, %.2fx zcat (%d cores)\n", h/v, z/v, '"$(nproc)"'}'
