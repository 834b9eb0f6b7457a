#!/usr/bin/env python3
"""Scores a straight-through release against the truth: the documents `eingang batch
autoindex --release` released (the split-off batch's `batch documents --json` and `batch
suggest --json` for where its pages came from) and what it left for a person (its printed
lines). A released document is right when its pages are exactly a true document's and its
type, sender and letter date (and unit, where one was given) are the true ones.

Usage: released.py OUTPUT DOCUMENTS_JSON SUGGEST_JSON TRUTH_JSON"""
import json
import sys
from collections import Counter


def main():
    output, docs_json, suggest_json, truth_json = sys.argv[1:5]
    truth = json.load(open(truth_json))
    total = len(truth["documents"])
    lines = open(output, encoding="utf-8").read().splitlines()
    reasons = Counter()
    for line in lines:
        if "left for a person:" in line:
            for r in line.split("left for a person:", 1)[1].split(","):
                reasons[r.strip().split(":")[0]] += 1
    held = sum(1 for line in lines if "left for a person:" in line)
    docs = json.load(open(docs_json)) if docs_json != "-" else []
    pages = {p["page_id"]: p["source"] for p in json.load(open(suggest_json))["pages"]} if suggest_json != "-" else {}
    by_file = {p["file"]: p for p in truth["pages"]}
    right = wrong = 0
    for d in docs:
        files = [pages[p] for p in d["pages"]]
        k = by_file[files[0]]["document"]
        true_files = [p["file"] for p in truth["pages"] if p["document"] == k]
        t = truth["documents"][k]
        got = dict(d["index"])
        ok = files == true_files and got.get("dokumentart") == t["type"] \
            and got.get("absender") == t["sender"] and got.get("briefdatum") == t["date"] \
            and got.get("organisationseinheit", t["unit"]) == t["unit"]
        if ok:
            right += 1
        else:
            wrong += 1
            print("released but wrong: document", k, "pages", files == true_files,
                  {f: got.get(f) for f in ("dokumentart", "organisationseinheit", "absender", "briefdatum")},
                  file=sys.stderr)
    released = right + wrong
    print(f"released straight through: {released}/{total} = {100 * released / max(total, 1):.1f} % "
          f"({right} right, {wrong} wrong); left for a person: {held} "
          f"({', '.join(f'{k} {v}' for k, v in reasons.most_common())})")


if __name__ == "__main__":
    main()
