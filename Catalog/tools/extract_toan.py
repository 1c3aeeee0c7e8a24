#!/usr/bin/env python3
"""Extract the TOAN framework (Chương trình GDPT 2018 môn Toán, lớp 1–12) into Catalog/frameworks/TOAN.csv.

Source: the official MOET PDF `CT_Toan_2018.pdf`, section "3. Nội dung cụ thể và yêu cầu cần đạt ở các lớp"
(LỚP 1 … LỚP 12 and the "NỘI DUNG CHUYÊN ĐỀ" tables of lớp 10–12).

Method (standard library only; needs poppler's `pdftotext`):
  * `pdftotext -bbox-layout` gives every word with its box (the text `pdftotext -layout` prints, with exact x
    positions instead of padded spaces); words are grouped into printed lines by vertical overlap. Small words
    touching the previous one are its superscript or index (cm², 180°, ax², a₁x, (a + b)ⁿ).
  * Page numbers and the repeated table header ("Nội dung | Yêu cầu cần đạt", "Chuyên đề | Chủ đề | Yêu cầu cần đạt")
    are dropped.
  * The table columns are found on every page from the line structure: the x where the "–" bullets of the
    outcomes start is the outcome column ("Yêu cầu cần đạt"); the x where most cell lines start near the previous
    page's value is the second content column (nội dung, or chủ đề of a chuyên đề). Pages without enough evidence
    keep the previous page's columns; a word belongs to the rightmost column whose x it reaches.
  * Rows spanning the whole table: the mạch (capitals) → strand; the sub-headings of a mạch ("Số", "Hình học trực
    quan", "Đo lường", …: text from the left margin that runs across the column border or stands alone, and does not
    continue a cell) have no level of their own and are not items; "Thực hành trong phòng máy tính …" → a topic of the
    current strand, its paragraphs outcomes; "HOẠT ĐỘNG THỰC HÀNH VÀ TRẢI NGHIỆM" → strand TN, each "Hoạt động N: …"
    a topic, its "–" paragraphs (and a paragraph without the dash, recognised by the space above it) outcomes. The
    sentences that only introduce outcomes ("Nhà trường tổ chức cho học sinh …", "Củng cố và hoàn thiện các kĩ
    năng:") are not items (-v lists everything left out).
  * Inside the table, a cell of the first / second column starts where that column's text resumes after a vertical
    gap larger than the line pitch (or, at the top of a page, with a capital letter); an outcome starts at a "–" in
    the outcome column or at the first line of a new row (outcomes without a dash). Indented lines in the outcome
    column are pieces of displayed formulas and go with the line they belong to.
  * Chuyên đề tables (lớp 10–12) become strand CD of their grade (statement: the section title): chuyên đề → topic,
    chủ đề → unit.
  * Statements: the words joined by single spaces, NFC, no space before punctuation; Symbol-font private-use
    characters mapped to Unicode; the few outcomes whose formulas are equation objects (fractions, roots, limits, …,
    which no text extraction renders in reading order) are replaced by a transcription of the printed formula
    (FORMULAS below, each of which must match exactly once).
  * Rows: the grades and their strands first (the legend of the strand codes), then topics, units and outcomes in
    the programme's order; siblings numbered 1, 2, 3… in document order.
  * Self-check before writing (codes, parents, grades, types, NFC, empty statements, page numbers, table headers,
    outcomes that do not end a sentence); counts per grade and type are printed.

Usage: extract_toan.py [-v] [PDF] [OUT.csv]   (defaults: the conformance copy of the PDF, Catalog/frameworks/TOAN.csv)
"""
import collections
import csv
import html
import io
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
DEFAULT_PDF = os.path.join(REPO, '..', 'shared', 'conformance', 'vn-gdpt2018', 'official-moet-pdf', 'CT_Toan_2018.pdf')
DEFAULT_OUT = os.path.join(REPO, 'Catalog', 'frameworks', 'TOAN.csv')
FW = 'TOAN'

