# Shared by the throughput benchmarks: corpus generation, timing, reporting.
# Source it after `cd` to the repository root; set SIZE and RUNS first.
# SHAPE=busy (default standard) generates the busy-account shape: one file per account, region
# and five minutes, 0.2–5 MB each, with large DescribeInstances/ListObjects responses.

# Builds the release binaries and makes (or reuses) the generated corpus for $SIZE.
# Sets DIR, BYTES, EVENTS, LIST (NUL-separated .json.gz paths), NFILES, TIMES.
prepare_corpus() {
  local shape=${SHAPE:-standard}
  DIR=${BENCH_DIR:-bench/out}/corpus-$SIZE${SHAPE:+-$shape}
  cargo build --release --quiet -p cloudcase -p cloudcase-gen
  if [ ! -f "$DIR/truth.json" ]; then
    rm -rf "$DIR"
    target/release/cloudcase-gen --out "$DIR" --size "$SIZE" --seed 20241122 --days 30 --incident \
      --shape "$shape" --truth "$DIR/truth.json" >/dev/null
  fi
  BYTES=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['uncompressed_bytes'])" "$DIR/truth.json")
  EVENTS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records'])" "$DIR/truth.json")
  LIST=$(mktemp)
  TIMES=$(mktemp)
  trap 'rm -f "$LIST" "$TIMES"' EXIT
  find "$DIR/AWSLogs" -name '*.json.gz' -print0 | sort -z > "$LIST"
  NFILES=$(tr -cd '\0' < "$LIST" | wc -c)
  xargs -0 cat < "$LIST" > /dev/null   # warm the page cache
  echo "corpus: $DIR ($shape shape): $NFILES files, $EVENTS events, $(awk -v b="$BYTES" 'BEGIN{printf "%.2f GB", b/1e9}') uncompressed; $(nproc) cores; median of $RUNS"
}

# Prints "median_seconds peak_rss_kib" over $RUNS runs of "$@" (stdout to /dev/null): the
# median wall time, and the largest peak RSS of any run.
measure() {
  local out all="" rss=0 kib
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$TIMES" -f '%e %M' "$@" > /dev/null 2>/dev/null
    out=$(tail -n1 "$TIMES")
    all="$all ${out% *}" kib=${out#* }
    [ "$kib" -gt "$rss" ] && rss=$kib
  done
  echo "$(printf '%s\n' $all | sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}') $rss"
}

# Baseline: zcat over every file of the corpus. Sets ZS (seconds) and prints its line.
measure_zcat() {
  read -r ZS ZR < <(measure sh -c "xargs -0 zcat < '$LIST'")
  report "zcat > /dev/null" "$ZS" "$ZR"
}

# report NAME SECONDS RSS_KIB: one line with MB/s, events/s, ratio to zcat, peak RSS.
report() {
  awk -v n="$1" -v s="$2" -v r="$3" -v b="$BYTES" -v e="$EVENTS" -v z="${ZS:-$2}" \
    'BEGIN{printf "%-44s %7.2f s %8.1f MB/s %10.0f events/s  %5.2fx zcat  peak RSS %6.1f MB\n", n, s, b/s/1e6, e/s, z/s, r/1024}'
}
