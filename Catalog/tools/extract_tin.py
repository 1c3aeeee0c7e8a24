#!/usr/bin/env python3
r"""Extract the Tin học (TIN) knowledge-unit catalogue from the official GDPT 2018 PDF.

    python3 Catalog/tools/extract_tin.py [PDF] [OUT.csv]

Defaults: ../shared/conformance/vn-gdpt2018/official-moet-pdf/CT_Tin_hoc_2018.pdf (relative to the repository
root) and Catalog/frameworks/TIN.csv.  Python 3 standard library only; needs `pdftotext` (poppler).

Source and method
-----------------
The detailed tables ("YÊU CẦU CẦN ĐẠT VÀ NỘI DUNG ...", pp. 18-62) have two columns, in this order:
"Yêu cầu cần đạt" (left, wide) | "Nội dung" (right, narrow).  In grades 10-12 the "Nội dung" column is itself
split in two: the nội dung cụ thể (left sub-column) and the nội dung group they belong to (right sub-column, often
prefixed by an orientation label "ICT" or "CS"); a nội dung without sub-items spans both sub-columns.

`pdftotext -layout` cannot be used for the column split: it collapses the gutter between the two columns to a
single space and even interleaves the narrow right column into the left text (e.g. grade 3: "... Ra khỏi được hệ
thống đang tính" where "tính" ends the nội dung "Khám phá máy tính").  The script therefore reads the *word boxes*
of `pdftotext -bbox` (same tool, same words, plus coordinates) and rebuilds lines and columns itself:

* the left column's right edge is 2 x centre("Yêu cầu cần đạt" header) - left margin (the header is centred over
  the column); everything right of it belongs to "Nội dung";
* an outcome starts at a "–" bullet (or at a non-bulleted paragraph after a short, i.e. paragraph-final, line);
  wrapped lines and "+" sub-bullets stay in the current outcome;
* "Nội dung" lines are grouped into cells by vertical gaps (> 23 pt; lines of one cell are 18.5-21.6 pt apart), a
  "Chủ đề con" line starts a cell, and across a page break a cell continues only when the next line starts in
  lower case;
* table rows have no text separators.  Cells are vertically centred in their row (a few are top-aligned; a row
  broken by a page break has its cell centred in the first fragment, or starting at the row top when it does not
  fit there).  Outcomes are partitioned among the cells of a chủ đề by dynamic programming that minimises the
  misfit of every cell in its group of outcomes, with the hard constraint that a cell never reaches into the
  neighbouring rows; pages are stacked into one continuous vertical axis so that broken rows work.  Grade 10-12
  nội dung groups are assigned to their sub-items the same way.

Self-checks (the CSV is not written when one fails)
---------------------------------------------------
* codes unique and matching ^TIN\.\d{1,2}(\.[A-Z0-9]+)*$, parents exist and come earlier, grade equals the
  parent's, types only go down grade > strand > topic > unit > outcome, statements NFC, non-empty, without a
  leading "–", table header words or the page number of the page they come from;
* coverage: every word of the table bodies ends up in exactly one statement;
* row order: `pdftotext -raw` writes each table row in content-stream order, "Yêu cầu cần đạt" cell first, then
  its "Nội dung" cell(s).  Every nội dung cell (each page fragment) must be contiguous there and directly preceded
  by the last line (on that page) of the outcomes assigned to it, and every grade 10-12 group cell must directly
  follow its first sub-item cell.  This independently confirms the geometric row assignment.

Mapping (codes are FRAMEWORK.GRADE.STRAND.TOPIC[.UNIT].OUTCOME, segments [A-Z0-9]+)
----------------------------------------------------------------------------------
* grade   TIN.N                       "Tin học lớp N"
* strand  TIN.N.X  (X = A..G)         chủ đề title as printed for that grade (e.g. "Máy tính và em")
  Grades 10-12, orientation-specific content (nội dung labelled "ICT" / "CS" in the programme):
          TIN.N.ICTX / TIN.N.CSX      same chủ đề title followed by " (ICT)" / " (CS)"; e.g. TIN.10.CSA holds
                                      "Biểu diễn thông tin", TIN.11.ICTF "Thực hành tạo và khai thác Cơ sở dữ liệu".
                                      A chủ đề with only orientation content (E in 10-12) has no common strand.
  Chuyên đề học tập (grades 10-12):
          TIN.N.CD                    "Chuyên đề học tập"
* topic   grades 3-9: each "Nội dung" cell, numbered 1, 2, ... within its strand
          grades 10-12: each nội dung group (right sub-column) or full-width nội dung, numbered within the strand
          chuyên đề: TIN.N.CD.ICT1..ICT3 (định hướng Tin học ứng dụng), TIN.N.CD.CS1..CS3 (Khoa học máy tính);
          the number is the programme's (Chuyên đề N.k); statement = the chuyên đề title without "Chuyên đề N.k:"
* unit    grades 10-12: each nội dung cụ thể (left sub-column) of a group; chuyên đề: its "Nội dung" cell
          (leading "–" removed, internal "–" items kept); grades 3-9 have no unit level
* outcome each yêu cầu cần đạt, numbered within its parent, without the leading "–"

Statements are the programme's words: wrapped lines joined with single spaces, NFC.  Missing spaces that are in
the PDF itself (e.g. "minh hoạcho", "trườngsốmột") are kept as printed.  The single superscript (grade 11
chuyên đề 11.1 "aⁿ") is written with the Unicode superscript letter.
"""
import csv
import html
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, OrderedDict