STRANDS = {
    'SỐ VÀ PHÉP TÍNH': 'SP',
    'SỐ VÀ ĐẠI SỐ': 'SD',
    'HÌNH HỌC VÀ ĐO LƯỜNG': 'HD',
    'HÌNH HỌC': 'HH',
    'MỘT SỐ YẾU TỐ THỐNG KÊ VÀ XÁC SUẤT': 'TK',
    'THỐNG KÊ VÀ XÁC SUẤT': 'TK',
    'ĐẠI SỐ VÀ MỘT SỐ YẾU TỐ GIẢI TÍCH': 'GT',
    'MỘT SỐ YẾU TỐ GIẢI TÍCH': 'GT',
    'HOẠT ĐỘNG THỰC HÀNH VÀ TRẢI NGHIỆM': 'TN',
}

# Symbol-font glyphs that pdftotext leaves in the private-use area (U+F0xx = Symbol code xx).
SYMBOL_FONT = {
    0x22: '∀', 0x24: '∃', 0x27: '∋', 0x2A: '∗', 0x2D: '−', 0x40: '≅', 0x5C: '∴', 0x5E: '⊥', 0x7E: '∼',
    0xA2: '′', 0xA3: '≤', 0xA5: '∞', 0xAB: '↔', 0xAC: '←', 0xAD: '↑', 0xAE: '→', 0xAF: '↓', 0xB0: '°', 0xB1: '±',
    0xB2: '″', 0xB3: '≥', 0xB4: '×', 0xB5: '∝', 0xB6: '∂', 0xB7: '•', 0xB8: '÷', 0xB9: '≠', 0xBA: '≡', 0xBB: '≈',
    0xBC: '…', 0xC6: '∅', 0xC7: '∩', 0xC8: '∪', 0xC9: '⊃', 0xCA: '⊇', 0xCB: '⊄', 0xCC: '⊂', 0xCD: '⊆', 0xCE: '∈',
    0xCF: '∉', 0xD0: '∠', 0xD6: '√', 0xD7: '⋅', 0xD8: '¬', 0xD9: '∧', 0xDA: '∨', 0xDB: '⇔', 0xDE: '⇒', 0xE5: '∑',
    0xF2: '∫',
}
GREEK = 'ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ'   # Symbol 0x41–0x5A
greek = 'αβχδεφγηιϕκλμνοπθρστυϖωξψζ'    # Symbol 0x61–0x7A


def symbol_char(m):
    c = ord(m.group(0)) - 0xF000
    if c in SYMBOL_FONT:
        return SYMBOL_FONT[c]
    if 0x41 <= c <= 0x5A:
        return GREEK[c - 0x41]
    if 0x61 <= c <= 0x7A:
        return greek[c - 0x61]
    if 0x20 <= c <= 0x7E:
        return chr(c)
    return m.group(0)     # unknown: left in place, the self-check reports it


