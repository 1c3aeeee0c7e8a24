import Foundation
import HoclieuApp
import HoclieuCore

/// The HTML the LTI tool shows inside the LMS: error pages, the picker, the player frame and the
/// form that posts a deep-linking response back. Every value is escaped.
enum LTIPages {
    static func e(_ s: String) -> String { HTMLText.escape(s) }

    static func shell(_ title: String, _ body: String) -> String {
        """
        <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>\(e(title))</title>
        <style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:60rem}li{margin:.3rem 0}.en{color:#555}
        iframe{width:100%;height:80vh;border:1px solid #ccc}.error{border-left:4px solid #b00;padding:.5rem 1rem}</style></head>
        <body>\(body)</body></html>
        """
    }

    /// A refused login, launch or pick: the reason in Vietnamese and English and its code.
    static func error(vi: String, en: String, code: String) -> String {
        shell(
            "Không mở được học liệu / Cannot open the material",
            """
            <div class="error" role="alert"><h1>Không mở được học liệu</h1><p>\(e(vi))</p>
            <h2 class="en" lang="en">Cannot open the material</h2><p class="en" lang="en">\(e(en))</p>
            <p><small>Mã lỗi / Error code: <code>\(e(code))</code></small></p></div>
            """)
    }

    /// The picker: a search (with or without diacritics) and a multi-select of materials.
    static func picker(context: String, query: String, materials: [Material]) -> String {
        let rows = materials.map { m in
            """
            <li><label><input type="checkbox" name="pid" value="\(e(m.pid.rawValue))"> <strong>\(e(m.metadata.title))</strong>
            <small>(\(e(m.kind.rawValue)), \(e(m.pid.rawValue)) v\(m.currentVersion))</small></label></li>
            """
        }.joined(separator: "\n")
        return shell(
            "Chọn học liệu / Pick materials",
            """
            <h1>Chọn học liệu từ Hoclieu <span class="en" lang="en">/ Pick materials from Hoclieu</span></h1>
            <form method="post" action="/lti/deep-link">
            <input type="hidden" name="context" value="\(e(context))">
            <label>Tìm kiếm / Search <input type="search" name="q" value="\(e(query))"></label>
            <button name="action" value="search">Tìm / Search</button>
            <ul>\(rows.isEmpty ? "<li>Không có kết quả / No results</li>" : rows)</ul>
            <fieldset><legend>Phiên bản / Version</legend>
            <label><input type="radio" name="policy" value="latest" checked> Luôn dùng bản xuất bản mới nhất / Latest published</label>
            <label><input type="radio" name="policy" value="pinned"> Giữ đúng phiên bản này / This version</label></fieldset>
            <button name="action" value="select">Thêm vào khóa học / Add to course</button>
            </form>
            """)
    }

    /// The launched material in a frame, and, with an AGS line item, a way to post the score.
    static func player(link: LTIResolvedLink, location: String, scoreTicket: String?) -> String {
        let m = link.material
        var body = """
            <h1>\(e(m.metadata.title))</h1><p><small>\(e(m.pid.rawValue)) v\(link.version)</small></p>
            <iframe id="player" src="\(e(location))" title="\(e(m.metadata.title))"></iframe>
            """
        if let scoreTicket {
            body += """
                <form id="score" data-ticket="\(e(scoreTicket))"><label>Điểm / Score <input name="scoreGiven" type="number" min="0" step="any" required></label>
                / <input name="scoreMaximum" type="number" min="0" step="any" value="100" required>
                <button>Gửi điểm về LMS / Send the score to the LMS</button> <output id="status"></output></form>
                <script>
                const form = document.getElementById('score');
                async function send(given, max) {
                  const r = await fetch('/lti/score', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({ticket: form.dataset.ticket, scoreGiven: given, scoreMaximum: max})});
                  const j = await r.json().catch(() => ({}));
                  document.getElementById('status').textContent = j.status === 'posted' ? 'Đã gửi / Sent' : 'Chưa gửi được / Not sent: ' + (j.lastError || r.status);
                }
                form.addEventListener('submit', ev => { ev.preventDefault(); send(Number(form.scoreGiven.value), Number(form.scoreMaximum.value)); });
                window.addEventListener('message', ev => {
                  if (ev.source !== document.getElementById('player').contentWindow) return;
                  const d = ev.data || {};
                  if (d.type === 'hoclieu.score' && typeof d.scoreGiven === 'number' && typeof d.scoreMaximum === 'number') send(d.scoreGiven, d.scoreMaximum);
                });
                </script>
                """
        }
        return shell(m.metadata.title, body)
    }

    /// Posts the signed deep-linking response to the platform (at once with scripts, by a button without).
    static func autoPost(to url: String, jwt: String) -> String {
        shell(
            "Đang gửi / Sending",
            """
            <form id="dl" method="post" action="\(e(url))"><input type="hidden" name="JWT" value="\(e(jwt))">
            <noscript><button>Tiếp tục / Continue</button></noscript></form>
            <script>document.getElementById('dl').submit();</script>
            """)
    }
}
