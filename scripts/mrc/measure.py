#!/usr/bin/python3
"""Legibility and colour of archived pages against the scans they came from (for
scripts/bench-mrc.sh).

Usage: measure.py PAGES_DIR RENDER_DIR LABEL
  PAGES_DIR   the generator's lNNN.png / lNNN.txt / lNNN.stamp.png (scripts/mrc/letters.py)
  RENDER_DIR  the archived pages rendered at 300 dpi, in the same order (any names that
              sort like the pages), and PAGES_DIR/ocr/lNNN.txt — Tesseract on the scan — is
              made once and reused.

Prints one line: word recall (Tesseract on the scan and on the archive, against the words
printed; a word counts as often as it was printed) and the mean colour difference CIE76
ΔE*ab on the stamps' and signature's pixels (their cores: the mask eroded by 2 px, so
a pixel of difference in position does not count as colour).
"""
import collections
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image, ImageFilter


def words_of(text):
    return collections.Counter(w for w in (re.sub(r"^[^\wÄÖÜäöüß]+|[^\wÄÖÜäöüß]+$", "", t)
                                           for t in text.split()) if w)


def recall(truth, seen):
    return sum(min(n, seen[w]) for w, n in truth.items()), sum(truth.values())


def tesseract(png):
    out = subprocess.run(["tesseract", png, "-", "-l", "deu", "--psm", "3", "--dpi", "300"], capture_output=True,
                         text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=False)
    return out.stdout


def lab(rgb):
    c = rgb.astype(np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def main():
    pages, renders, label = sys.argv[1], sys.argv[2], sys.argv[3]
    names = sorted(n[:-4] for n in os.listdir(pages) if re.fullmatch(r"l\d+\.png", n))
    rendered = sorted(os.path.join(renders, n) for n in os.listdir(renders) if n.endswith(".png"))
    if len(rendered) != len(names):
        sys.exit(f"{label}: {len(rendered)} rendered pages for {len(names)} scans")
    os.makedirs(os.path.join(pages, "ocr"), exist_ok=True)

    def one(i):
        name = names[i]
        scan = os.path.join(pages, name + ".png")
        cached = os.path.join(pages, "ocr", name + ".txt")
        if not os.path.exists(cached):
            with open(cached, "w", encoding="utf-8") as f:
                f.write(tesseract(scan))
        with open(cached, encoding="utf-8") as f:
            on_scan = words_of(f.read())
        on_archive = words_of(tesseract(rendered[i]))
        with open(os.path.join(pages, name + ".txt"), encoding="utf-8") as f:
            truth = words_of(f.read())
        a = Image.open(scan).convert("RGB")
        b = Image.open(rendered[i]).convert("RGB")
        if b.size != a.size:
            b = b.resize(a.size, Image.BILINEAR)
        core = Image.open(os.path.join(pages, name + ".stamp.png")).convert("L").filter(ImageFilter.MinFilter(5))
        sel = np.asarray(core) > 127
        de = np.sqrt(((lab(np.asarray(a)[sel]) - lab(np.asarray(b)[sel])) ** 2).sum(-1))
        return recall(truth, on_scan), recall(truth, on_archive), de.sum(), de.size

    with ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        results = list(ex.map(one, range(len(names))))
    found_scan = sum(r[0][0] for r in results)
    found_arch = sum(r[1][0] for r in results)
    total = sum(r[0][1] for r in results)
    de = sum(r[2] for r in results) / max(1, sum(r[3] for r in results))
    worst = max(r[2] / max(1, r[3]) for r in results)
    rs, ra = 100 * found_scan / total, 100 * found_arch / total
    print(f"RESULT {label}: word recall scan {rs:.2f} % archive {ra:.2f} % (loss {rs - ra:+.2f} points, "
          f"{total} words); stamps and signature ΔE mean {de:.1f} (worst page {worst:.1f})")


if __name__ == "__main__":
    main()
