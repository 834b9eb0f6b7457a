#!/usr/bin/python3
"""Realistic office letters as a scanner delivers them, for the archive-size benchmark
(scripts/bench-mrc.sh): A4 at 300 dpi, German text set in DejaVu Serif/Sans, a coloured
letterhead with a logo, an address block, a subject line, paragraphs, a blue ink signature,
a red or blue round and a rectangular "Eingangsstempel" pressed over the text, a small-print
footer; every third page on tinted paper (cream, light blue, light green, grey recycled);
a touch of blur and sensor noise (σ 1.5: the plain JPEG of such a page is about the
800–1,100 KiB the archive-size issue measured on realistic colour letters). Grey pages are
the same letters in grey.

For each page it writes
  NAME.png          the scan (pHYs 300 dpi)
  NAME.txt          the words printed on it (for Tesseract word recall)
  NAME.stamp.png    where the stamps and the signature are (white = their ink), for ΔE

Usage: letters.py OUTDIR COUNT SEED colour|grey
"""
import math
import os
import random
import sys

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

W, H = 2480, 3508
FONTS = "/usr/share/fonts/truetype/dejavu/"
WORDS = """Antrag Bescheid Widerspruch Gebühren Bauordnung Stadtverwaltung Aktenzeichen Eingang
Bürgerbüro Ordnungsamt Sozialamt Jugendamt Straßenverkehr Genehmigung Erlaubnis Nachweis Frist
Zahlung Rechnung Mahnung Vollstreckung Grundstück Flurstück Gemarkung Baugenehmigung
Nutzungsänderung Stellplatz Abstandsfläche Brandschutz Denkmalschutz Wohngeld Unterhalt
Kindergeld Elterngeld Meldebescheinigung Personalausweis Reisepass Führerschein Zulassung Fahrzeug
Kennzeichen Gewerbe Anmeldung Abmeldung Ummeldung Steuer Hundesteuer Grundsteuer Abfall
Entsorgung Wasser Abwasser Friedhof Grabstelle Sondernutzung Veranstaltung Markt hiermit
beantrage ich die Erteilung einer befristeten Genehmigung für den Zeitraum vom bis zum gemäß
Paragraph Absatz Satz des Gesetzes Verordnung Satzung der Stadt mit freundlichen Grüßen wir
bitten Sie um Prüfung unseres Schreibens beigefügten Unterlagen vollständig eingereicht worden
sind fehlende Nachweise nachzureichen innerhalb von vier Wochen nach Zugang dieses Schreibens
anderenfalls entscheiden nach Aktenlage Gegen diesen Bescheid kann eines Monats Bekanntgabe
erhoben werden schriftlich oder zur Niederschrift bei der""".split()
SURNAMES = "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter".split()
STREETS = "Hauptstraße Bahnhofstraße Gartenweg Lindenallee Schillerplatz Bergstraße Kirchgasse".split()
TINTS = [(250, 243, 222), (228, 238, 250), (232, 246, 230), (236, 234, 228)]
INKS = [(200, 30, 40), (30, 60, 170), (150, 20, 110)]


def font(name, pt):
    return ImageFont.truetype(FONTS + name, round(pt * 300 / 72))