# Outcomes whose formulas are equation objects (stacked fractions, roots, limits): the extracted text, which has the
# pieces of the formula out of order, is recognised by a fragment and replaced by the statement as printed, the
# formula written linearly (a/b, √(…), lim(x→a) …, Unicode super- and subscripts). Each must match exactly once.
FORMULAS = [
    ('Nhận biết được về;;...; thông qua các hình ảnh trực quan',                                          # lớp 3
     'Nhận biết được về 1/2;1/3;...;1/9 thông qua các hình ảnh trực quan.'),
    ('Xác định được;;...; của một nhóm đồ vật',
     'Xác định được 1/2;1/3;...;1/9 của một nhóm đồ vật (đối tượng) bằng việc chia thành các phần đều nhau.'),
    ('(ví dụ: sử dụng tỉ số để mô tả',                                                                    # lớp 5
     'Sử dụng được tỉ số để mô tả số lần lặp lại của một khả năng xảy ra (nhiều lần) của một sự kiện trong một '
     'thí nghiệm so với tổng số lần thực hiện thí nghiệm đó ở những trường hợp đơn giản (ví dụ: sử dụng tỉ số 2/5 '
     'để mô tả 2 lần xảy ra khả năng “mặt sấp đồng xu xuất hiện” của khi tung đồng xu 5 lần).'),
    ('Giải được phương trình chứa căn thức có dạng:',                                                     # lớp 10
     'Giải được phương trình chứa căn thức có dạng: √(ax² + bx + c) = √(dx² + ex + f); √(ax² + bx + c) = dx + e.'),
    ('Giải thích được một số giới hạn cơ bản như:',                                                       # lớp 11
     'Giải thích được một số giới hạn cơ bản như: lim(n→+∞) 1/nᵏ = 0 (k ∈ ℕ*); lim(n→+∞) qⁿ = 0 (|q| < 1); '
     'lim(n→+∞) c = c với c là hằng số.'),
    ('Vận dụng được các phép toán giới hạn dãy số để tìm giới hạn',
     'Vận dụng được các phép toán giới hạn dãy số để tìm giới hạn của một số dãy số đơn giản '
     '(ví dụ: lim(n→+∞) (2n + 1)/n; lim(n→+∞) √(4n² + 1)/n).'),
    ('Nhận biết được khái niệm giới hạn hữu hạn của hàm số tại vô cực',
     'Nhận biết được khái niệm giới hạn hữu hạn của hàm số tại vô cực và mô tả được một số giới hạn cơ bản như: '
     'lim(x→+∞) c/xᵏ = 0, lim(x→−∞) c/xᵏ = 0 với c là hằng số và k là số nguyên dương.'),
    ('Nhận biết được khái niệm giới hạn vô cực (một phía)',
     'Nhận biết được khái niệm giới hạn vô cực (một phía) của hàm số tại một điểm và hiểu được một số giới hạn cơ '
     'bản như: lim(x→a⁺) 1/(x − a) = +∞; lim(x→a⁻) 1/(x − a) = −∞.'),
    ('Giải được phương trình, bất phương trình mũ, lôgarit ở dạng đơn giản',
     'Giải được phương trình, bất phương trình mũ, lôgarit ở dạng đơn giản (ví dụ 2ˣ⁺¹ = 1/4; 2ˣ⁺¹ = 2³ˣ⁺⁵; '
     'log₂(x + 1) = 3; log₃(x + 1) = log₃(x² − 1)).'),
    ('Khảo sát được tập xác định, chiều biến thiên, cực trị, tiệm cận',                                   # lớp 12
     'Khảo sát được tập xác định, chiều biến thiên, cực trị, tiệm cận, bảng biến thiên và vẽ đồ thị của các hàm '
     'số: y = ax³ + bx² + cx + d (a ≠ 0); y = (ax + b)/(cx + d) (c ≠ 0, ad − bc ≠ 0); y = (ax² + bx + c)/(mx + n) '
     '(a ≠ 0, m ≠ 0 và đa thức tử không chia hết cho đa thức mẫu).'),
    ('Xác định được nguyên hàm của một số hàm số sơ cấp như:',
     'Xác định được nguyên hàm của một số hàm số sơ cấp như: y = xᵅ (α ≠ −1); y = 1/x; y = sin x; y = cos x; '
     'y = 1/cos²x; y = 1/sin²x; y = aˣ; y = eˣ.'),
]

GAP = 22.0          # a vertical gap (pt, top to top) larger than this between two lines of a column = a new cell
                    # (within a cell lines are 17.8–19.7 pt apart, between rows at least 24.5)
TOL = 4.0           # a word starting up to TOL left of a column's x still belongs to that column
PARA_GAP = 20.5     # full-width text: lines of a paragraph are 18–19 pt apart, paragraphs 21 or more
ABOVE = 12.0        # a formula piece less than this above a line belongs to that line
CELL_GAP = 7.0      # text of two neighbouring cells is at least this far apart (cell padding); words of a
                    # paragraph spanning the table are closer


def pdf_words(pdf):
    """[[(x0, y0, x1, y1, text)] per page] from pdftotext -bbox-layout."""
    out = subprocess.run(['pdftotext', '-bbox-layout', pdf, '-'], check=True, capture_output=True).stdout.decode('utf-8')
    pages = []
    for pm in re.finditer(r'<page[^>]*>(.*?)</page>', out, re.S):
        words = []
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', pm.group(1)):
            words.append((float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)), html.unescape(m.group(5))))
        pages.append(words)
    return pages


