"""Checks, writing and counts shared by the catalogue extraction scripts (the rules of Catalog/README.md)."""
import collections
import csv
import re
import unicodedata

TYPES = ["grade", "strand", "topic", "unit", "outcome"]
DASH = re.compile(r"^[–-]\s*")


def nfc(s):
    return unicodedata.normalize("NFC", s)


def clean(s):
    return nfc(re.sub(r"\s+", " ", s).strip())


def check(framework, rows):
    problems = []
    seen = {}
    for n, r in enumerate(rows, 2):
        code, kind = r["code"], r["type"]
        if not re.fullmatch(framework + r"(\.[A-Z0-9]+)+", code):
            problems.append(f"{n}: malformed code {code}")
        if code in seen:
            problems.append(f"{n}: duplicate code {code}")
        if kind not in TYPES:
            problems.append(f"{n}: unknown type {kind}")
        if kind == "grade":
            if r["parent"] or code != f"{framework}.{r['grade']}":
                problems.append(f"{n}: bad grade item {code}")
        else:
            parent = seen.get(r["parent"])
            if parent is None:
                problems.append(f"{n}: parent {r['parent']} of {code} not defined above")
            else:
                if code.rsplit(".", 1)[0] != parent["code"]:
                    problems.append(f"{n}: {code} does not extend {parent['code']} by one segment")
                if parent["grade"] != r["grade"]:
                    problems.append(f"{n}: grade of {code} differs from its parent's")
                if TYPES.index(parent["type"]) >= TYPES.index(kind):
                    problems.append(f"{n}: {kind} {code} under {parent['type']}")
        for field in ("statement", "statement_en"):
            s = r.get(field, "")
            if s != unicodedata.normalize("NFC", s):
                problems.append(f"{n}: {field} of {code} not NFC")
            if s != clean(s):
                problems.append(f"{n}: {field} of {code} has stray spaces")
        if not r["statement"]:
            problems.append(f"{n}: empty statement for {code}")
        if DASH.match(r["statement"]):
            problems.append(f"{n}: statement of {code} starts with a dash")
        seen[code] = r
    return problems


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "parent", "type", "grade", "statement", "statement_en", "associations", "status"])
        for r in rows:
            w.writerow([r["code"], r["parent"], r["type"], r["grade"], r["statement"], r.get("statement_en", ""), "", ""])


def report(framework, rows):
    counts = collections.defaultdict(collections.Counter)
    for r in rows:
        counts[r["grade"]][r["type"]] += 1
    print(f"{framework}: {len(rows)} items")
    for grade in sorted(counts):
        print(f"  lớp {grade:2}: " + ", ".join(f"{t} {counts[grade][t]}" for t in TYPES if counts[grade][t]))
    total = collections.Counter(r["type"] for r in rows)
    print("  total : " + ", ".join(f"{t} {total[t]}" for t in TYPES if total[t]))
