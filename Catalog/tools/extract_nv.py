#!/usr/bin/env python3
"""Extract Tiếng Việt (lớp 1–5) and Ngữ văn (lớp 6–12) from CT_Ngu_van_2018.pdf into frameworks/TV.csv and NV.csv.

Source: Chương trình giáo dục phổ thông môn Ngữ văn (Thông tư 32/2018/TT-BGDĐT), section V.2 "Nội dung cụ thể",
one two-column table per grade ("Yêu cầu cần đạt" | "Nội dung") plus, in lớp 10–12, the "Chuyên đề học tập" table.
Text comes from `pdftotext -layout`, run on page areas (crop -x/-y/-W/-H) so the two columns are read separately.

Strand codes (the framework's first rows in every grade):
    D    Đọc                        (left column)
    V    Viết                       (left column)
    NN   Nói và nghe                (left column)
    KTV  Kiến thức tiếng Việt       (right column)
    KVH  Kiến thức văn học          (right column)
    NL   Ngữ liệu                   (right column)
    CD   Chuyên đề học tập          (lớp 10–12 only; topic N = the programme's chuyên đề <grade>.N)

Levels:
    D   topic: KĨ THUẬT ĐỌC (lớp 1–5); "Đọc hiểu văn bản văn học / nghị luận / thông tin" (the headings ĐỌC HIỂU and
        "Văn bản …" joined); unit: Đọc hiểu nội dung, Đọc hiểu hình thức, Liên hệ, so sánh, kết nối, Đọc mở rộng;
        outcome: the yêu cầu cần đạt.
    V   lớp 1–5: topic KĨ THUẬT VIẾT / VIẾT CÂU, ĐOẠN VĂN NGẮN / VIẾT ĐOẠN VĂN, VĂN BẢN…, unit Quy trình viết / Thực
        hành viết; lớp 6–12: topic Quy trình viết / Thực hành viết; outcome: the yêu cầu cần đạt.
    NN  topic Nói / Nghe / Nói nghe tương tác; outcome: the yêu cầu cần đạt.
    KTV, KVH, NL  topic: each numbered item (1., 1.1., 2.…, number dropped, numbered 1, 2, 3… in order);
        unit: the dash items under it and the "Độ dài của văn bản: …" notes.
    CD  topic: the chuyên đề; its children are first the yêu cầu cần đạt (outcome), then the numbered "Nội dung"
        items (unit), numbered on in one sequence (children 1…n in programme order).
Headings printed in capitals are written in sentence case ("KĨ THUẬT ĐỌC" → "Kĩ thuật đọc"; Việt/Việt Nam kept).

Usage: python3 Catalog/tools/extract_nv.py [--pdf PATH] [--out DIR]   (standard library only; needs pdftotext)
"""

import argparse
import collections
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from catalog_rows import check, report, write

HERE = Path(__file__).resolve()
DEFAULT_PDF = HERE.parents[2].parent / "shared/conformance/vn-gdpt2018/official-moet-pdf/CT_Ngu_van_2018.pdf"
DEFAULT_OUT = HERE.parents[1] / "frameworks"

# Geometry of the tables (PDF points; the pages are A4 landscape, 841.89 × 595.28).
PAGE_W, PAGE_H = 842, 596
FIRST_PAGE, LAST_PAGE = 18, 78          # "LỚP 1" … end of "CHUYÊN ĐỀ HỌC TẬP LỚP 12"
MAIN_SPLIT = 567                        # grade tables: left words end ≤ 562.3, right words start ≥ 571.1
CD_SPLIT = {10: 437, 11: 461, 12: 437}  # chuyên đề tables: left words end ≤ 435.5 / 455.4, right start ≥ 438.5 / 466.1
# Page areas holding a chuyên đề table: page → (y0, y1, grade). The rest of pages 18–77 is grade tables.
CD_AREAS = {
    64: (280, PAGE_H, 10),  # CĐ 10 starts under the end of lớp 10 (header at y≈295)
    65: (0, 355, 10),       # CĐ 10 ends above "LỚP 11" (y≈372)
    71: (0, PAGE_H, 11),
    72: (0, 142, 11),       # CĐ 11 ends above "LỚP 12" (y≈159)
    77: (370, PAGE_H, 12),  # CĐ 12 starts under the end of lớp 12 (header at y≈387)
    78: (0, PAGE_H, 12),
}

