#!/usr/bin/env bash
# Throughput and peak memory of reading CloudTrail, against zcat, in the same run.
#
# Usage: bench/timeline.sh [SIZE]        SIZE of uncompressed JSON, e.g. 1GB (default), 2GB, 200MB
# Env:   BENCH_DIR (default bench/out)   where the generated corpus is kept between runs
#        RUNS (default 2)                timed runs per command; the best is reported
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
DIR=${BENCH_DIR:-bench/out}/corpus-$SIZE
cargo build --release --quiet -p cloudcase -p cloudcase-gen
if [ ! -f "$DIR/truth.json" ]; then
  rm -rf "$DIR"
  target/release/cloudcase-gen --out "$DIR" --size "$SIZE" --seed 20241122 --days 30 --truth "$DIR/truth.json" >/dev/null
fi
BYTES=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['uncompressed_bytes'])" "$DIR/truth.json")
EVENTS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records'])" "$DIR/truth.json")
LIST=$(mktemp)
TIMES=$(mktemp)
trap 'rm -f "$LIST" "$TIMES"' EXIT
find "$DIR/AWSLogs" -name '*.json.gz' -print0 | sort -z > "$LIST"
NFILES=$(tr -cd '\0' < "$LIST" | wc -c)
xargs -0 cat < "$LIST" > /dev/null   # warm the page cache

# best wall seconds and its peak RSS (KiB) over $RUNS runs of "$@"
measure() {
  local best="" rss=""
  for _ in $(seq "$RUNS"); do
    local out
    /usr/bin/time -o "$TIMES" -f '%e %M' "$@" > /dev/null 2>/dev/null
    out=$(tail -n1 "$TIMES")
    local secs=${out% *} kib=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; rss=$kib; fi
  done
  echo "$best $rss"
}

read -r ZS ZR < <(measure sh -c "xargs -0 zcat < '$LIST'")
read -r TS TR < <(measure target/release/cloudcase timeline --quiet --format jsonl "$DIR/AWSLogs")
read -r SS SR < <(measure target/release/cloudcase stats --quiet --format json "$DIR/AWSLogs")

report() { # name secs rss
  awk -v n="$1" -v s="$2" -v r="$3" -v b="$BYTES" -v e="$EVENTS" -v z="$ZS" \
    'BEGIN{printf "%-34s %7.2f s %8.1f MB/s %10.0f events/s  %5.2fx zcat  peak RSS %6.1f MB\n", n, s, b/s/1e6, e/s, z/s, r/1024}'
}
echo "corpus: $DIR: $NFILES files, $EVENTS events, $(awk -v b="$BYTES" 'BEGIN{printf "%.2f GB", b/1e9}') uncompressed; $(nproc) cores; best of $RUNS"
report "zcat > /dev/null" "$ZS" "$ZR"
report "timeline --format jsonl > /dev/null" "$TS" "$TR"
report "stats (count-only pass)" "$SS" "$SR"