class Line:
    def __init__(self, page, words):
        self.page = page
        self.words = sorted(words)
        self.y0 = min(w[1] for w in words)
        self.y1 = max(w[3] for w in words)
        self.x0 = self.words[0][0]
        self.text = ' '.join(w[4] for w in self.words)
        self.kind = None     # set by classify()
        self.grade = None
        self.table = None    # 'main' or 'cd'

    def __repr__(self):
        return f'<p{self.page} y{self.y0:.0f} x{self.x0:.0f} {self.text[:60]!r}>'


def page_lines(page_no, words):
    """Group words into printed lines: a word joins a line when their vertical extents overlap by half the smaller."""
    lines = []
    for w in sorted(words, key=lambda w: (w[1], w[0])):
        best = None
        for ln in lines[-6:]:
            top, bot = max(ln['y0'], w[1]), min(ln['y1'], w[3])
            h = min(ln['y1'] - ln['y0'], w[3] - w[1])
            if bot - top > 0.5 * h:
                best = ln
        if best is None:
            lines.append({'y0': w[1], 'y1': w[3], 'words': [w], 'base': w[3]})
        else:
            best['words'].append(w)
            # keep the extent of the normal-size text, so superscripts do not widen the line
            if w[3] - w[1] >= best['y1'] - best['y0'] - 0.5:
                best['y0'], best['y1'] = min(best['y0'], w[1]), max(best['y1'], w[3])
    return [Line(page_no, glue_scripts(ln['words'])) for ln in lines]


SUP = dict(zip('0123456789+-−=()nkxαo', '⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿᵏˣᵅ°'))   # a raised "o" after a number is the degree sign
SUB = dict(zip('0123456789', '₀₁₂₃₄₅₆₇₈₉'))


def script(text, table, mark):
    if all(c in table for c in text):
        return ''.join(table[c] for c in text)
    return mark + '(' + text + ')'


