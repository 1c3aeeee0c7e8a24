extension OpenAPIDocument {
    /// Resumable uploads (``UploadController``).
    static var uploadOperations: [Operation] {
        let id: [String: Any] = [
            "name": "id", "in": "path", "required": true, "description": "Upload id (32 lower-case hex digits)", "schema": ["type": "string"],
        ]
        let upload: [String: Any] = [
            "type": "object", "required": ["id", "pid", "fileName", "size", "received", "chunkSize", "complete", "expiresAt"],
            "properties": [
                "id": string(), "pid": string(), "fileName": string(), "size": ["type": "integer"], "received": ["type": "integer"],
                "chunkSize": ["type": "integer"], "complete": ["type": "boolean"], "expiresAt": string(["format": "date-time"]),
                "version": ["type": "integer", "description": "The version the finished upload became"],
            ] as [String: Any],
        ]
        let offsetHeaders: [String: Any] = [
            "Upload-Offset": ["description": "Bytes received: the next chunk starts here", "schema": ["type": "integer"]],
            "Upload-Length": ["description": "The file's size", "schema": ["type": "integer"]],
        ]
        var state = json(upload, "The upload's state")
        state["headers"] = offsetHeaders
        return [
            Operation(
                method: "POST", path: "/api/v1/uploads",
                summary: "Start a resumable upload of a file that becomes the next version of a material (413 above the upload limit)", tag: "materials",
                secured: true,
                requestBody: [
                    "required": true,
                    "content": ["application/json": ["schema": [
                        "type": "object", "required": ["pid", "fileName", "size"], "additionalProperties": false,
                        "properties": [
                            "pid": string(), "fileName": string(), "size": ["type": "integer", "description": "The file's size in bytes"],
                            "mediaType": string(), "note": string(["description": "The version's note"]),
                        ] as [String: Any],
                    ]]],
                ],
                responses: ["201": state, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "422": problem]),
            Operation(
                method: "GET", path: "/api/v1/uploads/{id}", summary: "An upload's state (its creator only); HEAD gives Upload-Offset alone", tag: "materials",
                secured: true, parameters: [id], responses: ["200": state, "401": problem, "403": problem, "404": problem]),
            Operation(
                method: "PUT", path: "/api/v1/uploads/{id}",
                summary: "Send one chunk at Content-Range: bytes start-end/total; in order from Upload-Offset; a chunk already received is acknowledged again",
                tag: "materials", secured: true,
                parameters: [
                    id,
                    [
                        "name": "Content-Range", "in": "header", "required": true, "description": "bytes start-end/total (end inclusive)",
                        "schema": ["type": "string"],
                    ],
                ],
                requestBody: ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]],
                responses: ["200": state, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem]),
            Operation(
                method: "POST", path: "/api/v1/uploads/{id}/finish",
                summary: "Finish a complete upload: the file becomes the material's next version (as POST …/versions); again: the same version",
                tag: "materials", secured: true, parameters: [id],
                responses: [
                    "200": json(ref("MaterialVersion")), "201": json(ref("MaterialVersion")), "401": problem, "403": problem, "404": problem, "409": problem,
                    "413": problem, "422": problem, "503": problem,
                ]),
            Operation(
                method: "DELETE", path: "/api/v1/uploads/{id}", summary: "Abandon an upload (its bytes are removed)", tag: "materials", secured: true,
                parameters: [id], responses: ["204": ["description": "Abandoned"], "401": problem, "403": problem, "404": problem]),
        ]
    }
}