def letter(rng, colour):
    tinted = rng.random() < 1 / 3
    paper = rng.choice(TINTS) if tinted else (252, 252, 250)
    page = Image.new("RGB", (W, H), paper)
    d = ImageDraw.Draw(page)
    words = []
    serif = rng.random() < 0.5
    body = font("DejaVuSerif.ttf" if serif else "DejaVuSans.ttf", rng.choice([10.5, 11, 12]))
    bold = font("DejaVuSerif-Bold.ttf" if serif else "DejaVuSans-Bold.ttf", 12)

    def text(xy, s, f, fill=(20, 20, 24)):
        d.text(xy, s, font=f, fill=fill)
        words.extend(s.split())

    # Letterhead: a logo (coloured shapes) and the sender in its colour.
    brand = rng.choice([(0, 82, 147), (170, 20, 40), (0, 120, 70)])
    x0, y0 = 1850, 150
    d.ellipse([x0, y0, x0 + 260, y0 + 260], fill=brand)
    d.rectangle([x0 + 70, y0 + 60, x0 + 190, y0 + 200], fill=(255, 205, 0))
    d.polygon([(x0 + 70, y0 + 60), (x0 + 130, y0 + 10), (x0 + 190, y0 + 60)], fill=(255, 205, 0))
    sender = f"Ingenieurbüro {rng.choice(SURNAMES)}"
    text((220, 190), sender, font("DejaVuSans-Bold.ttf", 18), fill=brand)
    text((220, 290), f"{rng.choice(STREETS)} {rng.randint(1, 99)} · {rng.randint(10000, 99999)} Musterstadt",
         font("DejaVuSans.ttf", 9), fill=brand)
    d.line([(220, 360), (2260, 360)], fill=brand, width=5)
    # Address block, date, subject.
    y = 560
    for line in ["Stadt Musterstadt", "Bauordnungsamt", f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                 f"{rng.randint(10000, 99999)} Musterstadt"]:
        text((220, y), line, body)
        y += 62
    text((1650, 980), f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026", body)
    text((220, 1100), f"Aktenzeichen {rng.randint(100, 999)}.{rng.randint(10, 99)}-2026/{rng.randint(1000, 9999)}", bold)
    text((220, 1180), "Sehr geehrte Damen und Herren,", body)
    # Paragraphs.
    y = 1290
    line_h = round(body.size * 1.45)
    for _ in range(rng.randint(3, 4)):
        for _ in range(rng.randint(4, 7)):
            if y > 2650:
                break
            line = rng.choice(WORDS)
            while True:
                longer = line + " " + rng.choice(WORDS)
                if d.textlength(longer, font=body) > 2000:
                    break
                line = longer
            text((220, y), line, body)
            y += line_h
        y += line_h // 2
    text((220, y + 20), "Mit freundlichen Grüßen", body)
    sig_y = y + 110
    name = f"Dipl.-Ing. {rng.choice(SURNAMES)}"
    text((220, sig_y + 190), name, body)
    # Small print footer.
    small = font("DejaVuSans.ttf", 7.5)
    text((220, 3300), f"Sparkasse Musterstadt IBAN DE{rng.randint(10, 99)} 5005 0201 {rng.randint(1000, 9999)} "
                      f"{rng.randint(1000, 9999)} 00 Telefon 0{rng.randint(100, 999)} {rng.randint(100000, 999999)}", small)

    # Stamps and signature on their own layer (multiplied over the page, as ink on paper).
    ink = Image.new("RGB", (W, H), (255, 255, 255))
    k = ImageDraw.Draw(ink)
    # Signature: a blue ballpoint scrawl.
    blue = (25, 45, 150)
    sx, pts = 240, []
    for i in range(160):
        t = i / 159
        pts.append((sx + t * 520 + 25 * math.sin(t * 31), sig_y + 70 + 55 * math.sin(t * 17 + 1) * (1 - t / 2)))
    k.line(pts, fill=blue, width=5, joint="curve")
    stamp_ink = rng.choice(INKS)
    # Round stamp over the paragraphs.
    cx, cy, r = rng.randint(1500, 1900), rng.randint(1500, 2300), 230
    k.ellipse([cx - r, cy - r, cx + r, cy + r], outline=stamp_ink, width=10)
    k.ellipse([cx - r + 40, cy - r + 40, cx + r - 40, cy + r - 40], outline=stamp_ink, width=5)
    sf = font("DejaVuSans-Bold.ttf", 11)
    k.text((cx, cy - 40), "STADT", font=sf, fill=stamp_ink, anchor="mm")
    k.text((cx, cy + 40), "MUSTERSTADT", font=sf, fill=stamp_ink, anchor="mm")
    # Rectangular receipt stamp, slightly turned.
    box = Image.new("RGB", (760, 300), (255, 255, 255))
    b = ImageDraw.Draw(box)
    b.rectangle([4, 4, 755, 295], outline=stamp_ink, width=8)
    b.text((380, 80), "EINGEGANGEN", font=font("DejaVuSans-Bold.ttf", 16), fill=stamp_ink, anchor="mm")
    b.text((380, 200), f"{rng.randint(1, 28):02d}. DEZ. 2026", font=font("DejaVuSans-Bold.ttf", 14),
           fill=stamp_ink, anchor="mm")
    box = box.rotate(rng.uniform(-6, 6), expand=True, fillcolor=(255, 255, 255), resample=Image.BICUBIC)
    ink.paste(box, (rng.randint(1300, 1600), rng.randint(520, 700)))
    page = ImageChops.multiply(page, ink)
    stamp_mask = ink.convert("L").point(lambda v: 255 if v < 200 else 0)

    # The scanner: a touch of blur, paper texture and sensor noise.
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    noise = Image.effect_noise((W, H), 1.5).convert("RGB")
    page = ImageChops.add(ImageChops.subtract(page, Image.new("RGB", (W, H), (8, 8, 8))), noise, 1.0, -120)
    if not colour:
        page = page.convert("L")
    return page, words, stamp_mask


def main():
    out, count, seed, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    for i in range(count):
        page, words, mask = letter(rng, mode == "colour")
        name = os.path.join(out, f"l{i:03d}")
        page.save(name + ".png", dpi=(300, 300), compress_level=1)
        with open(name + ".txt", "w", encoding="utf-8") as f:
            f.write(" ".join(words) + "\n")
        mask.save(name + ".stamp.png", compress_level=1)


if __name__ == "__main__":
    main()
