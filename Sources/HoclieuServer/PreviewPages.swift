import ContentPackages
import Foundation
import HoclieuCore

/// The HTML pages of the content origin: the player for SCORM and IMS CP packages (with the SCORM
/// run-time in its own window, the top frame of the package) and the summary of H5P and GeoGebra files.
/// Self-contained (inline style and script): nothing is loaded from the main origin.
enum PreviewPages {
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    static let style = """
        body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1d2733;display:grid;grid-template:auto 1fr/minmax(10rem,16rem) 1fr minmax(12rem,18rem);height:100vh}
        header{grid-column:1/4;padding:.5rem 1rem;background:#0b5394;color:#fff}header h1{font-size:1.1rem;margin:0}
        header p{margin:.2rem 0 0;font-size:.85rem;opacity:.9}nav,aside{overflow:auto;padding:.5rem;background:#f4f6f8;font-size:.9rem}
        nav ul{padding-left:1rem;margin:.2rem 0}nav a{color:#0b5394;cursor:pointer}nav a.active{font-weight:700}
        main{display:flex;flex-direction:column}iframe{flex:1;border:0;width:100%}
        .bar{display:flex;gap:.5rem;padding:.3rem}.bar button{padding:.2rem .8rem}
        aside ol{padding-left:1.2rem;font-family:ui-monospace,monospace;font-size:.78rem}aside li.error{color:#a61b1b}
        .warn{color:#7a4b00}table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.25rem .5rem;text-align:left}
        @media (max-width:900px){body{grid-template:auto auto minmax(60vh,1fr) auto/1fr;height:auto;min-height:100vh}
        header{grid-column:1}nav,aside{max-height:30vh}}
        """

    /// The player: the organisation tree, the content frame and a log of the run-time calls.
    static func player(material: Material, version: MaterialVersion, report: PackageReport?, embedOrigins: [String]) -> String {
        let title = escape(report?.title ?? material.metadata.title)
        let kind = version.package?.kind ?? ""
        let outline = report?.outline ?? []
        let warnings = version.package?.warnings ?? []
        struct Data: Encodable {
            let outline: [OutlineItem]
            let embedOrigins: [String]
        }
        let json = (try? String(decoding: JSONEncoder().encode(Data(outline: outline, embedOrigins: embedOrigins)), as: UTF8.self))
            ?? #"{"outline":[]}"#
        return """
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Xem thử / Preview: \(title)</title><style>\(style)</style></head>
            <body data-initialized="false" data-kind="\(escape(kind))">
            <header><h1>\(title)</h1><p>\(escape(material.pid.rawValue))@v\(version.number) · \(escape(kind.uppercased())) · \
            \(warnings.isEmpty ? "không có cảnh báo / no warnings" : "\(warnings.count) cảnh báo / warnings")</p></header>
            <nav aria-label="Mục lục / Contents"><div id="outline"></div>\(warningList(warnings))</nav>
            <main><div class="bar"><button id="previous" type="button">◀ Trước / Previous</button>
            <button id="next" type="button">Tiếp / Next ▶</button><span id="status" role="status"></span></div>
            <iframe id="content" title="Nội dung / Content"></iframe></main>
            <aside><h2>API</h2><ol id="log" aria-live="polite"></ol></aside>
            <script type="application/json" id="data">\(json.replacingOccurrences(of: "</", with: "<\\/"))</script>
            <script>\(ScormRuntime.source)</script>
            <script>\(playerScript)</script>
            </body></html>
            """
    }