FW = "TIN"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_PDF = os.path.normpath(os.path.join(
    ROOT, "..", "shared", "conformance", "vn-gdpt2018", "official-moet-pdf", "CT_Tin_hoc_2018.pdf"))
DEFAULT_OUT = os.path.join(ROOT, "Catalog", "frameworks", "TIN.csv")

LINE_TOL = 1.6        # words whose yMin differ by less than this are on the same line
CELL_GAP = 23.0       # vertical distance (top to top) above which two "Nội dung" lines are different cells
LINE_H = 12.7         # height of a text line
LINE_STEP = 18.5      # baseline-to-baseline distance inside a paragraph
SHORT_LINE = 15.0     # a left-column line ending this far before the column edge ends its paragraph
SUPERSCRIPT = {"n": "ⁿ", "2": "²", "3": "³"}

TYPES = ["grade", "strand", "topic", "unit", "outcome"]
CODE_RE = re.compile(r"^TIN\.\d{1,2}(\.[A-Z0-9]+)*$")


def nfc(s):
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", s).strip())


# --------------------------------------------------------------------------------------------- PDF -> words
class Word:
    __slots__ = ("x0", "y0", "x1", "y1", "t")

    def __init__(self, x0, y0, x1, y1, t):
        self.x0, self.y0, self.x1, self.y1, self.t = x0, y0, x1, y1, t


def read_pages(pdf):
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], check=True, stdout=subprocess.PIPE).stdout
    text = out.decode("utf-8")
    pages = []
    for chunk in text.split("<page ")[1:]:
        ws = []
        for a, b, c, d, t in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk):
            ws.append(Word(float(a), float(b), float(c), float(d), nfc(html.unescape(t))))
        pages.append(ws)
    return pages


class Line:
    """Words of one visual line (possibly a part of a page line: one column)."""

    def __init__(self, words, page):
        self.words = sorted(words, key=lambda w: w.x0)
        self.page = page
        self.y0 = min(w.y0 for w in self.words)
        self.x0 = self.words[0].x0
        self.x1 = max(w.x1 for w in self.words)
        self.yc = 0.0  # continuous vertical coordinate, set later

    @property
    def text(self):
        return " ".join(w.t for w in self.words)

    def __repr__(self):
        return "<p%d y%.1f x%.0f-%.0f %s>" % (self.page, self.y0, self.x0, self.x1, self.text)


def page_lines(words, page):
    """Group a page's words into lines; a superscript (small) word is glued to the word it follows."""
    normal = [w for w in words if w.y1 - w.y0 >= 10]
    small = [w for w in words if w.y1 - w.y0 < 10]
    normal.sort(key=lambda w: (w.y0, w.x0))
    groups = []
    for w in normal:
        if groups and abs(groups[-1][0].y0 - w.y0) < LINE_TOL:
            groups[-1].append(w)
        else:
            groups.append([w])
    lines = [Line(g, page) for g in groups]
    for s in small:  # attach to the line just below whose word ends where the superscript starts
        best = None
        for ln in lines:
            if 0 <= ln.y0 - s.y0 <= 6:
                for w in ln.words:
                    if abs(w.x1 - s.x0) < 2.5:
                        best = (ln, w)
        if best is None:
            raise SystemExit("cannot place superscript %r on page %d" % (s.t, page))
        best[1].t += "".join(SUPERSCRIPT.get(ch, ch) for ch in s.t)
    return lines


