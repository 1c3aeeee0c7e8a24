#!/usr/bin/env python3
"""Extract Lịch sử và Địa lí, cấp tiểu học (lớp 4–5), from CT_Lich_su_va_Dia_li_Tieu_hoc_2018.pdf into frameworks/LSDL.csv.

Source: Chương trình giáo dục phổ thông môn Lịch sử và Địa lí (cấp tiểu học) (Thông tư 32/2018/TT-BGDĐT), section V:
  1.1 "Các mạch nội dung" (table: groups → mạch nội dung, lớp 4 / lớp 5),
  1.2 "Các chủ đề" (table: mạch nội dung → chủ đề),
  2   "Nội dung cụ thể và yêu cầu cần đạt ở các lớp" (one table per grade: "Nội dung" | "Yêu cầu cần đạt").
Text comes from `pdftotext -layout`, run on whole pages and on page areas (crop -x/-y/-W/-H) so that each line of
a grade table can be split into its "Nội dung" part and its "Yêu cầu cần đạt" part.
LSDL lớp 6–9 (THCS) is another programme, not in this PDF: those grades get only their grade item (from subjects.csv).

Strand codes — the four groups of table 1.1:
    MD    Mở đầu
    DPVM  Địa phương và các vùng miền của Việt Nam
    VN    Việt Nam
    TG    Thế giới
Levels: strand = group of table 1.1; topic = mạch nội dung (the capitalised row of a grade table, e.g. TRUNG DU VÀ
MIỀN NÚI BẮC BỘ, written as table 1.1 writes it: "Trung du và miền núi Bắc Bộ"); unit = chủ đề (left column, e.g.
"Thiên nhiên"; checked against table 1.2); outcome = yêu cầu cần đạt (right column). Topics, units and outcomes are
numbered 1, 2, 3… in programme order under their parent. The chủ đề "Một số nền văn minh nổi tiếng thế giới" is split
in the programme into "– Ai Cập" and "– Hy Lạp", each with its own yêu cầu cần đạt: they become two units,
"Một số nền văn minh nổi tiếng thế giới: Ai Cập" and "…: Hy Lạp".

Usage: python3 Catalog/tools/extract_lsdl.py [--pdf PATH] [--out DIR]   (standard library only; needs pdftotext)
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
DEFAULT_PDF = HERE.parents[2].parent / "shared/conformance/vn-gdpt2018/official-moet-pdf/CT_Lich_su_va_Dia_li_Tieu_hoc_2018.pdf"
DEFAULT_OUT = HERE.parents[1] / "frameworks"

PAGE_W, PAGE_H = 842, 596
# Table 1.2 "Các chủ đề": page areas (page, y0, y1) and the split between its columns (left ≤ 363, right ≥ 374).
TABLE_12 = [(7, 200, PAGE_H), (8, 0, PAGE_H), (9, 0, 285)]
SPLIT_12 = 368
# Table 1.1 "Các mạch nội dung": page areas and the right edge of its first column (the groups; mạch start at 211).
TABLE_11 = [(6, 0, PAGE_H), (7, 0, 175)]
SPLIT_11 = 205
# Grade tables: pages, and the split between "Nội dung" (words end ≤ 278) and "Yêu cầu cần đạt" (start ≥ 288.8).
GRADE_PAGES = range(9, 25)
SPLIT = 284

STRANDS = {  # code → (Vietnamese as in table 1.1, English)
    "MD": ("Mở đầu", "Introduction"),
    "DPVM": ("Địa phương và các vùng miền của Việt Nam", "Localities and regions of Viet Nam"),
    "VN": ("Việt Nam", "Viet Nam"),
    "TG": ("Thế giới", "The world"),
}
# Which group of table 1.1 each mạch nội dung belongs to (the group cells span several rows; read off the table:
# "Thế giới" is centred on Các nước láng giềng / Tìm hiểu thế giới / Chung tay xây dựng thế giới).
GROUP_OF = {
    "LÀM QUEN VỚI PHƯƠNG TIỆN HỌC TẬP MÔN LỊCH SỬ VÀ ĐỊA LÍ": "MD",
    "ĐỊA PHƯƠNG EM (TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG)": "DPVM",
    "TRUNG DU VÀ MIỀN NÚI BẮC BỘ": "DPVM",
    "ĐỒNG BẰNG BẮC BỘ": "DPVM",
    "DUYÊN HẢI MIỀN TRUNG": "DPVM",
    "TÂY NGUYÊN": "DPVM",
    "NAM BỘ": "DPVM",
    "ĐẤT NƯỚC VÀ CON NGƯỜI VIỆT NAM": "VN",
    "NHỮNG QUỐC GIA ĐẦU TIÊN TRÊN LÃNH THỔ VIỆT NAM": "VN",
    "XÂY DỰNG VÀ BẢO VỆ ĐẤT NƯỚC VIỆT NAM": "VN",
    "CÁC NƯỚC LÁNG GIỀNG": "TG",
    "TÌM HIỂU THẾ GIỚI": "TG",
    "CHUNG TAY XÂY DỰNG THẾ GIỚI": "TG",
}
TYPES = ["grade", "strand", "topic", "unit", "outcome"]
DASH = re.compile(r"^[–-]\s*")


def nfc(s):
    return unicodedata.normalize("NFC", s)


def clean(s):
    return nfc(re.sub(r"\s+", " ", s).strip())


def is_upper(s):
    return any(c.isalpha() for c in s) and not any(c.islower() for c in s)


def open_paren(s):
    return s.count("(") > s.count(")")


def pdftext(pdf, page, x0=0, y0=0, x1=PAGE_W, y1=PAGE_H):
    """`pdftotext -layout` of one page area, as a list of lines."""
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-x", str(x0), "-y", str(y0),
            "-W", str(x1 - x0), "-H", str(y1 - y0), str(pdf), "-"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [nfc(line) for line in out.replace("\f", "\n").split("\n")]


# ---------------------------------------------------------------------------------------------------- reading

def read_overview(pdf):
    """Chủ đề names of table 1.2, the text of its first column, and the text of table 1.1's first column."""
    topics, left = [], []
    for page, y0, y1 in TABLE_12:
        for line in map(clean, pdftext(pdf, page, SPLIT_12, y0, PAGE_W, y1)):
            if line and not line.isdigit() and line != "Chủ đề":
                topics.append(line)
        for line in map(clean, pdftext(pdf, page, 0, y0, SPLIT_12, y1)):
            if line and not line.isdigit() and line != "Mạch nội dung":
                left.append(line)
    groups = []
    for page, y0, y1 in TABLE_11:
        lines = list(map(clean, pdftext(pdf, page, 0, y0, SPLIT_11, y1)))
        if page == TABLE_11[0][0]:  # start under the heading "1.1. Các mạch nội dung"
            lines = lines[next(i for i, l in enumerate(lines) if l.startswith("1.1.")) + 1:]
        groups += [l for l in lines if l and not l.isdigit() and l != "Mạch nội dung"]
    return topics, " ".join(left), " ".join(groups)


