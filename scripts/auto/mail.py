#!/usr/bin/python3
"""Incoming mail as a scan office receives it, with the truth about every page and document,
for the automatic-indexing benchmark (scripts/bench-auto.sh) and its tests.

A stream of documents without separator sheets — applications (antrag), objections
(widerspruch), invoices (rechnung), enquiries (anfrage) and certificates (bescheinigung) of
1–4 pages, addressed to five organisation units — printed on A4 and scanned: letterheads
(firms, lawyers, doctors, authorities) or private senders with a return-address line,
address blocks, dates in the many German spellings (and other dates that are not the
letter's: "Bescheid vom …", periods), Aktenzeichen in several spellings or none, IBANs in
groups of four, invoice numbers and amounts, salutations, closings with a signature, stamps,
continuation pages with "Seite 2 von 3", "- 2 -" or no number at all, enclosures, duplex
blank backs, pages fed at 90°, 180° or 270°, skew, noise, grey and colour.

  OUTDIR/p0001.jpg …  the pages in scan order (JPEG, 300 dpi by default)
  OUTDIR/truth.json   per page: file, document, starts, turn (clockwise quarter turns that
                      make it upright), blank; per document: type, unit and the index values
  OUTDIR/stammdaten.csv  the master data (units with their Aktenzeichen pattern, types with
                      keywords for a cold start)

Usage: mail.py OUTDIR DOCUMENTS SEED [DPI]
Seeds: tune on 1–99 (and 4711, held out until stop 39); the benchmark reports on seeds it
was never tuned on (2026, 4712).
"""
import json
import math
import multiprocessing
import os
import random
import sys

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONTS = "/usr/share/fonts/truetype/dejavu/"
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]
FIRST = ("Anna Bernd Claudia Dieter Elke Frank Gisela Hans Ingrid Jürgen Karin Lars Monika Norbert "
         "Olga Peter Renate Stefan Tanja Uwe Vera Wolfgang Yasemin Zeynep Mehmet Agnieszka Dmytro "
         "Sabine Thomas Julia Markus").split()
LAST = ("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
        "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner "
        "Krause Lehmann Köhler Yılmaz Kowalski Schulte Böhm Vogel Jäger").split()
STREETS = ("Hauptstraße Bahnhofstraße Gartenweg Lindenallee Schillerplatz Bergstraße Kirchgasse "
           "Am Markt|Rosenweg|Goethestraße|Mühlenweg|Birkenhof|Industriestraße|Parkallee").replace(" Am", "|Am").replace(" ", "|").split("|")
TOWNS = ["Musterstadt", "Beispielheim", "Neustadt", "Altdorf", "Bergen", "Talheim", "Seefeld"]
FIRMS = ["Bau GmbH", "Haustechnik GmbH & Co. KG", "Ingenieurbüro", "Elektro GmbH", "Dachdeckerei",
         "Büroservice GmbH", "Gartenbau KG", "Rechtsanwälte", "Steuerberatung", "Praxis Dr. med."]