# ------------------------------------------------------------------------------------------ document walk
class Strand:
    def __init__(self, grade, kind, letter, title, orient=None):
        self.grade, self.kind, self.letter, self.title = grade, kind, letter, title
        self.orient = orient          # chuyên đề: "ICT"/"CS"
        self.left = []                # left-column lines
        self.right_raw = []           # "Nội dung" words of each line: (words, page)
        self.right = []               # "Nội dung" lines: (Line, stream) stream in {"L", "T"}
        self.left_edge = {}           # page -> right edge of the left column


def is_header(text):
    return text.startswith("Yêu cầu cần đạt") and text.endswith("Nội dung")


def walk(pages):
    strands = []
    phase = "skip"        # skip | core | cd | stop
    grade = None
    orient = None
    cur = None
    for pno, words in enumerate(pages, start=1):
        if phase == "stop":
            break
        lines = page_lines(words, pno)
        in_table = False
        edge = None
        for ln in lines:
            t = ln.text
            if re.fullmatch(r"\d{1,3}", t) and ln.y0 > 540:
                continue                                           # page number
            if t == "VI. PHƯƠNG PHÁP GIÁO DỤC" and phase != "skip":
                phase = "stop"
                break
            if t in ("YÊU CẦU CẦN ĐẠT VÀ NỘI DUNG GIÁO DỤC Ở CÁC LỚP",
                     "YÊU CẦU CẦN ĐẠT VÀ NỘI DUNG CỐT LÕI Ở CÁC LỚP"):
                phase, in_table, cur = "core", False, None
                continue
            if t == "YÊU CẦU CẦN ĐẠT VÀ NỘI DUNG CHUYÊN ĐỀ HỌC TẬP":
                phase, in_table, cur = "cd", False, None
                continue
            if re.match(r"^[a-d]\) ?Nội dung giáo dục", t) or t in ("NỘI DUNG GIÁO DỤC TOÀN CẤP HỌC",
                                                                   "NỘI DUNG CỐT LÕI", "CHUYÊN ĐỀ HỌC TẬP"):
                phase, in_table, cur = "skip", False, None
                continue
            if phase == "skip":
                continue
            if t.startswith("THEO ĐỊNH HƯỚNG"):
                orient = {"THEO ĐỊNH HƯỚNG TIN HỌC ỨNG DỤNG": "ICT",
                          "THEO ĐỊNH HƯỚNG KHOA HỌC MÁY TÍNH": "CS"}[t]
                continue
            m = re.fullmatch(r"LỚP (\d+)", t)
            if m:
                grade, in_table, cur = int(m.group(1)), False, None
                continue
            if is_header(t):
                # "Yêu cầu cần đạt" is centred over the left column: its right edge mirrors the left margin
                hdr = [w for w in ln.words if w.x0 < ln.words[-1].x0 - 100]
                centre = (hdr[0].x0 + hdr[-1].x1) / 2
                margin = min([l.x0 for l in lines if l.y0 > ln.y0 and l.x0 < 150] or [85.0])
                edge = 2 * centre - margin
                in_table = True
                continue
            if not in_table:
                continue
            m = re.match(r"^Chủ đề ([A-G])\. (.+)$", t)
            m2 = re.match(r"^Chuyên đề (\d+)\.(\d)\s*:\s*(.+)$", t)
            if m and ln.x0 < 100:
                cur = Strand(grade, "core", m.group(1), m.group(2))
                strands.append(cur)
                continue
            if m2 and ln.x0 < 100:
                if int(m2.group(1)) != grade:
                    raise SystemExit("chuyên đề %s.%s under LỚP %s" % (m2.group(1), m2.group(2), grade))
                cur = Strand(grade, "cd", m2.group(2), m2.group(3), orient)
                strands.append(cur)
                continue
            if cur is None:
                raise SystemExit("table text before any chủ đề/chuyên đề on page %d: %s" % (pno, t))
            cur.left_edge[pno] = edge
            split = edge + 5
            lw = [w for w in ln.words if w.x0 < split]
            rw = [w for w in ln.words if w.x0 >= split]
            for w in lw:
                if w.x1 > split + 2:
                    raise SystemExit("word straddles the column gutter on page %d: %r" % (pno, w.t))
            if lw:
                cur.left.append(Line(lw, pno))
            if rw:
                cur.right_raw.append((rw, pno))
    return strands


