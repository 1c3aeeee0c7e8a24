extension OpenAPIDocument {
    /// The reports (`docs/reports-api.md`): JSON, or CSV with `format=csv` / `Accept: text/csv`.
    static var reportOperations: [Operation] {
        let format = query("format", "json (default) or csv; CSV is also chosen by Accept: text/csv", ["type": "string", "enum": ["json", "csv"]])
        let object: [String: Any] = ["type": "object", "required": ["report", "generatedAt"]]
        func ok(_ description: String) -> [String: Any] {
            [
                "description": description,
                "content": ["application/json": ["schema": object], "text/csv": ["schema": ["type": "string"]]],
            ]
        }
        let day: [String: Any] = ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"]
        return [
            Operation(
                method: "GET", path: "/api/v1/reports/coverage",
                summary: "Coverage of the programme: subject × grade, or (subject and grade) its units; published materials by kind, questions by level, gaps",
                tag: "reports",
                parameters: [
                    format,
                    query("subject", "Catalogue subject code (with grade: drill down to units)", ["type": "string", "pattern": "^[A-Za-z0-9_]{1,32}$"]),
                    query("grade", "Grade 1–12 (with subject)", ["type": "integer", "minimum": 1, "maximum": 12]),
                ],
                responses: ["200": ok("The coverage report"), "400": problem, "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/reports/review-throughput",
                summary: "Review throughput: submissions per ISO week, median time to decision, reasons (board, admin)", tag: "reports",
                secured: true,
                parameters: [
                    format, query("from", "First submission day (UTC), inclusive", day), query("to", "Last submission day (UTC), inclusive", day),
                    query("table", "For CSV: weeks (default) or reasons", ["type": "string", "enum": ["weeks", "reasons"]]),
                ],
                responses: ["200": ok("The throughput report"), "400": problem, "401": problem, "403": problem]),
            Operation(
                method: "GET", path: "/api/v1/reports/contributions",
                summary: "Contributions per organisation (board, admin; a school admin: their school)", tag: "reports", secured: true,
                parameters: [format], responses: ["200": ok("The contributions report"), "400": problem, "401": problem, "403": problem]),
            Operation(
                method: "GET", path: "/api/v1/reports/lms-activity",
                summary: "Push and OAI-PMH harvest activity per LMS client, harvest sources and their last runs (board, admin)", tag: "reports", secured: true,
                parameters: [format, query("table", "For CSV: clients (default), sources or oai (harvests per client and day)", ["type": "string", "enum": ["clients", "sources", "oai"]])],
                responses: ["200": ok("The LMS activity report"), "400": problem, "401": problem, "403": problem]),
        ]
    }
}
