#!/usr/bin/env python3
"""Extract the Công nghệ (CN) knowledge-unit catalogue from the official GDPT 2018 programme.

Source : ../shared/conformance/vn-gdpt2018/official-moet-pdf/CT_Cong_nghe_2018.pdf
         (Chương trình giáo dục phổ thông môn Công nghệ, Thông tư 32/2018/TT-BGDĐT),
         section V.2 "Nội dung cụ thể và yêu cầu cần đạt ở các lớp", grades 3–12.
Output : Catalog/frameworks/CN.csv in the format of Catalog/README.md.
Usage  : python3 Catalog/tools/extract_cn.py [--pdf PDF | --text LAYOUT.txt] [--out CSV] [--debug]
         (runs `pdftotext -layout PDF -`; Python 3 standard library only).

Mapping of the programme onto the catalogue levels
--------------------------------------------------
grade    CN.<N>                   one per grade 3..12 (statement "Công nghệ lớp N"; grades 3–5 are the
                                  Công nghệ part of the subject "Tin học và Công nghệ")
strand   CN.<N>.<S>               the mạch nội dung: a capitalised heading row of the table, or — where a
                                  grade's table has no such heading — the grade's own title. Statements are
                                  the heading in sentence case (the PDF prints them in capitals).
topic    CN.<N>.<S>.<t>           a row of the "Nội dung" / "Tên chuyên đề" column (each chuyên đề is a topic);
                                  in grade 9 "Trải nghiệm nghề nghiệp" the topic is the module group
                                  ("Các mô đun công nghiệp", …)
unit     CN.9.TNNN.<t>.<u>        only in grade 9: one elective mô đun (a row of its group)
outcome  ….<o>                    one "–" bullet of the "Yêu cầu cần đạt" column
Siblings are numbered 1, 2, … in document order. Rows are written in document order (THPT: the
industrial orientation, grades 10–12, then the agricultural orientation, grades 10–12).

Strand codes (letters only)
  Grades 3–5 (Tin học và Công nghệ – phần Công nghệ)
    DS    CÔNG NGHỆ VÀ ĐỜI SỐNG
    TC    THỦ CÔNG KĨ THUẬT
  Grade 6
    GD    CÔNG NGHỆ TRONG GIA ĐÌNH            (grade title; the table has no heading rows)
  Grade 7 (NÔNG – LÂM NGHIỆP VÀ THUỶ SẢN)
    TT    TRỒNG TRỌT
    CHN   CHĂN NUÔI
  Grade 8
    CNKT  CÔNG NGHIỆP VÀ THIẾT KẾ KĨ THUẬT     (grade title)
  Grade 9 (CÔNG NGHỆ VÀ HƯỚNG NGHIỆP)
    DHNN  ĐỊNH HƯỚNG NGHỀ NGHIỆP
    TNNN  TRẢI NGHIỆM NGHỀ NGHIỆP              (topics = module groups, units = mô đun)
  THPT, định hướng công nghiệp (prefix CN)
    CNTK  10: THIẾT KẾ VÀ CÔNG NGHỆ            (grade title)
    CNCT  11: CƠ KHÍ CHẾ TẠO                   (grade title CÔNG NGHỆ CƠ KHÍ)
    CNDL  11: CƠ KHÍ ĐỘNG LỰC
    CNDI  12: CÔNG NGHỆ ĐIỆN                   (grade title CÔNG NGHỆ ĐIỆN – ĐIỆN TỬ)
    CNDT  12: CÔNG NGHỆ ĐIỆN TỬ
    CDCN  10–12: CHUYÊN ĐỀ HỌC TẬP of the industrial orientation
  THPT, định hướng nông nghiệp (prefix NN)
    NNTT  10: CÔNG NGHỆ TRỒNG TRỌT             (grade title)
    NNCN  11: CÔNG NGHỆ CHĂN NUÔI              (grade title)
    NNLN  12: LÂM NGHIỆP                       (grade title LÂM NGHIỆP – THUỶ SẢN)
    NNTS  12: THUỶ SẢN
    CDNN  10–12: CHUYÊN ĐỀ HỌC TẬP of the agricultural orientation

Layout handling
  * Page numbers, blank lines and the repeated table header ("Nội dung | Yêu cầu cần đạt",
    "Tên chuyên đề | …", "Chuyên đề | …") are dropped; cells are followed across page breaks.
  * A "–" at the bullet column starts an outcome; text left of it belongs to the content column.
    A "–" line inside an unclosed "(" continues the outcome ("(Tín hiệu vào – Bộ điều khiển / – Tín hiệu ra)").
  * Where a content cell runs into the outcome column with a single space (e.g. "An toàn với môi trường
    quan đến điện…"), the line is split at the last space before the bullet column (listed with --debug).
  * A content fragment continues the previous one when it starts in lower case, follows a "-" or ",",
    or sits on the very next line; otherwise it starts a new row.
  * Most tables are top-aligned (a row starts at the bullet beside its first content line). Two tables
    centre the content cell vertically (grade 3 and the grade-10 industrial chuyên đề); a table is
    treated as centred when its first content text is below its first bullet. There, outcomes are split
    among rows so that each row is as well centred on its label as possible (dynamic programming,
    measured on the page that holds the label).
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PDF = os.path.normpath(os.path.join(
    HERE, "..", "..", "..", "shared", "conformance", "vn-gdpt2018", "official-moet-pdf", "CT_Cong_nghe_2018.pdf"))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "frameworks", "CN.csv"))

FRAMEWORK = "CN"
COLUMNS = ["code", "parent", "type", "grade", "statement", "statement_en", "associations", "status"]
TYPE_RANK = {"grade": 0, "strand": 1, "topic": 2, "unit": 3, "outcome": 4}

# Strand headings (as printed, upper case) → code, per (orientation, grade). Orientation "" below THPT.
# "title" is the code used when the grade's table starts without a heading row (the grade title is the strand).
STRANDS = {
    ("", 3): {"CÔNG NGHỆ VÀ ĐỜI SỐNG": "DS", "THỦ CÔNG KĨ THUẬT": "TC"},
    ("", 4): {"CÔNG NGHỆ VÀ ĐỜI SỐNG": "DS", "THỦ CÔNG KĨ THUẬT": "TC"},
    ("", 5): {"CÔNG NGHỆ VÀ ĐỜI SỐNG": "DS", "THỦ CÔNG KĨ THUẬT": "TC"},
    ("", 6): {"title": "GD"},
    ("", 7): {"TRỒNG TRỌT": "TT", "CHĂN NUÔI": "CHN"},
    ("", 8): {"title": "CNKT"},
    ("", 9): {"ĐỊNH HƯỚNG NGHỀ NGHIỆP": "DHNN", "TRẢI NGHIỆM NGHỀ NGHIỆP": "TNNN"},
    ("CN", 10): {"title": "CNTK", "CHUYÊN ĐỀ HỌC TẬP": "CDCN"},
    ("CN", 11): {"CƠ KHÍ CHẾ TẠO": "CNCT", "CƠ KHÍ ĐỘNG LỰC": "CNDL", "CHUYÊN ĐỀ HỌC TẬP": "CDCN"},
    ("CN", 12): {"CÔNG NGHỆ ĐIỆN": "CNDI", "CÔNG NGHỆ ĐIỆN TỬ": "CNDT", "CHUYÊN ĐỀ HỌC TẬP": "CDCN"},
    ("NN", 10): {"title": "NNTT", "CHUYÊN ĐỀ HỌC TẬP": "CDNN"},
    ("NN", 11): {"title": "NNCN", "CHUYÊN ĐỀ HỌC TẬP": "CDNN"},
    ("NN", 12): {"LÂM NGHIỆP": "NNLN", "THUỶ SẢN": "NNTS", "CHUYÊN ĐỀ HỌC TẬP": "CDNN"},
}
# Grade 9, strand TNNN: rows that are not content rows.
MODULE_NOTE = re.compile(r"^(Mô đun tự chọn|\(Học sinh lựa chọn học 1 trong 15 mô đun)")
MODULE_GROUP = re.compile(r"^Các mô đun ")

START = re.compile(r"^\s*2\. Nội dung cụ thể và yêu cầu cần đạt ở các lớp\s*$")
STOP = re.compile(r"^\s*VI\. PHƯƠNG PHÁP GIÁO DỤC\s*$")
LEVEL = re.compile(r"^\s*CẤP (TIỂU HỌC|TRUNG HỌC CƠ SỞ|TRUNG HỌC PHỔ THÔNG: ĐỊNH HƯỚNG (CÔNG|NÔNG) NGHIỆP)\s*$")
GRADE = re.compile(r"^\s*LỚP (\d{1,2})\s*$")
CORE = re.compile(r"^\s*NỘI DUNG CƠ BẢN\s*$")
TOPICS = re.compile(r"^\s*CHUYÊN ĐỀ HỌC TẬP\s*$")
HEADER = re.compile(r"^\s*(Nội dung|Tên chuyên đề|Chuyên đề)\s{2,}Yêu cầu cần đạt\s*$")
PAGE_NO = re.compile(r"^\s*\d{1,3}\s*$")
HEADER_WORDS = re.compile(r"Yêu cầu cần đạt|Nội dung\s{2,}|Tên chuyên đề|CHUYÊN ĐỀ HỌC TẬP|NỘI DUNG CƠ BẢN|LỚP \d")

DEBUG = False
NOTES = []  # layout decisions worth a look (printed with --debug)
INNER_DASHES = []  # line-initial "–" that continue an outcome


def note(msg):
    NOTES.append(msg)


def nfc(s):
    return unicodedata.normalize("NFC", s)


def join(parts):
    """Join wrapped lines with single spaces (no space after a line-final hyphen, as in "CAD/CAM-" + "CNC")."""
    out = ""
    for p in parts:
        p = re.sub(r"\s+", " ", p.strip())
        if not p:
            continue
        if not out:
            out = p
        elif out.endswith("-") and not out.endswith(" -"):
            out += p
        else:
            out += " " + p
    return nfc(out)


def sentence_case(heading):
    s = heading.strip().lower()
    return s[:1].upper() + s[1:]


def find_bullet(line):
    """Index of the outcome bullet "–" of a table line, or None."""
    for m in re.finditer("–", line):
        p = m.start()
        if p < 15 or p > 45:
            continue
        if p + 1 < len(line) and line[p + 1] != " ":
            continue
        before = line[:p]
        if before.strip() == "":
            return p
        # content text must start in the content column and be separated from the bullet by a space
        if len(before) - len(before.lstrip()) < 5 and before.endswith(" "):
            return p
        return None
    return None


class Line:
    """One content line of a table: left (content column) and right (outcome column) text."""

    def __init__(self, idx, page, src, left, right, bullet, col):
        self.idx, self.page, self.src = idx, page, src
        self.left, self.right, self.bullet, self.col = left, right, bullet, col


def split_plain(line, col):
    """Split a line without a bullet into (left, right) at the outcome column `col`."""
    indent = len(line) - len(line.lstrip())
    text = line.rstrip()
    if indent >= 15:
        return "", text.strip()
    m = re.search(r"\S(\s{2,})\S", text)
    if m and m.start(1) <= col + 3:
        return text[:m.start(1)].strip(), text[m.end(1):].strip()
    if len(text) <= col + 1:
        return text.strip(), ""
    # the content cell runs into the outcome column with a single space: cut at the last space ≤ col
    cut = text.rfind(" ", 0, col + 1)
    if cut <= 0:
        return text.strip(), ""
    note(f"tight split: {text.strip()!r} -> {text[:cut].strip()!r} | {text[cut:].strip()!r}")
    return text[:cut].strip(), text[cut:].strip()


def read_layout(args):
    if args.text:
        with open(args.text, encoding="utf-8") as f:
            return f.read()
    return subprocess.run(["pdftotext", "-layout", args.pdf, "-"], check=True, capture_output=True).stdout.decode("utf-8")


def parse(layout):
    """Turn the layout text into a list of tables: dicts with grade, orientation, kind and event list."""
    tables = []
    started = False
    orientation = ""
    grade = None
    title = []
    table = None
    state = None  # "title" (after LỚP N, before the header) | "table"
    idx = 0
    for pageno, page in enumerate(layout.split("\f"), start=1):
        lines = page.split("\n")
        for raw in lines:
            line = raw.rstrip()
            if not started:
                started = bool(START.match(line))
                continue
            if STOP.match(line):
                return tables
            if not line.strip() or PAGE_NO.match(line):
                continue
            m = LEVEL.match(line)
            if m:
                orientation = {"CÔNG": "CN", "NÔNG": "NN"}.get(m.group(2), "")
                continue
            m = GRADE.match(line)
            if m:
                grade, title, state, table = int(m.group(1)), [], "title", None
                continue
            if CORE.match(line):
                continue
            if TOPICS.match(line):
                table = {"grade": grade, "orientation": orientation, "title": None,
                         "start": "CHUYÊN ĐỀ HỌC TẬP", "events": []}
                tables.append(table)
                state = "topics-title"
                continue
            if HEADER.match(line):
                if state == "title":
                    table = {"grade": grade, "orientation": orientation, "title": join(title),
                             "start": None, "events": []}
                    tables.append(table)
                state = "table"
                continue
            if state == "title":
                title.append(line)
                continue
            if state != "table":
                raise SystemExit(f"unexpected line before a table header (page {pageno}): {line!r}")
            # a table line
            idx += 1
            stripped = line.strip()
            strands = STRANDS[(orientation, grade)]
            if find_bullet(line) is None and len(line) - len(line.lstrip()) < 5:
                if stripped in strands:
                    table["events"].append(("strand", stripped, idx, pageno))
                    continue
                if (orientation, grade) == ("", 9) and MODULE_NOTE.match(stripped):
                    table["events"].append(("note", stripped, idx, pageno))
                    continue
                if (orientation, grade) == ("", 9) and MODULE_GROUP.match(stripped):
                    table["events"].append(("group", stripped, idx, pageno))
                    continue
                if stripped.isupper() and len(stripped) > 6:
                    raise SystemExit(f"unknown heading in grade {grade} {orientation}: {stripped!r}")
            table["events"].append(("line", line, idx, pageno))
    raise SystemExit("end marker 'VI. PHƯƠNG PHÁP GIÁO DỤC' not found")


def segment_lines(events):
    """Split table lines into Line objects (left/right columns, bullets)."""
    out = []
    col = 25
    open_parens = 0
    for kind, line, idx, page in events:
        p = find_bullet(line)
        if p is not None and p + 1 < len(line):
            left, right = line[:p].strip(), line[p + 1:].strip()
            bullet = True
            if not left and open_parens > 0:
                bullet = False  # "– Tín hiệu ra)." continues "(Tín hiệu vào – Bộ điều khiển"
                right = line[p:].strip()
                note(f"dash inside parentheses kept in outcome: {right!r}")
                INNER_DASHES.append(right)
            col = p
        else:
            left, right = split_plain(line, col)
            bullet = False
        if bullet:
            open_parens = 0
        open_parens += right.count("(") - right.count(")")
        out.append(Line(idx, page, line, left, right, bullet, col))
    return out


def build_rows(lines, centred, where):
    """Group the lines of one strand segment into rows: [(label, [outcome texts])]."""
    # outcomes
    outcomes = []  # dicts: first, last, page, parts
    for ln in lines:
        if ln.bullet:
            outcomes.append({"first": ln.idx, "last": ln.idx, "page": ln.page, "parts": [ln.right]})
        elif ln.right:
            if not outcomes:
                raise SystemExit(f"{where}: text before the first bullet: {ln.src!r}")
            outcomes[-1]["parts"].append(ln.right)
            outcomes[-1]["last"] = ln.idx
    # labels
    labels = []  # dicts: first, lines [(idx, page)], parts
    for ln in lines:
        if not ln.left:
            continue
        if labels:
            prev = labels[-1]
            last = prev["parts"][-1]
            # on the very next line, a fragment continues the label only if its first word could not have
            # fitted on the previous line (the content column is narrower than the bullet column)
            wrapped = (ln.idx == prev["lines"][-1][0] + 1
                       and len(last) + 1 + len(ln.left.split()[0]) > ln.col - 1)
            cont = ln.left[0].islower() or ln.left[0].isdigit() or last.endswith(("-", ",")) or wrapped
            if cont:
                prev["parts"].append(ln.left)
                prev["lines"].append((ln.idx, ln.page))
                continue
        labels.append({"first": ln.idx, "lines": [(ln.idx, ln.page)], "parts": [ln.left],
                       "on_bullet": ln.bullet})
    if not labels:
        raise SystemExit(f"{where}: no content label")
    if not outcomes:
        raise SystemExit(f"{where}: no outcomes")
    n, m = len(labels), len(outcomes)
    if not centred:
        starts = []
        for lab in labels:
            if not lab["on_bullet"]:
                raise SystemExit(f"{where}: top-aligned row label not beside a bullet: {join(lab['parts'])!r}")
            k = next(i for i, o in enumerate(outcomes) if o["first"] == lab["first"])
            starts.append(k)
        if starts[0] != 0:
            raise SystemExit(f"{where}: outcomes before the first row label")
    else:
        starts = centre_partition(labels, outcomes, lines, where)
    rows = []
    for r, lab in enumerate(labels):
        end = starts[r + 1] if r + 1 < n else m
        if end <= starts[r]:
            raise SystemExit(f"{where}: empty row {join(lab['parts'])!r}")
        rows.append((join(lab["parts"]), [join(o["parts"]) for o in outcomes[starts[r]:end]]))
    return rows


def centre_partition(labels, outcomes, lines, where):
    """Split outcomes into len(labels) consecutive groups, each label as centred as possible on its group.

    Centring is measured in content lines on the page that holds the label's first line."""
    page_of = {ln.idx: ln.page for ln in lines}
    n, m = len(labels), len(outcomes)

    def cost(r, a, b):  # label r over outcomes a..b-1
        lab = labels[r]
        page = lab["lines"][0][1]
        idxs = [i for i in range(outcomes[a]["first"], outcomes[b - 1]["last"] + 1) if page_of.get(i) == page]
        lidx = [i for i, p in lab["lines"] if p == page]
        if not idxs:
            return 1e9
        centre_rows = (min(idxs) + max(idxs)) / 2
        centre_label = (min(lidx) + max(lidx)) / 2
        # the label must lie within its row (on that page)
        penalty = 0 if min(idxs) <= min(lidx) and max(lidx) <= max(idxs) else 1000
        return (centre_rows - centre_label) ** 2 + penalty

    INF = float("inf")
    best = [[INF] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0
    for r in range(1, n + 1):
        for b in range(r, m + 1):
            for a in range(r - 1, b):
                if best[r - 1][a] == INF:
                    continue
                c = best[r - 1][a] + cost(r - 1, a, b)
                if c < best[r][b]:
                    best[r][b], back[r][b] = c, a
    if best[n][m] >= 1000:
        raise SystemExit(f"{where}: no consistent centred split")
    starts, b = [], m
    for r in range(n, 0, -1):
        a = back[r][b]
        starts.append(a)
        b = a
    starts.reverse()
    note(f"{where}: centred rows, cost {best[n][m]:.2f}, row sizes "
         f"{[(starts[i + 1] if i + 1 < n else m) - starts[i] for i in range(n)]}")
    return starts


def extract(layout):
    tables = parse(layout)
    items = []  # (code, parent, type, grade, statement)
    seen_grades = set()
    counters = {}

    def add(code, parent, typ, grade, statement):
        items.append((code, parent, typ, grade, statement))

    for t in tables:
        grade, orient = t["grade"], t["orientation"]
        strands = STRANDS[(orient, grade)]
        gcode = f"{FRAMEWORK}.{grade}"
        if grade not in seen_grades:
            seen_grades.add(grade)
            add(gcode, "", "grade", grade, f"Công nghệ lớp {grade}")
        line_objs = {ln.idx: ln for ln in segment_lines([e for e in t["events"] if e[0] == "line"])}
        # centred table? its first content text lies below its first bullet
        content = [line_objs[e[2]] for e in t["events"] if e[0] == "line"]
        first_bullet = next(ln.idx for ln in content if ln.bullet)
        first_label = next(ln.idx for ln in content if ln.left)
        centred = first_label > first_bullet
        where_t = f"grade {grade}{' ' + orient if orient else ''}{' chuyên đề' if t['start'] else ''}"
        if centred:
            note(f"{where_t}: table is vertically centred")

        # walk the events: strands, module groups, row lines
        segments = []  # (strand_heading, group or None, [Line])
        strand = t["start"] if t["start"] else None
        group = None
        cur = None
        for kind, text, idx, page in t["events"]:
            if kind == "strand":
                strand, group, cur = text, None, None
            elif kind == "group":
                group, cur = text, None
            elif kind == "note":
                note(f"grade 9 note row not catalogued: {text!r}")
            else:
                if cur is None:
                    if strand is None:
                        if "title" not in strands:
                            raise SystemExit(f"{where_t}: rows before a strand heading")
                        strand = "title"
                    cur = (strand, group, [])
                    segments.append(cur)
                cur[2].append(line_objs[idx])
        for strand, group, lines in segments:
            scode = strands[strand]
            heading = t["title"] if strand == "title" else strand
            spath = f"{gcode}.{scode}"
            if spath not in counters:
                counters[spath] = 0
                add(spath, gcode, "strand", grade, sentence_case(heading))
            parent = spath
            row_type = "topic"
            if group is not None:
                gpath_key = (spath, group)
                if gpath_key not in counters:
                    counters[spath] += 1
                    counters[gpath_key] = f"{spath}.{counters[spath]}"
                    add(counters[gpath_key], spath, "topic", grade, nfc(group))
                    counters[counters[gpath_key]] = 0
                parent = counters[gpath_key]
                row_type = "unit"
            where = f"{where_t} {scode}{' / ' + group if group else ''}"
            for label, outs in build_rows(lines, centred, where):
                counters[parent] += 1
                rcode = f"{parent}.{counters[parent]}"
                add(rcode, parent, row_type, grade, label)
                for k, o in enumerate(outs, start=1):
                    add(f"{rcode}.{k}", rcode, "outcome", grade, o)
    return items, tables


def self_check(items, layout):
    problems = []
    code_re = re.compile(r"^CN\.\d{1,2}(\.[A-Z0-9]+)*$")
    known = {}
    for n, (code, parent, typ, grade, st) in enumerate(items, start=2):
        where = f"row {n} {code}"
        if not code_re.match(code):
            problems.append(f"{where}: malformed code")
        if code in known:
            problems.append(f"{where}: duplicate code")
        if typ not in TYPE_RANK:
            problems.append(f"{where}: unknown type {typ}")
        if typ == "grade":
            if parent or code != f"CN.{grade}":
                problems.append(f"{where}: bad grade item")
        else:
            if parent not in known:
                problems.append(f"{where}: parent {parent} not defined earlier")
            else:
                ptype, pgrade = known[parent]
                if pgrade != grade:
                    problems.append(f"{where}: grade {grade} != parent's {pgrade}")
                if TYPE_RANK[ptype] >= TYPE_RANK[typ]:
                    problems.append(f"{where}: {typ} under {ptype}")
                if not code.startswith(parent + ".") or code.count(".") != parent.count(".") + 1:
                    problems.append(f"{where}: code does not extend parent {parent}")
        for field in (code, parent, typ, str(grade), st):
            if field != nfc(field):
                problems.append(f"{where}: not NFC")
        if not st.strip():
            problems.append(f"{where}: empty statement")
        if st != st.strip() or "  " in st:
            problems.append(f"{where}: stray whitespace")
        if st.startswith(("–", "-", "+")):
            problems.append(f"{where}: leading dash")
        if HEADER_WORDS.search(st):
            problems.append(f"{where}: header words in statement: {st!r}")
        if re.search(r"(^|\s)\d{1,2}(\s|$)", st) and typ != "grade":
            # a bare 1–2 digit number may be a page number that slipped in; allow the programme's own ones
            if not re.search(r"1 trong 15|lần thứ|4\.0|\d+\s*(mô đun|linh kiện)", st):
                problems.append(f"{where}: bare number (page number?) in {st!r}")
        if typ == "outcome" and not st.endswith((".", ")")):
            problems.append(f"{where}: outcome does not end with '.': {st!r}")
        if typ in ("topic", "unit") and re.search(r"\bđược\b", st):
            problems.append(f"{where}: topic looks like outcome text: {st!r}")
        known[code] = (typ, grade)
    # every bullet of the section is an outcome, and every word of the section is in the catalogue
    body = layout.split("2. Nội dung cụ thể và yêu cầu cần đạt ở các lớp", 1)[1].split("VI. PHƯƠNG PHÁP GIÁO DỤC", 1)[0]
    bullets = sum(1 for ln in body.split("\n") if find_bullet(ln) is not None)
    outcomes = sum(1 for it in items if it[2] == "outcome")
    inner = len(INNER_DASHES)
    if bullets != outcomes + inner:
        problems.append(f"{bullets} bullets in the PDF text, {outcomes} outcomes (+{inner} dashes inside outcomes)")
    words_pdf = Counter(re.findall(r"\w+", nfc(body)))
    words_cat = Counter(re.findall(r"\w+", " ".join(it[4] for it in items if it[2] != "grade")))
    missing = words_pdf - words_cat
    extra = words_cat - words_pdf
    # headings are printed in capitals and catalogued in sentence case; compare case-insensitively for those
    missing_ci, extra_ci = Counter(), Counter()
    for w, c in missing.items():
        missing_ci[w.lower()] += c
    for w, c in extra.items():
        extra_ci[w.lower()] += c
    missing2 = missing_ci - extra_ci
    extra2 = extra_ci - missing_ci
    return problems, missing2, extra2


def write_csv(items, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(COLUMNS)
        for code, parent, typ, grade, st in items:
            w.writerow([code, parent, typ, grade, st, "", "", ""])


def main():
    global DEBUG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdf", default=DEFAULT_PDF)
    ap.add_argument("--text", help="use this `pdftotext -layout` output instead of running pdftotext")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--debug", action="store_true", help="print layout decisions and the catalogue outline")
    args = ap.parse_args()
    DEBUG = args.debug
    layout = nfc(read_layout(args))
    items, _ = extract(layout)
    problems, missing, extra = self_check(items, layout)
    if DEBUG:
        for n in NOTES:
            print("note:", n)
        for code, parent, typ, grade, st in items:
            if typ != "outcome":
                print(f"{'  ' * TYPE_RANK[typ]}{code}  {st}")
    # words of the section not in the catalogue: only page numbers, titles and table headers are expected
    print("words of section V.2 left out (page numbers, grade titles, table headers):",
          " ".join(f"{w}×{c}" if c > 1 else w for w, c in sorted(missing.items())))
    if extra:
        problems.append(f"words in the catalogue that are not in the PDF: {dict(extra)}")
    by_grade = OrderedDict()
    for code, parent, typ, grade, st in items:
        by_grade.setdefault(grade, Counter())[typ] += 1
    total = Counter()
    print(f"{'grade':>5} " + " ".join(f"{t:>8}" for t in TYPE_RANK) + f" {'total':>7}")
    for g, c in by_grade.items():
        total.update(c)
        print(f"{g:>5} " + " ".join(f"{c[t]:>8}" for t in TYPE_RANK) + f" {sum(c.values()):>7}")
    print(f"{'all':>5} " + " ".join(f"{total[t]:>8}" for t in TYPE_RANK) + f" {sum(total.values()):>7}")
    if problems:
        for p in problems:
            print("PROBLEM:", p, file=sys.stderr)
        raise SystemExit(f"{len(problems)} problem(s); {args.out} not written")
    write_csv(items, args.out)
    print(f"wrote {len(items)} items to {args.out}")


if __name__ == "__main__":
    main()