# The organisation units: code, label, topic words, subjects.
UNITS = [
    ("530.12", "Bauordnung",
     "Baugenehmigung Bauantrag Bauvorhaben Flurstück Gemarkung Stellplatz Abstandsfläche Bauzeichnung "
     "Nutzungsänderung Brandschutz Bebauungsplan Grundstück Dachgeschoss Garage Carport Statik".split(),
     ["Baugenehmigung für einen Carport", "Nutzungsänderung einer Gewerbefläche",
      "Bauvorhaben auf dem Flurstück {n}", "Errichtung einer Garage", "Ausbau des Dachgeschosses"]),
    ("320.01", "Ordnungsamt",
     "Sondernutzung Gehweg Veranstaltung Straßenfest Gewerbeanmeldung Lärm Ruhestörung Parkausweis "
     "Anwohnerparken Verkehrszeichen Halteverbot Marktstand Ausschank Genehmigung Auflagen".split(),
     ["Sondernutzung des Gehwegs", "Straßenfest in der {s}", "Anwohnerparkausweis",
      "Halteverbot für einen Umzug", "Marktstand auf dem Wochenmarkt"]),
    ("500.30", "Wohngeldstelle",
     "Wohngeld Miete Mietvertrag Einkommen Haushalt Haushaltsmitglieder Nebenkosten Heizkosten "
     "Lastenzuschuss Weiterleistungsantrag Bewilligungszeitraum Nachweise Rente Lohnabrechnung".split(),
     ["Wohngeld für den Bewilligungszeitraum", "Weiterleistung des Wohngeldes",
      "Lastenzuschuss für unser Eigenheim", "Änderung des Haushaltseinkommens"]),
    ("200.10", "Steueramt",
     "Grundsteuer Hundesteuer Gewerbesteuer Steuerbescheid Vorauszahlung Festsetzung Stundung "
     "Ratenzahlung Säumniszuschlag Mahnung Erlass Veranlagung Hebesatz Grundbesitzabgaben".split(),
     ["Grundsteuer {y}", "Hundesteuer für unseren Hund", "Stundung der Gewerbesteuer",
      "Ratenzahlung der Grundbesitzabgaben"]),
    ("510.20", "Jugendamt",
     "Kindertagesstätte Betreuungsplatz Elternbeitrag Kita Tagespflege Unterhaltsvorschuss Kind "
     "Geburtsurkunde Sorgerecht Jugendhilfe Ferienbetreuung Hort Essensgeld Ermäßigung".split(),
     ["Betreuungsplatz in einer Kindertagesstätte", "Ermäßigung des Elternbeitrags",
      "Unterhaltsvorschuss für meine Tochter", "Ferienbetreuung im Hort"]),
]
TYPES = ["antrag", "widerspruch", "rechnung", "anfrage", "bescheinigung"]
TYPE_LABELS = {"antrag": "Antrag", "widerspruch": "Widerspruch", "rechnung": "Rechnung",
               "anfrage": "Anfrage", "bescheinigung": "Bescheinigung"}
TYPE_KEYWORDS = {"antrag": "beantrage|Antrag", "widerspruch": "Widerspruch|widerspreche",
                 "rechnung": "Rechnung|Rechnungsnummer", "anfrage": "Anfrage|Frage",
                 "bescheinigung": "bescheinigt|Bescheinigung"}
FILLER = ("Die erforderlichen Unterlagen liegen diesem Schreiben bei. Für Rückfragen stehe ich Ihnen "
          "gerne zur Verfügung. Ich bitte um eine kurze Bestätigung des Eingangs. Die Angaben habe ich "
          "nach bestem Wissen gemacht. Sollten weitere Nachweise erforderlich sein, reiche ich diese "
          "umgehend nach. Bitte teilen Sie mir mit, ob die Unterlagen vollständig sind. Ich danke Ihnen "
          "für die Bearbeitung und verbleibe in Erwartung Ihrer Antwort. Die Frist habe ich notiert. "
          "Eine Kopie des Schreibens habe ich für meine Unterlagen behalten. Die Zahlung erfolgt wie "
          "vereinbart. Wir weisen darauf hin, dass die Angaben vertraulich behandelt werden.").split(". ")


def font(name, pt, dpi):
    return ImageFont.truetype(FONTS + name, round(pt * dpi / 72))


def iban(rng):
    blz = f"{rng.randint(10000000, 89999999)}"
    acct = f"{rng.randint(0, 9999999999):010d}"
    bban = blz + acct
    num = int(bban + "131400")  # D=13 E=14 00
    check = 98 - num % 97
    return f"DE{check:02d}{bban}"


