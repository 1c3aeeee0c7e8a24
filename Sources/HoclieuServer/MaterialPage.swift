import Foundation
import HoclieuCore

/// The HTML page a PID resolves to (`/id/{pid}` for a browser): what a teacher shares and an LMS links
/// to. Title, kind, subjects, grades, catalogue units, licence, authors, school, the PID with a copy
/// button and a citation line, the versions, the player embedded from the content origin, the
/// package's warnings, download and "use in my LMS". Styled like `Public/` (same palette, system
/// fonts), self-contained, phone-sized first. Every value is HTML-escaped.
enum MaterialPage {
    /// What the page shows, decided by the controller (access already checked).
    struct Model {
        var material: Material
        /// The version shown (the one asked for, else the newest the viewer may see).
        var version: MaterialVersion?
        var versions: [MaterialVersion]
        /// The address of this page (`/id/{pid}` or `/id/{pid}@v{n}`).
        var selfPath: String
        /// The main origin's public address, for absolute links (Open Graph, citation).
        var publicBaseURL: String
        /// The player on the content origin, when the version has something to play.
        var playerURL: String?
        /// The content origin (`scheme://host[:port]`): the only sender whose messages (xAPI statements,
        /// SCORM calls) the page accepts.
        var contentOrigin: String = ""
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// The licence's label and, for Creative Commons licences, the address of its deed.
    static func licence(_ code: String?) -> (label: String, url: String?) {
        guard let code, !code.isEmpty else { return ("Chưa ghi giấy phép / No licence stated", nil) }
        let lower = code.lowercased().replacingOccurrences(of: "_", with: "-")
        let parts = lower.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
        guard parts.first == "cc" else { return (code, nil) }
        if parts.count >= 2, parts[1] == "0" || parts[1] == "zero" { return (code, "https://creativecommons.org/publicdomain/zero/1.0/") }
        let elements = parts.dropFirst().filter { ["by", "sa", "nc", "nd"].contains($0) }
        let version = parts.last(where: { $0.first?.isNumber == true }) ?? "4.0"
        guard !elements.isEmpty else { return (code, nil) }
        return (code, "https://creativecommons.org/licenses/\(elements.joined(separator: "-"))/\(version)/")
    }

    static let style = """
        :root{--ink:#1b2430;--ink-soft:#4a5565;--paper:#fff;--page:#f4f6f9;--line:#d5dbe3;--brand:#0b5394;--brand-tint:#e6f0fa;\
        --warn:#7a4b00;--warn-tint:#fff6e0;--radius:8px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;\
        line-height:1.5;color:var(--ink);background:var(--page)}
        *,*::before,*::after{box-sizing:border-box}body{margin:0}
        header.site{background:var(--brand);color:#fff;padding:.6rem 1.25rem}header.site a{color:#fff;font-weight:700;text-decoration:none}
        main{max-width:76rem;margin:0 auto;padding:1rem 1.25rem 2.5rem}
        h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
        .kind{display:inline-block;background:var(--brand-tint);color:var(--brand);border-radius:999px;padding:.1rem .7rem;font-size:.9rem}
        .layout{display:grid;grid-template-columns:minmax(0,2fr) minmax(16rem,1fr);gap:1.25rem;align-items:start}
        .card{background:var(--paper);border:1px solid var(--line);border-radius:var(--radius);padding:1rem;box-shadow:0 1px 2px rgba(16,24,40,.08)}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem .9rem;margin:0}dt{color:var(--ink-soft)}dd{margin:0}
        .player{width:100%;height:70vh;min-height:24rem;border:1px solid var(--line);border-radius:var(--radius);background:#fff}
        .pid{font-family:ui-monospace,monospace;word-break:break-all}
        button,.button{font:inherit;background:var(--brand);color:#fff;border:0;border-radius:var(--radius);padding:.45rem .9rem;\
        cursor:pointer;text-decoration:none;display:inline-block}
        .button.secondary{background:var(--brand-tint);color:var(--brand)}
        .warn{background:var(--warn-tint);color:var(--warn);border-radius:var(--radius);padding:.5rem 1rem}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:.3rem .4rem;text-align:left;font-size:.95rem}
        .citation{font-size:.92rem;color:var(--ink-soft)}.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}
        .cc{display:inline-block;border:2px solid currentColor;border-radius:50%;font:700 .7rem/1.1rem sans-serif;width:1.3rem;\
        height:1.3rem;text-align:center;vertical-align:middle}
        h3{font-size:1rem;margin:1rem 0 .3rem}#lti-urls{grid-template-columns:1fr;gap:.1rem}#lti-urls dd{margin-bottom:.4rem}\
        code{overflow-wrap:anywhere}
        a{color:var(--brand)}:focus-visible{outline:3px solid #b45309;outline-offset:2px}
        @media (max-width:760px){.layout{grid-template-columns:1fr}.player{height:60vh;min-height:18rem}dl{grid-template-columns:1fr}\
        dt{font-weight:600;margin-top:.4rem}main{padding:.75rem}h1{font-size:1.35rem}}
        """