def rows_of(pdf, page):
    """The lines of a grade-table page as (left, right) pairs, or (heading, None) for a full-width capitalised row.

    The left crop's lines appear, in order, at the start of the full-width lines that contain them; the rest of such
    a full-width line is the right column's text on that row."""
    full = [clean(l) for l in pdftext(pdf, page)]
    left = [clean(l) for l in pdftext(pdf, page, 0, 0, SPLIT, PAGE_H)]
    left = [l for l in left if l]
    rows, j = [], 0
    for line in full:
        if not line:
            continue
        if line.startswith("VI. "):  # the grade tables end here; section VI follows on the same page
            rows.append((line, None))
            return rows
        heading = line in GROUP_OF or re.fullmatch(r"LỚP \d+", line)
        if heading or (is_upper(line) and len(line) > 20):
            rows.append((line, None))  # a full-width row: mạch nội dung (the left crop holds its beginning) or LỚP n
            if j < len(left) and line.startswith(left[j]):
                j += 1
        elif j < len(left) and line.startswith(left[j]):
            words, lw = line.split(" "), left[j].split(" ")
            if words[:len(lw)] != lw:
                sys.exit(f"page {page}: left part {left[j]!r} ends inside a word of {line!r}")
            rows.append((left[j], " ".join(words[len(lw):])))
            j += 1
        else:
            rows.append(("", line))
    if j != len(left):
        sys.exit(f"page {page}: left-column line {left[j]!r} not found in the page text")
    return rows


