import Foundation

extension OpenAPIDocument {
    /// The LTI 1.3 tool and its administration.
    static var ltiOperations: [Operation] {
        let html: [String: Any] = ["description": "HTML page", "content": ["text/html": ["schema": ["type": "string"]]]]
        let refused: [String: Any] = ["description": "Refused: a bilingual HTML page with the reason", "content": ["text/html": ["schema": ["type": "string"]]]]
        let form: ([String: Any]) -> [String: Any] = { properties in
            ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": ["type": "object", "properties": properties]]]]
        }
        let platform: [String: Any] = [
            "type": "object",
            "properties": [
                "id": ["type": "integer"], "issuer": string(), "clientId": string(), "deploymentIds": array(string()), "authUrl": string(),
                "tokenUrl": string(), "jwksUrl": string(), "school": string(), "createdAt": string(["format": "date-time"]),
            ],
        ]
        let score: [String: Any] = [
            "type": "object",
            "properties": [
                "id": ["type": "integer"], "platformId": ["type": "integer"], "lineItem": string(), "userId": string(), "pid": string(),
                "scoreGiven": ["type": "number"], "scoreMaximum": ["type": "number"], "status": enumeration(["pending", "posted", "failed"]),
                "attempts": ["type": "integer"], "lastError": string(), "createdAt": string(["format": "date-time"]),
                "updatedAt": string(["format": "date-time"]),
            ],
        ]
        let loginParameters = [
            query("iss", "Platform issuer"), query("login_hint", "Opaque login hint"), query("target_link_uri", "Where the launch goes (must be this tool)"),
            query("lti_message_hint", "Opaque message hint"), query("client_id", "This tool's client id at the platform"),
            query("lti_deployment_id", "Deployment id"),
        ]
        let loginProperties: [String: Any] = [
            "iss": string(), "login_hint": string(), "target_link_uri": string(), "lti_message_hint": string(), "client_id": string(),
            "lti_deployment_id": string(),
        ]
        return [
            Operation(
                method: "GET", path: "/lti/jwks", summary: "The tool's public keys (RS256; retired keys during their grace period)", tag: "lti",
                responses: ["200": json(["type": "object", "required": ["keys"]])]),
            Operation(
                method: "GET", path: "/lti/login", summary: "OIDC third-party login initiation: redirect to the platform with state and nonce",
                tag: "lti", parameters: loginParameters,
                responses: ["302": ["description": "To the platform's authorisation endpoint; sets the state cookie"], "400": refused, "401": refused, "404": refused]),
            Operation(
                method: "POST", path: "/lti/login", summary: "OIDC third-party login initiation (form post)", tag: "lti",
                requestBody: form(loginProperties),
                responses: ["302": ["description": "To the platform's authorisation endpoint; sets the state cookie"], "400": refused, "401": refused, "404": refused]),
            Operation(
                method: "POST", path: "/lti/launch", summary: "LTI launch: verify the id_token; picker (deep linking) or player (resource link)", tag: "lti",
                requestBody: form(["id_token": string(), "state": string()]),
                responses: ["200": html, "401": refused, "403": refused, "404": refused, "503": refused]),
            Operation(
                method: "POST", path: "/lti/deep-link", summary: "Picker search, or the signed LtiDeepLinkingResponse posted back to the platform",
                tag: "lti", requestBody: form(["context": string(), "q": string(), "action": enumeration(["search", "select"]), "pid": string(),
                    "policy": enumeration(["latest", "pinned"]), "node": string(), "at": string()]),
                responses: ["200": html, "401": refused, "404": refused]),
            Operation(
                method: "POST", path: "/lti/score", summary: "Post a learner's score to the platform's gradebook (AGS), with retries", tag: "lti",
                requestBody: ["required": true, "content": ["application/json": ["schema": [
                    "type": "object", "required": ["ticket", "scoreGiven", "scoreMaximum"], "additionalProperties": false,
                    "properties": [
                        "ticket": string(), "scoreGiven": ["type": "number"], "scoreMaximum": ["type": "number"], "completed": ["type": "boolean"],
                    ],
                ]]]],
                responses: [
                    "200": json(score, "Posted"), "202": json(score, "Recorded as failed after retries"), "400": problem, "401": problem,
                    "403": problem,
                ]),
            Operation(
                method: "POST", path: "/lti/quiz",
                summary: "Submit a question-set quiz taken from an LMS launch; the server scores it and posts the score (AGS)", tag: "lti",
                requestBody: ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": [
                    "type": "object", "required": ["attempt"],
                    "properties": ["attempt": string()],
                    "additionalProperties": string(),
                ]]]],
                responses: ["200": html, "401": refused, "404": refused]),
            Operation(
                method: "GET", path: "/lti/register",
                summary: "LTI Dynamic Registration: read the platform's configuration, register Hoclieu, store the platform (one-time grant)", tag: "lti",
                parameters: [
                    query("hoclieu_grant", "The one-time grant from POST /api/v1/lti/registrations", string()),
                    query("openid_configuration", "The platform's OpenID configuration URL", string()),
                    query("registration_token", "The platform's registration token", string()),
                ],
                responses: ["200": html, "400": refused, "403": refused, "409": refused]),
            Operation(
                method: "POST", path: "/api/v1/lti/registrations", summary: "A one-time dynamic-registration URL for an LMS (administrators)", tag: "lti",
                secured: true,
                requestBody: ["required": true, "content": ["application/json": ["schema": [
                    "type": "object", "additionalProperties": false, "properties": ["school": string()],
                ]]]],
                responses: [
                    "201": json(["type": "object", "properties": ["url": string(), "expiresAt": string(), "school": string()]], "The URL to paste into the LMS"),
                    "400": problem, "401": problem, "403": problem,
                ]),
            Operation(
                method: "GET", path: "/api/v1/lti/platforms", summary: "Registered LMS platforms (administrators)", tag: "lti", secured: true,
                responses: ["200": json(array(platform)), "401": problem, "403": problem]),
            Operation(
                method: "POST", path: "/api/v1/lti/platforms", summary: "Register an LMS platform (administrators)", tag: "lti", secured: true,
                requestBody: ["required": true, "content": ["application/json": ["schema": [
                    "type": "object", "required": ["issuer", "clientId", "deploymentIds", "authUrl", "tokenUrl", "jwksUrl"], "additionalProperties": false,
                    "properties": [
                        "issuer": string(), "clientId": string(), "deploymentIds": array(string()), "authUrl": string(["format": "uri"]),
                        "tokenUrl": string(["format": "uri"]), "jwksUrl": string(["format": "uri"]), "school": string(),
                    ],
                ]]]],
                responses: ["201": json(platform, "Registered"), "400": problem, "401": problem, "403": problem, "409": problem]),
            Operation(
                method: "DELETE", path: "/api/v1/lti/platforms/{id}", summary: "Remove a platform registration (administrators)", tag: "lti",
                secured: true, parameters: [["name": "id", "in": "path", "required": true, "description": "Platform id", "schema": ["type": "integer", "minimum": 1]]],
                responses: ["204": ["description": "Removed"], "400": problem, "401": problem, "403": problem, "404": problem]),
            Operation(
                method: "GET", path: "/api/v1/lti/scores", summary: "Scores sent to LMS gradebooks, failed ones visible (teachers, administrators)",
                tag: "lti", secured: true, parameters: [query("failed", "Only failed posts", enumeration(["true", "false"]))],
                responses: ["200": json(array(score)), "400": problem, "401": problem, "403": problem]),
        ]
    }
}