STRANDS = {  # code → (Vietnamese, English)
    "D": ("Đọc", "Reading"),
    "V": ("Viết", "Writing"),
    "NN": ("Nói và nghe", "Speaking and listening"),
    "KTV": ("Kiến thức tiếng Việt", "Knowledge of Vietnamese"),
    "KVH": ("Kiến thức văn học", "Knowledge of literature"),
    "NL": ("Ngữ liệu", "Texts (language material)"),
    "CD": ("Chuyên đề học tập", "Elective study topics"),
}
LEFT_STRANDS = {"ĐỌC": "D", "VIẾT": "V", "NÓI VÀ NGHE": "NN"}
RIGHT_STRANDS = {"KIẾN THỨC TIẾNG VIỆT": "KTV", "KIẾN THỨC VĂN HỌC": "KVH", "NGỮ LIỆU": "NL"}
# Capitalised sub-headings of the left column (anything else in capitals is an error).
UPPER_TOPICS = {
    "KĨ THUẬT ĐỌC", "ĐỌC HIỂU", "KĨ THUẬT VIẾT", "VIẾT CÂU, ĐOẠN VĂN NGẮN", "VIẾT ĐOẠN VĂN NGẮN", "VIẾT ĐOẠN VĂN, VĂN BẢN",
}
TEXT_TYPES = {"Văn bản văn học", "Văn bản thông tin", "Văn bản nghị luận"}
SUB_HEADINGS = {
    "Đọc hiểu nội dung", "Đọc hiểu hình thức", "Liên hệ, so sánh, kết nối", "Đọc mở rộng",
    "Quy trình viết", "Thực hành viết", "Nói", "Nghe", "Nói nghe tương tác",
}
TYPES = ["grade", "strand", "topic", "unit", "outcome"]
DASH = re.compile(r"^[–-]\s*")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.\s*(\S.*)$")


def nfc(s):
    return unicodedata.normalize("NFC", s)


def clean(s):
    return nfc(re.sub(r"\s+", " ", s).strip())


def is_upper(s):
    """A line with letters, none of them lower-case (headings, page numbers are excluded by the caller)."""
    return any(c.isalpha() for c in s) and not any(c.islower() for c in s)


def sentence_case(s):
    t = clean(s).lower()
    t = t[:1].upper() + t[1:]
    t = re.sub(r"\bviệt\b", "Việt", t)
    return re.sub(r"\bViệt nam\b", "Việt Nam", t)


def open_paren(s):
    return s.count("(") > s.count(")")


def pdftext(pdf, page, x0=0, y0=0, x1=PAGE_W, y1=PAGE_H):
    """`pdftotext -layout` of one page area, as a list of lines."""
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-x", str(x0), "-y", str(y0),
            "-W", str(x1 - x0), "-H", str(y1 - y0), str(pdf), "-"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [nfc(line) for line in out.replace("\f", "\n").split("\n")]


class Builder:
    """Collects items; codes are built from the parent's code and a sequence number (or a given segment)."""

    def __init__(self):
        self.rows = []
        self.children = collections.Counter()

    def add(self, parent, kind, grade, statement, segment=None, statement_en=""):
        if segment is None:
            self.children[parent["code"]] += 1
            segment = str(self.children[parent["code"]])
        elif segment.isdigit():
            self.children[parent["code"]] = max(self.children[parent["code"]], int(segment))
        row = {"code": f"{parent['code']}.{segment}", "parent": parent["code"], "type": kind, "grade": grade,
               "statement": statement, "statement_en": statement_en}
        self.rows.append(row)
        return row

    def grade(self, framework, grade, name, name_en):
        row = {"code": f"{framework}.{grade}", "parent": "", "type": "grade", "grade": grade,
               "statement": f"{name} lớp {grade}", "statement_en": f"{name_en}, grade {grade}"}
        self.rows.append(row)
        return row


class Text:
    """An item whose statement is still being read (wrapped lines are appended)."""

    def __init__(self, kind, text, parent):
        self.kind, self.parts, self.parent, self.row = kind, [text], parent, None

    @property
    def text(self):
        return clean(" ".join(self.parts))


# ---------------------------------------------------------------------------------------------------- reading

def main_areas(pdf, left):
    """Lines of the left (or right) column of the grade tables, pages 18–77 minus the chuyên đề areas."""
    lines = []
    for page in range(FIRST_PAGE, LAST_PAGE + 1):
        x0, x1 = (0, MAIN_SPLIT) if left else (MAIN_SPLIT, PAGE_W)
        bands = [(0, PAGE_H)]
        if page in CD_AREAS:
            y0, y1, _ = CD_AREAS[page]
            bands = [b for b in [(0, y0), (y1, PAGE_H)] if b[1] - b[0] > 0]
        for y0, y1 in bands:
            text = pdftext(pdf, page, x0, y0, x1, y1)
            if any(re.match(r"\s*Chuyên đề \d", l) for l in text):
                sys.exit(f"page {page}: a chuyên đề table inside a grade-table area {y0}–{y1}")
            lines += [(page, l) for l in text]
    return lines


