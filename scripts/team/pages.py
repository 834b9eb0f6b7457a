"""Distinct letter pages for the team benchmark: grey PNGs at 100 dpi (A4), each with a
letterhead, its own number and lines of text, so no two pages are the same image.
Usage: pages.py DIR COUNT [FIRST]   — writes DIR/p<FIRST>.png … DIR/p<FIRST+COUNT-1>.png"""
import os
import random
import sys

from PIL import Image, ImageDraw

out, count = sys.argv[1], int(sys.argv[2])
first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
os.makedirs(out, exist_ok=True)
words = ("Antrag Bescheid Widerspruch Wohngeld Anwohnerparken Hundesteuer Baugenehmigung "
         "Sperrmüll Kita-Platz Frist Unterlagen Nachweis Gebühr Zahlung Termin").split()
for n in range(first, first + count):
    rng = random.Random(n)
    img = Image.new("L", (827, 1169), 246)
    d = ImageDraw.Draw(img)
    d.text((70, 60), f"Stadt Musterstadt - Posteingang Nr. {n}", fill=20)
    d.text((70, 120), f"Aktenzeichen 63-{n // 7:04d}/{2026}", fill=30)
    y = 200
    while y < 1050:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(6, 11)))
        d.text((70, y), line, fill=rng.randint(10, 60))
        y += rng.randint(22, 30)
    img.save(os.path.join(out, f"p{n}.png"), dpi=(100, 100))
