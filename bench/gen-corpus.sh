#!/usr/bin/env bash
# Generate (or reuse) a deterministic CloudTrail benchmark corpus with cloudcase-gen.
#
# Usage: bench/gen-corpus.sh SIZE [SEED] [extra cloudcase-gen flags...]
#   bench/gen-corpus.sh 500MB               # 500 MB of JSON, seed 1, 14 days
#   bench/gen-corpus.sh 2GB 7 --incident --data-events
#
# Writes bench/out/corpus-<SIZE>-seed<SEED>[-<flags>]/ with AWSLogs/ and
# truth.json, and prints that directory on the last line. A corpus already
# generated with the same arguments (and the same generator binary) is reused.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
size=$1
shift
seed=1
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
    seed=$1
    shift
fi

root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet -p cloudcase-gen --manifest-path "$root/Cargo.toml"
bin="$root/target/release/cloudcase-gen"

suffix=$(printf '%s' "$*" | tr -c 'A-Za-z0-9' '-' | sed 's/--*/-/g; s/^-//; s/-$//')
out="$root/bench/out/corpus-$size-seed$seed${suffix:+-$suffix}"
stamp="$size $seed $* $(cksum <"$bin" | cut -d' ' -f1)"

if [[ -f "$out/truth.json" && -f "$out/.args" && "$(cat "$out/.args")" == "$stamp" ]]; then
    echo "reusing $out" >&2
else
    rm -rf "$out"
    mkdir -p "$out"
    "$bin" --out "$out" --seed "$seed" --size "$size" --truth "$out/truth.json" "$@" >&2
    printf '%s' "$stamp" >"$out/.args"
fi
echo "$out"