def split_right(strands):
    """Split the "Nội dung" words of each line into the two grade 10-12 sub-columns.

    The right sub-column (nội dung groups) is recognised by the x positions where at least two "Nội dung" lines
    of the same grade start, other than the column's own left edge."""
    for g in sorted({s.grade for s in strands}):
        ss = [s for s in strands if s.grade == g]
        tset = []
        if g >= 10:
            starts = Counter()
            left = {}
            for s in ss:
                if s.kind != "core":
                    continue
                for ws, p in s.right_raw:
                    x = round(ws[0].x0)
                    starts[x] += 1
                    left[p] = min(left.get(p, x), x)
            lo = min(left.values())
            tset = sorted(x for x, n in starts.items() if n >= 2 and x > lo + 60)
        for s in ss:
            for ws, p in s.right_raw:
                parts = split_subcols(ws, tset) if s.kind == "core" else [(ws, "L")]
                for part, stream in parts:
                    s.right.append((Line(part, p), stream))


def split_subcols(words, tset):
    if not tset:
        return [(words, "L")]
    for i, w in enumerate(words):
        if any(abs(w.x0 - t) <= 2 for t in tset):
            if i == 0:
                return [(words, "T")]
            gap = w.x0 - words[i - 1].x1
            inner = [b.x0 - a.x1 for a, b in zip(words[:i - 1], words[1:i])]
            # a justified full-width line has even gaps; a sub-column break is a clearly wider gap
            if gap >= 6 and (not inner or gap > 1.5 * max(inner)):
                return [(words[:i], "L"), (words[i:], "T")]
    return [(words, "L")]


# ------------------------------------------------------------------------------------- continuous y axis
def set_continuous(strands):
    """Stack the table part of every page so that rows broken across a page break stay contiguous."""
    by_page = {}
    for s in strands:
        for ln in s.left:
            by_page.setdefault(ln.page, []).append(ln)
        for ln, _ in s.right:
            by_page.setdefault(ln.page, []).append(ln)
    base = 0.0
    for p in sorted(by_page):
        lns = by_page[p]
        top = min(l.y0 for l in lns)
        bottom = max(l.y0 for l in lns)
        for l in lns:
            l.yc = base + (l.y0 - top)
        PAGE_BOTTOM[p] = base + (bottom - top) + LINE_H
        base += (bottom - top) + LINE_STEP + 3.0


# ------------------------------------------------------------------------------------------ left column
class Outcome:
    def __init__(self):
        self.lines = []
        self.parts = []

    def add(self, line, text):
        self.lines.append(line)
        self.parts.append(text)

    @property
    def top(self):
        return self.lines[0].yc

    @property
    def bottom(self):
        return self.lines[-1].yc + LINE_H

    @property
    def text(self):
        return nfc(" ".join(self.parts))


def outcomes_of(strand):
    """Outcomes of a chủ đề / chuyên đề from its left-column lines."""
    outs = []
    prev = None
    for ln in strand.left:
        t = ln.text
        if t.startswith("–"):
            o = Outcome()
            o.add(ln, t[1:])
            outs.append(o)
        elif outs and (t.startswith("+") or prev.x1 >= strand.left_edge[prev.page] - SHORT_LINE):
            outs[-1].add(ln, t)               # wrapped line or "+" sub-bullet
        else:                                  # a paragraph without bullet: a new outcome
            o = Outcome()
            o.add(ln, t)
            outs.append(o)
        prev = ln
    for o in outs:
        if not o.text:
            raise SystemExit("empty outcome in grade %s strand %s" % (strand.grade, strand.letter))
    return outs