    /// "Use in my LMS": a Common Cartridge of this material for Moodle or Canvas (an export job, run
    /// with the visitor's session of the web UI, so the access policy decides), the LTI 1.3 tool's
    /// addresses for deep linking, and the share link.
    static func lmsSection(_ model: Model, absolute: String) -> String {
        let base = escape(model.publicBaseURL)
        let pid = escape(model.material.pid.rawValue)
        return """
            <section id="lms" aria-labelledby="lms-title"><h2 id="lms-title">Dùng trong LMS / Use in my LMS</h2>
            <h3>Gói Common Cartridge / A Common Cartridge</h3>
            <p class="citation">Tải gói rồi nhập vào khoá học (Moodle: Quản trị khoá học → Khôi phục; Canvas: Cài đặt → Nhập nội dung). / \
            Download it, then import it into a course (Moodle: Course administration → Restore; Canvas: Settings → Import course content).</p>
            <div class="actions"><button type="button" class="cartridge" data-format="cc1.1" data-target="moodle">Moodle (CC 1.1)</button>\
            <button type="button" class="cartridge" data-format="cc1.3" data-target="canvas">Canvas (CC 1.3)</button></div>
            <p class="citation" id="cartridge-status" role="status"></p>
            <h3>LTI 1.3 (Deep Linking)</h3>
            <p class="citation">Quản trị viên đăng ký LMS một lần (<code>hoclieu lti add-platform</code>, xem <code>Connectors/</code>) với các địa chỉ sau; \
            giáo viên thêm «Hoclieu» như một hoạt động, tìm mã <code>\(pid)</code> trong trang chọn và chèn. / \
            An administrator registers the LMS once with these addresses; teachers then add Hoclieu as an activity, search for \
            <code>\(pid)</code> in the picker and insert it.</p>
            <dl id="lti-urls"><dt>Đăng nhập / Login (OIDC)</dt><dd><code>\(base)/lti/login</code></dd>\
            <dt>Khởi chạy / Launch, Deep Linking</dt><dd><code>\(base)/lti/launch</code></dd>\
            <dt>Khoá công khai / Public keys (JWKS)</dt><dd><code>\(base)/lti/jwks</code></dd></dl>
            <h3>Liên kết chia sẻ / Share link</h3>
            <p class="pid" id="share-url"><a href="\(escape(model.selfPath))">\(escape(absolute))</a></p>
            </section>
            """
    }

