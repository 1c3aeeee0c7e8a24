import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuStorage

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

    /// The picker: a search (with or without diacritics), a catalogue browse (môn → lớp → chủ đề → yêu cầu cần đạt)
    /// that narrows the materials to a node and everything below it, and a multi-select of materials.
    static func picker(context: String, query: String, level: LTICatalogLevel, materials: [Material]) -> String {
        let rows = materials.map { m in
            """
            <li><label><input type="checkbox" name="pid" value="\(e(m.pid.rawValue))"> <strong>\(e(m.metadata.title))</strong>
            <small>(\(e(m.kind.rawValue)), \(e(m.pid.rawValue)) v\(m.currentVersion))</small></label></li>
            """
        }.joined(separator: "\n")
        let trail = (["<button name=\"node\" value=\"\">Tất cả môn / All subjects</button>"]
            + level.trail.map { "<button name=\"node\" value=\"\(e($0.node))\">\(e($0.label))</button>" }).joined(separator: " › ")
        let children = level.children.map { "<li><button name=\"node\" value=\"\(e($0.node))\">\(e($0.label))</button></li>" }.joined()
        let current = level.trail.last?.node ?? ""
        return shell(
            "Chọn học liệu / Pick materials",
            """
            <h1>Chọn học liệu từ Hoclieu <span class="en" lang="en">/ Pick materials from Hoclieu</span></h1>
            <form method="post" action="/lti/deep-link">
            <input type="hidden" name="context" value="\(e(context))">
            <input type="hidden" name="at" value="\(e(current))">
            <label>Tìm kiếm / Search <input type="search" name="q" value="\(e(query))"></label>
            <button name="action" value="search">Tìm / Search</button>
            <nav id="catalogue" aria-label="Chương trình / Catalogue"><p>\(trail)</p>\(children.isEmpty ? "" : "<ul>\(children)</ul>")</nav>
            <ul id="materials">\(rows.isEmpty ? "<li>Không có kết quả / No results</li>" : rows)</ul>
            <fieldset><legend>Phiên bản / Version</legend>
            <label><input type="radio" name="policy" value="latest" checked> Luôn dùng bản xuất bản mới nhất / Latest published</label>
            <label><input type="radio" name="policy" value="pinned"> Giữ đúng phiên bản này / This version</label></fieldset>
            <button name="action" value="select">Thêm vào khóa học / Add to course</button>
            </form>
            """)
    }

    /// The launched material in a frame. With an AGS line item, the score comes from the player's SCORM run-time:
    /// the content-origin player posts each run-time call to this page with this page's origin as the explicit
    /// target, this page accepts messages only from the player frame and the content origin, and on a commit or
    /// finish sends the score (`cmi.core.score.raw/max`, `cmi.score.scaled` or `raw/max`) and completion to
    /// `/lti/score` with the launch's sealed ticket. An H5P activity's xAPI statements come the same way: a top-level
    /// `answered` or `completed` statement with a score (not one of a sub-content's: those carry a parent) sends
    /// its `result.score` (`scaled`, or `raw`/`max`). An instructor also sees the line item's scores.
    static func player(link: LTIResolvedLink, location: String, contentOrigin: String, scoreTicket: String?, scores: [StoredLTIScore]?, names: [String: String] = [:]
    ) -> String {
        let m = link.material
        var body = """
            <h1>\(e(m.metadata.title))</h1><p><small>\(e(m.pid.rawValue)) v\(link.version)</small></p>
            <iframe id="player" src="\(e(location))" title="\(e(m.metadata.title))"></iframe>
            """
        if let scoreTicket {
            body += """
                <p id="score" data-ticket="\(e(scoreTicket))" data-origin="\(e(contentOrigin))">Điểm / Score: <output id="status">—</output></p>
                <script>
                const holder = document.getElementById('score'), player = document.getElementById('player');
                const cmi = {};
                async function send() {
                  let given = null, max = 100;
                  if (cmi['cmi.score.scaled'] !== undefined) { given = Math.max(0, Number(cmi['cmi.score.scaled'])) * 100; }
                  else {
                    const raw = cmi['cmi.core.score.raw'] ?? cmi['cmi.score.raw'], top = cmi['cmi.core.score.max'] ?? cmi['cmi.score.max'];
                    if (raw !== undefined && raw !== '') { given = Number(raw); max = top !== undefined && top !== '' && Number(top) > 0 ? Number(top) : 100; }
                  }
                  if (given === null || !isFinite(given)) return;
                  const status = cmi['cmi.core.lesson_status'] ?? cmi['cmi.completion_status'] ?? '';
                  const completed = ['passed', 'completed', 'failed'].includes(status) || cmi['cmi.success_status'] === 'passed' || cmi['cmi.success_status'] === 'failed';
                  await post(given, max, completed);
                }
                async function post(given, max, completed) {
                  const r = await fetch('/lti/score', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({ticket: holder.dataset.ticket, scoreGiven: Math.min(given, max), scoreMaximum: max, completed})});
                  const j = await r.json().catch(() => ({}));
                  document.getElementById('status').textContent = j.status === 'posted' ? given + '/' + max + ' — đã gửi / sent' : 'chưa gửi được / not sent: ' + (j.lastError || j.title || r.status);
                }
                window.addEventListener('message', ev => {
                  if (ev.source !== player.contentWindow || ev.origin !== holder.dataset.origin) return;
                  const x = (ev.data || {}).hoclieuXAPI;
                  if (x && typeof x === 'object') {
                    const verb = String((x.verb || {}).id || ''), score = (x.result || {}).score;
                    const parent = ((x.context || {}).contextActivities || {}).parent;
                    if (!(verb.endsWith('/answered') || verb.endsWith('/completed')) || !score || (Array.isArray(parent) && parent.length)) return;
                    let given = null, max = 100;
                    if (typeof score.scaled === 'number') { given = Math.max(0, score.scaled) * 100; }
                    else if (typeof score.raw === 'number') { given = score.raw; max = typeof score.max === 'number' && score.max > 0 ? score.max : 100; }
                    if (given !== null && isFinite(given)) post(Math.min(given, max), max, verb.endsWith('/completed') || (x.result || {}).completion === true);
                    return;
                  }
                  const m = (ev.data || {}).hoclieuScorm;
                  if (!m || typeof m.call !== 'string' || m.error !== '0') return;
                  if ((m.call === 'LMSSetValue' || m.call === 'SetValue') && typeof m.args[0] === 'string') cmi[m.args[0]] = String(m.args[1]);
                  if (['LMSCommit', 'LMSFinish', 'Commit', 'Terminate'].includes(m.call) && m.result === 'true') send();
                });
                </script>
                """
        }
        if let scores { body += scoreTable(scores, names: names) }
        return shell(m.metadata.title, body)
    }

    /// The instructor's view of a line item's scores: who, what, and whether it reached the gradebook.
    static func scoreTable(_ scores: [StoredLTIScore], names: [String: String]) -> String {
        func status(_ s: StoredLTIScore) -> String {
            switch s.status {
            case .posted: "Đã gửi / Posted"
            case .pending: "Đang gửi, thử lại / Sending, retrying (\(s.attempts))"
            case .failed: "Gửi không được / Failed: \(s.lastError ?? "")"
            }
        }
        let rows = scores.map { s in
            """
            <tr class="\(s.status.rawValue)"><td>\(e(names[s.userID].map { "\($0) (\(s.userID))" } ?? s.userID))</td><td>\(e(s.pid))</td><td>\(e(format(s.scoreGiven)))/\(e(format(s.scoreMaximum)))</td>\
            <td>\(e(status(s)))</td><td>\(s.attempts)</td><td>\(e(ISO8601DateFormatter().string(from: s.updatedAt)))</td></tr>
            """
        }.joined(separator: "\n")
        return """
            <section id="scores"><h2>Điểm đã gửi về LMS <span class="en" lang="en">/ Scores sent to the LMS</span></h2>
            <table><thead><tr><th>Học sinh / Learner</th><th>Học liệu / Material</th><th>Điểm / Score</th><th>Trạng thái / Status</th>\
            <th>Số lần / Attempts</th><th>Cập nhật / Updated</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">Chưa có điểm nào / No scores yet</td></tr>" : rows)</tbody></table></section>
            """
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
    }

    static func rich(_ text: RichText) -> String {
        let clean = text.sanitised()
        return clean.format == .html ? clean.html : e(clean.plainText)
    }

    /// A question set as a quiz: one form, the questions without their answers (no fractions, keys or right
    /// statements in the page); the answers go to `/lti/quiz`, where the server scores them.
    static func quiz(_ quiz: LTIQuiz, scores: [StoredLTIScore]?, names: [String: String] = [:]) -> String {
        var items: [String] = []
        for (i, q) in quiz.questions.enumerated() {
            let n = LTIQuizForm.name(i)
            var input = ""
            switch q.body {
            case .singleChoice(let c), .multipleResponse(let c):
                let type = q.type == .singleChoice ? "radio" : "checkbox"
                input = c.options.map { o in "<li><label><input type=\"\(type)\" name=\"\(n)\" value=\"\(e(o.id))\"> \(rich(o.text))</label></li>" }
                    .joined()
                input = "<ul>\(input)</ul>"
            case .trueFalse:
                input = """
                    <label><input type="radio" name="\(n)" value="true"> Đúng / True</label> <label><input type="radio" name="\(n)" value="false"> Sai / False</label>
                    """
            case .trueFalseCluster(let c):
                input = "<ol type=\"a\">" + c.statements.map { s in
                    let sn = LTIQuizForm.name(i, s.label)
                    return """
                        <li>\(rich(s.text)) <label><input type="radio" name="\(e(sn))" value="true"> Đúng</label> \
                        <label><input type="radio" name="\(e(sn))" value="false"> Sai</label></li>
                        """
                }.joined() + "</ol>"
            case .numeric, .shortText:
                input = "<label>Trả lời / Answer <input type=\"text\" name=\"\(n)\" autocomplete=\"off\"></label>"
            case .essay:
                input = "<textarea name=\"\(n)\" rows=\"5\" cols=\"60\"></textarea><p><small>Giáo viên chấm / Graded by the teacher</small></p>"
            case .matching(let mq):
                let choices = mq.answerChoices.sorted()
                input = "<ul>" + mq.pairs.map { p in
                    let options = choices.map { "<option value=\"\(e($0))\">\(e($0))</option>" }.joined()
                    return "<li>\(rich(p.prompt)) <select name=\"\(e(LTIQuizForm.name(i, p.id)))\"><option value=\"\"></option>\(options)</select></li>"
                }.joined() + "</ul>"
            case .ordering(let oq):
                // Shown in an order that is not the answer's.
                var shown = oq.items.sorted { $0.text.plainText < $1.text.plainText }
                if shown.map(\.id) == oq.items.map(\.id) { shown.reverse() }
                input = "<ul>" + shown.map { item in
                    "<li><input type=\"number\" min=\"1\" max=\"\(oq.items.count)\" name=\"\(e(LTIQuizForm.name(i, item.id)))\" aria-label=\"Thứ tự / Position\"> \(rich(item.text))</li>"
                }.joined() + "</ul>"
            case .cloze(let cq):
                input = "<ol>" + cq.gaps.enumerated().map { k, gap in
                    let gn = e(LTIQuizForm.name(i, "g\(k)"))
                    switch gap.kind {
                    case .choice(let options, _, _):
                        if gap.isMultipleResponse {
                            return "<li>" + options.map { "<label><input type=\"checkbox\" name=\"\(gn)\" value=\"\(e($0.id))\"> \(rich($0.text))</label>" }.joined() + "</li>"
                        }
                        return "<li><select name=\"\(gn)\"><option value=\"\"></option>" + options.map { "<option value=\"\(e($0.id))\">\(e($0.text.plainText))</option>" }.joined()
                            + "</select></li>"
                    case .shortText, .numeric:
                        return "<li><input type=\"text\" name=\"\(gn)\" autocomplete=\"off\"></li>"
                    }
                }.joined() + "</ol>"
            }
            items.append(
                """
                <li class="question"><fieldset><legend>Câu \(i + 1) <small>(\(e(format(q.points))) điểm / points)</small></legend>\(rich(q.stem))\(input)</fieldset></li>
                """)
        }
        var body = """
            <h1>\(e(quiz.title))</h1>
            <form method="post" action="/lti/quiz"><input type="hidden" name="attempt" value="\(e(quiz.attempt))">
            <ol class="quiz">\(items.joined(separator: "\n"))</ol>
            <button>Nộp bài / Submit</button></form>
            """
        if let scores { body += scoreTable(scores, names: names) }
        return shell(quiz.title, body)
    }

    /// A submitted quiz: the score by question and whether it reached the gradebook.
    static func quizResult(title: String, _ result: LTIQuizResult) -> String {
        let rows = result.lines.enumerated().map { i, line in
            "<tr><td>Câu \(i + 1)</td><td>\(line.points.map { e(format($0)) } ?? "giáo viên chấm / graded by the teacher")/\(e(format(line.maximum)))</td></tr>"
        }.joined()
        var post = "<p>Không có cột điểm trong LMS / No gradebook column.</p>"
        if let p = result.post {
            post = p.status == .posted
                ? "<p id=\"post\" class=\"posted\">Đã gửi điểm về LMS / The score was sent to the LMS.</p>"
                : "<p id=\"post\" class=\"failed\">Chưa gửi được điểm về LMS; giáo viên sẽ thấy lỗi này / The score could not be sent; your teacher sees this: \(e(p.lastError ?? ""))</p>"
        }
        return shell(
            title,
            """
            <h1>\(e(title))</h1><p>Điểm / Score: <strong id="total">\(e(format(result.scoreGiven)))/\(e(format(result.scoreMaximum)))</strong></p>
            <table><tbody>\(rows)</tbody></table>\(post)
            """)
    }

    /// The end of a dynamic registration: what was registered, and the message that tells the LMS to close the
    /// registration window (the spec names `'*'` as its target: the tool does not know the LMS page's origin).
    static func registered(_ p: LTIPlatform) -> String {
        shell(
            "Đã đăng ký / Registered",
            """
            <h1>Đã đăng ký Hoclieu với LMS <span class="en" lang="en">/ Hoclieu is registered with the LMS</span></h1>
            <p>Issuer: <code>\(e(p.issuer))</code> · client id: <code id="client-id">\(e(p.clientID))</code> · deployment: \
            <code>\(e(p.deploymentIDs.joined(separator: ", ")))</code>\(p.school.map { " · " + e($0) } ?? "")</p>
            <p><button type="button" id="close">Đóng / Close</button></p>
            <script>
            function closeRegistration() { (window.opener || window.parent).postMessage({subject: 'org.imsglobal.lti.close'}, '*'); }
            document.getElementById('close').addEventListener('click', closeRegistration);
            closeRegistration();
            </script>
            """)
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