    /// The H5P player: the package's libraries (styles, then scripts in dependency order, from the
    /// package itself) on top of our own run-time (`Public/vendor/h5p`, served by the content origin at
    /// `/vendor/…` with jQuery), the main library run with `content/content.json`, and the xAPI log.
    /// Anything that keeps the content from starting is said in the page, never a blank frame.
    /// `base` is the package folder's address on the content origin; `activity` the persistent address
    /// of the version (`{public}/id/{pid}@v{n}`), the xAPI object id of its statements.
    static func h5pPlayer(
        material: Material, version: MaterialVersion, plan: H5PPlayerPlan, base: String, activity: String, embedOrigins: [String]
    ) -> String {
        let title = escape(plan.title.isEmpty ? material.metadata.title : plan.title)
        struct Data: Encodable {
            let contentId: String
            let library: String
            /// `content/content.json` as text: the player parses it (and says so when it cannot).
            let params: String
            let metadata: [String: String]
            let title: String
            let base: String
            let url: String
            let embedOrigins: [String]
            let notLoaded: String
        }
        let data = Data(
            contentId: "\(material.pid.rawValue)@v\(version.number)", library: plan.mainLibrary, params: plan.contentJSON,
            metadata: ["title": plan.title], title: plan.title, base: base, url: activity, embedOrigins: embedOrigins,
            notLoaded: "thư viện chưa được nạp / the library is not loaded")
        // `<` only occurs inside JSON strings, where `\u003c` means the same: no `</script>` can close the block early.
        let json = String(decoding: (try? JSONEncoder().encode(data)) ?? Foundation.Data("{}".utf8), as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c")
        let styles = plan.styles.map { "<link rel=\"stylesheet\" href=\"\(escape(PreviewController.escapePath($0)))\">" }.joined(separator: "\n")
        let scripts = plan.scripts.map { "<script src=\"\(escape(PreviewController.escapePath($0)))\"></script>" }.joined(separator: "\n")
        let warnings = version.package?.warnings ?? []
        return """
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Xem thử / Preview: \(title)</title>
            <link rel="stylesheet" href="/vendor/h5p/h5p-core.css">
            \(styles)
            <style>\(h5pStyle)</style></head>
            <body data-kind="h5p" data-h5p-state="loading" data-library="\(escape(plan.mainLibrary))">
            <header><h1>\(title)</h1><p>\(escape(material.pid.rawValue))@v\(version.number) · H5P · <code id="h5p-main">\(escape(plan.mainLibrary))</code> · \
            \(warnings.isEmpty ? "không có cảnh báo / no warnings" : "\(warnings.count) cảnh báo / warnings")</p></header>
            <main><div class="h5p-problem" id="h5p-problem" role="alert" hidden><strong>Không chạy được nội dung H5P này. / This H5P content cannot run.</strong>
            <span class="detail"></span></div>
            <div class="h5p-content" id="h5p-container" data-content-id="\(escape(data.contentId))"></div>\(warningList(warnings))</main>
            <aside><h2>xAPI</h2><ol id="log" aria-live="polite"></ol></aside>
            <script type="application/json" id="h5p-data">\(json)</script>
            <script src="/vendor/jquery/jquery.min.js"></script>
            <script src="/vendor/h5p/h5p-runtime.js"></script>
            \(scripts)
            <script src="/vendor/h5p/h5p-player.js"></script>
            <script>
            if (document.body.dataset.h5pState === "loading") {
              var box = document.getElementById("h5p-problem");
              box.hidden = false;
              if (!box.querySelector(".detail").textContent) box.querySelector(".detail").textContent = window.H5P && window.H5P.newRunnable
                ? "Nội dung không khởi động được / The content did not start."
                : "Trình chạy H5P không tải được / The H5P run-time did not load.";
              document.body.dataset.h5pState = "failed";
            }
            </script>
            </body></html>
            """
    }

    static let h5pStyle = """
        body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1d2733;display:grid;grid-template:auto 1fr/1fr minmax(12rem,18rem);min-height:100vh}
        header{grid-column:1/3;padding:.5rem 1rem;background:#0b5394;color:#fff}header h1{font-size:1.1rem;margin:0}
        header p{margin:.2rem 0 0;font-size:.85rem;opacity:.9}header code{color:#fff}main{padding:1rem;min-width:0}
        aside{overflow:auto;padding:.5rem;background:#f4f6f8;font-size:.9rem}aside h2{font-size:1rem;margin:.2rem 0}
        aside ol{padding-left:1.2rem;font-family:ui-monospace,monospace;font-size:.78rem}
        .h5p-problem{background:#fdecec;color:#a4161a;padding:.75rem 1rem;border-radius:8px;margin-bottom:1rem}.h5p-problem .detail{display:block;margin-top:.3rem}
        .warn{color:#7a4b00}
        @media (max-width:760px){body{grid-template:auto 1fr auto/1fr}header{grid-column:1}main{padding:.5rem}aside{max-height:30vh}}
        """

    static func warningList(_ warnings: [String]) -> String {
        guard !warnings.isEmpty else { return "" }
        return "<h2>Cảnh báo / Warnings</h2><ul class=\"warn\">" + warnings.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
    }

    /// The player's own script: the outline, the content frame, the run-time installed on this window
    /// (a fresh attempt for every SCO), the call log, and 2004 navigation requests. Each call is also
    /// posted to the embedding page (the material page, an LMS), which may show or record it.
    static let playerScript = #"""
        (function () {
          var data = JSON.parse(document.getElementById("data").textContent);
          var kind = document.body.dataset.kind;
          var version = kind === "scorm12" ? "1.2" : kind === "scorm2004" ? "2004" : null;
          var frame = document.getElementById("content"), log = document.getElementById("log"), status = document.getElementById("status");
          var leaves = [], links = [], calls = window.hoclieuScormCalls = [];
          function render(items, parent) {
            var list = document.createElement("ul");
            items.forEach(function (item) {
              var li = document.createElement("li");
              if (item.href) {
                var index = leaves.length, a = document.createElement("a");
                leaves.push(item);
                a.textContent = item.title || item.identifier;
                a.addEventListener("click", function () { load(index); });
                links.push(a);
                li.appendChild(a);
              } else {
                li.appendChild(document.createTextNode(item.title || item.identifier));
              }
              if (item.children && item.children.length) render(item.children, li);
              list.appendChild(li);
            });
            parent.appendChild(list);
          }
          render(data.outline, document.getElementById("outline"));
          var current = -1;
          function find(identifier) {
            for (var i = 0; i < leaves.length; i++) if (leaves[i].identifier === identifier) return i;
            return -1;
          }
          function post(m) {
            calls.push(m);
            // To the main site only (explicit target origins: another embedding page gets nothing).
            if (window.parent !== window) (data.embedOrigins || []).forEach(function (origin) {
              try { window.parent.postMessage({ hoclieuScorm: m }, origin); } catch (e) {}
            });
            if (m.call) {
              var li = document.createElement("li");
              li.textContent = m.call + "(" + m.args.map(function (a) { return JSON.stringify(a); }).join(", ") + ") → " + JSON.stringify(m.result) +
                (m.error !== "0" ? " [" + m.error + "]" : "");
              if (m.error !== "0") li.className = "error";
              log.appendChild(li);
              if ((m.call === "Initialize" || m.call === "LMSInitialize") && m.result === "true") document.body.dataset.initialized = "true";
            }
            if (m.navigation) {
              // Acted on after the SCO's Terminate call has returned.
              setTimeout(function () {
                var target = /^\{target=([^}]+)\}(choice|jump)$/.exec(m.navigation);
                if (m.navigation === "continue") load(current + 1);
                else if (m.navigation === "previous") load(current - 1);
                else if (target && find(target[1]) >= 0) load(find(target[1]));
                else if (/^(exit|exitAll|abandon|abandonAll|suspendAll)$/.test(m.navigation)) status.textContent = "Đã kết thúc / Ended (" + m.navigation + ")";
              }, 0);
            }
          }
          function load(index) {
            if (index < 0 || index >= leaves.length) return;
            current = index;
            links.forEach(function (a, i) { a.className = i === index ? "active" : ""; });
            status.textContent = leaves[index].title || "";
            // A new attempt: a fresh run-time where the package's frames look for it (ADL discovery).
            if (version === "1.2") window.API = hoclieuScormRuntime(version, post);
            if (version === "2004") window.API_1484_11 = hoclieuScormRuntime(version, post);
            frame.src = leaves[index].href;
          }
          document.getElementById("previous").addEventListener("click", function () { load(current - 1); });
          document.getElementById("next").addEventListener("click", function () { load(current + 1); });
          load(0);
        })();
        """#

    /// H5P and GeoGebra: what the package holds (no offline player here). For H5P, the libraries a
    /// player would load in dependency order and any the package lacks; for GeoGebra, the construction's
    /// own thumbnail and a link to open it in GeoGebra (no offline GeoGebra app can be installed here).
    static func summary(
        material: Material, version: MaterialVersion, report: PackageReport?, paths: [String], h5p: Result<H5PPlayerPlan, any Error>? = nil
    ) -> String {
        let title = escape(report?.title ?? material.metadata.title)
        var rows: [(String, String)] = [("Loại / Kind", version.package?.kind ?? "")]
        if let report {
            if let library = report.version { rows.append(("Thư viện chính / Main library", library)) }
            if !report.authors.isEmpty { rows.append(("Tác giả / Authors", report.authors.joined(separator: ", "))) }
            if let licence = report.licence { rows.append(("Giấy phép / Licence", licence)) }
            if let language = report.language { rows.append(("Ngôn ngữ / Language", language)) }
            rows.append(("Số tệp / Entries", String(report.entryCount)))
            rows.append(("Dung lượng / Expanded size", ByteCountFormatter.string(fromByteCount: report.expandedBytes, countStyle: .file)))
        }
        let table = rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined()
        let files = paths.prefix(500).map { "<li><a href=\"\(escape(PreviewController.escapePath($0)))\">\(escape($0))</a></li>" }.joined()
        return """
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Xem thử / Preview: \(title)</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font:15px/1.45 system-ui,sans-serif;margin:1rem 2rem;color:#1d2733}.warn{color:#7a4b00}\
            .missing{background:#fdecec;color:#a4161a;padding:.5rem 1rem;border-radius:8px}img.thumb{max-width:100%;border:1px solid #ccd}\
            table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.25rem .5rem;text-align:left}</style></head>
            <body data-kind="\(escape(version.package?.kind ?? ""))"><h1>\(title)</h1>
            <p>\(h5p != nil
                ? "Gói H5P này không chạy được (lý do bên dưới), nên chỉ hiện cấu trúc. / This H5P package cannot run (the reason is below), so its structure is shown."
                : "Gói này được xem dưới dạng cấu trúc: máy chủ không có trình phát ngoại tuyến cho loại này. / This package is shown as its structure: no offline player for this kind is installed.")</p>
            \(h5pSection(h5p))<table>\(table)</table>\(warningList(version.package?.warnings ?? []))\(geogebraSection(version, paths))
            <h2>Tệp / Files (\(paths.count))</h2><ul>\(files)</ul></body></html>
            """
    }

    static func h5pSection(_ plan: Result<H5PPlayerPlan, any Error>?) -> String {
        switch plan {
        case nil: return ""
        case .failure(let error):
            return "<p class=\"missing\" id=\"h5p-problem\">Không chạy được gói H5P này / This H5P package cannot run: \(escape(String(describing: error)))</p>"
        case .success(let plan):
            let missing = plan.missing.isEmpty ? "" : """
                <div class="missing" id="h5p-missing"><strong>Gói thiếu thư viện, nên không thể chạy / The package lacks libraries, so it cannot run:</strong>\
                <ul>\(plan.missing.map { "<li>\(escape($0))</li>" }.joined())</ul></div>
                """
            return """
                \(missing)<h2>Thư viện chính / Main library: <code id="h5p-main">\(escape(plan.mainLibrary))</code></h2>
                <details><summary>Tệp nạp theo thứ tự / Files in load order (\(plan.scripts.count) JS, \(plan.styles.count) CSS)</summary>
                <ol>\((plan.styles + plan.scripts).map { "<li>\(escape($0))</li>" }.joined())</ol></details>
                """
        }
    }

    static func geogebraSection(_ version: MaterialVersion, _ paths: [String]) -> String {
        guard version.package?.kind == "geogebra" else { return "" }
        let thumbnail = paths.contains("geogebra_thumbnail.png")
            ? "<p><img class=\"thumb\" src=\"geogebra_thumbnail.png\" alt=\"Hình thu nhỏ của dựng hình / The construction's thumbnail\"></p>" : ""
        return """
            \(thumbnail)<p>Không có ứng dụng GeoGebra ngoại tuyến trên máy chủ này (giấy phép của GeoGebra cũng hạn chế việc đóng gói kèm). \
            Tải tệp về rồi mở bằng GeoGebra: / No offline GeoGebra app is installed here (GeoGebra's licence also restricts bundling it); \
            download the file and open it in GeoGebra: <a href="https://www.geogebra.org/classic" rel="noopener noreferrer" target="_blank">\
            Mở GeoGebra / Open in GeoGebra</a></p>
            """
    }
}
