#!/usr/bin/env bash
# JPEG pages into a PDF: Eingang's passthrough PDF/A-2b writer against img2pdf (Debian), on
# the same files in one run. Pages: noisy A4 colour scans at 300 dpi, JPEG quality 75.
# Usage: scripts/bench-pdf.sh [PAGES]   (default 200)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PAGES="${1:-200}"
apt_install img2pdf python3-pil
need_rust
say "building the benchmark (release)"
cargo build --release -p eingang-pdf --example jpeg_bench --quiet
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/pages"
say "making $PAGES A4 pages (300 dpi, colour, JPEG q75)"
/usr/bin/python3 - "$WORK/pages" "$PAGES" <<'PY'
import os, sys
from PIL import Image
d, n = sys.argv[1], int(sys.argv[2])
# A page-like picture: a light gradient with moderate noise (≈0.8 MB at q75).
grad = Image.linear_gradient("L").resize((2480, 3508)).point(lambda v: 200 + v // 5)
noise = Image.effect_noise((2480, 3508), 24)
grey = Image.blend(grad, noise, 0.25)
base = Image.merge("RGB", (grey, grey.point(lambda v: max(0, v - 8)), grey.point(lambda v: min(255, v + 6))))
for i in range(n):
    base.save(os.path.join(d, f"p{i:04d}.jpg"), quality=75, dpi=(300, 300))
    if i == 0:
        break
for i in range(1, n):
    os.link(os.path.join(d, "p0000.jpg"), os.path.join(d, f"p{i:04d}.jpg"))
PY
echo "input: $PAGES pages of $(stat -c %s "$WORK/pages/p0000.jpg") bytes"
sync
say "img2pdf $(img2pdf --version | awk '{print $2}') (plain PDF)"
START=$(date +%s.%N)
img2pdf "$WORK"/pages/*.jpg -o "$WORK/img2pdf.pdf"
END=$(date +%s.%N)
echo "img2pdf: $PAGES pages in $(echo "($END - $START) * 1000" | bc) ms = $(echo "scale=2; ($END - $START) * 1000 / $PAGES" | bc) ms/page (process start included)"
say "img2pdf --pdfa (PDF/A-1b)"
START=$(date +%s.%N)
img2pdf --pdfa "$WORK"/pages/*.jpg -o "$WORK/img2pdf-a.pdf" 2>/dev/null || echo "(img2pdf --pdfa needs an ICC profile on this system)"
END=$(date +%s.%N)
echo "img2pdf --pdfa: $(echo "scale=2; ($END - $START) * 1000 / $PAGES" | bc) ms/page"
say "Eingang (PDF/A-2b, passthrough)"
START=$(date +%s.%N)
"$ROOT/target/release/examples/jpeg_bench" "$WORK/pages" "$WORK/eingang.pdf" 300
END=$(date +%s.%N)
echo "eingang (whole process): $(echo "scale=2; ($END - $START) * 1000 / $PAGES" | bc) ms/page"
ls -l "$WORK"/*.pdf | awk '{print $5, $9}'
qpdf --check "$WORK/eingang.pdf" >/dev/null && echo "qpdf --check: ok"
mkdir -p "$WORK/back"
pdfimages -j "$WORK/eingang.pdf" "$WORK/back/x"
SAME=0
for f in "$WORK"/back/x-*.jpg; do
  n=$(basename "$f" .jpg); n=$((10#${n#x-}))
  cmp -s "$f" "$WORK/pages/$(printf 'p%04d.jpg' "$n")" && SAME=$((SAME + 1))
done
echo "pdfimages -j: $SAME of $PAGES JPEGs byte-identical to the input"
