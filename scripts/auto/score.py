#!/usr/bin/python3
"""Scores `eingang batch suggest --json` against a generated set's truth.json (mail.py).

Usage: score.py SUGGEST.json TRUTH.json [--errors] [--threshold C]
Prints orientation accuracy (pages with text), boundary precision/recall/F1, and per-field
exact-match accuracy over the documents whose boundaries were found exactly; with --json
the figures as one JSON object on the last line.
"""
import json
import sys


def norm(field, v):
    v = (v or "").strip()
    if field in ("absender", "betreff"):
        return " ".join(v.lower().split())
    if field == "iban":
        return v.replace(" ", "").upper()
    return v


FIELDS = {"dokumentart": "type", "organisationseinheit": "unit", "absender": "sender",
          "briefdatum": "date", "aktenzeichen": "aktenzeichen", "iban": "iban",
          "rechnungsnummer": "invoice", "betrag": "amount", "betreff": "subject"}


def main():
    s = json.load(open(sys.argv[1]))
    t = json.load(open(sys.argv[2]))
    show = "--errors" in sys.argv
    thresholds = [float(v) for v in sys.argv[sys.argv.index("--threshold") + 1].split(",")] if "--threshold" in sys.argv else [0.9]
    truth = {p["file"]: p for p in t["pages"]}
    pages = s["pages"]
    # Orientation, on pages with text (a blank back has no up).
    ok = n = 0
    for p in pages:
        tr = truth[p["source"]]
        if tr["blank"]:
            continue
        n += 1
        if p["turn_degrees"] // 90 == tr["turn"]:
            ok += 1
        elif show:
            print("turn", p["source"], p["turn_degrees"], "want", tr["turn"] * 90, p["turn_confidence"])
    orient = ok / max(n, 1)
    # Boundaries: every page after the first is a decision.
    tp = fp = fn = 0
    for p in pages[1:]:
        want = truth[p["source"]]["starts"]
        got = p["starts_document"]
        if got and want:
            tp += 1
        elif got:
            fp += 1
            if show:
                print("false start", p["source"], p["signs"], p["start_confidence"])
        elif want:
            fn += 1
            if show:
                print("missed start", p["source"], p["signs"], p["start_confidence"])
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-9)
    # Fields: documents found exactly (same pages).
    by_first = {}
    for d in s["documents"]:
        files = [next(p["source"] for p in pages if p["page_id"] == pid) for pid in d["page_ids"]]
        docs = {truth[f]["document"] for f in files}
        starts = truth[files[0]]["starts"]
        if len(docs) == 1 and starts:
            k = docs.pop()
            if sum(1 for p in t["pages"] if p["document"] == k) == len(files):
                by_first[k] = d
    exact = len(by_first)
    stats = {}
    for field, key in FIELDS.items():
        right = total = 0
        for k, d in by_first.items():
            want = norm(field, t["documents"][k][key])
            got = next((f["value"] for f in d["fields"] if f["field"] == field), "")
            if not want and not got:
                continue
            total += 1
            if norm(field, got) == want:
                right += 1
            elif show:
                print(field, "doc", k, repr(got), "want", repr(want))
        stats[field] = (right, total)
    # Straight-through: every required value (type, unit, sender, letter date) suggested at
    # or above the threshold — released with nothing typed; right only if all are right.
    required = ["dokumentart", "organisationseinheit", "absender", "briefdatum"]
    through = []
    for threshold in thresholds:
        straight = wrong = 0
        for k, d in by_first.items():
            got = {f["field"]: f for f in d["fields"]}
            if all(r in got and got[r]["confidence"] >= threshold for r in required):
                if all(norm(r, got[r]["value"]) == norm(r, t["documents"][k][FIELDS[r]]) for r in required):
                    straight += 1
                else:
                    wrong += 1
                    if show:
                        print("straight-through but wrong: doc", k, {r: got[r]["value"] for r in required})
        through.append((threshold, straight, wrong))
    docs = len(t["documents"])
    print(f"pages: {len(pages)}, documents: {docs}, found exactly: {exact}")
    print(f"orientation: {ok}/{n} = {100 * orient:.1f} %")
    print(f"separation: precision {prec:.3f}, recall {rec:.3f}, F1 {f1:.3f} ({tp} right, {fp} false, {fn} missed)")
    for field, (r, tot) in stats.items():
        print(f"  {field:<22} {r}/{tot} = {100 * r / max(tot, 1):.1f} %")
    for threshold, straight, wrong in through:
        print(f"straight-through at confidence {threshold}: {straight}/{docs} = {100 * straight / max(docs, 1):.1f} % "
              f"released with no value typed, all right; {wrong} would have gone out with a wrong value")
    print(json.dumps({"orientation": orient, "precision": prec, "recall": rec, "f1": f1,
                      "fields": {f: [r, tot] for f, (r, tot) in stats.items()},
                      "straight_through": {str(th): [st, wr] for th, st, wr in through}}))


if __name__ == "__main__":
    main()
