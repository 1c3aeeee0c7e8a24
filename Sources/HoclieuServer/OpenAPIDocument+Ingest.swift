import Foundation
import HoclieuCore

extension OpenAPIDocument {
    /// The LMS push API and the JSON change feed.
    static var ingestOperations: [Operation] {
        let binary: [String: Any] = ["schema": ["type": "string", "format": "binary"]]
        let pushJob: [String: Any] = [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "kind": ["type": "string"], "status": ["type": "string"], "progress": ["type": "number"],
                "fileName": ["type": "string"], "mediaType": ["type": "string"], "sourceCourse": ["type": "string"], "sourceResource": ["type": "string"],
                "error": ["type": "string"],
                "result": [
                    "type": "object",
                    "description": "treatedAs (cartridge, questions, file), items (pid, version, kind, title, action, submission, provenance), questions, warnings",
                ],
            ] as [String: Any],
        ]
        let header = { (name: String, description: String) -> [String: Any] in
            ["name": name, "in": "header", "required": false, "description": description, "schema": ["type": "string"]]
        }
        let metadataSchema: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "title": ["type": "string"], "description": ["type": "string"], "language": ["type": "string"],
                "subjects": ["type": "array", "items": ["type": "string"]], "grades": ["type": "array", "items": ["type": "integer"]],
                "knowledgeUnits": ["type": "array", "items": ["type": "string"]], "keywords": ["type": "array", "items": ["type": "string"]],
                "licence": ["type": "string"], "authors": ["type": "array", "items": ["type": "string"]],
                "kind": ["type": "string", "enum": MaterialKind.allCases.map(\.rawValue)],
                "visibility": ["type": "string", "enum": Visibility.allCases.map(\.rawValue)],
            ] as [String: Any],
        ]
        return [
            Operation(
                method: "POST", path: "/api/v1/ingest",
                summary: "LMS push (push-scoped client credential): a cartridge, a SCORM/H5P/HTML5 package, a question file or a single file becomes submissions in the review queue (background job)",
                tag: "ingest", secured: true,
                parameters: [
                    query("filename", "File name of a raw body (or Content-Disposition)"),
                    header("Idempotency-Key", "Up to 200 printable ASCII characters: the same key and body give the same job; another body is a 422"),
                    header("X-Hoclieu-Metadata", "The metadata JSON object, base64 (standard or URL-safe alphabet)"),
                    header("X-Hoclieu-Source-Course", "The LMS's course id (provenance)"),
                    header("X-Hoclieu-Source-Resource", "The LMS's resource id (provenance; the content id when left out)"),
                ],
                requestBody: [
                    "required": true,
                    "content": [
                        "multipart/form-data": [
                            "schema": [
                                "type": "object",
                                "properties": [
                                    "metadata": metadataSchema, "file": ["type": "string", "format": "binary"], "sourceCourse": ["type": "string"],
                                    "sourceResource": ["type": "string"],
                                ] as [String: Any],
                            ] as [String: Any]
                        ],
                        "application/zip": binary, "application/vnd.ims.imsccv1p3": binary, "application/octet-stream": binary,
                        "application/xml": binary, "text/plain": binary, "application/pdf": binary,
                    ] as [String: Any],
                ],
                responses: [
                    "202": json(pushJob, "Accepted: the job is queued; poll the Location (Idempotent-Replayed: true for a replayed key)"),
                    "403": problem, "413": problem, "415": problem, "422": problem, "429": problem,
                ]),
            Operation(
                method: "GET", path: "/api/v1/ingest/{id}", summary: "A push job: status, progress and, once ended, the PIDs and submission ids",
                tag: "ingest", secured: true, parameters: [pathParam("id", "Job id")], responses: ["200": json(pushJob), "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/changes",
                summary: "JSON change feed (published, updated, withdrawn) of what the caller's harvester class sees, as OAI-PMH; keyset cursor",
                tag: "harvest",
                parameters: [
                    query("since", "The next value of the previous page (opaque, signed); left out: from the beginning", ["type": "string"]),
                    query("limit", "Events per page, 1–1000 (default 100)", ["type": "integer", "minimum": 1, "maximum": 1000]),
                ],
                responses: [
                    "200": json([
                        "type": "object",
                        "properties": [
                            "items": [
                                "type": "array",
                                "items": [
                                    "type": "object",
                                    "properties": [
                                        "type": ["type": "string", "enum": ["published", "updated", "withdrawn"]], "pid": ["type": "string"],
                                        "version": ["type": "integer"], "datestamp": ["type": "string", "format": "date-time"],
                                        "links": ["type": "object"],
                                    ] as [String: Any],
                                ] as [String: Any],
                            ] as [String: Any],
                            "next": ["type": "string"], "hasMore": ["type": "boolean"], "links": ["type": "object"],
                        ] as [String: Any],
                    ]),
                    "400": problem,
                ]),
        ]
    }
}