def spaced(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def date_text(rng, d, m, y):
    forms = [f"{d:02d}.{m:02d}.{y}", f"{d}. {MONTHS[m - 1]} {y}", f"{d}.{m}.{y}",
             f"{d:02d}.{m:02d}.{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}. {MONTHS[m - 1]} {y}"]
    return rng.choice(forms)


def az_text(rng, az):
    unit, rest = az.split("-", 1)
    year, num = rest.split("/")
    return rng.choice([f"{unit}-{year}/{num}", f"{unit} - {year}/{num}", f"{unit}–{year}/{num}",
                       f"{unit}-{year} / {num}", f"{unit}/{year}/{num}" if False else f"{unit}-{year}/{num}"])


def sentence(rng, words, n):
    verbs = ["betrifft", "bezieht sich auf", "umfasst", "ergänzt", "erläutert", "bestätigt"]
    out = []
    for _ in range(n):
        if rng.random() < 0.4:
            out.append(rng.choice(FILLER).strip().rstrip(".") + ".")
        else:
            a, b = rng.sample(words, 2)
            out.append(f"Die Angelegenheit {rng.choice(verbs)} {rng.choice(['die', 'den', 'das'])} {a} "
                       f"sowie {rng.choice(['die', 'den', 'das'])} {b} {rng.choice(['im laufenden Jahr', 'seit dem Frühjahr', 'in unserem Haushalt', 'nach Ihrer Mitteilung', 'gemäß der Satzung'])}.")
    return " ".join(out)


class Page:
    def __init__(self, dpi, colour, rng):
        self.dpi = dpi
        self.s = dpi / 300
        self.W, self.H = round(2480 * self.s), round(3508 * self.s)
        tint = rng.random() < 0.2
        paper = rng.choice([(250, 243, 222), (232, 240, 250), (236, 234, 228)]) if tint else (252, 252, 250)
        self.img = Image.new("RGB", (self.W, self.H), paper)
        self.d = ImageDraw.Draw(self.img)
        self.colour = colour

    def px(self, v):
        return round(v * self.s)

    def text(self, x, y, s, f, fill=(20, 20, 24), anchor=None):
        self.d.text((self.px(x), self.px(y)), s, font=f, fill=fill, anchor=anchor)

    def wrap(self, x, y, s, f, width, line_h, max_y):
        words = s.split()
        line = ""
        for w in words:
            cand = (line + " " + w).strip()
            if self.d.textlength(cand, font=f) > self.px(width) and line:
                if y > max_y:
                    return y, " ".join(words[words.index(w):])
                self.text(x, y, line, f)
                y += line_h
                line = w
            else:
                line = cand
        if line:
            if y > max_y:
                return y, line
            self.text(x, y, line, f)
            y += line_h
        return y, ""


class Doc:
    """One document: what it says, then drawn page by page."""

    def __init__(self, rng, dpi, number):
        self.rng = rng
        self.dpi = dpi
        self.type = rng.choice(TYPES)
        self.unit = rng.randrange(len(UNITS))
        code, label, words, subjects = UNITS[self.unit]
        self.words = words
        y = 2026
        self.year = y
        m, d = rng.randint(1, 11), rng.randint(1, 28)
        self.date = (d, m, y)
        self.firm = self.type in ("rechnung", "bescheinigung") or rng.random() < 0.25
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if self.firm:
            kind = rng.choice(FIRMS)
            if self.type == "bescheinigung" and rng.random() < 0.5:
                kind = "Praxis Dr. med."
            self.sender = f"{kind} {last}" if kind.startswith(("Ingenieurbüro", "Dachdeckerei", "Praxis", "Rechtsanwälte", "Steuerberatung")) else f"{last} {kind}"
        else:
            self.sender = f"{first} {last}"
        self.person = f"{first} {last}"
        self.street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        self.town = f"{rng.randint(10000, 99999)} {rng.choice(TOWNS)}"
        has_az = self.type == "widerspruch" or (self.type != "antrag" and rng.random() < 0.6) or rng.random() < 0.15
        self.az = f"{code}-{rng.choice([2024, 2025, 2026])}/{rng.randint(1, 99999):05d}" if has_az else ""
        self.iban = iban(rng) if (self.type == "rechnung" or (self.type == "antrag" and rng.random() < 0.5)) else ""
        self.invoice = f"{rng.choice(['RE', 'R', 'RG'])}-{y}-{rng.randint(100, 99999)}" if self.type == "rechnung" else ""
        self.amount = f"{rng.randint(20, 19999)},{rng.randint(0, 99):02d}" if self.type == "rechnung" else ""
        topic = rng.choice(subjects).format(n=f"{rng.randint(10, 999)}/{rng.randint(1, 9)}",
                                            s=rng.choice(STREETS), y=y)
        self.subject = {
            "antrag": f"Antrag auf {topic}" if not topic.startswith(("Errichtung", "Ausbau", "Änderung", "Stundung", "Ratenzahlung", "Weiterleistung", "Ermäßigung")) else f"Antrag: {topic}",
            "widerspruch": f"Widerspruch gegen den Bescheid vom {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{y - rng.randint(0, 1)}",
            "rechnung": f"Rechnung {self.invoice}",
            "anfrage": f"Anfrage zu {topic}",
            "bescheinigung": "Bescheinigung",
        }[self.type]
        self.topic = topic
        pages = {"antrag": [1, 1, 2, 2, 3], "widerspruch": [1, 2, 2, 3], "rechnung": [1, 1, 2],
                 "anfrage": [1, 1, 1, 2], "bescheinigung": [1, 1, 1, 2]}[self.type]
        self.letter_pages = rng.choice(pages)
        self.enclosures = rng.choice([0, 0, 0, 1, 1, 2]) if self.type in ("antrag", "widerspruch") else 0
        self.numbering = rng.choice(["von", "dash", "none", "von"])
        self.duplex = rng.random() < 0.2
        self.colour = rng.random() < 0.3
        self.brand = rng.choice([(0, 82, 147), (170, 20, 40), (0, 120, 70), (90, 90, 90), (120, 60, 0)])

    def truth(self):
        code = UNITS[self.unit][0]
        return {"type": self.type, "unit": code, "sender": self.sender,
                "date": f"{self.date[2]}-{self.date[1]:02d}-{self.date[0]:02d}",
                "aktenzeichen": self.az, "iban": self.iban, "invoice": self.invoice,
                "amount": self.amount, "subject": self.subject}

    def fonts(self, pg):
        rng = self.rng
        serif = rng.random() < 0.4
        size = rng.choice([10, 10.5, 11, 12])
        return (font("DejaVuSerif.ttf" if serif else "DejaVuSans.ttf", size, pg.dpi),
                font("DejaVuSerif-Bold.ttf" if serif else "DejaVuSans-Bold.ttf", size + 1, pg.dpi), size)

    def pages(self):
        """Yields (image, blank) for every page of the document in feed order."""
        total = self.letter_pages + self.enclosures
        rng = self.rng
        body_fonts = None
        carry = ""
        for i in range(self.letter_pages):
            pg = Page(self.dpi, self.colour, rng)
            if body_fonts is None:
                body_fonts = self.fonts(pg)
            body, bold, size = body_fonts
            line_h = round(size * 1.5 * self.dpi / 72)
            last = i == self.letter_pages - 1
            if i == 0:
                y = self.first_page_head(pg, body, bold)
            else:
                y = self.continuation_head(pg, body, i + 1, total)
            y, carry = self.body(pg, body, bold, y, line_h, last, carry, i == 0)
            self.page_number(pg, body, i + 1, total)
            if self.firm:
                self.footer(pg)
            yield pg, False
            if self.duplex:
                yield Page(self.dpi, self.colour, rng), True
        for e in range(self.enclosures):
            pg = Page(self.dpi, self.colour, rng)
            self.enclosure(pg, e + 1)
            if self.numbering == "von" and rng.random() < 0.5:
                self.page_number(pg, body_fonts[0], self.letter_pages + e + 1, total)
            yield pg, False
            if self.duplex:
                yield Page(self.dpi, self.colour, rng), True

    def first_page_head(self, pg, body, bold):
        rng = self.rng
        small = font("DejaVuSans.ttf", 7.5, pg.dpi)
        if self.firm:
            brand = self.brand
            big = font(rng.choice(["DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf"]), rng.choice([16, 18, 20]), pg.dpi)
            x = rng.choice([220, 220, 1000])
            pg.text(x, 170, self.sender, big, fill=brand)
            pg.text(x, 290, f"{self.street} · {self.town} · Telefon 0{rng.randint(100, 999)} {rng.randint(10000, 999999)}",
                    font("DejaVuSans.ttf", 8.5, pg.dpi), fill=brand)
            if rng.random() < 0.6:
                x0 = 1950
                pg.d.ellipse([pg.px(x0), pg.px(140), pg.px(x0 + 240), pg.px(380)], fill=brand)
            pg.d.line([(pg.px(220), pg.px(380)), (pg.px(2260), pg.px(380))], fill=brand, width=pg.px(5))
            ret = f"{self.sender} · {self.street} · {self.town}"
        else:
            style = rng.choice(["block", "line", "right"])
            if style == "block":
                for k, line in enumerate([self.sender, self.street, self.town]):
                    pg.text(220, 200 + k * 62, line, body)
            elif style == "right":
                for k, line in enumerate([self.sender, self.street, self.town, f"Tel. 0{rng.randint(100, 999)} {rng.randint(10000, 999999)}"]):
                    pg.text(1500, 200 + k * 62, line, body)
            ret = f"{self.sender} · {self.street} · {self.town}"
        # Return-address line and the recipient.
        pg.text(220, 520, ret, small)
        pg.d.line([(pg.px(220), pg.px(560)), (pg.px(1100), pg.px(560))], fill=(80, 80, 80), width=max(1, pg.px(2)))
        code, label = UNITS[self.unit][0], UNITS[self.unit][1]
        recip = ["Stadt Musterstadt", rng.choice([label, f"Fachbereich {label}", f"{label} ({code})"]),
                 rng.choice(["Rathausplatz 1", "Postfach 10 20 30", "Am Rathaus 4"]), "12345 Musterstadt"]
        for k, line in enumerate(recip):
            pg.text(220, 600 + k * 62, line, body)
        # Date: right side, or with the place; the Aktenzeichen in a reference line or in the subject.
        dt = date_text(rng, *self.date)
        place = self.town.split(" ", 1)[1]
        yref = 980
        if self.firm and rng.random() < 0.5:
            labels = [("Datum", dt)]
            if self.az:
                labels.insert(0, (rng.choice(["Ihr Zeichen", "Ihr Aktenzeichen", "Az."]), az_text(rng, self.az)))
            if self.invoice:
                labels.append(("Kundennummer", f"{rng.randint(10000, 99999)}"))
            for k, (a, b) in enumerate(labels):
                pg.text(1550, 600 + k * 60, f"{a}:", small)
                pg.text(1850, 600 + k * 60, b, body)
        else:
            pg.text(rng.choice([1550, 1650, 1700]), yref, rng.choice([f"{place}, {dt}", dt, f"{place}, den {dt}"]), body)
            if self.az:
                pg.text(220, 1060, f"{rng.choice(['Aktenzeichen:', 'Az.:', 'Ihr Zeichen:', 'Az.'])} {az_text(rng, self.az)}", body)
        y = 1160
        subj = self.subject
        if rng.random() < 0.5:
            subj = "Betreff: " + subj
        if self.type == "bescheinigung":
            pg.text(1240, 1180, "Bescheinigung", font("DejaVuSans-Bold.ttf", 18, pg.dpi), anchor="mm")
            return 1320
        pg.text(220, y, subj, bold)
        y += 110
        if self.type in ("widerspruch", "antrag", "anfrage") and self.topic and not subj.endswith(self.topic):
            pg.text(220, y, self.topic, body)
            y += 90
        if self.type != "rechnung":
            pg.text(220, y, rng.choice(["Sehr geehrte Damen und Herren,", f"Sehr geehrte Frau {rng.choice(LAST)},",
                                        f"Sehr geehrter Herr {rng.choice(LAST)},"]), body)
            y += 100
        return y

    def continuation_head(self, pg, body, n, total):
        rng = self.rng
        if self.firm and rng.random() < 0.5:
            pg.text(220, 170, self.sender, font("DejaVuSans-Bold.ttf", 10, pg.dpi), fill=self.brand)
            pg.d.line([(pg.px(220), pg.px(240)), (pg.px(2260), pg.px(240))], fill=self.brand, width=pg.px(3))
        return rng.choice([300, 360, 420])

    def page_number(self, pg, body, n, total):
        if self.numbering == "von" and total > 1:
            where = self.rng.choice([3300, 250]) if n > 1 else 3300
            pg.text(1240, where, f"Seite {n} von {total}", body, anchor="mm")
        elif self.numbering == "dash" and n > 1:
            pg.text(1240, 200, f"- {n} -", body, anchor="mm")

    def footer(self, pg):
        small = font("DejaVuSans.ttf", 7, pg.dpi)
        bank = f"Sparkasse Musterstadt · IBAN {spaced(self.iban)}" if self.iban else f"Volksbank · Konto auf Anfrage"
        pg.text(220, 3380, f"{self.sender} · {bank} · USt-IdNr. DE{self.rng.randint(100000000, 999999999)}", small)

    def body(self, pg, body, bold, y, line_h, last, carry, first):
        rng = self.rng
        maxy = 2900 if not last else 2500
        paras = []
        if carry:
            paras.append(carry)
        if first:
            if self.type == "antrag":
                paras.append(f"hiermit beantrage ich {self.topic}. " + sentence(rng, self.words, rng.randint(2, 4)))
                if self.iban:
                    paras.append(f"Bitte überweisen Sie Zahlungen auf mein Konto IBAN {spaced(self.iban)} bei der Sparkasse.")
            elif self.type == "widerspruch":
                paras.append(f"gegen den oben genannten Bescheid lege ich hiermit fristgerecht Widerspruch ein. "
                             + sentence(rng, self.words, rng.randint(2, 4)))
            elif self.type == "anfrage":
                paras.append(f"ich habe eine Frage zu {self.topic}. " + sentence(rng, self.words, rng.randint(1, 3)))
            elif self.type == "bescheinigung":
                paras.append(f"Hiermit wird bescheinigt, dass {self.rng.choice(['Frau', 'Herr'])} {self.rng.choice(FIRST)} "
                             f"{self.rng.choice(LAST)}, wohnhaft in Musterstadt, die Voraussetzungen erfüllt. "
                             + sentence(rng, self.words, rng.randint(1, 3)))
            elif self.type == "rechnung":
                self.invoice_table(pg, body, bold, y)
                return y + 1500, ""
        n = 1 if (first and self.letter_pages == 1) else rng.randint(2, 4)
        for _ in range(n):
            paras.append(sentence(rng, self.words, rng.randint(2, 5)))
        if self.type == "rechnung" and not first:
            paras = [sentence(rng, self.words, 2)]
        rest = ""
        for k, para in enumerate(paras):
            y, left = pg.wrap(220, y, para, body, 2040, line_h, maxy)
            if left:
                rest = " ".join([left] + paras[k + 1:])
                break
            y += line_h // 2
        if last:
            rest = ""
            y = min(y, 2600)
            if self.type == "rechnung":
                pg.text(220, y + 40, "Zahlbar innerhalb von 14 Tagen ohne Abzug.", body)
                return y, ""
            pg.text(220, y + 30, rng.choice(["Mit freundlichen Grüßen", "Freundliche Grüße", "Hochachtungsvoll"]), body)
            self.signature(pg, y + 120)
            pg.text(220, y + 330, self.person if not self.sender.startswith("Praxis") else self.sender, body)
            if rng.random() < 0.5 and self.type in ("antrag", "widerspruch") and self.enclosures:
                pg.text(220, y + 440, f"Anlagen: {self.enclosures}", body)
        return y, rest

    def invoice_table(self, pg, body, bold, y):
        rng = self.rng
        lines = [("Rechnungsnummer" if rng.random() < 0.6 else "Rechnung Nr.", self.invoice),
                 ("Rechnungsdatum", date_text(rng, *self.date))]
        for k, (a, b) in enumerate(lines):
            pg.text(220, y + k * 70, f"{a}: {b}", body)
        y += 200
        pg.text(220, y, "Pos.  Leistung", bold)
        pg.text(1900, y, "Betrag", bold)
        y += 80
        for k in range(rng.randint(2, 6)):
            pg.text(220, y, f"{k + 1}     {rng.choice(self.words)} {rng.choice(['Prüfung', 'Lieferung', 'Montage', 'Beratung', 'Material'])}", body)
            pg.text(1900, y, f"{rng.randint(10, 999)},{rng.randint(0, 99):02d} €", body)
            y += 66
        pg.d.line([(pg.px(220), pg.px(y + 10)), (pg.px(2260), pg.px(y + 10))], fill=(40, 40, 40), width=pg.px(3))
        y += 40
        total_label = rng.choice(["Gesamtbetrag", "Rechnungsbetrag", "Summe brutto", "Zu zahlen"])
        pg.text(220, y, f"{total_label}:", bold)
        pg.text(1800, y, f"{self.amount} {rng.choice(['€', 'EUR'])}", bold)
        y += 120
        pg.text(220, y, f"Bitte überweisen Sie den Betrag unter Angabe der Rechnungsnummer auf IBAN {spaced(self.iban)}.", body)

    def signature(self, pg, y):
        rng = self.rng
        ink = (25, 45, 150) if rng.random() < 0.7 else (20, 20, 20)
        pts = []
        for i in range(120):
            t = i / 119
            pts.append((pg.px(240 + t * 480 + 22 * math.sin(t * 29)), pg.px(y + 90 + 50 * math.sin(t * 15 + 1) * (1 - t / 2))))
        pg.d.line(pts, fill=ink, width=max(2, pg.px(5)), joint="curve")
        if rng.random() < 0.3:
            st = rng.choice([(200, 30, 40), (30, 60, 170)])
            cx, cy, r = 1500, y + 100, 200
            pg.d.ellipse([pg.px(cx - r), pg.px(cy - r), pg.px(cx + r), pg.px(cy + r)], outline=st, width=pg.px(8))
            pg.text(cx, cy, self.sender.split()[0].upper()[:12], font("DejaVuSans-Bold.ttf", 10, pg.dpi), fill=st, anchor="mm")

    def enclosure(self, pg, n):
        rng = self.rng
        kind = rng.choice(["table", "copy", "plan"])
        head = font("DejaVuSans-Bold.ttf", 13, pg.dpi)
        body = font("DejaVuSans.ttf", 10, pg.dpi)
        pg.text(220, 250, f"Anlage {n}" + rng.choice(["", f": {rng.choice(self.words)}", " – Nachweis"]), head)
        if kind == "table":
            y = 450
            for r in range(rng.randint(8, 20)):
                pg.text(220, y, f"{r + 1}", body)
                pg.text(400, y, f"{rng.choice(self.words)}", body)
                pg.text(1400, y, f"{rng.randint(1, 9999)},{rng.randint(0, 99):02d}", body)
                pg.d.line([(pg.px(220), pg.px(y + 55)), (pg.px(2260), pg.px(y + 55))], fill=(150, 150, 150), width=1)
                y += 80
        elif kind == "copy":
            pg.d.rectangle([pg.px(300), pg.px(450), pg.px(2180), pg.px(1800)], outline=(60, 60, 60), width=pg.px(4))
            y = 520
            for r in range(rng.randint(5, 12)):
                pg.text(380, y, sentence(rng, self.words, 1)[:60], body)
                y += 90
        else:
            for r in range(rng.randint(4, 10)):
                x0, y0 = rng.randint(300, 1700), rng.randint(500, 2600)
                pg.d.rectangle([pg.px(x0), pg.px(y0), pg.px(x0 + rng.randint(200, 500)), pg.px(y0 + rng.randint(150, 500))],
                               outline=(40, 40, 40), width=pg.px(4))
                pg.text(x0 + 20, y0 + 20, rng.choice(self.words), body)


def scan(rng, pg, turn, colour):
    img = pg.img
    skew = rng.uniform(-1.5, 1.5)
    img = img.rotate(skew, resample=Image.BICUBIC, fillcolor=(250, 250, 250))
    img = img.filter(ImageFilter.GaussianBlur(0.6 * pg.s))
    noise = Image.effect_noise(img.size, 6).convert("RGB")
    img = ImageChops.add(ImageChops.subtract(img, Image.new("RGB", img.size, (8, 8, 8))), noise, 1.0, -120)
    if turn:
        # Fed turned: the page must be turned `turn` quarter turns clockwise to read it.
        img = img.rotate(90 * turn, expand=True)
    if not colour:
        img = img.convert("L")
    return img


def render(job):
    """One document's pages (each document has its own random stream: the set is the same
    however many processes draw it)."""
    seed, k, dpi, out = job
    rng = random.Random(seed * 1_000_003 + k)
    doc = Doc(rng, dpi, k)
    pages = []
    for j, (pg, blank) in enumerate(doc.pages()):
        r = rng.random()
        turn = 2 if r < 0.06 else 1 if r < 0.09 else 3 if r < 0.12 else 0
        if blank:
            turn = 0
        img = scan(rng, pg, turn, doc.colour)
        name = f"d{k:04d}-{j}.jpg"
        img.save(os.path.join(out, name), quality=rng.choice([75, 85, 90]), dpi=(dpi, dpi))
        pages.append({"file": name, "document": k, "starts": j == 0, "turn": turn, "blank": blank})
    return doc.truth(), pages


def main():
    out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    dpi = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    os.makedirs(out, exist_ok=True)
    with multiprocessing.Pool() as pool:
        done = pool.map(render, [(seed, k, dpi, out) for k in range(count)])
    docs = [d for d, _ in done]
    # Scan order: the pages renamed p0001.jpg … as a scanner numbers them.
    pages = []
    for _, ps in done:
        for p in ps:
            name = f"p{len(pages) + 1:04d}.jpg"
            os.replace(os.path.join(out, p["file"]), os.path.join(out, name))
            pages.append(dict(p, file=name))
    n = len(pages)
    with open(os.path.join(out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump({"seed": seed, "dpi": dpi, "pages": pages, "documents": docs}, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "stammdaten.csv"), "w", encoding="utf-8") as f:
        f.write("art;code;bezeichnung;muster;felder;stichworte\n")
        for code, label, _, _ in UNITS:
            f.write(f"einheit;{code};{label};{code.replace('.', chr(92) + '.')}-\\d{{4}}/\\d{{5}};;\n")
        for t in TYPES:
            f.write(f"dokumentart;{t};{TYPE_LABELS[t]};;absender|briefdatum;{TYPE_KEYWORDS[t]}\n")
    print(f"{count} documents, {n} pages in {out}")


if __name__ == "__main__":
    main()