# --------------------------------------------------------------------------------------- nội dung cells
class Block:
    def __init__(self, stream):
        self.stream = stream
        self.lines = []

    @property
    def top(self):
        return self.lines[0].yc

    @property
    def bottom(self):
        return self.lines[-1].yc + LINE_H

    @property
    def centre(self):
        return (self.top + self.bottom) / 2

    @property
    def text(self):
        return nfc(" ".join(l.text for l in self.lines))

    @property
    def label(self):
        t = self.lines[0].text
        return t if t in ("ICT", "CS") else None

    @property
    def wide(self):
        return max(l.x1 - l.x0 for l in self.lines) > 100

    def __repr__(self):
        return "<%s %s>" % (self.stream, self.text)


def blocks_of(lines, stream):
    lines = sorted(lines, key=lambda l: l.yc)
    blocks = []
    for ln in lines:
        t = ln.text
        new = not blocks
        if blocks:
            last = blocks[-1].lines[-1]
            if blocks[-1].text in ("ICT", "CS"):
                new = False
            elif t.startswith("Chủ đề con") or t.startswith("Chủ đềcon"):
                new = True
            elif ln.page != last.page:
                new = not t[:1].islower()
            else:
                new = ln.yc - last.yc > CELL_GAP
        if new:
            blocks.append(Block(stream))
        blocks[-1].lines.append(ln)
    return blocks


# ------------------------------------------------------------------------------------------ assignment
ROWS = []    # (nội dung cell, its outcomes) for every table row, kept for the cross-check against -raw
GROUPS = []  # (grade 10-12 nội dung group cell, its first sub-item cell)
PAGE_BOTTOM = {}  # page -> continuous y of the bottom of its last table line


BOUNDARY_TOL = 3.0


def expected_cost(top, bottom, first_page, block):
    """How badly `block` fits a table row whose text runs from `top` to `bottom` (continuous y).

    Most cells are vertically centred, some are top-aligned (both columns start on the same line); the better
    of the two readings counts.  When a row is broken by a page break, Word centres the cell text in the row's
    first fragment (top of the row to the foot of the page) and, when it does not fit there, starts it at the top
    of the row and lets it run over to the next page."""
    frag_bottom = min(bottom, PAGE_BOTTOM[first_page])
    top_aligned = (block.top - top) ** 2
    if bottom > frag_bottom + 1 and block.bottom - block.top > frag_bottom - top + 2:
        c = top_aligned
    else:
        c = min(((top + frag_bottom) / 2 - block.centre) ** 2, top_aligned)
    if bottom < block.top or top > block.bottom:  # the cell must overlap its row
        c += 1e6
    return c


