#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (Fuzz/Corpus/<Target>/). Every seed is made here, by hand:
small, deterministic (fixed ZIP timestamps), and covering the forms each reader knows. Rerun after
changing a seed; commit the files it writes."""
import io, os, struct, zipfile, zlib

ROOT = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def zip_of(files, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def zip64_one(name, content):
    """A stored one-entry archive with every size and offset in ZIP64 records."""
    name = name.encode()
    crc = zlib.crc32(content)
    out = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0x800, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), 20)
    out += name + struct.pack("<HHQQ", 1, 16, len(content), len(content)) + content
    directory = len(out)
    out += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0x800, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), 28, 0, 0, 0, 0, 0xFFFFFFFF)
    out += name + struct.pack("<HHQQQ", 1, 24, len(content), len(content), 0)
    size = len(out) - directory
    record = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, size, directory)
    out += struct.pack("<IIQI", 0x07064B50, 0, record, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return out


PAGE = b"<html><head><title>Bai 1</title></head><body><p>Phan so</p></body></html>"

# --- FuzzZip: archives -----------------------------------------------------------------------------
SCORM12 = b"""<?xml version="1.0"?>
<manifest identifier="M" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
<organizations default="O"><organization identifier="O"><title>Bai 1</title>
<item identifier="I1" identifierref="R1"><title>Trang 1</title></item></organization></organizations>
<resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""
H5P = b'{"title":"Keo tha","mainLibrary":"H5P.DragText","language":"vi","preloadedDependencies":[{"machineName":"H5P.DragText","majorVersion":1,"minorVersion":10}]}'
LIBRARY = b'{"title":"Drag Text","machineName":"H5P.DragText","majorVersion":1,"minorVersion":10,"patchVersion":3,"runnable":1,"preloadedJs":[{"path":"drag.js"}]}'

write("FuzzZip", "stored.zip", zip_of([("index.html", PAGE), ("notes.txt", b"x")]))
write("FuzzZip", "deflated.zip", zip_of([("lesson/index.html", PAGE * 4), ("lesson/app.js", b"console.log(1)")], zipfile.ZIP_DEFLATED))
write("FuzzZip", "zip64.zip", zip64_one("index.html", PAGE))
write("FuzzZip", "scorm12.zip", zip_of([("imsmanifest.xml", SCORM12), ("index.html", PAGE)], zipfile.ZIP_DEFLATED))
write("FuzzZip", "h5p.zip", zip_of([("h5p.json", H5P), ("content/content.json", b'{"text":"*a*"}'),
                                     ("H5P.DragText-1.10/library.json", LIBRARY), ("H5P.DragText-1.10/drag.js", b"1")]))
write("FuzzZip", "geogebra.zip", zip_of([("geogebra.xml", b"<geogebra/>")]))
write("FuzzZip", "empty.zip", struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0, 0, 0, 0, 0))

# --- FuzzManifest: imsmanifest.xml, then @@@ parts ------------------------------------------------
CC13 = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
CC11 = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"


def cc_manifest(ns, version, organisation, resources):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="M1" xmlns="{ns}">
<metadata><schema>IMS Common Cartridge</schema><schemaversion>{version}</schemaversion></metadata>
<organizations>{organisation}</organizations>
<resources>{resources}</resources>
</manifest>"""


ORG = """<organization identifier="O" structure="rooted-hierarchy"><item identifier="root">
<item identifier="I1"><title>Chuong 1</title><item identifier="I2" identifierref="R1"><title>Bai 1</title></item>
<item identifier="I3" identifierref="R2"><title>Lien ket</title></item></item></item></organization>"""
LINK13 = '<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"><title>Trang</title><url href="https://example.org/a"/></webLink>'
TOPIC13 = '<topic xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3"><title>Thao luan</title><text texttype="text/html">&lt;p&gt;Hi&lt;/p&gt;</text></topic>'
QTI = """<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2"><assessment ident="A" title="Kiem tra"><section ident="S">
<item ident="Q1" title="Cau 1"><presentation><material><mattext texttype="text/html">1 + 1 = ?</mattext></material>
<response_lid ident="r" rcardinality="Single"><render_choice><response_label ident="a"><material><mattext>2</mattext></material></response_label>
<response_label ident="b"><material><mattext>3</mattext></material></response_label></render_choice></response_lid></presentation>
<resprocessing><outcomes><decvar varname="SCORE" vartype="Decimal"/></outcomes><respcondition><conditionvar><varequal respident="r">a</varequal></conditionvar>
<setvar varname="SCORE" action="Set">100</setvar></respcondition></resprocessing></item></section></assessment></questestinterop>"""

web13 = cc_manifest(CC13, "1.3.0", ORG, """
<resource identifier="R1" type="webcontent" href="pages/bai1.html"><file href="pages/bai1.html"/><dependency identifierref="R3"/></resource>
<resource identifier="R2" type="imswl_xmlv1p3"><file href="link.xml"/></resource>
<resource identifier="R3" type="webcontent"><file href="img/a.png"/></resource>""")
write("FuzzManifest", "cc13-web.txt", web13 + "\n@@@ pages/bai1.html\n" + PAGE.decode() + "\n@@@ link.xml\n" + LINK13 + "\n@@@ img/a.png\n\x89PNG")
write("FuzzManifest", "cc13-topic-qti.txt", cc_manifest(CC13, "1.3.0", "", """
<resource identifier="T1" type="imsdt_xmlv1p3"><file href="topic.xml"/></resource>
<resource identifier="Q1" type="imsqti_xmlv1p2/imscc_xmlv1p3/assessment"><file href="q/assessment.xml"/></resource>""")
      + "\n@@@ topic.xml\n" + TOPIC13 + "\n@@@ q/assessment.xml\n" + QTI)
write("FuzzManifest", "cc11-web.txt", cc_manifest(CC11, "1.1.0", ORG.replace('identifierref="R2"', 'identifierref="R1"'), """
<resource identifier="R1" type="webcontent" href="a.html"><file href="a.html"/></resource>""") + "\n@@@ a.html\n" + PAGE.decode())
write("FuzzManifest", "ims-cp.txt", """<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><organizations/>
<resources><resource identifier="R" type="webcontent" href="a.html"><file href="a.html"/></resource></resources></manifest>
@@@ a.html
<p>x</p>""")
write("FuzzManifest", "cartridge.zip", zip_of([("imsmanifest.xml", web13.encode()), ("pages/bai1.html", PAGE), ("link.xml", LINK13.encode())],
                                              zipfile.ZIP_DEFLATED))

# --- FuzzGIFT: GIFT text ----------------------------------------------------------------------------
write("FuzzGIFT", "choice.gift", "// [id:Q1] [tag:toan]\n::Cau 1:: Thu do cua Viet Nam la {=Ha Noi ~Hue #Sai ~%50%Sai Gon}\n")
write("FuzzGIFT", "kinds.gift", """$CATEGORY: $course$/Toan/Lop 6

