import CASE
import CommonCartridge
import Foundation
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import QuestionFormats

/// The OpenAPI 3.1 description of every route, served at `/api/v1/openapi.json`.
///
/// The route table below is also what answers 405 with `Allow`; a test checks that it
/// lists exactly the routes the router has.
enum OpenAPIDocument {
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var tag: String
        /// Whether a bearer token is required (false: optional or none).
        var secured = false
        /// The last path parameter takes the rest of the path, slashes included.
        var catchAll = false
        var parameters: [[String: Any]] = []
        var requestBody: [String: Any]? = nil
        var responses: [String: Any]
    }

    /// CASE errors are `imsx_StatusInfo` bodies, not problem details.
    static var caseStatus: [String: Any] {
        ["description": "imsx_StatusInfo", "content": ["application/json": ["schema": ["type": "object", "required": ["imsx_codeMajor", "imsx_severity"]]]]]
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func json(_ schema: [String: Any], _ description: String = "OK") -> [String: Any] {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }
    static var problem: [String: Any] { ["description": "Problem (RFC 9457)", "content": ["application/problem+json": ["schema": ref("Problem")]]] }
    static func pathParam(_ name: String, _ description: String) -> [String: Any] {
        ["name": name, "in": "path", "required": true, "description": description, "schema": ["type": "string"]]
    }
    static func query(_ name: String, _ description: String, _ schema: [String: Any] = ["type": "string", "minLength": 1]) -> [String: Any] {
        ["name": name, "in": "query", "required": false, "description": description, "schema": schema]
    }
    static var pid: [String: Any] {
        [
            "name": "pid", "in": "path", "required": true,
            "description": "Persistent identifier: PREFIX-SERIAL and a check character; a wrong check character is a 400 with a hint",
            "schema": ["type": "string", "pattern": "^[0-9A-Za-z]+(-[0-9A-Za-z]+)+$", "maxLength": 64],
        ]
    }
    static var submissionID: [String: Any] {
        ["name": "id", "in": "path", "required": true, "description": "Submission id", "schema": ["type": "integer", "minimum": 1]]
    }
    static func body(_ schema: String) -> [String: Any] { ["required": true, "content": ["application/json": ["schema": ref(schema)]]] }
    static var userID: [String: Any] {
        ["name": "id", "in": "path", "required": true, "description": "Account id", "schema": ["type": "integer", "minimum": 1]]
    }
    static var previewReference: [String: Any] {
        [
            "name": "ref", "in": "path", "required": true, "description": "PID@vN, or a signed reference PID@vN~expires~viewer~signature",
            "schema": ["type": "string", "maxLength": 128],
        ]
    }
    static var versionNumber: [String: Any] { [
        "name": "n", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1], "description": "Version number",
    ] }
    static var searchParameters: [[String: Any]] {
        [query("q", "Free text; diacritics optional", ["type": "string", "maxLength": 500])]
            + Facet.allCases.map { query($0.rawValue, "Filter on \($0.rawValue) (repeatable or comma-separated)") }
            + [
                query("limit", "Page size 1–100", ["type": "integer", "minimum": 1, "maximum": 100]),
                query("cursor", "The `next` value of the previous page", ["type": "string", "pattern": "^[0-9a-z]{1,2}-[0-9a-z]{1,13}$"]),
                query(
                    "facets", "Comma-separated facets whose counts are wanted",
                    ["type": "string", "pattern": "^(" + Facet.allCases.map(\.rawValue).joined(separator: "|") + ")(,(" + Facet.allCases.map(\.rawValue).joined(separator: "|") + "))*$"]),
            ]
    }

    static var cartridgeOperations: [Operation] {
        let id = pathParam("id", "Job id")
        let job = json(ref("Job"))
        let accepted = json(ref("Job"), "Accepted: the job is queued; poll the Location")
        let body: [String: Any] = [
            "required": true,
            "content": ["application/json": ["schema": [
                "type": "object", "additionalProperties": false, "required": ["format"],
                "properties": [
                    "format": ["type": "string", "enum": CartridgeExportFormat.allCases.map(\.rawValue)],
                    "target": ["type": "string", "enum": CartridgeTarget.allCases.map(\.rawValue)],
                    "all": ["type": "boolean"],
                    "pids": ["type": "array", "items": ["type": "string", "maxLength": 64]],
                ] as [String: Any],
            ] as [String: Any]]],
        ]
        return [
            Operation(
                method: "POST", path: "/api/v1/imports", summary: "Import a Common Cartridge (1.0–1.3, thin) as a background job; the body is the file",
                tag: "cartridges", secured: true,
                parameters: [
                    query("filename", "File name"),
                    query("source", "Provenance system (default: cc:<manifest identifier>#<fingerprint of resource identifiers and titles>)"),
                    query("replaces", "PID of the caller's own course package that this cartridge is a new edition of"),
                    query("status", "Status of new materials", ["type": "string", "enum": ["draft", "submitted"]]),
                    query("visibility", "Visibility of new materials", ["type": "string", "enum": Visibility.allCases.map(\.rawValue)]),
                    query("subject", "Subject code of questions that name none"),
                ],
                requestBody: ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]],
                responses: ["202": accepted, "403": problem, "413": problem, "422": problem]),
            Operation(
                method: "GET", path: "/api/v1/imports/{id}", summary: "An import job: status, progress and, once ended, its report", tag: "cartridges",
                secured: true, parameters: [id], responses: ["200": job, "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/imports/{id}/report", summary: "An import's report as text", tag: "cartridges", secured: true,
                parameters: [id], responses: ["200": ["description": "Text", "content": ["text/plain": ["schema": ["type": "string"]]]], "404": problem]),
            Operation(
                method: "POST", path: "/api/v1/imports/{id}/cancel", summary: "Stop an import (nothing of it is kept; the job stays, cancelled)",
                tag: "cartridges", secured: true, parameters: [id], responses: ["202": job, "404": problem, "409": problem]),
            Operation(
                method: "POST", path: "/api/v1/exports", summary: "Export materials as a Common Cartridge (background job)", tag: "cartridges",
                secured: true, requestBody: body, responses: ["202": accepted, "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/exports/{id}", summary: "An export job and its report", tag: "cartridges", secured: true,
                parameters: [id], responses: ["200": job, "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/exports/{id}/file", summary: "The exported cartridge", tag: "cartridges", secured: true,
                parameters: [id],
                responses: [
                    "200": ["description": "The .imscc", "content": ["application/zip": ["schema": ["type": "string", "format": "binary"]]]],
                    "404": problem, "409": problem,
                ]),
            Operation(
                method: "POST", path: "/api/v1/exports/{id}/cancel", summary: "Stop an export (the job stays, cancelled)", tag: "cartridges",
                secured: true, parameters: [id], responses: ["202": job, "404": problem, "409": problem]),
        ]
    }

    static var blueprintOperations: [Operation] {
        let id = pathParam("id", "Blueprint id")
        let csv: [String: Any] = ["description": "CSV (UTF-8 with BOM)", "content": ["text/csv": ["schema": ["type": "string"]]]]
        let object: [String: Any] = ["type": "object"]
        let assemble: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "seed": ["type": "integer", "minimum": 0], "variants": ["type": "integer", "minimum": 1, "maximum": 26],
                "firstCode": ["type": "integer"], "school": ["type": "string"], "avoidLastTests": ["type": "integer", "minimum": 0],
                "allowPartial": ["type": "boolean"],
            ] as [String: Any],
        ]
        return [
            Operation(
                method: "POST", path: "/api/v1/blueprints", summary: "Store a blueprint (ma trận đề + bản đặc tả): JSON, or the matrix as CSV",
                tag: "blueprints", secured: true,
                requestBody: ["required": true, "content": ["application/json": ["schema": object], "text/csv": ["schema": ["type": "string"]]]],
                responses: ["201": json(["type": "object", "properties": ["id": ["type": "string"]]], "Created"), "400": problem, "401": problem,
                            "403": problem, "422": problem]),
            Operation(method: "GET", path: "/api/v1/blueprints/{id}", summary: "A blueprint", tag: "blueprints", secured: true,
                      parameters: [id], responses: ["200": json(object), "401": problem, "404": problem]),
            Operation(method: "GET", path: "/api/v1/blueprints/{id}/matrix.csv", summary: "The ma trận as CSV", tag: "blueprints", secured: true,
                      parameters: [id], responses: ["200": csv, "401": problem, "404": problem]),
            Operation(method: "GET", path: "/api/v1/blueprints/{id}/specification.csv", summary: "The bản đặc tả as CSV", tag: "blueprints",
                      secured: true, parameters: [id], responses: ["200": csv, "401": problem, "404": problem]),
            Operation(method: "POST", path: "/api/v1/blueprints/{id}/check", summary: "Which cells the bank can fill and which are short",
                      tag: "blueprints", secured: true, parameters: [id], responses: ["200": json(object), "401": problem, "404": problem]),
            Operation(
                method: "POST", path: "/api/v1/blueprints/{id}/tests", summary: "Assemble a test and its variants (seeded, reproducible)",
                tag: "blueprints", secured: true, parameters: [id],
                requestBody: ["required": true, "content": ["application/json": ["schema": assemble]]],
                responses: ["201": json(object, "Created"), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem]),
            Operation(method: "GET", path: "/api/v1/tests/{id}", summary: "An assembled test with its variants and answer keys", tag: "blueprints",
                      secured: true, parameters: [pathParam("id", "Test id")], responses: ["200": json(object), "401": problem, "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/tests/{id}/variants/{code}", summary: "One variant (mã đề) as a question paper file", tag: "blueprints",
                secured: true,
                parameters: [
                    pathParam("id", "Test id"), pathParam("code", "Variant code, e.g. 101"),
                    query("format", "docx (default), qti21, qti12, moodleXML or gift", ["type": "string", "enum": ["docx", "qti21", "qti12", "moodleXML", "gift"]]),
                    query("answers", "Word only: write the answer lines and solutions (the teacher's copy)", ["type": "string", "enum": ["true", "false"]]),
                ],
                responses: ["200": ["description": "The file", "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]],
                            "400": problem, "401": problem, "404": problem]),
            Operation(method: "GET", path: "/api/v1/tests/{id}/answer-key.csv", summary: "The answer keys of every variant (2025 answer-sheet layout)",
                      tag: "blueprints", secured: true, parameters: [pathParam("id", "Test id")], responses: ["200": csv, "401": problem, "404": problem]),
        ]
    }

    static var questionOperations: [Operation] {
        let formats: [String] = QuestionFileFormat.allCases.map(\.rawValue)
        let types: [String] = QuestionType.allCases.map(\.rawValue)
        let statuses: [String] = QuestionStatus.allCases.map(\.rawValue)
        let questionList: [String: Any] = [
            "type": "object", "required": ["items"],
            "properties": ["items": ["type": "array", "items": ref("Question")], "next": ["type": "string"]] as [String: Any],
        ]
        return [
        Operation(
            method: "POST", path: "/api/v1/question-imports",
            summary: "Import a question file (Moodle XML, GIFT, Aiken) into the bank; the body is the file", tag: "questions", secured: true,
            parameters: [
                query("filename", "File name (helps format detection)"),
                query("format", "Format, detected when absent", ["type": "string", "enum": formats]),
                query("partial", "Import the valid questions of a file that has invalid ones", ["type": "string", "enum": ["true", "false"]]),
                query("subject", "Subject code for questions that do not name one"),
                query(
                    "submit", "Also make the questions one question-set material and submit it to the board (its decision publishes them)",
                    ["type": "string", "enum": ["true", "false"]]),
                query("title", "The question set's title (with submit=true)"),
            ],
            requestBody: ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]],
            responses: [
                "200": json(ref("QuestionImport"), "Nothing new: the bank had every question"),
                "201": json(ref("QuestionImport"), "Questions stored"),
                "400": problem, "401": problem, "403": problem, "413": problem,
                "422": ["description": "The file's errors kept every question out (report inside), or an empty file", "content": [
                    "application/json": ["schema": ref("QuestionImport")], "application/problem+json": ["schema": ref("Problem")],
                ]],
            ]),
        Operation(
            method: "GET", path: "/api/v1/questions", summary: "Questions of the bank, newest first", tag: "questions", secured: true,
            parameters: [
                query("subject", "Subject code"), query("grade", "Grade 1–12", ["type": "integer", "minimum": 1, "maximum": 12]),
                query("type", "Question type", ["type": "string", "enum": types]),
                query("status", "Review status", ["type": "string", "enum": statuses]),
                query("unit", "Knowledge unit (includes the units below it)"), query("level", "Cognitive level code, e.g. NTVV4.2"),
                query("limit", "Page size 1–200", ["type": "integer", "minimum": 1, "maximum": 200]),
                query("cursor", "The `next` value of the previous page", ["type": "string", "pattern": "^[1-9][0-9]{0,17}$"]),
            ],
            responses: ["200": json(questionList), "400": problem, "401": problem]),
        Operation(
            method: "GET", path: "/api/v1/questions/{id}", summary: "A question (current version)", tag: "questions", secured: true,
            parameters: [pathParam("id", "Question id")], responses: ["200": json(ref("Question")), "400": problem, "401": problem, "404": problem]),
        Operation(
            method: "PUT", path: "/api/v1/questions/{id}",
            summary: "Edit a question (its owner while it is a draft; administrators): stored as its next version, audited; tests keep the versions they pinned",
            tag: "questions", secured: true,
            parameters: [
                pathParam("id", "Question id"),
                [
                    // Needed (428 Precondition Required without it, RFC 6585), but not `required` here: OpenAPI's
                    // "required" promises a 400-class refusal that is not 428.
                    "name": "If-Match", "in": "header", "required": false,
                    "description": "Needed: the ETag of the version the edit was made on, as GET returned it (\"v3\"; W/\"v3\" and \"3\" are also read). Missing: 428; another version: 412",
                    "schema": ["type": "string"],
                ],
            ],
            requestBody: body("QuestionEdit"),
            responses: [
                "200": json(ref("Question"), "The question as stored (a new version, or the same one when nothing changed); its ETag in the header"),
                "400": problem, "401": problem, "403": problem, "404": problem, "412": problem, "422": problem, "428": problem,
            ]),
        Operation(
            method: "GET", path: "/api/v1/questions/{id}/versions/{n}", summary: "One version of a question (as a test pinned it)", tag: "questions",
            secured: true, parameters: [pathParam("id", "Question id"), versionNumber],
            responses: ["200": json(ref("Question")), "400": problem, "401": problem, "404": problem]),
        Operation(
            method: "PUT", path: "/api/v1/questions/{id}/status", summary: "Move a question through review (reviewer or admin)", tag: "questions",
            secured: true, parameters: [pathParam("id", "Question id")],
            requestBody: ["required": true, "content": ["application/json": ["schema": [
                "type": "object", "required": ["status"], "additionalProperties": false,
                "properties": ["status": ["type": "string", "enum": statuses]],
            ]]]],
            responses: ["200": json(ref("Question")), "400": problem, "401": problem, "403": problem, "404": problem]),
        ]
    }

    static var operations: [Operation] { [
        Operation(method: "GET", path: "/health", summary: "Liveness and store check", tag: "operations", responses: ["200": json(["type": "object"])]),
        Operation(
            method: "GET", path: "/ready", summary: "Readiness: the store answers and its schema is current (503 otherwise)", tag: "operations",
            responses: [
                "200": json([
                    "type": "object", "required": ["status", "store", "migrations"],
                    "properties": ["status": ["type": "string"], "store": ["type": "string"], "migrations": ["type": "string"]],
                ]), "503": problem,
            ]),
        Operation(
            method: "GET", path: "/metrics", summary: "Prometheus metrics", tag: "operations",
            responses: ["200": ["description": "Prometheus text format", "content": ["text/plain": ["schema": ["type": "string"]]]]]),
        Operation(
            method: "GET", path: "/api/v1/openapi.json", summary: "This document", tag: "operations",
            responses: ["200": json(["type": "object"])]),
        Operation(
            method: "POST", path: "/api/v1/auth/login", summary: "Sign in; returns a bearer token", tag: "auth",
            requestBody: ["required": true, "content": ["application/json": ["schema": ref("LoginRequest")]]],
            responses: ["200": json(ref("LoginResponse")), "400": problem, "401": problem, "429": problem]),
        Operation(
            method: "POST", path: "/api/v1/auth/logout", summary: "End the session", tag: "auth", secured: true,
            responses: ["204": ["description": "Signed out"], "401": problem]),
        Operation(method: "GET", path: "/api/v1/me", summary: "The signed-in user", tag: "auth", secured: true,
                  responses: ["200": json(ref("User")), "401": problem]),
        Operation(
            method: "POST", path: "/api/v1/users", summary: "Create a user (admin)", tag: "auth", secured: true,
            requestBody: ["required": true, "content": ["application/json": ["schema": ref("CreateUserRequest")]]],
            responses: ["201": json(ref("User"), "Created"), "400": problem, "401": problem, "403": problem, "409": problem, "422": problem]),
        Operation(
            method: "POST", path: "/api/v1/auth/password", summary: "Change the caller's password (ends their other sessions)", tag: "auth",
            secured: true,
            requestBody: ["required": true, "content": ["application/json": ["schema": ref("PasswordRequest")]]],
            responses: ["204": ["description": "Changed"], "400": problem, "401": problem, "422": problem, "429": problem]),
        Operation(
            method: "POST", path: "/api/v1/users/{id}/disable", summary: "Disable an account and end its sessions (admin)", tag: "auth",
            secured: true, parameters: [userID],
            responses: ["200": json(ref("User")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem]),
        Operation(
            method: "POST", path: "/api/v1/users/{id}/enable", summary: "Enable a disabled account (admin)", tag: "auth", secured: true,
            parameters: [userID], responses: ["200": json(ref("User")), "400": problem, "401": problem, "403": problem, "404": problem]),
        Operation(
            method: "DELETE", path: "/api/v1/users/{id}/sessions", summary: "End every session of an account (the user or admin)",
            tag: "auth", secured: true, parameters: [userID],
            responses: ["204": ["description": "Ended"], "400": problem, "401": problem, "403": problem, "404": problem]),
        Operation(
            method: "POST", path: "/api/v1/materials", summary: "Create a material (metadata)", tag: "materials", secured: true,
            requestBody: ["required": true, "content": ["application/json": ["schema": ref("CreateMaterialRequest")]]],
            responses: ["201": json(ref("Material"), "Created"), "400": problem, "401": problem, "403": problem, "422": problem]),
        Operation(
            method: "GET", path: "/api/v1/materials", summary: "List visible materials, newest first", tag: "materials",
            parameters: searchParameters, responses: ["200": json(ref("SearchPage")), "400": problem]),
        Operation(
            method: "GET", path: "/api/v1/materials/{pid}", summary: "One material", tag: "materials", parameters: [pid],
            responses: ["200": json(ref("Material")), "304": ["description": "Not modified"], "400": problem, "404": problem]),
        Operation(
            method: "PATCH", path: "/api/v1/materials/{pid}", summary: "Change metadata or visibility (status: admin)", tag: "materials",
            secured: true, parameters: [pid],
            requestBody: ["required": true, "content": ["application/json": ["schema": ref("UpdateMaterialRequest")]]],
            responses: ["200": json(ref("Material")), "400": problem, "401": problem, "403": problem, "404": problem, "412": problem, "422": problem]),
        Operation(
            method: "POST", path: "/api/v1/materials/{pid}/versions", summary: "Upload a new file version (streamed raw body)",
            tag: "materials", secured: true,
            parameters: [pid, query("filename", "File name (or Content-Disposition)"), query("note", "Version note")],
            requestBody: ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]],
            responses: [
                "200": json(ref("MaterialVersion"), "The same bytes as the newest version: nothing new (that version)"),
                "201": json(ref("MaterialVersion"), "Created (a pending version when the material is published: it waits for review)"),
                "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "422": problem,
                "503": ["description": "The file could not be stored (e.g. `storage-full`: the blob volume is full); nothing was kept", "content": ["application/problem+json": ["schema": ref("Problem")]]],
            ]),
        Operation(
            method: "GET", path: "/api/v1/materials/{pid}/versions", summary: "All versions", tag: "materials", parameters: [pid],
            responses: ["200": json(["type": "object", "properties": ["items": ["type": "array", "items": ref("MaterialVersion")]]]), "404": problem]),
        Operation(
            method: "GET", path: "/api/v1/materials/{pid}/versions/{n}", summary: "One version", tag: "materials",
            parameters: [pid, versionNumber], responses: ["200": json(ref("MaterialVersion")), "400": problem, "404": problem]),
        Operation(
            method: "GET", path: "/api/v1/materials/{pid}/versions/{n}/file", summary: "Download a version's file (streamed)",
            tag: "materials", parameters: [pid, versionNumber],
            responses: [
                "200": ["description": "The file, with its own media type", "content": ["*/*": ["schema": ["type": "string", "format": "binary"]]]],
                "304": ["description": "Not modified"], "400": problem, "404": problem,
            ]),
        Operation(
            method: "GET", path: "/api/v1/materials/{pid}/versions/{n}/thumbnail", summary: "First-page image (PDF, when pdftoppm is installed)",
            tag: "materials", parameters: [pid, versionNumber],
            responses: [
                "200": ["description": "PNG", "content": ["image/png": ["schema": ["type": "string", "format": "binary"]]]],
                "304": ["description": "Not modified"], "400": problem, "404": problem,
            ]),
        Operation(
            method: "GET", path: "/api/v1/materials/{pid}/outline", summary: "A course package's outline (folders and members with their PIDs)",
            tag: "materials", parameters: [pid],
            responses: ["200": json(["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ["type": "object"]]]]), "404": problem]),
        Operation(
            method: "POST", path: "/api/v1/materials/{pid}/versions/{n}/preview",
            summary: "The address to preview a version at (signed and expiring unless anyone may see it)", tag: "preview",
            parameters: [pid, versionNumber],
            responses: [
                "200": json(["type": "object", "required": ["url"], "properties": ["url": ["type": "string"], "expires": ["type": "string"]]]),
                "400": problem, "404": problem,
            ]),
        Operation(
            method: "GET", path: "/preview/{ref}",
            summary: "Preview a version: after the access check, a redirect to its player on the content origin (HOCLIEU_CONTENT_URL)",
            tag: "preview", parameters: [previewReference],
            responses: [
                "302": ["description": "To the content origin (a signed, expiring address when the version is not public)"],
                "400": problem, "403": problem, "404": problem,
            ]),
        Operation(
            method: "GET", path: "/preview/{ref}/{path}", summary: "One entry of a stored package: a redirect to it on the content origin",
            tag: "preview", catchAll: true,
            parameters: [previewReference, ["name": "path", "in": "path", "required": true, "description": "Entry path (may contain /)", "schema": ["type": "string"]]],
            responses: [
                "302": ["description": "To the entry on the content origin"],
                "400": problem, "403": problem, "404": problem,
            ]),
        Operation(
            method: "GET", path: "/api/v1/search", summary: "Search (Vietnamese with or without diacritics)", tag: "search",
            parameters: searchParameters, responses: ["200": json(ref("SearchPage")), "400": problem]),
        Operation(
            method: "GET", path: "/api/v1/catalog/frameworks", summary: "The catalogue's frameworks (one per subject)", tag: "catalog",
            responses: ["200": json(["type": "object", "properties": ["items": ["type": "array", "items": ["type": "object"]]]])]),
        Operation(
            method: "GET", path: "/api/v1/catalog/items/{code}", summary: "A catalogue item with ancestors, children and counts",
            tag: "catalog",
            parameters: [
                [
                    "name": "code", "in": "path", "required": true, "description": "Item code, e.g. TOAN.6.SD.1",
                    "schema": ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z0-9]+)*$", "maxLength": 64],
                ]
            ],
            responses: ["200": json(["type": "object"]), "404": problem]),
        Operation(
            method: "GET", path: "/api/v1/catalog/search", summary: "Type-ahead over statements (diacritics optional)", tag: "catalog",
            parameters: [
                query("q", "Words; the last may be a prefix", ["type": "string", "minLength": 1, "maxLength": 200]),
                query("framework", "Framework code, e.g. TOAN", ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*$"]),
                query("limit", "1–100", ["type": "integer", "minimum": 1, "maximum": 100]),
            ],
            responses: ["200": json(["type": "object", "properties": ["items": ["type": "array", "items": ["type": "object"]]]])]),
        Operation(
            method: "GET", path: "/ims/case/v1p0/CFDocuments", summary: "IMS CASE 1.0: the frameworks (CFDocumentSet)", tag: "case",
            parameters: [
                query("limit", "Page size", ["type": "integer", "minimum": 1]),
                query("offset", "Rows to skip", ["type": "integer", "minimum": 0]),
                query("sort", "Field to sort on (another field keeps the default order, Vietnamese alphabetical by title)", ["type": "string"]),
                query("orderBy", "asc or desc", ["type": "string", "enum": ["asc", "desc"]]),
                query("filter", "field op 'value' conditions joined by AND or OR, compared without case"),
                query("fields", "Comma-separated keys each document keeps", ["type": "string", "minLength": 1]),
            ],
            responses: ["200": json(["type": "object"]), "400": caseStatus, "503": caseStatus]),
    ] + (["CFPackages"] + CASESnapshot.Kind.allCases.map(\.rawValue)).map { kind in
        Operation(
            method: "GET", path: "/ims/case/v1p0/\(kind)/{id}", summary: "IMS CASE 1.0: \(kind) by sourcedId", tag: "case",
            parameters: [
                [
                    "name": "id", "in": "path", "required": true, "description": "sourcedId (UUID)",
                    "schema": ["type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"],
                ]
            ],
            responses: ["200": json(["type": "object"]), "304": ["description": "Not modified"], "404": caseStatus, "503": caseStatus])
    } + [
        Operation(
            method: "GET", path: "/ims/case/v1p0/CFRubrics/{id}", summary: "IMS CASE 1.0: CFRubric by sourcedId (none are published)", tag: "case",
            parameters: [pathParam("id", "sourcedId (UUID)")], responses: ["404": caseStatus, "503": caseStatus]),
        Operation(
            method: "OPTIONS", path: "/ims/case/v1p0/{path}", summary: "CORS preflight for browser CASE clients", tag: "case", catchAll: true,
            parameters: [["name": "path", "in": "path", "required": true, "description": "Any CASE path", "schema": ["type": "string"]]],
            responses: ["204": ["description": "Allowed: any origin, GET and HEAD, the asked request headers"]]),
        Operation(
            method: "GET", path: "/oai", summary: "OAI-PMH 2.0 provider (oai_dc, lom); protocol errors are 200 with <error>", tag: "harvest",
            parameters: oaiArguments, responses: oaiResponses),
        Operation(
            method: "POST", path: "/oai", summary: "OAI-PMH 2.0 provider, arguments as a form body", tag: "harvest",
            requestBody: ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": [
                "type": "object", "description": "A missing verb is an OAI badVerb error (200), as the protocol says",
                "properties": ["verb": ["type": "string"], "identifier": ["type": "string"], "metadataPrefix": ["type": "string"],
                               "from": ["type": "string"], "until": ["type": "string"], "set": ["type": "string"], "resumptionToken": ["type": "string"]],
            ]]]],
            responses: oaiResponses.merging(["413": problem, "415": problem]) { $1 }),
        Operation(
            method: "GET", path: "/id/{pid}", summary: "Resolve PID or PID@vN (HTML or JSON by Accept)", tag: "identifiers",
            parameters: [pathParam("pid", "PID, or PID@vN")],
            responses: [
                "200": ["description": "Resolution", "content": ["application/json": ["schema": ["type": "object"]], "text/html": ["schema": ["type": "string"]]]],
                "400": problem, "404": problem, "410": problem,
            ]),
        Operation(method: "GET", path: "/api/v1/criteria", summary: "The published review criteria (newest version of each set)", tag: "review",
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("CriteriaSet"))]])]),
        Operation(
            method: "POST", path: "/api/v1/materials/{pid}/submissions", summary: "Submit a material, or a change to a published one, for review",
            tag: "review", secured: true, parameters: [pid], requestBody: body("SubmitRequest"),
            responses: ["201": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "503": problem]),
        Operation(
            method: "POST", path: "/api/v1/materials/{pid}/withdraw", summary: "Withdraw a published material (tombstone kept; chair or admin)",
            tag: "review", secured: true, parameters: [pid], requestBody: body("ReasonRequest"),
            responses: ["200": json(ref("Material")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem]),
        Operation(
            method: "POST", path: "/api/v1/materials/{pid}/rereview", summary: "Put a published material under re-review (chair or admin)",
            tag: "review", secured: true, parameters: [pid], requestBody: body("ReasonRequest"),
            responses: ["201": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "503": problem]),
        Operation(
            method: "GET", path: "/api/v1/submissions", summary: "Submissions: the board sees all, authors their own; queue=mine is the caller's review queue, overdue first",
            tag: "review", secured: true,
            parameters: [
                query("queue", "mine: what the caller owes", enumeration(["mine"])), query("state", "Comma-separated states"),
                query("overdue", "Only overdue", enumeration(["true", "false"])), query("pid", "One material"),
                query("after", "Cursor from the Link header"), query("limit", "1–200", ["type": "integer", "minimum": 1, "maximum": 200]),
            ],
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("Submission"))]]), "400": problem, "401": problem]),
        Operation(
            method: "GET", path: "/api/v1/submissions/{id}", summary: "A submission with its reviews (as the caller may read them)", tag: "review",
            secured: true, parameters: [submissionID], responses: ["200": json(ref("Submission")), "400": problem, "401": problem, "404": problem]),
        Operation(
            method: "POST", path: "/api/v1/submissions/{id}/assignments", summary: "Assign reviewers (listed, or automatically when omitted)",
            tag: "review", secured: true, parameters: [submissionID], requestBody: body("AssignRequest"),
            responses: ["200": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem]),
        Operation(
            method: "DELETE", path: "/api/v1/submissions/{id}/assignments/{reviewer}", summary: "Remove a reviewer who has not reviewed this round",
            tag: "review", secured: true,
            parameters: [submissionID, ["name": "reviewer", "in": "path", "required": true, "description": "Reviewer's account id", "schema": ["type": "integer", "minimum": 1]]],
            responses: ["200": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem]),
        Operation(
            method: "POST", path: "/api/v1/submissions/{id}/reviews", summary: "Record the caller's review: every criterion scored, a decision, reason and feedback",
            tag: "review", secured: true, parameters: [submissionID], requestBody: body("ReviewRequest"),
            responses: ["201": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "503": problem]),
        Operation(
            method: "PATCH", path: "/api/v1/submissions/{id}/metadata", summary: "Correct the metadata under review (assigned reviewer or chair; audited)",
            tag: "review", secured: true, parameters: [submissionID], requestBody: body("Metadata"),
            responses: ["200": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem]),
        Operation(
            method: "POST", path: "/api/v1/submissions/{id}/decision", summary: "The chair's decision (exactly one decision wins)", tag: "review",
            secured: true, parameters: [submissionID], requestBody: body("DecisionRequest"),
            responses: ["200": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem]),
        Operation(
            method: "POST", path: "/api/v1/submissions/{id}/cancel", summary: "Take back an open submission (author, chair or admin)", tag: "review",
            secured: true, parameters: [submissionID], requestBody: body("CancelRequest"),
            responses: ["200": json(ref("Submission")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem]),
        Operation(
            method: "GET", path: "/api/v1/audit", summary: "The audit log (admin), oldest first, filtered", tag: "audit", secured: true,
            parameters: [
                query("after", "Events after this sequence number", ["type": "integer", "minimum": 0]),
                query("limit", "1–1000", ["type": "integer", "minimum": 1, "maximum": 1000]),
                query("actor", "Actor's account id", ["type": "integer", "minimum": 0]), query("action", "Action or action prefix"),
                query("subject", "Subject, e.g. material:PID or submission:ID"), query("from", "ISO 8601 time"), query("until", "ISO 8601 time"),
            ],
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("AuditEvent"))]]), "400": problem, "401": problem, "403": problem]),
        Operation(
            method: "POST", path: "/api/v1/clients", summary: "Create an LMS client credential (admin); the secret is shown in this answer only",
            tag: "clients", secured: true, requestBody: body("CreateClientRequest"),
            responses: ["201": json(ref("IssuedClient")), "400": problem, "401": problem, "403": problem, "422": problem]),
        Operation(
            method: "GET", path: "/api/v1/clients", summary: "LMS client credentials (admin; never the secrets)", tag: "clients", secured: true,
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("LMSClient"))]]), "401": problem, "403": problem]),
        Operation(
            method: "DELETE", path: "/api/v1/clients/{id}", summary: "Revoke an LMS client credential for good (admin)", tag: "clients", secured: true,
            parameters: [["name": "id", "in": "path", "required": true, "description": "Client number", "schema": ["type": "integer", "minimum": 1]]],
            responses: ["200": json(ref("LMSClient")), "400": problem, "401": problem, "403": problem, "404": problem]),
        Operation(
            method: "GET", path: "/api/v1/notifications",
            summary: "What needs the caller's attention: assignments, reminders, escalations (chair), decisions on their submissions", tag: "review",
            secured: true,
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("Notice"))]]), "401": problem]),
        Operation(
            method: "GET", path: "/api/v1/organisations", summary: "The department and its schools, with their accounts' counts (signed in)",
            tag: "organisations", secured: true,
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("Organisation"))]]), "401": problem, "403": problem]),
        Operation(
            method: "POST", path: "/api/v1/organisations", summary: "Register a school under the department (admin)", tag: "organisations",
            secured: true, requestBody: body("CreateOrganisationRequest"),
            responses: ["201": json(ref("Organisation")), "400": problem, "401": problem, "403": problem, "409": problem, "422": problem]),
        Operation(
            method: "GET", path: "/api/v1/organisations/{id}",
            summary: "One organisation; its accounts for administrators and that school's administrator", tag: "organisations", secured: true,
            parameters: [organisationID],
            responses: ["200": json(ref("Organisation")), "400": problem, "401": problem, "403": problem, "404": problem]),
        Operation(
            method: "PATCH", path: "/api/v1/organisations/{id}",
            summary: "Correct an organisation's display name (a school's must fold to the same key) or code (admin)", tag: "organisations",
            secured: true, parameters: [organisationID], requestBody: body("UpdateOrganisationRequest"),
            responses: ["200": json(ref("Organisation")), "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem]),
        Operation(
            method: "GET", path: "/api/v1/users", summary: "The accounts of an organisation (admin; a school admin for their own school)",
            tag: "organisations", secured: true,
            parameters: [query("organisation", "Organisation id (default: the caller's own)", ["type": "integer", "minimum": 0])],
            responses: ["200": json(["type": "object", "properties": ["items": array(ref("User"))]]), "400": problem, "401": problem, "403": problem, "404": problem]),
    ] }

    static var organisationID: [String: Any] {
        ["name": "id", "in": "path", "required": true, "description": "Organisation number", "schema": ["type": "integer", "minimum": 1]]
    }

    /// The protocol's arguments; which ones a verb takes is OAI-PMH's rule, answered with `badArgument`.
    /// OAI-PMH arguments: any string, empty included — the protocol answers a bad argument with 200 and an
    /// `<error>` (badVerb, badArgument), never with an HTTP error.
    static var oaiArguments: [[String: Any]] {
        let any: [String: Any] = ["type": "string"]
        return [
            query("verb", "Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers or ListRecords", any),
            query("identifier", "oai:{repository}:{pid}", any), query("metadataPrefix", "oai_dc or lom", any),
            query("from", "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", any), query("until", "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", any),
            query("set", "subject:TOAN, subject:TOAN:grade:6, grade:6, kind:lesson, node:TOAN.6.SD", any),
            query("resumptionToken", "Signed keyset token from the previous page", any),
        ]
    }
    static var oaiResponses: [String: Any] {
        [
            "200": ["description": "OAI-PMH response (records, or <error>)", "content": ["text/xml": ["schema": ["type": "string"]]]],
            "401": problem,
        ]
    }

    static func string(_ extra: [String: Any] = [:]) -> [String: Any] { ["type": "string"].merging(extra) { $1 } }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func enumeration(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }

    static var metadataProperties: [String: Any] {
        [
            "title": string(["minLength": 1, "maxLength": 500, "pattern": "\\S"]), "description": string(["maxLength": 20000]),
            "language": string(["pattern": "^[A-Za-z-]{0,35}$"]),
            "subjects": array(string(["pattern": "^[A-Za-z0-9_]{1,32}$"])),
            "grades": array(["type": "integer", "minimum": 1, "maximum": 12]),
            "knowledgeUnits": array(string(["pattern": "^[A-Za-z0-9._-]{1,64}$"])),
            "keywords": ["type": "array", "items": string(), "maxItems": 50], "licence": string(),
            "authors": ["type": "array", "items": string(), "maxItems": 50], "school": string(),
        ]
    }

    static var schemas: [String: Any] {
        let kinds = enumeration(MaterialKind.allCases.map(\.rawValue))
        let visibilities = enumeration(Visibility.allCases.map(\.rawValue))
        let statuses = enumeration(MaterialStatus.allCases.map(\.rawValue))
        return [
            "Question": [
                "type": "object", "required": ["id", "version", "status", "stem", "body", "points"],
                "description": "A question of the bank: rich texts are sanitised HTML; `body` holds one of the ten types",
                "properties": [
                    "id": ["type": "string"], "version": ["type": "integer"], "status": ["type": "string"], "subject": ["type": "string"],
                    "grade": ["type": "integer"], "knowledgeUnits": ["type": "array", "items": ["type": "string"]], "points": ["type": "number"],
                    "stem": ["type": "object"], "body": ["type": "object"],
                ],
            ],
            "QuestionEdit": [
                "type": "object", "additionalProperties": false,
                "description": "The fields an edit changes (absent: unchanged). Rich texts are {html, format}; body is the type-specific part as GET returns it",
                "properties": [
                    "title": string(), "subject": string(), "grade": ["type": "integer"], "knowledgeUnits": array(string()),
                    "cognitiveLevel": ["type": "object"], "points": ["type": "number"], "stem": ["type": "object"], "body": ["type": "object"],
                    "generalFeedback": ["type": "object"], "workedSolution": ["type": "object"], "tags": array(string()),
                ] as [String: Any],
            ],
            "Job": [
                "type": "object", "required": ["id", "kind", "status", "progress", "createdAt", "updatedAt", "links"],
                "properties": [
                    "id": ["type": "string"], "kind": ["type": "string", "enum": ["import", "export"]],
                    "status": ["type": "string", "enum": JobStatus.allCases.map(\.rawValue)],
                    "progress": ["type": "number", "minimum": 0, "maximum": 1], "createdAt": ["type": "string"], "updatedAt": ["type": "string"],
                    "fileName": ["type": "string"], "error": ["type": "string"], "links": ["type": "object"],
                    "report": ["type": "object", "description": "Import report: materials created/updated/unchanged, counts, warnings, dropped"],
                    "result": ["type": "object", "description": "Export result: file, size and the export report (every loss)"],
                ] as [String: Any],
            ],
            "QuestionImport": [
                "type": "object", "required": ["format", "refused", "created", "updated", "unchanged", "byType", "stored", "report"],
                "properties": [
                    "fileName": ["type": "string"], "format": ["type": "string"], "refused": ["type": "boolean"], "created": ["type": "integer"],
                    "updated": ["type": "integer"], "unchanged": ["type": "integer"], "byType": ["type": "object"],
                    "stored": ["type": "array", "items": ["type": "object"]],
                    "report": ["type": "object", "description": "Per question: id, type, source location, errors and narrowings (vi and en)"],
                ],
            ],
            "Problem": [
                "type": "object", "required": ["type", "title", "status", "detail"],
                "properties": [
                    "type": string(), "title": string(), "status": ["type": "integer"], "detail": string(), "instance": string(),
                    "messages": ["type": "object", "properties": ["vi": string(), "en": string()]], "hint": string(),
                    "errors": ["type": "object", "additionalProperties": string()],
                ],
            ],
            "LoginRequest": [
                "type": "object", "required": ["username", "password"], "additionalProperties": false,
                "properties": ["username": string(), "password": string()],
            ],
            "LoginResponse": [
                "type": "object",
                "description": "Also sets the hoclieu_session (HttpOnly, SameSite=Lax) and hoclieu_csrf cookies for browsers; cookie-authenticated state-changing requests send csrfToken as X-CSRF-Token",
                "properties": [
                    "token": string(), "tokenType": string(), "expiresAt": string(["format": "date-time"]), "user": ref("User"), "csrfToken": string(),
                ],
            ],
            "User": [
                "type": "object",
                "properties": [
                    "id": ["type": "integer"], "username": string(), "displayName": string(),
                    "roles": array(enumeration(Role.allCases.map(\.rawValue))), "school": string(), "createdAt": string(["format": "date-time"]),
                    "disabled": ["type": "boolean"], "organisationID": ["type": "integer"], "subjects": array(string()), "email": string(),
                ],
            ],
            "PasswordRequest": [
                "type": "object", "required": ["current", "new"], "additionalProperties": false,
                "properties": ["current": string(), "new": string(["minLength": 8, "maxLength": 72])],
            ],
            "CreateUserRequest": [
                "type": "object", "required": ["username", "password", "roles"], "additionalProperties": false,
                "properties": [
                    "username": string(["pattern": "^[a-z0-9._@-]{3,64}$"]), "displayName": string(), "password": string(["minLength": 8, "maxLength": 72]),
                    "roles": ["type": "array", "items": enumeration(Role.allCases.map(\.rawValue)), "minItems": 1], "school": string(),
                    "subjects": array(string()),
                    "email": string(["pattern": "^[^@\\s]+@[^@\\s]+$", "maxLength": 254]),
                ],
            ],
            "Metadata": ["type": "object", "properties": metadataProperties],
            "CreateMaterialRequest": [
                "type": "object", "required": ["kind", "title"], "additionalProperties": false,
                "properties": metadataProperties.merging([
                    "kind": kinds, "visibility": visibilities, "status": statuses, "reason": string(["minLength": 1, "pattern": "\\S"]), "url": string(["format": "iri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.:\\[\\]-]+([/?#][^\\s]*)?$", "maxLength": 2048]), "format": string(),
                ]) { $1 },
            ],
            "UpdateMaterialRequest": [
                "type": "object", "additionalProperties": false,
                "properties": metadataProperties.merging(["visibility": visibilities, "status": statuses, "reason": string(["minLength": 1, "pattern": "\\S"])]) { $1 },
            ],
            "Material": [
                "type": "object",
                "properties": [
                    "pid": string(), "kind": kinds, "format": string(), "metadata": ref("Metadata"), "visibility": visibilities,
                    "status": statuses, "ownerID": ["type": "integer"], "currentVersion": ["type": "integer"], "url": string(),
                    "provenance": ["type": "object"], "createdAt": string(["format": "date-time"]), "updatedAt": string(["format": "date-time"]),
                    "highlight": [
                        "type": "object",
                        "description": "In search results for a query: the title and a description snippet as escaped HTML, the matched words in <mark> (safe for innerHTML)",
                        "properties": ["title": string(), "snippet": string()],
                    ],
                ],
            ],
            "MaterialVersion": [
                "type": "object",
                "properties": [
                    "pid": string(), "number": ["type": "integer"], "contentID": string(["pattern": "^[0-9a-f]{64}$"]), "fileName": string(),
                    "mediaType": string(), "byteSize": ["type": "integer"], "note": string(), "createdBy": ["type": "integer"],
                    "createdAt": string(["format": "date-time"]),
                    "package": [
                        "type": "object", "description": "The content package the file is (SCORM, IMS CP, H5P, GeoGebra, HTML5), with warnings",
                        "properties": [
                            "kind": string(), "title": string(), "launch": string(), "scoCount": ["type": "integer"],
                            "entryCount": ["type": "integer"], "expandedBytes": ["type": "integer"], "warnings": array(string()),
                        ],
                    ],
                ],
            ],
            "CriteriaSet": [
                "type": "object", "required": ["id", "version", "kinds", "criteria"],
                "properties": [
                    "id": string(), "version": ["type": "integer"], "kinds": array(kinds), "titleVi": string(), "titleEn": string(),
                    "criteria": array([
                        "type": "object",
                        "properties": [
                            "code": string(), "vi": string(), "en": string(), "scale": enumeration(["pass_fail", "1-4"]), "weight": ["type": "number"],
                            "required": ["type": "boolean"],
                        ],
                    ]),
                ],
            ],
            "Submission": [
                "type": "object", "required": ["id", "pid", "kind", "state", "version", "round"],
                "description": "A material (or a change to one) before the quality board; authors never see internal notes or reviewer ids",
                "properties": [
                    "id": ["type": "integer"], "pid": string(), "kind": enumeration(["new", "change", "rereview"]),
                    "state": enumeration(SubmissionState.allCases.map(\.rawValue)), "version": ["type": "integer"], "round": ["type": "integer"],
                    "criteriaSet": string(), "submittedBy": ["type": "integer"], "submittedAt": string(["format": "date-time"]),
                    "updatedAt": string(["format": "date-time"]), "assignments": array(["type": "object"]), "decision": ["type": "object"],
                    "reviews": array(["type": "object"]), "title": string(["description": "The material's title (lists and single submissions)"]),
                    "materialKind": enumeration(MaterialKind.allCases.map(\.rawValue)), "subjects": array(string()),
                    "note": string(), "school": string(), "proposedMetadata": ref("Metadata"),
                ] as [String: Any],
            ],
            "SubmitRequest": [
                "type": "object", "additionalProperties": false,
                "properties": metadataProperties.merging(["version": ["type": "integer", "minimum": 1], "note": string()]) { $1 },
            ],
            "ReasonRequest": ["type": "object", "required": ["reason"], "additionalProperties": false, "properties": ["reason": string(["minLength": 1, "pattern": "\\S"])]],
            "AssignRequest": [
                "type": "object", "additionalProperties": false,
                "properties": ["reviewers": array(["type": "integer", "minimum": 1])],
            ],
            "ReviewRequest": [
                "type": "object", "required": ["scores", "decision"], "additionalProperties": false,
                "properties": [
                    "scores": ["type": "object", "additionalProperties": ["type": "integer"]],
                    "decision": enumeration(ReviewDecision.allCases.map(\.rawValue)), "reasonCode": enumeration(ReasonCode.allCases.map(\.rawValue)),
                    "feedback": string(), "internalNotes": string(),
                ],
            ],
            "DecisionRequest": [
                "type": "object", "required": ["decision"], "additionalProperties": false,
                "properties": [
                    "decision": enumeration(ReviewDecision.allCases.map(\.rawValue)), "reasonCode": enumeration(ReasonCode.allCases.map(\.rawValue)),
                    "feedback": string(),
                ],
            ],
            "CancelRequest": ["type": "object", "additionalProperties": false, "properties": ["reason": string()]],
            "AuditEvent": [
                "type": "object",
                "properties": [
                    "seq": ["type": "integer"], "at": string(["format": "date-time"]), "actorID": ["type": "integer"], "action": string(),
                    "subject": string(), "details": ["type": "object", "additionalProperties": string()], "previousHash": string(), "hash": string(),
                ],
            ],
            "CreateClientRequest": [
                "type": "object", "required": ["name", "scopes"], "additionalProperties": false,
                "properties": ["name": string(["minLength": 1, "maxLength": 200]), "scopes": ["type": "array", "minItems": 1, "items": enumeration(ClientScope.allCases.map(\.rawValue))]],
            ],
            "LMSClient": [
                "type": "object",
                "properties": [
                    "id": ["type": "integer"], "clientID": string(), "name": string(), "userID": ["type": "integer"],
                    "scopes": array(enumeration(ClientScope.allCases.map(\.rawValue))), "createdAt": string(["format": "date-time"]),
                    "createdBy": ["type": "integer"], "lastUsedAt": string(["format": "date-time"]), "revokedAt": string(["format": "date-time"]),
                ] as [String: Any],
            ],
            "Notice": [
                "type": "object",
                "properties": [
                    "kind": enumeration(["assigned", "overdue", "reminder", "escalated", "decision"]), "submission": ["type": "integer"],
                    "pid": string(), "title": string(), "at": string(["format": "date-time"]), "dueAt": string(["format": "date-time"]),
                    "reviewer": ["type": "integer"], "state": string(), "vi": string(), "en": string(),
                ] as [String: Any],
            ],
            "Organisation": [
                "type": "object",
                "properties": [
                    "id": ["type": "integer"], "kind": enumeration(["department", "school"]), "name": string(), "key": string(),
                    "code": string(), "parentID": ["type": "integer"], "createdAt": string(["format": "date-time"]), "userCount": ["type": "integer"],
                    "users": array(ref("User")),
                ] as [String: Any],
            ],
            "CreateOrganisationRequest": [
                "type": "object", "required": ["name"], "additionalProperties": false,
                "properties": ["name": string(["minLength": 1, "maxLength": 200]), "code": string(["maxLength": 50])],
            ],
            "UpdateOrganisationRequest": [
                "type": "object", "additionalProperties": false,
                "properties": ["name": string(["minLength": 1, "maxLength": 200]), "code": string(["maxLength": 50])],
            ],
            "IssuedClient": [
                "type": "object", "properties": ["client": ref("LMSClient"), "token": string(), "secret": string()],
                "description": "token is clientID.secret for Authorization: Bearer; HTTP basic takes clientID and secret",
            ],
            "SearchPage": [
                "type": "object",
                "properties": [
                    "items": array(ref("Material")), "total": ["type": "integer"], "totalIsLowerBound": ["type": "boolean"],
                    "next": ["type": ["string", "null"]],
                    "facets": [
                        "type": "object",
                        "additionalProperties": array(["type": "object", "properties": ["value": string(), "count": ["type": "integer"]]]),
                    ],
                ],
            ],
        ]
    }

    static let json: String = {
        var paths: [String: [String: Any]] = [:]
        for op in operations + questionOperations + blueprintOperations + cartridgeOperations + ltiOperations + oidcOperations + ingestOperations + reportOperations
            + administrationOperations + uploadOperations
        {
            // Any route may be called with a bad or expired token: 401 is declared everywhere (as a problem, unless
            // the route says otherwise: the LTI tool answers a refused launch with an HTML page).
            var responses = op.responses
            if responses["401"] == nil { responses["401"] = problem }
            // A malformed identifier (or other parameter) is a 400, and so is a NUL (%00) anywhere in a path or query
            // (refused in front of every route): a problem, beside whatever else a route documents for its 400.
            var badRequest = responses["400"] as? [String: Any] ?? problem
            var content = badRequest["content"] as? [String: Any] ?? [:]
            content["application/problem+json"] = content["application/problem+json"] ?? ["schema": ref("Problem")]
            badRequest["content"] = content
            responses["400"] = badRequest
            var operation: [String: Any] = [
                "summary": op.summary, "tags": [op.tag], "responses": responses,
                "operationId": op.method.lowercased() + op.path.split(separator: "/").map { $0.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "").replacingOccurrences(of: ".", with: "_") }.joined(separator: "_"),
            ]
            if !op.parameters.isEmpty { operation["parameters"] = op.parameters }
            if let body = op.requestBody { operation["requestBody"] = body }
            if op.secured { operation["security"] = [["bearer": [String]()]] }
            paths[op.path, default: [:]][op.method.lowercased()] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "Hoclieu API", "version": "1.0.0",
                "description": "Kho học liệu số — open learning-resource repository. Errors are RFC 9457 problem details in Vietnamese and English.",
            ],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()

    /// The methods the document lists for a concrete request path (`{x}` matches one segment).
    static func allowedMethods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return (operations + questionOperations + blueprintOperations + cartridgeOperations + ltiOperations + oidcOperations + ingestOperations + reportOperations + administrationOperations + uploadOperations).filter { op in
            let pattern = op.path.split(separator: "/", omittingEmptySubsequences: false)
            let lengthFits = op.catchAll ? segments.count >= pattern.count : pattern.count == segments.count
            return lengthFits && zip(pattern, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }.map(\.method)
    }
}
