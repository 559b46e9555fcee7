#!/usr/bin/env bash
# Throughput of `cloudcase acquire` on one large local disk image, against sha256sum and
# cp && sync in the same run (issue 17: hash and write at >= 1 GB/s).
#
# Usage: bench/image.sh [SIZE_GB]     logical size of the image (default 4)
# Env:   KIND=random (default)        every byte random: nothing to skip, the worst case
#        KIND=sparse                  a disk-like image: 1/4 random data in 64 MiB extents,
#                                     the rest holes (never written)
#        RUNS (default 3)             timed runs per command; the median is reported
#        KEEP=1                       keep the generated image in bench/out for the next run
#        BIN=PATH                     measure this cloudcase binary (e.g. an older build) instead
#                                     of building the release one
#
# The image is read from the page cache in every run (warmed first); each copy and case is
# removed after its run, so the disk needs about 2 x SIZE free. GB = 10^9 bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_GB=${1:-4}
KIND=${KIND:-random}
RUNS=${RUNS:-3}
OUTDIR=bench/out/image
IMAGE=$OUTDIR/image-${SIZE_GB}GB-$KIND.raw
mkdir -p "$OUTDIR"

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet -p cloudcase
  BIN=${CARGO_TARGET_DIR:-target}/release/cloudcase
fi
BYTES=$(( SIZE_GB * 1000000000 ))

if [ ! -f "$IMAGE" ]; then
  echo "generating $IMAGE ($KIND) ..." >&2
  case $KIND in
    random) head -c "$BYTES" /dev/urandom > "$IMAGE.tmp" ;;
    sparse)
      truncate -s "$BYTES" "$IMAGE.tmp"
      extent=$(( 64 << 20 ))
      for (( off = 0; off + extent <= BYTES; off += 4 * extent )); do
        head -c "$extent" /dev/urandom | dd of="$IMAGE.tmp" bs=1M seek="$(( off >> 20 ))" conv=notrunc status=none
      done ;;
    *) echo "KIND: expected random or sparse, found $KIND" >&2; exit 2 ;;
  esac
  mv "$IMAGE.tmp" "$IMAGE"
fi
WORK=$(mktemp -d "$OUTDIR/run.XXXXXX")
cleanup() {
  rm -rf "$WORK"
  [ "${KEEP:-0}" = 1 ] || rm -f "$IMAGE"
}
trap cleanup EXIT
cat "$IMAGE" > /dev/null   # warm the page cache
ALLOC=$(du -k "$IMAGE" | cut -f1)
echo "image: $IMAGE, $SIZE_GB GB logical, $(( ALLOC / 1024 )) MiB allocated; $(nproc) cores; median of $RUNS"

# median SECONDS over $RUNS runs of "$@"; the command after -- runs after each (not timed).
median() {
  local all="" start end
  for _ in $(seq "$RUNS"); do
    sync
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    all="$all $(echo "$end - $start" | bc)"
    rm -rf "${WORK:?}"/*
  done
  printf '%s\n' $all | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
report() {
  awk -v n="$1" -v s="$2" -v b="$BYTES" -v base="${3:-$2}" \
    'BEGIN{printf "%-34s %7.2f s %6.2f GB/s  %5.2fx cp && sync\n", n, s, b/s/1e9, base/s}'
}

CP=$(median sh -c "cp --sparse=auto '$IMAGE' '$WORK/copy' && sync")
SHA=$(median sha256sum "$IMAGE")
ACQ=$(median sh -c "'$BIN' case init '$WORK/case' --name bench --examiner bench && '$BIN' acquire --case '$WORK/case' '$IMAGE'")
report "cp && sync" "$CP"
report "sha256sum" "$SHA" "$CP"
report "cloudcase acquire (copy+hash+fsync)" "$ACQ" "$CP"
