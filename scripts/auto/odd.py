#!/usr/bin/python3
"""Pages that are not what automatic indexing was made for, scanned like mail.py's: a photo
(a colour picture, no text), and a letter in English (an English date, no German words) —
the bad input of the automatic-indexing tests: suggestions absent, nothing released wrongly.

  OUTDIR/foto.jpg      the photo
  OUTDIR/english.jpg   the English letter (fed upright)

Usage: odd.py OUTDIR [DPI]
"""
import os
import random
import sys

from PIL import ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail import Page, font, scan  # noqa: E402


def photo(rng, dpi):
    """A garden seen through a window: sky and lawn as gradients, shapes, leaves."""
    pg = Page(dpi, True, rng)
    w, h = pg.W, pg.H
    d = ImageDraw.Draw(pg.img)
    for y in range(h):
        t = y / h
        sky = (int(110 + 90 * t), int(160 + 60 * t), 235) if t < 0.55 else (int(60 + 40 * t), int(120 + 50 * t), 50)
        d.line([(0, y), (w, y)], fill=sky)
    for _ in range(300):
        x, y, r = rng.randrange(w), rng.randrange(h // 2, h), rng.randint(w // 80, w // 25)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randint(20, 90), rng.randint(90, 170), rng.randint(20, 70)))
    d.rectangle([w // 5, h // 3, w // 5 + w // 4, h // 2 + h // 8], fill=(150, 90, 60))
    d.polygon([(w // 5 - w // 20, h // 3), (w // 5 + w // 8, h // 5), (w // 5 + w // 4 + w // 20, h // 3)], fill=(120, 40, 30))
    d.ellipse([w * 3 // 4, h // 12, w * 3 // 4 + w // 8, h // 12 + w // 8], fill=(250, 230, 120))
    return pg


def english(rng, dpi):
    pg = Page(dpi, False, rng)
    body, bold = font("DejaVuSans.ttf", 11, dpi), font("DejaVuSans-Bold.ttf", 12, dpi)
    small = font("DejaVuSans.ttf", 7.5, dpi)
    pg.text(220, 420, "J. Smith · 14 Baker Street · London NW1 6XE · United Kingdom", small)
    for k, line in enumerate(["City Council", "Planning Department", "Town Hall Square 1", "Musterstadt"]):
        pg.text(220, 520 + k * 60, line, body)
    pg.text(1700, 900, "3rd March 2026", body)
    pg.text(220, 1100, "Re: your letter of last month", bold)
    y = 1250
    for line in ["Dear Sir or Madam,", "",
                 "thank you for your letter. I am writing to ask whether the garden",
                 "behind the house may be used for a summer party with music and",
                 "about forty guests. Please let me know which form I need to fill in",
                 "and whether there is a fee. I look forward to hearing from you.", "",
                 "Yours faithfully,", "", "John Smith"]:
        pg.text(220, y, line, body)
        y += 70
    return pg


def main():
    out = sys.argv[1]
    dpi = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    scan(rng, photo(rng, dpi), 0, True).save(os.path.join(out, "foto.jpg"), quality=85, dpi=(dpi, dpi))
    scan(rng, english(rng, dpi), 0, False).save(os.path.join(out, "english.jpg"), quality=85, dpi=(dpi, dpi))
    print(f"2 pages in {out}")


if __name__ == "__main__":
    main()