def partition(items, blocks, span):
    """Split `items` (in order) into len(blocks) consecutive non-empty groups, minimising the total misfit of
    the blocks in their groups.  span(i, k) -> (top, bottom, first page) of items i..k.

    Hard constraint: a cell lies inside its row, so it may not reach into the rows above or below it (the cell
    of group j ends before the first item of group j+1 starts, and starts after the last item of group j-1)."""
    n, m = len(items), len(blocks)
    if m == 0:
        return []
    if m > n:
        raise SystemExit("more cells (%d) than rows (%d): %r" % (m, n, blocks))
    INF = float("inf")
    best = [[INF] * (n + 1) for _ in range(m + 1)]
    back = [[0] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for j in range(1, m + 1):
        b = blocks[j - 1]
        for k in range(j, n + 1):            # groups 1..j cover items[0:k]
            for i in range(j - 1, k):        # group j = items[i:k]
                if best[j - 1][i] == INF:
                    continue
                if i > 0:
                    prev_bottom = span(i - 1, i - 1)[1]
                    next_top = span(i, i)[0]
                    if b.top < prev_bottom - BOUNDARY_TOL or blocks[j - 2].bottom > next_top + BOUNDARY_TOL:
                        continue
                c = best[j - 1][i] + expected_cost(*span(i, k - 1), block=b)
                if c < best[j][k]:
                    best[j][k] = c
                    back[j][k] = i
    if best[m][n] == INF:
        raise SystemExit("no consistent row partition for %r" % (blocks,))
    cuts = []
    k = n
    for j in range(m, 0, -1):
        i = back[j][k]
        cuts.append((i, k))
        k = i
    cuts.reverse()
    if os.environ.get("TIN_DEBUG"):
        for (i, k), b in zip(cuts, blocks):
            c = expected_cost(*span(i, k - 1), block=b)
            print("  fit %8.1f  items %d-%d of %d  %s" % (c, i + 1, k, n, b.text[:60]), file=sys.stderr)
    return [items[i:k] for i, k in cuts]


# ------------------------------------------------------------------------------------------------ build
class Item:
    def __init__(self, code, parent, typ, grade, statement, pages=()):
        self.code, self.parent, self.type, self.grade = code, parent, typ, grade
        self.statement = nfc(statement)
        self.pages = set(pages)


def strip_label(block):
    lab = block.label
    text = block.text
    if lab:
        text = nfc(text[len(lab):])
    return lab, text


def pages_of(*things):
    ps = set()
    for t in things:
        for l in t.lines:
            ps.add(l.page)
    return ps


def build(strands):
    items = []
    grades = sorted({s.grade for s in strands})
    by_grade = OrderedDict((g, [s for s in strands if s.grade == g]) for g in grades)
    for g, ss in by_grade.items():
        items.append(Item("%s.%d" % (FW, g), "", "grade", g, "Tin học lớp %d" % g))
        core = [s for s in ss if s.kind == "core"]
        cds = [s for s in ss if s.kind == "cd"]
        for s in core:
            outs = outcomes_of(s)
            if g <= 9:
                cells = blocks_of([l for l, st in s.right], "L")
                groups = partition(outs, cells, lambda i, k: (outs[i].top, outs[k].bottom, outs[i].lines[0].page))
                topics = [(None, c, [(None, grp)]) for c, grp in zip(cells, groups)]
                ROWS.extend((c, grp) for c, grp in zip(cells, groups))
            else:
                topics = grade10_topics(s, outs)
            emit_strand(items, g, s, topics)
        if cds:
            scode = "%s.%d.CD" % (FW, g)
            items.append(Item(scode, "%s.%d" % (FW, g), "strand", g, "Chuyên đề học tập"))
            for s in cds:
                outs = outcomes_of(s)
                content = [l for l, st in s.right]
                tcode = "%s.%s%s" % (scode, s.orient, s.letter)
                items.append(Item(tcode, scode, "topic", g, s.title, pages_of(*outs)))
                ucode = tcode + ".1"
                utext = nfc(" ".join(l.text for l in sorted(content, key=lambda l: l.yc)))
                utext = re.sub(r"^–\s*", "", utext)
                items.append(Item(ucode, tcode, "unit", g, utext, {l.page for l in content}))
                for n, o in enumerate(outs, 1):
                    items.append(Item("%s.%d" % (ucode, n), ucode, "outcome", g, o.text, pages_of(o)))
    return items


def grade10_topics(s, outs):
    lstream = [l for l, st in s.right if st == "L"]
    tstream = [l for l, st in s.right if st == "T"]
    # a lone orientation label takes the stream of the line below it
    for l in list(lstream):
        if l.text in ("ICT", "CS"):
            below = [x for x in lstream + tstream if x is not l and 0 < x.yc - l.yc <= CELL_GAP
                     and abs(x.x0 - l.x0) < 3]
            if below and below[0] in tstream:
                lstream.remove(l)
                tstream.append(l)
    fine = blocks_of(lstream, "L")
    groups_blocks = blocks_of(tstream, "T")
    groups = partition(outs, fine, lambda i, k: (outs[i].top, outs[k].bottom, outs[i].lines[0].page))
    rows = []  # (block, outcomes, top, bottom)
    ROWS.extend(zip(fine, groups))
    for b, grp in zip(fine, groups):
        rows.append((b, grp, min(grp[0].top, b.top), max(grp[-1].bottom, b.bottom),
                     min(grp[0].lines[0].page, b.lines[0].page)))
    topics = []
    # runs of consecutive narrow (sub-item) cells belong to the group cells (right sub-column)
    run = []

    def flush():
        if not run:
            return
        gbs = [gb for gb in groups_blocks if run[0][2] - 1 <= gb.centre <= run[-1][3] + 1]
        if not gbs:
            raise SystemExit("grade %d %s: sub-items without a group: %r" % (s.grade, s.letter, run))
        parts = partition(run, gbs, lambda i, k: (run[i][2], run[k][3], run[i][4]))
        for gb, part in zip(gbs, parts):
            topics.append((gb.label, gb, [(r[0], r[1]) for r in part]))
            used.append(gb)
            GROUPS.append((gb, part[0][0]))
        run.clear()

    used = []
    for r in rows:
        if r[0].wide:
            flush()
            topics.append((r[0].label, r[0], [(None, r[1])]))
        else:
            run.append(r)
    flush()
    if len(used) != len(groups_blocks):
        raise SystemExit("grade %d %s: unassigned group cells %r" % (s.grade, s.letter, groups_blocks))
    return topics


def emit_strand(items, g, s, topics):
    """topics: list of (orientation label or None, topic block, [(unit block or None, outcomes)])."""
    gcode = "%s.%d" % (FW, g)
    order = []
    for lab, tb, units in topics:
        key = (lab or "") + s.letter
        if key not in order:
            order.append(key)
    counters = {}
    for key in order:
        scode = "%s.%s" % (gcode, key)
        lab = key[:-1]
        title = s.title + (" (%s)" % lab if lab else "")
        items.append(Item(scode, gcode, "strand", g, title))
        for tlab, tb, units in topics:
            if (tlab or "") + s.letter != key:
                continue
            counters[key] = counters.get(key, 0) + 1
            tcode = "%s.%d" % (scode, counters[key])
            _, ttext = strip_label(tb)
            items.append(Item(tcode, scode, "topic", g, ttext, pages_of(tb)))
            for un, (ub, outs) in enumerate(units, 1):
                parent = tcode
                if ub is not None:
                    parent = "%s.%d" % (tcode, un)
                    items.append(Item(parent, tcode, "unit", g, ub.text, pages_of(ub)))
                for n, o in enumerate(outs, 1):
                    items.append(Item("%s.%d" % (parent, n), parent, "outcome", g, o.text, pages_of(o)))


# ------------------------------------------------------------------------------------------- self-check
def self_check(items):
    errors = []
    seen = {}
    for it in items:
        if not CODE_RE.match(it.code):
            errors.append("bad code %s" % it.code)
        if it.code in seen:
            errors.append("duplicate code %s" % it.code)
        if it.type not in TYPES:
            errors.append("bad type %s %s" % (it.code, it.type))
        if it.type == "grade":
            if it.parent:
                errors.append("grade with parent %s" % it.code)
        else:
            p = seen.get(it.parent)
            if p is None:
                errors.append("parent %s of %s missing or later" % (it.parent, it.code))
            else:
                if p.grade != it.grade:
                    errors.append("grade mismatch %s" % it.code)
                if TYPES.index(it.type) <= TYPES.index(p.type):
                    errors.append("type does not go down: %s (%s) under %s (%s)" % (it.code, it.type, p.code,
                                                                                   p.type))
                if not it.code.startswith(p.code + "."):
                    errors.append("code %s not under parent %s" % (it.code, p.code))
        if int(it.code.split(".")[1]) != it.grade:
            errors.append("grade segment mismatch %s" % it.code)
        st = it.statement
        if not st:
            errors.append("empty statement %s" % it.code)
        if unicodedata.normalize("NFC", st) != st:
            errors.append("not NFC %s" % it.code)
        if st.startswith("–") or "  " in st or st != st.strip():
            errors.append("untidy statement %s: %r" % (it.code, st))
        if "Yêu cầu cần đạt" in st or st == "Nội dung" or st.endswith(" Nội dung") or "cần đạt Nội dung" in st:
            errors.append("table header inside %s: %r" % (it.code, st))
        for p in it.pages:
            if re.search(r"(^|\s)%d(\s|$)" % p, st):
                errors.append("page number %d inside %s: %r" % (p, it.code, st))
        if it.type != "grade" and re.search(r"\s\d{1,2}$", st):
            errors.append("statement %s ends with a bare number: %r" % (it.code, st))
        seen[it.code] = it
    return errors


def coverage_check(strands, items):
    """Every word of the table bodies ends up in exactly one statement (nothing lost, nothing duplicated)."""
    def toks(text):
        out = []
        for t in text.split():
            t = t.lstrip("–")
            if t:
                out.append(t)
        return out

    errors = []
    for g in sorted({s.grade for s in strands}):
        src = Counter()
        for s in strands:
            if s.grade == g:
                for ln in s.left:
                    src.update(toks(ln.text))
                for ln, _ in s.right:
                    src.update(toks(ln.text))
        dst = Counter()
        for it in items:
            if it.grade == g and it.type in ("topic", "unit", "outcome"):
                if it.type == "topic" and it.code.split(".")[2] == "CD":
                    continue                   # chuyên đề title: from the heading row, not the table body
                dst.update(toks(it.statement))
                lab = re.match(r"^TIN\.\d+\.(ICT|CS)[A-G]\.\d+$", it.code)
                if lab:
                    dst[lab.group(1)] += 1     # orientation label moved from the topic text to the code
        if src != dst:
            errors.append("grade %d: words lost %s, words added %s" % (g, dict(src - dst), dict(dst - src)))
    return errors


def raw_order_check(pdf):
    """Independent check of the row assignment against the PDF's content-stream order (`pdftotext -raw`), in
    which each table row is written as its "Yêu cầu cần đạt" cell followed by its "Nội dung" cell(s): the text
    right before every nội dung cell must be the end of the last outcome of its row (on that page), and a
    grade 10-12 group cell comes right after its first sub-item cell."""
    raw = subprocess.run(["pdftotext", "-raw", pdf, "-"], check=True, stdout=subprocess.PIPE).stdout.decode("utf-8")
    pages = [nfc(p) for p in raw.split("\f")]

    def follows(page, cell, before_line):
        own = [l for l in cell.lines if l.page == page]
        if cell.label and own[0].text == cell.label and len(own) > 1:
            key = cell.label + " " + own[1].text
        else:
            key = own[0].text
        tail = " ".join(before_line.text.split()[-3:])
        text = pages[page - 1]
        return any(text[:m.start()].rstrip().endswith(tail) for m in re.finditer(re.escape(key), text))

    errors = []
    for cell, outs in ROWS:
        for p in sorted({l.page for l in cell.lines}):   # every page fragment of the cell
            lefts = [l for o in outs for l in o.lines if l.page == p]
            if not lefts or not follows(p, cell, lefts[-1]):
                errors.append("row order: cell %r (p. %d) does not follow its outcomes in the PDF" % (cell.text, p))
            if nfc(" ".join(l.text for l in cell.lines if l.page == p)) not in pages[p - 1]:
                errors.append("row order: cell %r (p. %d) is not contiguous in the PDF" % (cell.text, p))
    for cell, _ in GROUPS:
        for p in sorted({l.page for l in cell.lines}):
            if nfc(" ".join(l.text for l in cell.lines if l.page == p)) not in pages[p - 1]:
                errors.append("row order: group %r (p. %d) is not contiguous in the PDF" % (cell.text, p))
    for gcell, first in GROUPS:
        p = gcell.lines[0].page
        prev = [l for l in first.lines if l.page == p]
        if not prev or not follows(p, gcell, prev[-1]):
            errors.append("row order: group %r (p. %d) does not follow %r in the PDF" % (gcell.text, p, first.text))
    return errors


def write_csv(items, out):
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["code", "parent", "type", "grade", "statement", "statement_en", "associations", "status"])
        for it in items:
            w.writerow([it.code, it.parent, it.type, it.grade, it.statement, "", "", ""])