    /// The page's script: statements from the embedded player (accepted from the content origin only),
    /// and the cartridge export with the web UI's session (`sessionStorage`, never sent to the content origin).
    static func pageScript(_ model: Model) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // JSON string literals for the script; `<` escaped so no value can close the script element.
        func literal(_ value: String) -> String {
            ((try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "\"\"").replacingOccurrences(of: "<", with: "\\u003c")
        }
        let origin = literal(model.contentOrigin)
        let pid = literal(model.material.pid.rawValue)
        return """
            (function () {
              var contentOrigin = \(origin), pid = \(pid);
              var results = document.getElementById("results");
              window.addEventListener("message", function (event) {
                if (event.origin !== contentOrigin || !results || !event.data || !event.data.hoclieuXAPI) return;
                var statement = event.data.hoclieuXAPI, id = (statement.verb && statement.verb.id) || "";
                var verb = id.slice(id.lastIndexOf("/") + 1), score = statement.result && statement.result.score;
                var li = document.createElement("li");
                li.dataset.verb = verb;
                li.textContent = verb + (score ? " " + score.raw + "/" + score.max : "");
                results.appendChild(li);
                document.getElementById("results-box").open = true;
              });
              var status = document.getElementById("cartridge-status");
              function session() {
                try { return JSON.parse(sessionStorage.getItem("hoclieu.session") || "null"); } catch (e) { return null; }
              }
              function call(method, path, body, token) {
                return fetch(path, { method: method, headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
                  body: body ? JSON.stringify(body) : undefined });
              }
              Array.prototype.forEach.call(document.querySelectorAll("button.cartridge"), function (button) {
                button.addEventListener("click", function () {
                  var s = session();
                  if (!s || !s.token) {
                    status.innerHTML = 'Hãy <a href="/">đăng nhập</a> rồi mở lại trang này để xuất gói. / <a href="/">Sign in</a>, then come back to export.';
                    return;
                  }
                  status.textContent = "Đang xuất… / Exporting…";
                  call("POST", "/api/v1/exports", { format: button.dataset.format, target: button.dataset.target, pids: [pid] }, s.token)
                    .then(function (r) { return r.json().then(function (job) { if (!r.ok) throw new Error(job.detail || job.title || r.status); return job; }); })
                    .then(function wait(job) {
                      if (job.status === "succeeded") return call("GET", "/api/v1/exports/" + job.id + "/file", null, s.token);
                      if (job.status === "failed" || job.status === "cancelled") throw new Error(job.error || job.status);
                      return new Promise(function (r) { setTimeout(r, 500); })
                        .then(function () { return call("GET", "/api/v1/exports/" + job.id, null, s.token); })
                        .then(function (r) { return r.json(); }).then(wait);
                    })
                    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.blob(); })
                    .then(function (blob) {
                      var a = document.createElement("a");
                      a.href = URL.createObjectURL(blob);
                      a.download = pid + "-" + button.dataset.target + ".imscc";
                      document.body.appendChild(a);
                      a.click();
                      status.textContent = "Đã tải gói / Cartridge downloaded (" + blob.size + " bytes)";
                      status.dataset.bytes = String(blob.size);
                    })
                    .catch(function (e) { status.textContent = "Không xuất được / Export failed: " + e.message; });
                });
              });
            })();
            """
    }

