extension OpenAPIDocument {
    /// Harvest sources, catalogue imports, backups and their jobs (department administrators).
    static var administrationOperations: [Operation] {
        let sourceID: [String: Any] = ["name": "id", "in": "path", "required": true, "description": "Harvest source id", "schema": ["type": "integer", "minimum": 1]]
        let interval: [String: Any] = ["type": "string", "description": "30m, 6h, 1d or seconds; at least a minute", "maxLength": 20]
        let sourceBody: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "url": ["type": "string", "description": "The repository's OAI-PMH base URL (http or https, no query)", "maxLength": 1000],
                "set": ["type": "string", "description": "A setSpec to harvest (PATCH: empty removes it)", "maxLength": 500],
                "prefix": ["type": "string", "enum": ["oai_dc", "lom"]], "every": interval,
                "trusted": ["type": "boolean", "description": "Publish its records at once (default: they enter review as submissions)"],
                "owner": ["type": "string", "description": "Username of the account harvested materials belong to (default: the caller)", "maxLength": 100],
            ],
        ]
        var createBody = sourceBody
        createBody["required"] = ["url"]
        let source: [String: Any] = [
            "type": "object", "required": ["id", "url", "prefix", "every", "intervalSeconds", "trusted", "owner", "links"],
            "properties": [
                "id": ["type": "integer"], "url": ["type": "string"], "set": ["type": ["string", "null"]], "prefix": ["type": "string"],
                "every": ["type": "string"], "intervalSeconds": ["type": "integer"], "trusted": ["type": "boolean"], "owner": ["type": "string"],
                "lastRunAt": ["type": ["string", "null"]], "lastError": ["type": ["string", "null"]], "lastDatestamp": ["type": ["string", "null"]],
                "links": ["type": "object"],
            ],
        ]
        let run: [String: Any] = [
            "type": "object",
            "properties": [
                "id": ["type": "integer"], "startedAt": ["type": "string"], "finishedAt": ["type": "string"],
                "status": ["type": "string", "enum": ["succeeded", "stopped", "failed"]], "pages": ["type": "integer"], "added": ["type": "integer"],
                "updated": ["type": "integer"], "deleted": ["type": "integer"], "unchanged": ["type": "integer"], "skipped": ["type": "integer"],
                "error": ["type": ["string", "null"]],
            ],
        ]
        let job: [String: Any] = [
            "type": "object", "required": ["id", "kind", "status", "links"],
            "properties": [
                "id": ["type": "string"], "kind": ["type": "string", "enum": ["harvest", "backup"]], "status": ["type": "string"],
                "progress": ["type": "number"], "error": ["type": "string"], "result": ["type": "object"], "links": ["type": "object"],
            ],
        ]
        let backup: [String: Any] = [
            "type": "object",
            "properties": [
                "name": ["type": "string"], "bytes": ["type": "integer"], "createdAt": ["type": "string"], "materials": ["type": "integer"],
                "blobs": ["type": "integer"], "file": ["type": "string"],
            ],
        ]
        func denied(_ answers: [String: Any]) -> [String: Any] { answers.merging(["401": problem, "403": problem]) { a, _ in a } }
        return [
            Operation(
                method: "GET", path: "/api/v1/harvest/sources", summary: "OAI-PMH repositories this service harvests (admin)", tag: "administration",
                secured: true, responses: denied(["200": json(["type": "object", "properties": ["items": array(source)]])])),
            Operation(
                method: "POST", path: "/api/v1/harvest/sources", summary: "Register an OAI-PMH repository to harvest (admin)", tag: "administration",
                secured: true, requestBody: ["required": true, "content": ["application/json": ["schema": createBody]]],
                responses: denied(["201": json(source), "400": problem, "404": problem, "409": problem])),
            Operation(
                method: "GET", path: "/api/v1/harvest/sources/{id}", summary: "One harvest source (admin)", tag: "administration", secured: true,
                parameters: [sourceID], responses: denied(["200": json(source), "404": problem])),
            Operation(
                method: "PATCH", path: "/api/v1/harvest/sources/{id}", summary: "Change a harvest source; where its harvest stands is kept (admin)",
                tag: "administration", secured: true, parameters: [sourceID],
                requestBody: ["required": true, "content": ["application/json": ["schema": sourceBody]]],
                responses: denied(["200": json(source), "404": problem, "409": problem])),
            Operation(
                method: "DELETE", path: "/api/v1/harvest/sources/{id}", summary: "Remove a harvest source and its runs; harvested materials stay (admin)",
                tag: "administration", secured: true, parameters: [sourceID],
                responses: denied(["204": ["description": "Removed"], "404": problem])),
            Operation(
                method: "GET", path: "/api/v1/harvest/sources/{id}/runs", summary: "The newest runs of a harvest source, newest first (admin)",
                tag: "administration", secured: true,
                parameters: [sourceID, query("limit", "How many runs (1–200, default 20)", ["type": "integer", "minimum": 1, "maximum": 200])],
                responses: denied(["200": json(["type": "object", "properties": ["items": array(run)]]), "404": problem])),
            Operation(
                method: "POST", path: "/api/v1/harvest/sources/{id}/run", summary: "Harvest a source now: a background job (admin)",
                tag: "administration", secured: true, parameters: [sourceID],
                responses: denied(["202": json(job, "Queued; Location: the job"), "404": problem])),
            Operation(
                method: "POST", path: "/api/v1/catalog/imports",
                summary: "Import a catalogue framework: a CSV of the Catalog/ columns or a CASE 1.0 CFPackage, loaded at once; 422 lists every problem and loads nothing (admin)",
                tag: "administration", secured: true,
                parameters: [
                    query("format", "csv or json (default: from Content-Type or filename)", ["type": "string", "enum": ["csv", "json"]]),
                    query("filename", "The file's name (problems name it; its extension can give the format)", ["type": "string", "maxLength": 200]),
                    query("framework", "Framework code (CSV: default the first segment of its codes; a foreign CASE package: required)",
                        ["type": "string", "pattern": "^[A-Za-z0-9_]{1,40}$"]),
                    query("grade", "Grade of CASE items without educationLevel", ["type": "integer", "minimum": 1, "maximum": 12]),
                ],
                requestBody: [
                    "required": true,
                    "content": ["text/csv": ["schema": ["type": "string"]], "application/json": ["schema": ["type": "object"]]],
                ],
                responses: denied([
                    "200": json(["type": "object", "properties": ["framework": ["type": "string"], "load": ["type": "object"], "problems": ["type": "array"]]]),
                    "413": problem, "415": problem, "422": problem,
                ])),
            Operation(
                method: "POST", path: "/api/v1/backups", summary: "Back up the data folder into its backups/ folder: a background job (admin)",
                tag: "administration", secured: true, responses: denied(["202": json(job, "Queued; Location: the job")])),
            Operation(
                method: "GET", path: "/api/v1/backups", summary: "The backups in the data folder, newest first (admin)", tag: "administration",
                secured: true, responses: denied(["200": json(["type": "object", "properties": ["items": array(backup)]])])),
            Operation(
                method: "GET", path: "/api/v1/backups/{name}/file", summary: "Download a backup (admin)", tag: "administration", secured: true,
                parameters: [["name": "name", "in": "path", "required": true, "description": "The backup's name", "schema": ["type": "string", "maxLength": 100]]],
                responses: denied(["200": ["description": "The archive", "content": ["application/zip": ["schema": ["type": "string", "format": "binary"]]]], "404": problem])),
            Operation(
                method: "GET", path: "/api/v1/jobs/{id}", summary: "A harvest or backup job: status, progress, result (its owner, admin)",
                tag: "administration", secured: true, parameters: [pathParam("id", "Job id")], responses: ["200": json(job), "404": problem]),
        ]
    }
}