def main():
    pdf = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PDF
    out = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    pages = read_pages(pdf)
    strands = walk(pages)
    split_right(strands)
    set_continuous(strands)
    items = build(strands)
    errors = self_check(items) + coverage_check(strands, items) + raw_order_check(pdf)
    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        raise SystemExit(1)
    write_csv(items, out)
    grades = sorted({it.grade for it in items})
    print("%-6s %6s %6s %6s %6s %7s %6s" % ("grade", "grade", "strand", "topic", "unit", "outcome", "total"))
    tot = Counter()
    for g in grades:
        c = Counter(it.type for it in items if it.grade == g)
        tot.update(c)
        print("%-6s %6d %6d %6d %6d %7d %6d" % (g, c["grade"], c["strand"], c["topic"], c["unit"], c["outcome"],
                                               sum(c.values())))
    print("%-6s %6d %6d %6d %6d %7d %6d" % ("all", tot["grade"], tot["strand"], tot["topic"], tot["unit"],
                                           tot["outcome"], sum(tot.values())))
    print("strand codes:", " ".join(sorted({it.code.split(".", 2)[2] for it in items if it.type == "strand"},
                                           key=lambda c: (c.lstrip("ICTS") or c, c))))
    print("wrote", out)


if __name__ == "__main__":
    main()
