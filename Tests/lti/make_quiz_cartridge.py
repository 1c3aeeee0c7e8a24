"""Writes a small IMS Common Cartridge 1.1 with one QTI 1.2 assessment of two multiple-choice questions
(the right answers are B and A), for the LTI end-to-end question-set launch. Usage: make_quiz_cartridge.py OUT.imscc"""
import sys
import zipfile

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="M_quiz" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
  xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion>
    <lomimscc:lom><lomimscc:general><lomimscc:title><lomimscc:string language="vi">Kiểm tra LTI</lomimscc:string></lomimscc:title></lomimscc:general></lomimscc:lom>
  </metadata>
  <organizations><organization identifier="O_1" structure="rooted-hierarchy"><item identifier="I_root">
    <item identifier="I_quiz" identifierref="R_quiz"><title>Kiểm tra phân số</title></item>
  </item></organization></organizations>
  <resources>
    <resource identifier="R_quiz" type="imsqti_xmlv1p2/imscc_xmlv1p1/assessment"><file href="R_quiz/assessment.xml"/></resource>
  </resources>
</manifest>
"""


def item(ident, stem, right):
    labels = "".join(
        f'<response_label ident="{k}"><material><mattext texttype="text/plain">{t}</mattext></material></response_label>'
        for k, t in [("A", "1/2"), ("B", "2/4 rút gọn là 1/2"), ("C", "3/4")]
    )
    return f"""<item ident="{ident}" title="{ident}">
  <itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>cc_profile</fieldlabel><fieldentry>cc.multiple_choice.v0p1</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>
  <presentation><material><mattext texttype="text/plain">{stem}</mattext></material>
    <response_lid ident="response1" rcardinality="Single"><render_choice>{labels}</render_choice></response_lid></presentation>
  <resprocessing><outcomes><decvar varname="SCORE" vartype="Decimal" minvalue="0" maxvalue="100"/></outcomes>
    <respcondition continue="No"><conditionvar><varequal respident="response1">{right}</varequal></conditionvar>
      <setvar varname="SCORE" action="Set">100</setvar></respcondition></resprocessing>
</item>"""


ASSESSMENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="A_quiz" title="Kiểm tra phân số">
    <qtimetadata><qtimetadatafield><fieldlabel>cc_profile</fieldlabel><fieldentry>cc.exam.v0p1</fieldentry></qtimetadatafield></qtimetadata>
    <section ident="S_1">
{item("Q1", "Phân số nào bằng 1/2 sau khi rút gọn 2/4?", "B")}
{item("Q2", "Một nửa viết là?", "A")}
    </section>
  </assessment>
</questestinterop>
"""

with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("imsmanifest.xml", MANIFEST)
    z.writestr("R_quiz/assessment.xml", ASSESSMENT)