def read_left(pdf):
    """The 'Yêu cầu cần đạt' column: {grade: [(kind, level, text)]} with kind strand/topic/unit/outcome."""
    grades = collections.OrderedDict()
    grade = None
    items = None
    state = {}
    open_item = None
    for page, raw in main_areas(pdf, left=True):
        line = clean(raw)
        if not line or line.isdigit() or line == "Yêu cầu cần đạt":
            continue
        m = re.fullmatch(r"LỚP (\d+)", line)
        if m:
            grade = int(m.group(1))
            if grade != len(grades) + 1:
                sys.exit(f"page {page}: LỚP {grade} out of order")
            items = grades[grade] = []
            state = {"strand": None, "topic": None, "topic_is_container": False, "reading": False}
            open_item = None
            continue
        if grade is None:
            continue  # the introduction above LỚP 1 on page 18
        if line in LEFT_STRANDS:
            items.append(["strand", LEFT_STRANDS[line]])
            state.update(strand=LEFT_STRANDS[line], topic=None, topic_is_container=False, reading=False)
            open_item = None
            continue
        if is_upper(line):
            if line not in UPPER_TOPICS:
                sys.exit(f"page {page}: unknown capitalised heading {line!r}")
            open_item = None
            if line == "ĐỌC HIỂU":
                state.update(reading=True, topic=None)
                continue
            items.append(["topic", sentence_case(line)])
            state.update(topic=line, topic_is_container=not line.startswith("KĨ THUẬT"))
            continue
        if line in TEXT_TYPES:
            if not state["reading"]:
                sys.exit(f"page {page}: {line!r} outside ĐỌC HIỂU")
            items.append(["topic", "Đọc hiểu " + line[0].lower() + line[1:]])
            state.update(topic=line, topic_is_container=True)
            open_item = None
            continue
        if line in SUB_HEADINGS:
            if state["topic_is_container"]:
                items.append(["unit", line])
            else:
                items.append(["topic", line])
                state.update(topic=line)
            open_item = None
            continue
        dash = DASH.match(line)
        if dash and not (open_item is not None and open_paren(" ".join(open_item[2]))):
            open_item = ["outcome", None, [line[dash.end():]]]
            items.append(open_item)
        elif open_item is None:  # an outcome written without a dash, right under its heading
            open_item = ["outcome", None, [line]]
            items.append(open_item)
        else:
            open_item[2].append(line)
    return grades


def read_right(pdf):
    """The 'Nội dung' column: {grade: [(kind, text)]} with kind strand/topic/unit."""
    grades = collections.OrderedDict()
    items = None
    open_item = None
    for page, raw in main_areas(pdf, left=False):
        line = clean(raw)
        if not line or line.isdigit() or line == "Nội dung":
            continue
        if line == "KIẾN THỨC TIẾNG VIỆT":  # every grade's right column starts with it
            items = grades[len(grades) + 1] = []
        if items is None:
            continue  # the end of a full-width line of the introduction on page 18
        if line in RIGHT_STRANDS:
            items.append(["strand", RIGHT_STRANDS[line]])
            open_item = None
            continue
        numbered = NUMBERED.match(line)
        dash = DASH.match(line)
        if numbered:
            open_item = ["topic", None, [numbered.group(2)]]
        elif dash and not (open_item is not None and open_paren(" ".join(open_item[2]))):
            open_item = ["unit", None, [line[dash.end():]]]
        elif line.startswith("Độ dài của văn bản"):
            open_item = ["unit", None, [line]]
        elif open_item is not None:
            open_item[2].append(line)
            continue
        else:
            sys.exit(f"page {page}: text before any item: {line!r}")
        items.append(open_item)
    return grades