def glue_scripts(words):
    """Small words touching the previous word are its superscript (raised) or subscript (index): cm2 → cm², a1 → a₁."""
    words = sorted(words)
    heights = sorted(w[3] - w[1] for w in words)
    normal = heights[len(heights) // 2]
    out = []
    for w in words:
        touching = out and w[0] - out[-1][2] < 0.6
        if touching and w[3] - w[1] < normal - 2.5:
            p = out[-1]
            raised = w[3] < p[3] - 2
            text = script(w[4], SUP, '^') if raised else script(w[4], SUB, '_')
            out[-1] = (p[0], p[1], max(p[2], w[2]), p[3], p[4] + text, True)
        elif touching and len(out[-1]) == 6:
            p = out[-1]                            # text resuming right after a script: °C, a₁x
            out[-1] = (p[0], p[1], w[2], p[3], p[4] + w[4])
        else:
            out.append(w)
    out = [w[:5] for w in out]
    return out


def norm(s):
    s = re.sub('[\uf020-\uf0ff]', symbol_char, s)
    s = unicodedata.normalize('NFC', s)
    s = re.sub(r'\s+', ' ', s).strip()
    s = re.sub(r' (?=[.,;:)])', '', s)        # a space before punctuation is an artefact of the text layer
    s = re.sub(r'(?<=\() ', '', s)
    return s


def join(parts):
    """Join wrapped lines with single spaces; a line ending in a hyphen that splits a word joins without one."""
    s = ''
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if s.endswith('-') and not s.endswith(' -') and p[:1].islower():
            s += p
        else:
            s = (s + ' ' + p) if s else p
    return norm(s)


def is_caps(text):
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def is_header(text):
    t = re.sub(r'\s+', ' ', text).strip()
    return t in ('Nội dung Yêu cầu cần đạt', 'Chuyên đề Chủ đề Yêu cầu cần đạt')


def starts_upper(text):
    c = text.strip()[:1]
    return c.isupper() or c.isdigit()


def is_bullet(words):
    return len(words) >= 2 and words[0][4] == '–' and starts_upper(words[1][4])


# ---------------------------------------------------------------------------------------------------------------

def read_lines(pages):
    """All lines of section 3 (content and outcomes), page numbers and table headers removed, labelled with
    grade and table kind."""
    out = []
    started = False
    grade, table = None, None
    cd_intro = False
    for pno, words in enumerate(pages, 1):
        for ln in page_lines(pno, words):
            t = ln.text.strip()
            if not started:
                if t.startswith('3. Nội dung cụ thể và yêu cầu cần đạt'):
                    started = True
                continue
            if re.match(r'^VI\. PHƯƠNG PHÁP GIÁO DỤC', t):
                return out
            if re.fullmatch(r'\d{1,3}', t) and ln.y0 > 500:
                continue                                   # page number
            m = re.fullmatch(r'LỚP (\d{1,2})', t)
            if m:
                grade, table, cd_intro = int(m.group(1)), 'main', False
                ln.kind = 'grade'
            elif re.match(r'NỘI DUNG CHUYÊN ĐỀ LỚP (\d+)', t):
                assert int(re.match(r'NỘI DUNG CHUYÊN ĐỀ LỚP (\d+)', t).group(1)) == grade, ln
                table, cd_intro = 'cd', True
                ln.kind = 'cdhead'
                ln.title = [t]
            elif is_header(t):
                cd_intro = False
                continue
            elif cd_intro:
                if is_caps(t):
                    out[-1].title.append(t)                # the title of the chuyên đề section
                continue                                   # the list of chuyên đề before their table
            ln.grade, ln.table = grade, table
            out.append(ln)
    raise SystemExit('end of section 3 not found')


def find_columns(lines):
    """(c2, c3) per (page, table): x of the second content column and of the outcome column."""
    cols = {}
    last = {'main': (203.0, 368.0), 'cd': (225.0, 398.0)}
    groups = collections.OrderedDict()
    for ln in lines:
        if ln.table:
            groups.setdefault((ln.page, ln.table), []).append(ln)
    for key, lns in groups.items():
        words = [w for ln in lns for w in ln.words]
        dashes = collections.Counter(round(w[0]) for ln in lns for i, w in enumerate(ln.words)
                                     if w[4] == '–' and w[0] > 250 and i + 1 < len(ln.words) and starts_upper(ln.words[i + 1][4]))
        c2, c3 = last[key[1]]
        if dashes and dashes.most_common(1)[0][1] >= 2:
            x = dashes.most_common(1)[0][0]
            c3 = min(w[0] for w in words if w[4] == '–' and abs(w[0] - x) < 1.5)
        # the second content column: where most words start near its previous position (cells are left-aligned,
        # so every line of the column starts at the same x; other words fall anywhere)
        firsts = [w for ln in lns for i, w in enumerate(ln.words)
                  if abs(w[0] - c2) <= 8 and (i == 0 or w[0] - ln.words[i - 1][2] >= CELL_GAP)]
        starts = collections.Counter(round(w[0]) for w in firsts)
        if starts and starts.most_common(1)[0][1] >= 2:
            x = starts.most_common(1)[0][0]
            c2 = min(w[0] for w in firsts if abs(w[0] - x) < 1.5)
        last[key[1]] = (c2, c3)
        cols[key] = (c2, c3)
    return cols


def top(words):
    """Top of a line's words in one column, ignoring superscripts (which sit higher)."""
    h = max(w[3] - w[1] for w in words)
    return min(w[1] for w in words if w[3] - w[1] > h - 1.5)


def split_cols(ln, c2, c3):
    parts = ([], [], [])
    for w in ln.words:
        i = 0 if w[0] < c2 - TOL else 1 if w[0] < c3 - TOL else 2
        parts[i].append(w)
    return parts


class Builder:
    def __init__(self):
        self.rows = []          # [code, parent, type, grade, parts (list of str), pages (set of page numbers)]
        self.by_code = {}
        self.page = None        # page of the line being read

    def add(self, code, parent, typ, grade, text):
        assert code not in self.by_code, code
        row = [code, parent, typ, grade, [text] if text else [], {self.page} if text else set()]
        self.rows.append(row)
        self.by_code[code] = row
        return row

    def append(self, code, text):
        self.by_code[code][4].append(text)
        self.by_code[code][5].add(self.page)

    def drop_leaf(self, code):
        """Remove a childless item and renumber its later siblings (which must be childless too)."""
        row = self.by_code.pop(code)
        i = self.rows.index(row)
        del self.rows[i]
        for r in self.rows[i:]:
            if r[1] == row[1]:
                assert not any(x[1] == r[0] for x in self.rows), r[0]
                del self.by_code[r[0]]
                head, n = r[0].rsplit('.', 1)
                r[0] = f'{head}.{int(n) - 1}'
                self.by_code[r[0]] = r

    def children(self, code):
        return sum(1 for r in self.rows if r[1] == code)

    def child(self, parent, typ, grade, text):
        seg = str(self.children(parent) + 1)
        return self.add(parent + '.' + seg, parent, typ, grade, text)


def build(lines, trace=None):
    """Items from the lines; `trace`, if a list, receives (line, column, code) for every table cell line."""
    cols = find_columns(lines)
    B = Builder()
    headings = []            # dropped sub-headings, for the report
    dropped = []             # other dropped text
    grade = None
    strand = topic = unit = outcome = None
    mode = None              # 'table', 'comp', 'tn'
    pending = []             # (text, y) of formula lines not yet given to an outcome
    last_outcome = None
    last_para_y = None       # (page, y) of the previous full-width line
    no_dash = []             # rows of the outcomes that do not start with a "–"
    prev = {}                # column → (page, y0) of the previous line with text in it
    new_row = False

    def reset_cells():
        prev.clear()

    for ln in lines:
        B.page = ln.page
        t = norm(ln.text)
        if pending and not (mode == 'table' and ln.table and not is_caps(t)
                            and not t.startswith('Thực hành trong phòng máy tính')):
            B.append(last_outcome, ' '.join(t for t, _ in pending))    # a formula ending the table part
            pending = []
        if ln.kind == 'grade':
            grade = ln.grade
            B.add(f'{FW}.{grade}', '', 'grade', grade, f'Toán lớp {grade}')
            strand = topic = unit = outcome = None
            mode = None
            reset_cells()
            continue
        if ln.kind == 'cdhead':
            # "NỘI DUNG CHUYÊN ĐỀ LỚP 10: ỨNG DỤNG TOÁN HỌC VÀO GIẢI QUYẾT VẤN ĐỀ LIÊN MÔN VÀ THỰC TIỄN"
            strand = B.add(f'{FW}.{grade}.CD', f'{FW}.{grade}', 'strand', grade, ' '.join(ln.title))[0]
            topic = unit = outcome = None
            mode = 'table'
            reset_cells()
            continue
        if ln.x0 < 95 and is_caps(t) and t in STRANDS:
            code = STRANDS[t]
            strand = B.add(f'{FW}.{grade}.{code}', f'{FW}.{grade}', 'strand', grade, t)[0]
            topic = unit = outcome = None
            mode = 'tn' if code == 'TN' else 'table'
            reset_cells()
            continue
        assert not is_caps(t) or len(t) < 6, ('unknown capitals line', ln)
        if mode == 'table' and t.startswith('Thực hành trong phòng máy tính'):
            topic = B.child(strand, 'topic', grade, t)[0]
            unit = outcome = None
            mode = 'comp'
            continue
        if mode in ('comp', 'tn'):
            # full-width paragraphs
            para_y, last_para_y = last_para_y, (ln.page, ln.y0)
            if mode == 'tn' and re.match(r'Hoạt động \d', t):
                topic = B.child(strand, 'topic', grade, t)[0]
                outcome = None
            elif mode == 'tn' and t.startswith('Nhà trường tổ chức cho học sinh'):
                dropped.append((grade, t))
                outcome = 'DROP'
            elif (is_bullet(ln.words) or (mode == 'comp' and outcome is None)
                  or (outcome != 'DROP' and para_y and para_y[0] == ln.page and ln.y0 - para_y[1] > PARA_GAP)):
                # a "–" paragraph, or a paragraph without the dash (its extra space above shows it starts)
                text = t[1:].strip() if is_bullet(ln.words) else t
                outcome = B.child(topic, 'outcome', grade, text)[0]
            else:
                if outcome == 'DROP':
                    dropped[-1] = (grade, dropped[-1][1] + ' ' + t)
                elif outcome:
                    B.append(outcome, t)
                else:
                    B.append(topic, t)
            continue
        assert mode == 'table', ln
        c2, c3 = cols[(ln.page, ln.table)]
        p1, p2, p3 = split_cols(ln, c2, c3)

        def starts_cell(col, words):
            if col not in prev:
                return True
            page, y = prev[col]
            if page != ln.page:
                return starts_upper(words[0][4])
            return top(words) - y > GAP

        # a row spanning the table (sub-heading of the mạch, e.g. "Hình học trực quan"): text from the left margin,
        # nothing in the outcome column, no cell gap between the first and second column's text, and not
        # continuing a cell of the first column
        spans = p1 and p2 and p2[0][0] - max(w[2] for w in p1) < CELL_GAP
        if p1 and not p3 and (not p2 or spans) and starts_upper(p1[0][4]) and starts_cell(1, p1):
            headings.append((grade, strand, t))
            topic = unit = outcome = None
            reset_cells()
            continue
        if spans or (p2 and p3 and p3[0][0] - max(w[2] for w in p2) < CELL_GAP):
            raise SystemExit(f'unexpected line across the columns: {ln}')
        if p1:
            if starts_cell(1, p1):
                topic = B.child(strand, 'topic', grade, '')[0]
                unit = outcome = None
                new_row = True
                prev.pop(2, None)
            B.append(topic, ' '.join(w[4] for w in p1))
            prev[1] = (ln.page, top(p1))
            if trace is not None:
                trace.append((ln, 1, topic))
        if p2:
            if topic is None:
                raise SystemExit(f'unit text without a topic: {ln}')
            if starts_cell(2, p2) or unit is None:
                unit = B.child(topic, 'unit', grade, '')[0]
                outcome = None
                new_row = True
            B.append(unit, ' '.join(w[4] for w in p2))
            prev[2] = (ln.page, top(p2))
            if trace is not None:
                trace.append((ln, 2, unit))
        if p3:
            parent = unit or topic
            if parent is None:
                raise SystemExit(f'outcome without a parent: {ln}')
            text = ' '.join(w[4] for w in p3)
            y = top(p3)
            if p3[0][0] > c3 + 3 and not is_bullet(p3):
                # indented: a piece of a displayed formula (numerators, denominators, limits of stacked
                # expressions), never an outcome of its own; it goes with the nearer normal line
                pending.append((text, y))
                continue
            if pending and os.environ.get('EXTRACT_DEBUG'):
                print('formula pieces', [(t, round(y - yy, 1)) for t, yy in pending], 'before', text[:30], file=sys.stderr)
            # a piece within a line's height above the line is part of it (numerator, raised term); others end
            # the previous line (denominators, limits)
            near_prev = [t for t, yy in pending if y - yy >= ABOVE]
            after = [t for t, yy in pending if y - yy < ABOVE]
            if near_prev:
                B.append(last_outcome, ' '.join(near_prev))
            pending = []
            if is_bullet(p3):
                outcome = B.child(parent, 'outcome', grade, ' '.join(after + [text[1:].strip()]))[0]
                new_row = False
            elif new_row or outcome is None:
                outcome = B.child(parent, 'outcome', grade, ' '.join(after + [text]))[0]
                new_row = False
                no_dash.append(B.by_code[outcome])
            else:
                B.append(outcome, ' '.join(after + [text]))
            last_outcome = outcome
            prev[3] = (ln.page, top(p3))
            if trace is not None:
                trace.append((ln, 3, outcome))
    # "Củng cố và hoàn thiện các kĩ năng:" (lớp 5) introduces the "–" outcomes that follow it in the cell: it is
    # not an outcome itself
    for row in no_dash:
        if ' '.join(row[4]).rstrip().endswith(':') and B.children(row[1]) > 1:
            dropped.append((row[3], join(row[4])))
            B.drop_leaf(row[0])
    return B, headings, dropped


def finish(B):
    used = collections.Counter()
    rows = []
    for code, parent, typ, grade, parts, pages in B.rows:
        s = join(parts)
        for fragment, printed in FORMULAS:
            if fragment in s:
                s = printed
                used[fragment] += 1
        rows.append((code, parent, typ, grade, s, pages))
    for fragment, _ in FORMULAS:
        if used[fragment] != 1:
            raise SystemExit(f'formula override used {used[fragment]} times: {fragment!r}')
    # the grades and their strands (the legend of the strand codes) first, then the rest in the programme's order
    head = [r for r in rows if r[2] in ('grade', 'strand')]
    return head + [r for r in rows if r[2] not in ('grade', 'strand')]


TYPES = ['grade', 'strand', 'topic', 'unit', 'outcome']


def check(rows):
    problems = []
    seen = {}
    for code, parent, typ, grade, s, pages in rows:
        if not re.fullmatch(r'TOAN\.\d{1,2}(\.[A-Z0-9]+)*', code):
            problems.append(f'bad code {code}')
        if code in seen:
            problems.append(f'duplicate {code}')
        if typ == 'grade':
            if parent or code != f'TOAN.{grade}':
                problems.append(f'bad grade row {code}')
        else:
            if parent not in seen:
                problems.append(f'{code}: parent {parent} not earlier')
            else:
                pt, pg = seen[parent]
                if pg != grade:
                    problems.append(f'{code}: grade differs from parent')
                if TYPES.index(pt) >= TYPES.index(typ):
                    problems.append(f'{code}: {typ} under {pt}')
            if not code.startswith(parent + '.') or code.count('.') != parent.count('.') + 1:
                problems.append(f'{code}: does not extend {parent}')
        if not s:
            problems.append(f'{code}: empty statement')
        if unicodedata.normalize('NFC', s) != s:
            problems.append(f'{code}: not NFC')
        if re.search(r'[\ue000-\uf8ff]', s):
            problems.append(f'{code}: private-use character left: {s!r}')
        if re.search(r'Yêu cầu cần đạt|Nội dung\s+Yêu|Chuyên đề\s+Chủ đề', s):
            problems.append(f'{code}: table header inside: {s!r}')
        for pno in pages:
            # the printed page number of a page is its number in the PDF
            if re.search(r'(^|\s)%d(\s|$)' % pno, s):
                problems.append(f'{code}: contains the number of its page {pno}: {s!r}')
        if typ == 'outcome' and not re.search(r'[.:;)…]$', s):
            problems.append(f'{code}: outcome does not end a sentence (split?): {s!r}')
        if s.startswith('–') or s.startswith('-'):
            problems.append(f'{code}: leading dash')
        seen[code] = (typ, grade)
    return problems


def write(rows, out):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\n')
    w.writerow(['code', 'parent', 'type', 'grade', 'statement', 'statement_en', 'associations', 'status'])
    for code, parent, typ, grade, s, _ in rows:
        w.writerow([code, parent, typ, grade, s, '', '', ''])
    with open(out, 'w', encoding='utf-8', newline='') as f:
        f.write(buf.getvalue())


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('pdf', nargs='?', default=DEFAULT_PDF)
    ap.add_argument('out', nargs='?', default=DEFAULT_OUT)
    ap.add_argument('-v', '--verbose', action='store_true', help='list the text that is not made into items')
    args = ap.parse_args()
    lines = read_lines(pdf_words(args.pdf))
    B, headings, dropped = build(lines)
    rows = finish(B)
    problems = check(rows)
    for p in problems:
        print('PROBLEM', p, file=sys.stderr)
    if problems:
        raise SystemExit(f'{len(problems)} problems; nothing written')
    write(rows, args.out)
    counts = collections.Counter((r[3], r[2]) for r in rows)
    print(f'wrote {len(rows)} rows to {args.out}')
    print('grade ' + ' '.join(f'{t:>8}' for t in TYPES[1:]) + '   strands')
    for g in sorted({r[3] for r in rows}):
        strands = [r[0].split('.')[-1] for r in rows if r[2] == 'strand' and r[3] == g]
        print(f'{g:>5} ' + ' '.join(f'{counts[(g, t)]:>8}' for t in TYPES[1:]) + '   ' + ','.join(strands))
    print('total ' + ' '.join(f'{sum(counts[(g, t)] for g in range(1, 13)):>8}' for t in TYPES[1:]))
    print(f'not items: {len(headings)} sub-headings of a mạch, {len(dropped)} introductory sentences'
          + ('' if args.verbose else ' (-v lists them)'))
    if args.verbose:
        for g, s, t in headings:
            print(f'  sub-heading  lớp {g} {s}: {t}')
        for g, t in dropped:
            print(f'  introduction lớp {g}: {t}')


if __name__ == '__main__':
    main()
