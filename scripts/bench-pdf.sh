#!/usr/bin/env bash
# JPEG pages into one PDF, timed as users run it: `eingang pdf assemble … -o OUT.pdf` (the
# release binary; PDF/A-2b, every JPEG proved whole and embedded byte for byte) against
# `img2pdf` (Debian) on the same files, alternately, three runs each; the median is the
# figure. Pages: A4 scans at 300 dpi, colour and grey, JPEG quality 85 (~1 MB colour).
# Usage: scripts/bench-pdf.sh [PAGES]   (default 200)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PAGES="${1:-200}"
apt_install img2pdf python3-pil qpdf poppler-utils
need_rust
say "building eingang (release)"
cargo build --release -p eingang-cli --bin eingang --quiet
EINGANG="$ROOT/target/release/eingang"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export EINGANG_DATA_DIR="$WORK/data" EINGANG_KEYRING=off

say "making $PAGES colour and $PAGES grey A4 pages (300 dpi, JPEG q85; 8 different pictures)"
/usr/bin/python3 - "$WORK" "$PAGES" <<'PY'
import os, sys
from PIL import Image
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{d}/colour"); os.makedirs(f"{d}/grey")
size = (2480, 3508)
for k in range(8):
    grad = Image.linear_gradient("L").resize(size).point(lambda v, k=k: 190 + (v + 9 * k) % 64)
    noise = Image.effect_noise(size, 20 + k)
    grey = Image.blend(grad, noise, 0.25)
    colour = Image.merge("RGB", (grey, grey.point(lambda v: max(0, v - 8)), grey.point(lambda v: min(255, v + 6))))
    colour.save(f"{d}/colour/base{k}.jpg", quality=85, dpi=(300, 300))
    grey.save(f"{d}/grey/base{k}.jpg", quality=85, dpi=(300, 300))
for kind in ("colour", "grey"):
    for i in range(n):
        # Copies, not links: every page is a file of its own on disk.
        with open(f"{d}/{kind}/base{i % 8}.jpg", "rb") as src, open(f"{d}/{kind}/p{i:04d}.jpg", "wb") as dst:
            dst.write(src.read())
    for k in range(8):
        os.remove(f"{d}/{kind}/base{k}.jpg")
PY
sync

# Prints the command (the page list as its glob), runs it, leaves its wall time in ms in $MS.
timed() {
  local shown="$*" start end
  shown="${shown/"${files[*]}"/$WORK/$kind/p*.jpg}"
  echo "  \$ ${shown//$WORK/\$WORK}"
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  MS=$(( (end - start) / 1000000 ))
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

for kind in colour grey; do
  files=("$WORK/$kind"/p*.jpg)
  bytes=$(cat "${files[@]}" | wc -c)
  say "$kind: ${#files[@]} pages, $(( bytes / ${#files[@]} / 1024 )) KiB each"
  E=(); I=()
  for run in 1 2 3; do
    timed "$EINGANG" pdf assemble "${files[@]}" -o "$WORK/eingang-$kind.pdf"
    E+=("$MS"); echo "  eingang pdf assemble, run $run: $MS ms"
    timed img2pdf "${files[@]}" -o "$WORK/img2pdf-$kind.pdf"
    I+=("$MS"); echo "  img2pdf, run $run: $MS ms"
  done
  e=$(median "${E[@]}"); i=$(median "${I[@]}")
  echo "RESULT $kind: eingang pdf assemble $e ms ($(echo "scale=2; $e / ${#files[@]}" | bc) ms/page), img2pdf $i ms ($(echo "scale=2; $i / ${#files[@]}" | bc) ms/page): eingang is $(echo "scale=2; $i / $e" | bc)× as fast (medians of 3)"
  qpdf --check "$WORK/eingang-$kind.pdf" >/dev/null && echo "  qpdf --check: ok"
  mkdir -p "$WORK/back-$kind"
  pdfimages -j "$WORK/eingang-$kind.pdf" "$WORK/back-$kind/x"
  same=0
  for f in "$WORK/back-$kind"/x-*.jpg; do
    n=$(basename "$f" .jpg); n=$((10#${n#x-}))
    cmp -s "$f" "$WORK/$kind/$(printf 'p%04d.jpg' "$n")" && same=$((same + 1))
  done
  echo "  pdfimages -j: $same of ${#files[@]} JPEGs byte-identical to the input"
  ls -l "$WORK/eingang-$kind.pdf" "$WORK/img2pdf-$kind.pdf" | awk '{print "  " $5 " bytes " $9}' | sed "s|$WORK|\$WORK|g"
done
