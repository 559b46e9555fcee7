#!/usr/bin/env bash
# Screenshots of every report kind for the README: builds the demo incident into a case, writes each
# report as HTML (English and Japanese), prints it to PDF with headless Chromium (offline flags, as
# crates/report/src/chromium does) and turns the first page into a PNG 1000 px wide.
# Needs: chromium, fonts-noto-cjk, poppler-utils (pdftoppm). Usage: docs/screenshots.sh [cloudcase binary]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-target}/release/cloudcase
fi
CHROMIUM=${CLOUDCASE_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$CHROMIUM" ] || { echo "chromium not installed: apt install chromium" >&2; exit 1; }
command -v pdftoppm >/dev/null || { echo "pdftoppm not installed: apt install poppler-utils" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT=docs/screenshots
"$BIN" demo --out "$WORK/logs" >/dev/null 2>&1
"$BIN" case init "$WORK/case" --name "Demo: bill tripled after a leaked access key" --examiner "Aiko Tanaka" --tz Asia/Tokyo >/dev/null
"$BIN" acquire --case "$WORK/case" "$WORK/logs" >/dev/null 2>&1
"$BIN" verify --case "$WORK/case" >/dev/null
"$BIN" scope --case "$WORK/case" --auto --format json >/dev/null 2>&1
"$BIN" hunt --case "$WORK/case" --format jsonl >/dev/null 2>&1

# The kinds this build offers (clap's list under `report --help`), without `all`.
KINDS=$("$BIN" report --help | sed -n 's/^ *- \([a-z]*\):.*/\1/p' | grep -vx all | awk '!seen[$0]++' || true)
[ -n "$KINDS" ] || KINDS=evidence
for kind in $KINDS; do
  for lang in en ja; do
    html="$WORK/$kind.$lang.html"
    "$BIN" report "$kind" --case "$WORK/case" --lang "$lang" --format html --out "$html" >/dev/null 2>&1
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$WORK/profile" --no-pdf-header-footer --print-to-pdf="$WORK/$kind.$lang.pdf" \
      "file://$html" >/dev/null 2>&1
    pages=$(pdfinfo "$WORK/$kind.$lang.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
    pdftoppm -png -singlefile -f 1 -l 1 -scale-to-x 1000 -scale-to-y -1 "$WORK/$kind.$lang.pdf" "$OUT/$kind.$lang"
    echo "$OUT/$kind.$lang.png (${pages:-?} A4 pages)"
  done
done
