#!/usr/bin/env bash
# OCR figures, printed (scan-intake II issue): the same real-looking pages through
#   - Eingang: `eingang ocr files` — one single-threaded Tesseract per page, one per core;
#   - OCRmyPDF (Debian), the reference, with the same Tesseract and languages;
# wall time of each, the ratio, and word recall against the known text (pdftotext of each
# output; a word counts when it appears as often as in the original).
# Pages: German office letters set in DejaVu Serif/Sans at 300 dpi, grey, each slightly
# rotated (±0.8°), with paper noise and a touch of blur, saved as JPEG (q85) like a scanner.
# Usage: scripts/bench-ocr.sh [PAGES]   (default 20)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PAGES="${1:-20}"
apt_install ocrmypdf img2pdf poppler-utils imagemagick tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng fonts-dejavu-core
need_rust
WORK="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
say "building eingang (release)"
cargo build --release -p eingang-cli --quiet
EINGANG="$ROOT/target/release/eingang"
CORES=$(nproc)

say "making $PAGES pages with known text"
mkdir -p "$WORK/pages" "$WORK/text"
WORDS="Antrag Bescheid Widerspruch Gebühren Bauordnung Stadtverwaltung Aktenzeichen Eingang
Bürgerbüro Ordnungsamt Sozialamt Jugendamt Straßenverkehr Genehmigung Erlaubnis Nachweis
Frist Zahlung Rechnung Mahnung Vollstreckung Grundstück Flurstück Gemarkung Baugenehmigung
Nutzungsänderung Stellplatz Abstandsfläche Brandschutz Denkmalschutz Wohngeld Unterhalt
Kindergeld Elterngeld Meldebescheinigung Personalausweis Reisepass Führerschein Zulassung
Fahrzeug Kennzeichen Gewerbe Anmeldung Abmeldung Ummeldung Steuer Hundesteuer Grundsteuer
Abfall Entsorgung Wasser Abwasser Friedhof Grabstelle Sondernutzung Veranstaltung Markt
hiermit beantrage ich die Erteilung einer befristeten Genehmigung für den Zeitraum vom bis
zum gemäß Paragraph Absatz Satz des Gesetzes Verordnung Satzung der Stadt mit freundlichen
Grüßen Sehr geehrte Damen und Herren wir bitten Sie um Prüfung unseres Schreibens vom
beigefügten Unterlagen vollständig eingereicht worden sind fehlende Nachweise nachzureichen
innerhalb von vier Wochen nach Zugang dieses Schreibens anderenfalls entscheiden wir nach
Aktenlage Rechtsbehelfsbelehrung Gegen diesen Bescheid kann innerhalb eines Monats nach
Bekanntgabe Widerspruch erhoben werden schriftlich oder zur Niederschrift bei der"
read -r -a W <<<"$(echo $WORDS)"
NW=${#W[@]}
RANDOM=4711
for i in $(seq -w 1 "$PAGES"); do
  font=DejaVu-Serif; [ $((10#$i % 2)) -eq 0 ] && font=DejaVu-Sans
  {
    echo "Stadt Musterstadt - Der Oberbürgermeister"
    echo "Aktenzeichen 530.12-2026/$((1000 + 10#$i))"
    echo
    for line in $(seq 1 40); do
      l=""
      for _ in $(seq 1 7); do l+="${W[RANDOM % NW]} "; done
      echo "${l% }"
    done
  } >"$WORK/text/$i.txt"
  angle=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", (r % 161 - 80) / 100 }')
  convert -size 2480x3508 xc:white -font "$font" -pointsize 10.5 -density 300 \
    -fill black -annotate +220+330 "$(cat "$WORK/text/$i.txt")" \
    -rotate "$angle" -gravity center -extent 2480x3508 \
    -attenuate 0.25 +noise Gaussian -blur 0x0.6 -colorspace Gray \
    -units PixelsPerInch -density 300 -quality 85 "$WORK/pages/$i.jpg"
done
du -sh "$WORK/pages" | awk '{print "pages: " $1}'

recall() { # known text, pdf → "found/total"
  python3 - "$1" "$2" <<'EOF'
import collections, re, subprocess, sys
known = collections.Counter(re.findall(r"\w+", open(sys.argv[1], encoding="utf-8").read()))
text = subprocess.run(["pdftotext", sys.argv[2], "-"], capture_output=True, text=True).stdout
found = collections.Counter(re.findall(r"\w+", text))
hit = sum(min(n, found[w]) for w, n in known.items())
print(f"{hit}/{sum(known.values())}")
EOF
}
cat "$WORK"/text/*.txt >"$WORK/known.txt"

say "Eingang: eingang ocr files ($CORES pages at once, one thread each)"
echo "  \$ eingang ocr files \$WORK/pages/*.jpg -o \$WORK/eingang.pdf --lang deu+eng --jobs $CORES --pdfa 2b"
START=$(date +%s.%N)
"$EINGANG" ocr files "$WORK"/pages/*.jpg -o "$WORK/eingang.pdf" --lang deu+eng --jobs "$CORES" --pdfa 2b >/dev/null
END=$(date +%s.%N)
T_E=$(echo "$END - $START" | bc)
R_E=$(recall "$WORK/known.txt" "$WORK/eingang.pdf")

say "OCRmyPDF $(ocrmypdf --version 2>/dev/null) (--jobs $CORES, PDF/A-2b)"
img2pdf "$WORK"/pages/*.jpg -o "$WORK/in.pdf"
echo "  \$ ocrmypdf --quiet -l deu+eng --jobs $CORES --output-type pdfa-2 \$WORK/in.pdf \$WORK/ocrmypdf.pdf   (input made by img2pdf, not timed)"
START=$(date +%s.%N)
ocrmypdf --quiet -l deu+eng --jobs "$CORES" --output-type pdfa-2 "$WORK/in.pdf" "$WORK/ocrmypdf.pdf"
END=$(date +%s.%N)
T_O=$(echo "$END - $START" | bc)
R_O=$(recall "$WORK/known.txt" "$WORK/ocrmypdf.pdf")

pct() { awk -F/ '{ printf "%.2f %%", 100 * $1 / $2 }' <<<"$1"; }
echo
printf 'OCR of %s pages, %s cores, Tesseract %s\n' "$PAGES" "$CORES" "$(tesseract --version 2>&1 | head -1 | awk '{print $2}')"
printf '  Eingang : %6.1f s  (%.2f s/page)  word recall %s (%s)\n' "$T_E" "$(echo "$T_E / $PAGES" | bc -l)" "$(pct "$R_E")" "$R_E"
printf '  OCRmyPDF: %6.1f s  (%.2f s/page)  word recall %s (%s)\n' "$T_O" "$(echo "$T_O / $PAGES" | bc -l)" "$(pct "$R_O")" "$R_O"
printf '  Eingang is %.2f× faster\n' "$(echo "$T_O / $T_E" | bc -l)"
printf '  sizes: Eingang %s KiB, OCRmyPDF %s KiB\n' "$(($(stat -c %s "$WORK/eingang.pdf") / 1024))" "$(($(stat -c %s "$WORK/ocrmypdf.pdf") / 1024))"
