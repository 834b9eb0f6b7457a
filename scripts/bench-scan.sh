#!/usr/bin/env bash
# The scan pipeline's figures, printed (scan-intake issue):
#  1. passthrough: colour A4 JPEG pages → one PDF/A: Eingang vs img2pdf on the same files
#     (scripts/bench-pdf.sh), and `pdfimages -j` gives back the JPEGs byte for byte;
#  2. full pipeline: grey A4 300 dpi scans with known skew and blank backs → deskew, blank
#     flags, G4 or JPEG, PDF/A: deskew error, blank precision/recall, size (the example
#     `pipeline_bench`, which knows the true skew); the speed as users see it is 2d:
#     `eingang import FILES --profile P` into a fresh store, the command printed;
#  3. peak memory for a 500-page batch;
#  4. output size per page beside OCRmyPDF (Debian) on the same input (OCR off:
#     `--tesseract-timeout 0`, so only its image optimisation and PDF/A conversion count).
# Usage: scripts/bench-scan.sh [PAGES] [BIG]   (defaults 100 and 500)
#        BENCH_PARTS="2" scripts/bench-scan.sh 40   runs only the parts named (default 1 2 3 4 5)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PAGES="${1:-100}"
BIG="${2:-500}"
apt_install img2pdf python3-pil ocrmypdf poppler-utils qpdf imagemagick
need_rust
# The benchmark's stores are throw-away: their data key is wrapped under a fixed passphrase
# (as on a machine without a key store), never the user's key store.
export EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data"
WORK="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
PARTS=" ${BENCH_PARTS:-1 2 3 4 5} "
part() { [[ "$PARTS" == *" $1 "* ]]; }
if part 1; then
say "1. passthrough (200 colour pages)"
bash "$ROOT/scripts/bench-pdf.sh" 200
fi
say "building the pipeline benchmark (release)"
cargo build --release -p eingang-capture --example pipeline_bench --quiet
BIN="$ROOT/target/release/examples/pipeline_bench"
say "2. full pipeline, $PAGES pages, bilevel profile (CCITT G4)"
"$BIN" "$PAGES" text-sw "$WORK/g4"
say "2b. full pipeline, $PAGES pages, grey profile (JPEG q80)"
"$BIN" "$PAGES" standard "$WORK/grey"
say "2b'. the same at JPEG quality 75 (about what OCRmyPDF's Ghostscript writes)"
PIPELINE_JPEG_QUALITY=75 "$BIN" "$PAGES" standard "$WORK/grey75" | grep -E "quality|pages/s|per page"
say "2c. full pipeline, $PAGES pages, colour profile (JPEG q85)"
"$BIN" "$PAGES" farbe "$WORK/colour"
# The headline figures: the command a user runs, on the inputs the example just wrote
# (the example's own lines above are the accuracy measures: skew, blank detection).
say "2d. eingang import (release binary, a fresh store each) — the user's command, timed"
cargo build --release -p eingang-cli --bin eingang --quiet
for p in g4:text-sw:input grey:standard:input colour:farbe:input-rgb; do
  IFS=: read -r dir profile input <<<"$p"
  files=("$WORK/$dir/$input"/*.png)
  export EINGANG_DATA_DIR="$WORK/store-$profile"
  echo "  \$ eingang import \$WORK/$dir/$input/*.png --profile $profile   (${#files[@]} files)"
  START=$(date +%s%N)
  "$ROOT/target/release/eingang" import "${files[@]}" --profile "$profile" 2>/dev/null | tail -1
  END=$(date +%s%N)
  MS=$(( (END - START) / 1000000 ))
  echo "RESULT eingang import --profile $profile: ${#files[@]} pages in $MS ms = $(echo "scale=1; ${#files[@]} * 1000 / $MS" | bc) pages/s"
  unset EINGANG_DATA_DIR
done
part 3 && say "3. peak memory, $BIG pages (bilevel)"
part 3 && "$BIN" "$BIG" text-sw "$WORK/big" | grep -E "pages/s|peak memory"
part 4 || exit 0
say "4. size per page beside OCRmyPDF $(ocrmypdf --version 2>/dev/null)"
IN="$WORK/grey/input"
img2pdf "$IN"/*.png -o "$WORK/in.pdf"
for mode in grey bw colour; do
  N=$PAGES
  if [ "$mode" = colour ]; then
    # 20 pages: OCRmyPDF needs about 6 s a colour page here.
    N=20
    img2pdf $(ls "$WORK/colour/input-rgb"/*.png | head -n $N) -o "$WORK/in-$mode.pdf"
  elif [ "$mode" = bw ]; then
    # The same pages as 1-bit PNGs, the input OCRmyPDF would get from a bilevel scan.
    mkdir -p "$WORK/bw"
    for f in "$IN"/*.png; do convert "$f" -threshold 50% -type bilevel "$WORK/bw/$(basename "$f")"; done
    img2pdf "$WORK/bw"/*.png -o "$WORK/in-$mode.pdf"
  else
    cp "$WORK/in.pdf" "$WORK/in-$mode.pdf"
  fi
  START=$(date +%s.%N)
  ocrmypdf --output-type pdfa --tesseract-timeout 0 --optimize 1 --quiet \
    "$WORK/in-$mode.pdf" "$WORK/ocrmypdf-$mode.pdf" || echo "ocrmypdf failed on $mode"
  END=$(date +%s.%N)
  SIZE=$(stat -c %s "$WORK/ocrmypdf-$mode.pdf" 2>/dev/null || echo 0)
  echo "ocrmypdf ($mode): $((SIZE / 1024)) KiB = $((SIZE / 1024 / N)) KiB/page over $N pages in $(echo "$END - $START" | bc) s"
done
for p in g4:text-sw grey:standard colour:farbe; do
  f="$WORK/${p%%:*}/eingang-${p##*:}.pdf"
  echo "eingang (${p%%:*}): $(( $(stat -c %s "$f") / 1024 )) KiB = $(( $(stat -c %s "$f") / 1024 / PAGES )) KiB/page (all pages incl. blank backs)"
  qpdf --check "$f" >/dev/null && echo "  qpdf --check: ok"
done
say "5. separation of a 1,000-page batch with barcode separator sheets"
cargo build --release -p eingang-capture --example separation_bench --quiet
"$ROOT/target/release/examples/separation_bench" 1000 "$WORK"
