#!/usr/bin/env bash
# Archive size (issue 20), printed: realistic generated letters (scripts/mrc/letters.py —
# letterhead with logo, stamps, blue signature, tinted paper, scanner noise; colour and grey,
# 300 dpi) through
#   - Eingang as shipped: the built-in `farbe` / `standard` profile (MRC at release),
#   - Eingang's plain JPEG (the same profile with "compression": "jpeg", what it wrote before),
#   - OCRmyPDF `--output-type pdfa -O3` on the same pages (img2pdf'ed; OCR skipped with
#     --tesseract-timeout 0, so only its image optimisation and PDF/A conversion count),
# each the command a user runs (`eingang import`, `batch release`, `sync`; release build), then:
#   KiB per page of the delivered PDF/A, pages per second of `eingang batch release`,
#   Tesseract word recall on every archived page rendered at 300 dpi against the scan itself,
#   ΔE on the stamps' and signature's pixels (scripts/mrc/measure.py), qpdf --check.
# The letters come from seeds the encoder was not tuned on (tuning used seed 1).
# Usage: scripts/bench-mrc.sh [PAGES]   (default 20 of each, colour and grey)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PAGES="${1:-20}"
apt_install python3-pil python3-numpy img2pdf ocrmypdf poppler-utils qpdf bc \
  tesseract-ocr tesseract-ocr-deu fonts-dejavu-core
need_rust
export EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data" EINGANG_LOG_STDERR=off
WORK="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
say "building eingang (release)"
cargo build --release -p eingang-cli --bin eingang --quiet
E="$ROOT/target/release/eingang"
PY=/usr/bin/python3
ms() { echo $(($(date +%s%N) / 1000000)); }

# Releases the pages of $1 (a generator folder) with profile $2 (changed by the Python
# expression $3 on the profile `p`) into a fresh store $4; prints the release's pages/s and
# leaves the delivered PDF in $4/ausgang.
eingang_run() {
  local pages="$1" profile="$2" change="$3" D="$4" B t0 t1
  rm -rf "$D"
  "$E" --data-dir "$D" profiles list --json | "$PY" -c "
import json, sys
p = [x for x in json.load(sys.stdin) if x['id'] == '$profile'][0]
p['id'], p['name'] = 'bench', 'Benchmark'
p['processing']['ocr'] = False
p['qc']['four_eyes'] = False
$change
print(json.dumps(p))" >"$D.profile.json"
  "$E" --data-dir "$D" profiles save "$D.profile.json" >/dev/null
  B=$("$E" --data-dir "$D" import "$pages"/l[0-9][0-9][0-9].png --profile bench 2>/dev/null |
    sed -n 's/^batch \([^:]*\):.*/\1/p')
  [ -n "$B" ] || die "import failed into $D"
  "$E" --data-dir "$D" batch qc "$B" --all >/dev/null
  t0=$(ms)
  "$E" --data-dir "$D" batch release "$B" --title "Posteingang" --index dokumentart=Brief >/dev/null || die "release failed in $D"
  t1=$(ms)
  "$E" --data-dir "$D" sync >/dev/null || die "sync failed in $D"
  echo "$((t1 - t0))"
}

# KiB per page of the PDF(s) in $1 for $2 pages; renders them to $1/render at 300 dpi.
size_and_render() {
  local dir="$1" n="$2" bytes=0 f i=0
  mkdir -p "$dir/render"
  for f in $(find "$dir" -maxdepth 2 -name '*.pdf' | sort); do
    qpdf --check "$f" >/dev/null 2>&1 || die "qpdf --check fails on $f"
    bytes=$((bytes + $(stat -c %s "$f")))
    i=$((i + 1))
    pdftoppm -r 300 -png "$f" "$dir/render/d$(printf %03d $i)"
  done
  [ "$i" -gt 0 ] || die "no PDF in $dir"
  echo "scale=1; $bytes / 1024 / $n" | bc
}

declare -A R
for kind in colour grey; do
  profile=farbe
  [ "$kind" = grey ] && profile=standard
  P="$WORK/$kind"
  say "$kind: $PAGES letters (seed 2026/4711, not the seed the encoder was tuned on)"
  seed=2026
  [ "$kind" = grey ] && seed=4711
  "$PY" "$ROOT/scripts/mrc/letters.py" "$P" "$PAGES" "$seed" "$kind"
  say "$kind: Eingang, built-in profile '$profile' (MRC)"
  ms_mrc=$(eingang_run "$P" "$profile" "" "$WORK/$kind-mrc")
  echo "  \$ eingang batch release (profile $profile, $PAGES pages): $ms_mrc ms"
  say "$kind: Eingang, the same profile as plain JPEG"
  ms_jpeg=$(eingang_run "$P" "$profile" "p['processing']['compression'] = 'jpeg'" "$WORK/$kind-jpeg")
  echo "  \$ eingang batch release (plain JPEG, $PAGES pages): $ms_jpeg ms"
  say "$kind: OCRmyPDF $(ocrmypdf --version) --output-type pdfa -O3"
  mkdir -p "$WORK/$kind-ocrmypdf"
  img2pdf "$P"/l[0-9][0-9][0-9].png -o "$WORK/$kind-in.pdf"
  t0=$(ms)
  ocrmypdf --output-type pdfa -O3 --tesseract-timeout 0 --quiet \
    "$WORK/$kind-in.pdf" "$WORK/$kind-ocrmypdf/out.pdf" || die "ocrmypdf failed on $kind"
  t1=$(ms)
  echo "  ocrmypdf: $((t1 - t0)) ms"
  for v in mrc jpeg ocrmypdf; do
    R[$kind.$v.kib]=$(size_and_render "$WORK/$kind-$v" "$PAGES")
  done
  R[$kind.mrc.pps]=$(echo "scale=1; $PAGES * 1000 / $ms_mrc" | bc)
  R[$kind.jpeg.pps]=$(echo "scale=1; $PAGES * 1000 / $ms_jpeg" | bc)
  say "$kind: legibility and colour (Tesseract at 300 dpi, ΔE on stamps and signature)"
  for v in mrc jpeg ocrmypdf; do
    "$PY" "$ROOT/scripts/mrc/measure.py" "$P" "$WORK/$kind-$v/render" "$kind $v"
  done
done

say "summary ($PAGES pages each, $(nproc) cores)"
for kind in colour grey; do
  printf 'RESULT %-6s KiB/page: Eingang MRC %6s | Eingang plain JPEG %6s | OCRmyPDF -O3 %6s   release: MRC %s pages/s, JPEG %s pages/s\n' \
    "$kind" "${R[$kind.mrc.kib]}" "${R[$kind.jpeg.kib]}" "${R[$kind.ocrmypdf.kib]}" "${R[$kind.mrc.pps]}" "${R[$kind.jpeg.pps]}"
done
echo "goals: colour ≤ 80 KiB/page, grey ≤ 50 KiB/page, ≥ 5 colour pages/s, recall loss ≤ 0.5 points, ΔE ≤ 10"