    static func render(_ model: Model) -> String {
        let m = model.material
        let meta = m.metadata
        let title = escape(meta.title)
        let pid = m.pid.rawValue
        let absolute = model.publicBaseURL + model.selfPath
        let licence = licence(meta.licence)
        let year = Calendar(identifier: .gregorian).component(.year, from: m.createdAt)
        var citation = meta.authors.isEmpty ? "" : meta.authors.joined(separator: ", ") + " (\(year)). "
        citation += meta.title + ". "
        if let school = meta.school { citation += school + ". " }
        citation += "Hoclieu, PID " + pid
        if let version = model.version { citation += "@v\(version.number)" }
        citation += ". " + absolute

        var rows: [(String, String)] = [
            ("Loại / Kind", escape(m.kind.rawValue)),
            ("Môn / Subjects", meta.subjects.isEmpty ? "—" : meta.subjects.map(escape).joined(separator: ", ")),
            ("Lớp / Grades", meta.grades.isEmpty ? "—" : meta.grades.map(String.init).joined(separator: ", ")),
        ]
        if !meta.knowledgeUnits.isEmpty {
            rows.append((
                "Đơn vị kiến thức / Catalogue units",
                meta.knowledgeUnits.map {
                    "<a href=\"/api/v1/catalog/items/\(escape($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? $0))\">\(escape($0))</a>"
                }.joined(separator: ", ")))
        }
        rows.append((
            "Giấy phép / Licence",
            licence.url.map { "<a rel=\"license\" href=\"\(escape($0))\"><span class=\"cc\" aria-hidden=\"true\">cc</span> \(escape(licence.label))</a>" }
                ?? escape(licence.label)))
        rows.append(("Tác giả / Authors", meta.authors.isEmpty ? "—" : meta.authors.map(escape).joined(separator: ", ")))
        if let school = meta.school { rows.append(("Trường / School", escape(school))) }
        if !meta.language.isEmpty { rows.append(("Ngôn ngữ / Language", escape(meta.language))) }
        rows.append(("Trạng thái / Status", escape(m.status.rawValue)))
        let details = rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined()

        let version = model.version
        var player = ""
        if let url = model.playerURL {
            player = """
                <section aria-labelledby="play"><h2 id="play">Xem / Play</h2>
                <iframe class="player" id="player" src="\(escape(url))" title="\(title)" allow="fullscreen; autoplay" allowfullscreen \
                referrerpolicy="no-referrer"></iframe>
                <p class="citation">Nội dung chạy trên một nguồn riêng, không truy cập được tài khoản của bạn. / \
                The content plays from a separate origin that cannot reach your account.</p>
                <details id="results-box"><summary>Kết quả của hoạt động (xAPI) / The activity's results (xAPI)</summary>\
                <ol id="results" aria-live="polite"></ol></details></section>
                """
        } else if m.kind == .link, let link = m.url, link.hasPrefix("https://") || link.hasPrefix("http://") {
            player = "<p><a class=\"button\" rel=\"noopener noreferrer\" href=\"\(escape(link))\">Mở liên kết / Open link</a></p>"
        }
        let warnings = version?.package?.warnings ?? []
        let warningBlock = warnings.isEmpty ? "" : """
            <section class="warn" aria-labelledby="warnings"><h2 id="warnings">Cảnh báo của gói / Package warnings</h2>\
            <ul>\(warnings.map { "<li>\(escape($0))</li>" }.joined())</ul></section>
            """
        let download = version.map { v in
            "<a class=\"button\" href=\"/api/v1/materials/\(escape(pid))/versions/\(v.number)/file\" download>Tải về / Download (\(escape(v.fileName)), \(ByteCountFormatter.string(fromByteCount: v.byteSize, countStyle: .file)))</a>"
        } ?? ""
        let versionRows = model.versions.reversed().map { v in
            let date = ISO8601DateFormatter().string(from: v.createdAt).prefix(10)
            let current = v.number == version?.number ? " aria-current=\"true\"" : ""
            return "<tr\(current)><td><a href=\"/id/\(escape(pid))@v\(v.number)\">v\(v.number)</a></td><td>\(escape(v.fileName))</td>"
                + "<td>\(escape(v.package?.kind ?? v.mediaType))</td><td>\(date)</td></tr>"
        }.joined()
        let description = meta.description.isEmpty ? "" : "<p>\(escape(meta.description))</p>"
        let ogDescription = String(meta.description.prefix(300))

        return """
            <!doctype html><html lang="vi"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Hoclieu</title>
            <link rel="alternate" type="application/json" href="\(escape(model.selfPath))">
            <link rel="canonical" href="\(escape(absolute))">
            <meta property="og:type" content="website"><meta property="og:title" content="\(title)">
            <meta property="og:description" content="\(escape(ogDescription.isEmpty ? "Học liệu \(pid)" : ogDescription))">
            <meta property="og:url" content="\(escape(absolute))"><meta property="og:site_name" content="Hoclieu">
            <meta property="og:locale" content="vi_VN">\(version?.thumbnail != nil ? "<meta property=\"og:image\" content=\"\(escape(model.publicBaseURL))/api/v1/materials/\(escape(pid))/versions/\(version!.number)/thumbnail\">" : "")
            <style>\(style)</style></head>
            <body><header class="site"><a href="/">Hoclieu</a></header>
            <main id="material" data-pid="\(escape(pid))">
            <p><span class="kind">\(escape(m.kind.rawValue))</span></p>
            <h1>\(title)</h1>\(description)
            <div class="layout"><div>\(player)\(warningBlock)
            <section aria-labelledby="versions"><h2 id="versions">Phiên bản / Versions</h2>
            \(versionRows.isEmpty ? "<p>Chưa có tệp / No file yet.</p>" : "<table><thead><tr><th>#</th><th>Tệp / File</th><th>Loại / Type</th><th>Ngày / Date</th></tr></thead><tbody>\(versionRows)</tbody></table>")
            </section></div>
            <aside class="card"><dl>\(details)</dl>
            <h2>Định danh / Identifier</h2><p class="pid" id="pid">\(escape(pid))\(version.map { "@v\($0.number)" } ?? "")</p>
            <div class="actions"><button type="button" id="copy-pid" data-copy="\(escape(absolute))">Sao chép liên kết / Copy link</button>\(download)</div>
            <p class="citation" id="citation"><strong>Trích dẫn / Cite:</strong> \(escape(citation))</p>
            \(lmsSection(model, absolute: absolute))
            </aside></div></main>
            <script>\(pageScript(model))</script>
            <script>
            document.getElementById("copy-pid").addEventListener("click", function (event) {
              var text = event.target.dataset.copy;
              (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(function () {
                event.target.textContent = "Đã sao chép / Copied";
              }, function () { window.prompt("PID", text); });
            });
            </script></body></html>
            """
    }
}