def read_grades(pdf, chu_de):
    """{grade: [[topic_heading, [[unit_name, [outcome, …]], …]], …]}"""
    grades = collections.OrderedDict()
    grade = topics = None
    unit = None          # [name parts, outcomes]
    group = None         # "Một số nền văn minh nổi tiếng thế giới" when its sub-items follow
    outcome = None       # list of parts of the outcome being read
    for page in GRADE_PAGES:
        for left, right in rows_of(pdf, page):
            if right is None and left.startswith("VI."):
                return grades
            if right is None and re.fullmatch(r"LỚP \d+", left):
                grade = int(left.split()[1])
                topics = grades[grade] = []
                unit = outcome = group = None
                continue
            if grade is None:
                continue
            if right is None:
                if left.isdigit():
                    continue  # page number
                if left not in GROUP_OF:
                    sys.exit(f"page {page}: unknown mạch nội dung {left!r}")
                topics.append([left, []])
                unit = outcome = group = None
                continue
            if left == "Nội dung" and right == "Yêu cầu cần đạt":
                continue  # table header repeated on each page
            if not left and right.isdigit():
                continue  # page number
            if left:
                name = clean(" ".join(unit[0])) if unit else None
                if DASH.match(left):  # "– Ai Cập" under "Một số nền văn minh nổi tiếng thế giới"
                    if unit and not unit[1] and name in chu_de:
                        group = name
                        topics[-1][1].pop()
                    if group is None:
                        sys.exit(f"page {page}: sub-item {left!r} without its chủ đề")
                    unit = [[f"{group}: {left[DASH.match(left).end():]}"], []]
                    topics[-1][1].append(unit)
                    outcome = None
                elif unit is None or name in chu_de:
                    unit = [[left], []]
                    topics[-1][1].append(unit)
                    group = outcome = None
                else:
                    unit[0].append(left)  # a chủ đề name wrapped over several lines
            if right:
                dash = DASH.match(right)
                if dash and not (outcome and open_paren(" ".join(outcome))):
                    outcome = [right[dash.end():]]
                    unit[1].append(outcome)
                elif outcome is not None:
                    outcome.append(right)
                else:
                    sys.exit(f"page {page}: text {right!r} before any yêu cầu cần đạt")
    sys.exit("the end of the grade tables (VI. PHƯƠNG PHÁP GIÁO DỤC) was not found")


# ---------------------------------------------------------------------------------------------------- building

def build(grades, chu_de, mach_text, group_text):
    rows = []
    children = collections.Counter()

    def add(parent, kind, grade, statement, segment=None, statement_en=""):
        if segment is None:
            children[parent] += 1
            segment = str(children[parent])
        row = {"code": f"{parent}.{segment}", "parent": parent, "type": kind, "grade": grade,
               "statement": clean(statement), "statement_en": statement_en}
        rows.append(row)
        return row["code"]

    for code, (name, _) in STRANDS.items():
        if name not in group_text:
            sys.exit(f"group {name!r} not found in table 1.1 ({group_text!r})")
    for grade, topics in grades.items():
        g = f"LSDL.{grade}"
        rows.append({"code": g, "parent": "", "type": "grade", "grade": grade,
                     "statement": f"Lịch sử và Địa lí lớp {grade}", "statement_en": f"History and geography, grade {grade}"})
        strand = None
        for heading, units in topics:
            if strand is None or not strand.endswith("." + GROUP_OF[heading]):
                s = GROUP_OF[heading]
                if any(r["code"] == f"{g}.{s}" for r in rows):
                    sys.exit(f"lớp {grade}: group {s} is not contiguous")
                strand = add(g, "strand", grade, STRANDS[s][0], s, STRANDS[s][1])
            # The mạch nội dung as table 1.2 writes it (same letters, not in capitals).
            at = mach_text.upper().find(heading)
            if at < 0:
                sys.exit(f"mạch nội dung {heading!r} not found in table 1.2")
            topic = add(strand, "topic", grade, mach_text[at:at + len(heading)])
            for name_parts, outcomes in units:
                name = clean(" ".join(name_parts))
                base = name.split(": ")[0]
                if base not in chu_de:
                    sys.exit(f"lớp {grade}: chủ đề {name!r} is not in table 1.2")
                if not outcomes:
                    sys.exit(f"lớp {grade}: chủ đề {name!r} has no yêu cầu cần đạt")
                unit = add(topic, "unit", grade, name)
                for parts in outcomes:
                    add(unit, "outcome", grade, " ".join(parts))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdf", default=str(DEFAULT_PDF))
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    args = ap.parse_args()
    chu_de, mach_text, group_text = read_overview(args.pdf)
    grades = read_grades(args.pdf, set(chu_de))
    if list(grades) != [4, 5]:
        sys.exit(f"grades found: {list(grades)}")
    rows = build(grades, set(chu_de), mach_text, group_text)
    used = {r["statement"].split(": ")[0] for r in rows if r["type"] == "unit"}
    unused = [c for c in chu_de if c not in used]
    if unused:
        print(f"note: chủ đề of table 1.2 not found in the grade tables: {unused}", file=sys.stderr)
    problems = check("LSDL", rows)
    for p in problems:
        print(f"LSDL.csv:{p}", file=sys.stderr)
    report("LSDL", rows)
    if problems:
        sys.exit("self-checks failed; nothing written")
    write(Path(args.out) / "LSDL.csv", rows)
    print(f"wrote {Path(args.out) / 'LSDL.csv'}")


if __name__ == "__main__":
    main()