::TF::[html]<p>2 &gt; 1</p>{T#sai#dung}

::Num:: Pi? {#3.14:0.01}

::Range:: Mot so tu 1 den 2 {#1..2}

::Short:: Thu do? {=Ha Noi =%50%HN}

::Match:: Ghep {=a -> 1 =b -> 2 = -> 3}

::Essay:: Viet mot doan van {}

Con meo {~cho =meo} keo ####tong quat

::Multi:: Chon hai {~%50%a ~%50%b ~%-100%c}

Mo ta khong co dap an
""")
write("FuzzGIFT", "escapes.gift", "::E\\:1:: a \\{b\\} \\= \\~ \\# \\\\ \\n {=x\\=y ~z}\n\n[markdown]**dam** {=a}\n")
write("FuzzGIFT", "cp1252.gift", b"::T:: caf\xe9 {=\xe0 ~b}\n")

# --- FuzzDocx: word/document.xml, then @@@ parts ---------------------------------------------------
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'


def para(*runs, numbered=False):
    props = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>' if numbered else ""
    return "<w:p>" + props + "".join(runs) + "</w:p>"


def run(text, props=""):
    return f'<w:r>{"<w:rPr>" + props + "</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def document(*paragraphs):
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>' + "".join(paragraphs) + "</w:body></w:document>"


write("FuzzDocx", "choice.xml", document(
    para(run("Câu 1. "), run("Thủ đô của Việt Nam là")),
    para(run("A. Huế"), "<w:r><w:tab/></w:r>", run("B.", '<w:u w:val="single"/>'), run(" Hà Nội")),
    para(run("C. Đà Nẵng\tD. ", ""), run("Cần Thơ", '<w:color w:val="FF0000"/>')),
    para(run("Câu 2: Số nào lớn nhất?")),
    para(run("*A. 9")), para(run("B. 3")),
    para(run("Lời giải: 9 > 3")),
))
write("FuzzDocx", "exam2025.xml", document(
    para(run("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn")),
    para(run("Câu 1. 1 + 1 = ?")), para(run("A. 1\tB. 2\tC. 3\tD. 4")),
    para(run("PHẦN II. Câu trắc nghiệm đúng sai")),
    para(run("Câu 1. Xét các mệnh đề")), para(run("a) 2 là số chẵn (Đ)")), para(run("b) 3 là số chẵn (S)")),
    para(run("c) 0 là số tự nhiên Đ")), para(run("d) 1 là số nguyên tố S")),
    para(run("PHẦN III. Câu trắc nghiệm trả lời ngắn")),
    para(run("Câu 1. Tính 0,5 + 1")), para(run("Đáp số: 1,5")),
    para(run("HẾT")), para(run("ĐÁP ÁN")), para(run("1-B")),
    '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>',
))
write("FuzzDocx", "numbering-math.txt", document(
    para(run("Giá trị của biểu thức"), '<m:oMath><m:f><m:num><m:r><m:t>1</m:t></m:r></m:num><m:den><m:r><m:t>2</m:t></m:r></m:den></m:f></m:oMath>', numbered=True),
    para(run("A. 0,5")), para(run("B. 2", "<w:b/>")),
    para(run("Ñoù laø caâu hoûi", '<w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/>'), numbered=True),
    para(run("A. x")), para(run("B. y", '<w:highlight w:val="yellow"/>')),
) + "\n@@@ word/numbering.xml\n" + f"""<w:numbering {W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>
<w:numFmt w:val="decimal"/><w:lvlText w:val="Câu %1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>""")
write("FuzzDocx", "whole.docx", zip_of([
    ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    ("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
    ("word/document.xml", document(para(run("Câu 1. Chọn")), para(run("*A. a")), para(run("B. b"))).encode()),
], zipfile.ZIP_DEFLATED))

# --- FuzzRange: Range header values -----------------------------------------------------------------
for name, header in [("first-last", "bytes=0-99"), ("open", "bytes=900-"), ("suffix", "bytes=-10"), ("largest", "bytes=0-18446744073709551615"),
                     ("beyond-uint64", "bytes=-99999999999999999999999"), ("multi", "bytes=0-1, 5-9"), ("spaces", " bytes = 10 - 19 "),
                     ("inverted", "bytes=5-1"), ("unit", "items=0-1")]:
    write("FuzzRange", name + ".txt", header)
