import Foundation
import HoclieuCore
import Testing

@Suite("Rich text sanitiser")
struct QuestionRichTextTests {
    func clean(_ html: String) -> String { RichText(html).sanitised().html }

    @Test("Allowed markup, maths and LaTeX are kept")
    func kept() {
        #expect(clean("<p>Tính <b>x</b><sup>2</sup> + <i>y</i><sub>1</sub><br/>xong</p>") == "<p>Tính <b>x</b><sup>2</sup> + <i>y</i><sub>1</sub><br>xong</p>")
        #expect(clean("<ul><li>a</li><li><strong>b</strong></li></ul><ol><li><em>c</em></li></ol>") == "<ul><li>a</li><li><strong>b</strong></li></ul><ol><li><em>c</em></li></ol>")
        #expect(clean("<table><tr><th colspan=\"2\">T</th></tr><tr><td>1</td><td rowspan=\"x\">2</td></tr></table>") == "<table><tr><th colspan=\"2\">T</th></tr><tr><td>1</td><td>2</td></tr></table>")
        #expect(clean("Giải \\(x^2 - 1 = 0\\) và $a < b$ hay \\[\\frac{1}{2}\\]") == "Giải \\(x^2 - 1 = 0\\) và $a &lt; b$ hay \\[\\frac{1}{2}\\]")
        let mathML = "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><mfrac><mi>a</mi><mn>2</mn></mfrac><mo stretchy=\"false\">)</mo></math>"
        #expect(clean(mathML) == mathML)
        #expect(clean("<img src=\"@@PLUGINFILE@@/h%C3%ACnh.png\" alt=\"Hình 1\" width=\"50\">") == "<img src=\"@@PLUGINFILE@@/h%C3%ACnh.png\" alt=\"Hình 1\">")
        #expect(clean("<a href=\"https://moet.gov.vn/\" target=\"_blank\">Bộ GD&amp;ĐT</a>") == "<a href=\"https://moet.gov.vn/\">Bộ GD&amp;ĐT</a>")
        #expect(clean("<span style=\"color:red\" class=\"x\">đỏ</span>") == "<span>đỏ</span>")
        #expect(RichText("<b>x</b>", format: .plain).sanitised().html == "<b>x</b>")
    }

    @Test("Hostile markup is removed", arguments: [
        ("<script>alert(1)</script>ok", "ok"),
        ("<SCRIPT SRC=//evil/x.js></SCRIPT>ok", "ok"),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
        ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("<img src=\"javascript:alert(1)\">", "<img>"),
        ("<img src=\"jav&#x09;ascript:alert(1)\">", "<img>"),
        ("<img src=\" JaVaScRiPt:alert(1)\">", "<img>"),
        ("<img src=\"data:text/html;base64,PHNjcmlwdD4=\">", "<img>"),
        ("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "<img>"),
        ("<img src=\"data:image/png;base64,iVBORw0=\">", "<img src=\"data:image/png;base64,iVBORw0=\">"),
        ("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"vbscript:msgbox\">x</a>", "<a>x</a>"),
        ("<a href=\"/relative\">x</a>", "<a>x</a>"),
        ("<a href='http://a.vn/?q=\"><script>'>x</a>", "<a href=\"http://a.vn/?q=&quot;&gt;&lt;script&gt;\">x</a>"),
        ("<p onclick=\"x()\" onmouseover='y()'>t</p>", "<p>t</p>"),
        ("<iframe src=\"http://evil\"></iframe>t", "t"),
        ("<object data=x><param name=a></object>t", "t"),
        ("<embed src=x>t", "t"),
        ("<style>body{display:none}</style>t", "t"),
        ("<svg><script>alert(1)</script></svg>t", "t"),
        ("<svg onload=alert(1)>t", ""),
        ("<math><annotation-xml encoding=\"text/html\"><script>alert(1)</script></annotation-xml></math>", "<math></math>"),
        ("<math><mi href=\"javascript:alert(1)\">x</mi></math>", "<math><mi>x</mi></math>"),
        ("<!--<script>alert(1)</script>-->t", "t"),
        ("<![CDATA[<script>]]>t", "]]&gt;t"),
        ("<!DOCTYPE html>t", "t"),
        ("<?php echo 1 ?>t", "t"),
        ("<img src=x alt=\"a\" onerror=\"b\"", ""),
        ("<b>unclosed <i>tags", "<b>unclosed <i>tags</i></b>"),
        ("</p></b>stray", "stray"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("<p>x</p\n><p/onclick=alert(1)>y</p>", "<p>x</p><p>y</p>"),
        ("<textarea><img src=x onerror=alert(1)></textarea>t", "t"),
        ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>t", "<img src=\"x\">\"&gt;t"),
        ("<form><button formaction=javascript:alert(1)>x</button></form>t", "t"),
        ("<base href=\"http://evil/\">t", "t"),
        ("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">t", "t"),
        ("<<script>script>alert(1)<</script>/script>", "&lt;/script&gt;"),
    ])
    func hostile(input: String, expected: String) {
        let output = clean(input)
        #expect(output == expected)
        let lowered = output.lowercased()
        #expect(!lowered.contains("<script"))
        #expect(!lowered.contains("javascript:"))
        #expect(!lowered.contains("onerror="))
        #expect(!lowered.contains("onclick="))
        #expect(!lowered.contains("<iframe"))
    }

    @Test("Deep nesting and long hostile input stay linear")
    func deepNesting() {
        let depth = 50_000
        let input = String(repeating: "<b>", count: depth) + "x" + String(repeating: "</i>", count: depth) + String(repeating: "</b>", count: depth)
        let clock = ContinuousClock()
        let start = clock.now
        let output = clean(input)
        #expect(clock.now - start < .seconds(5))
        #expect(output == String(repeating: "<b>", count: 64) + "x" + String(repeating: "</b>", count: 64))
        let comments = String(repeating: "<!--", count: 20_000) + String(repeating: "<script>", count: 20_000)
        #expect(clean(comments) == "")
    }

    @Test("Sanitising is idempotent on its own output")
    func idempotent() {
        for input in ["<p>a<b>b</p>c", "<img src=x onerror=y><a href=http://x>y", "<math><mi>x</mi>", "a<b", "&lt;script&gt;"] {
            let once = clean(input)
            #expect(clean(once) == once)
        }
    }

    @Test("Plain text of HTML")
    func plainText() {
        #expect(RichText("<p>Phân&nbsp;số &lt;1&gt;</p><p>hai</p>").plainText == " Phân\u{A0}số <1>  hai ")
        #expect(RichText("<p> <br/> </p>").isEmpty)
        #expect(!RichText("<img src=x>").plainText.contains("img"))
        #expect(HTMLText.escape("<a href=\"x\">&") == "&lt;a href=&quot;x&quot;&gt;&amp;")
        #expect(HTMLText.decodeEntities("&#7841;&#x1EA1;&amp;&bogus;") == "ạạ&&bogus;")
    }
}
