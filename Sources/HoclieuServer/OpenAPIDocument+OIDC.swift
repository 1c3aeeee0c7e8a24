import Foundation

extension OpenAPIDocument {
    /// Sign-in with an external OpenID Connect provider, and the sign-in methods the web UI offers.
    static var oidcOperations: [Operation] {
        let refused: [String: Any] = ["description": "Refused: a bilingual HTML page with the reason", "content": ["text/html": ["schema": ["type": "string"]]]]
        return [
            Operation(
                method: "GET", path: "/api/v1/auth/methods", summary: "The sign-in methods this service offers (password; organisation account)",
                tag: "auth",
                responses: ["200": json([
                    "type": "object", "required": ["password", "oidc"],
                    "properties": ["password": ["type": "boolean"], "oidc": ["type": "boolean"], "oidcLoginURL": string()],
                ])]),
            Operation(
                method: "GET", path: "/auth/oidc/login",
                summary: "Sign in with the organisation's OpenID Connect provider: redirect there (code flow, PKCE S256, state and nonce)",
                tag: "auth",
                responses: [
                    "302": ["description": "To the provider's authorization endpoint; sets the state cookie"], "404": refused, "503": refused,
                ]),
            Operation(
                method: "GET", path: "/auth/oidc/callback",
                summary: "The provider's redirect back: exchange the code, verify the id_token, open a session (cookies) and go to /",
                tag: "auth",
                parameters: [
                    query("code", "Authorization code"), query("state", "The state of the login"), query("error", "The provider's error code"),
                    query("error_description", "The provider's error text"), query("iss", "The provider's issuer (RFC 9207)"),
                    query("scope", "Granted scopes"), query("session_state", "Provider session state"),
                ],
                responses: ["302": ["description": "Signed in: session cookies set, to /"], "401": refused, "403": refused, "404": refused, "503": refused]),
        ]
    }
}