def read_cd(pdf):
    """Chuyên đề tables: {grade: [(number, title, [outcomes], [contents])]}."""
    result = collections.OrderedDict()
    for grade in (10, 11, 12):
        pages = [(p, a) for p, a in CD_AREAS.items() if a[2] == grade]
        split = CD_SPLIT[grade]
        titles, left, right = [], [], []
        for page, (y0, y1, _) in pages:
            full = [clean(l) for l in pdftext(pdf, page, 0, y0, PAGE_W, y1)]
            for i, l in enumerate(full):
                m = re.match(r"Chuyên đề (\d+)\.(\d+)\.\s*(.*)$", l)
                if m:
                    if int(m.group(1)) != grade:
                        sys.exit(f"page {page}: chuyên đề {m.group(1)}.{m.group(2)} in the area of grade {grade}")
                    title = m.group(3)
                    nxt = next((x for x in full[i + 1:] if x), "")
                    if is_upper(nxt) and not nxt.isdigit():
                        title += " " + nxt  # a title wrapped on two lines (12.3)
                    titles.append((int(m.group(2)), title))
            left += [clean(l) for l in pdftext(pdf, page, 0, y0, split, y1)]
            right += [clean(l) for l in pdftext(pdf, page, split, y0, PAGE_W, y1)]
        # Left column: outcomes of each chuyên đề.
        outcomes, after_title = [], False
        for line in left:
            if not line or line.isdigit() or line == "Yêu cầu cần đạt" or line.startswith("CHUYÊN ĐỀ"):
                continue
            if line.startswith("Chuyên đề"):
                outcomes.append([])
                after_title = True
                continue
            if after_title and is_upper(line):
                continue  # second line of a wrapped title
            after_title = False
            if DASH.match(line) and not (outcomes[-1] and open_paren(outcomes[-1][-1])):
                outcomes[-1].append(line[DASH.match(line).end():])
            else:
                outcomes[-1][-1] += " " + line
        # Right column: numbered contents; numbering restarts at 1 for each chuyên đề.
        contents = []
        for line in right:
            if not line or line == "Nội dung" or not any(c.islower() for c in line):
                continue  # header, page numbers, the right-hand ends of the capitalised titles
            m = NUMBERED.match(line)
            if m:
                if m.group(1) == "1":
                    contents.append([])
                contents[-1].append(m.group(2))
            else:
                contents[-1][-1] += " " + line
        if not (len(titles) == len(outcomes) == len(contents) == 3):
            sys.exit(f"CĐ {grade}: {len(titles)} titles, {len(outcomes)} outcome lists, {len(contents)} content lists")
        result[grade] = [(n, t, o, c) for (n, t), o, c in zip(titles, outcomes, contents)]
    return result


# ---------------------------------------------------------------------------------------------------- building

def build(left, right, cd):
    frameworks = {"TV": Builder(), "NV": Builder()}
    for grade in range(1, 13):
        fw = "TV" if grade <= 5 else "NV"
        name, name_en = ("Tiếng Việt", "Vietnamese language") if fw == "TV" else ("Ngữ văn", "Literature")
        b = frameworks[fw]
        g = b.grade(fw, grade, name, name_en)
        strand = topic = unit = None
        for item in left[grade] + right[grade]:
            kind = item[0]
            if kind == "strand":
                strand = b.add(g, "strand", grade, STRANDS[item[1]][0], item[1], STRANDS[item[1]][1])
                topic = unit = None
            elif kind == "topic":
                text = clean(item[1]) if isinstance(item[1], str) else clean(" ".join(item[2]))
                topic = b.add(strand, "topic", grade, text)
                unit = None
            elif kind == "unit":
                text = clean(item[1]) if isinstance(item[1], str) else clean(" ".join(item[2]))
                unit = b.add(topic, "unit", grade, text)
            elif kind == "outcome":
                b.add(unit or topic or strand, "outcome", grade, clean(" ".join(item[2])))
        if grade in cd:
            strand = b.add(g, "strand", grade, STRANDS["CD"][0], "CD", STRANDS["CD"][1])
            for number, title, outcomes, contents in cd[grade]:
                topic = b.add(strand, "topic", grade, sentence_case(title), str(number))
                for o in outcomes:
                    b.add(topic, "outcome", grade, clean(o))
                for c in contents:
                    b.add(topic, "unit", grade, clean(c))
    return frameworks


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdf", default=str(DEFAULT_PDF))
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    args = ap.parse_args()
    left, right, cd = read_left(args.pdf), read_right(args.pdf), read_cd(args.pdf)
    if list(left) != list(range(1, 13)) or list(right) != list(range(1, 13)):
        sys.exit(f"grades found: left {list(left)}, right {list(right)}")
    frameworks = build(left, right, cd)
    failed = False
    for fw, b in frameworks.items():
        problems = check(fw, b.rows)
        for p in problems:
            print(f"{fw}.csv:{p}", file=sys.stderr)
        failed |= bool(problems)
        report(fw, b.rows)
    if failed:
        sys.exit("self-checks failed; nothing written")
    for fw, b in frameworks.items():
        write(Path(args.out) / f"{fw}.csv", b.rows)
        print(f"wrote {Path(args.out) / (fw + '.csv')}")


if __name__ == "__main__":
    main()
