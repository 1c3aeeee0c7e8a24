#!/usr/bin/env bash
# Sign-in with an organisation's OpenID Connect provider, end to end: oidc-provider-mock (PyPI) is the provider on
# 127.0.0.1, and a second release service configured for it (its own data folder and port, its public address the
# loopback one, so the redirect URI is reachable) is signed in to with a plain HTTP client (Tests/oidc/signin.py) and
# through the web UI's button in headless Chromium (Tests/oidc/browser_signin.py).
# Called by e2e.sh; it can also run alone:
#   .ci/e2e-oidc.sh BIN WORK VENV
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1 WORK=$2 VENV=$3
"$VENV/bin/pip" install -q -r Tests/oidc/requirements.txt
PROVIDER_PORT=$((20000 + RANDOM % 20000))
PORT=$((20000 + RANDOM % 20000))
PROVIDER_PID="" SERVICE_PID=""
stop() {
    [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null || true
    [ -n "$PROVIDER_PID" ] && kill "$PROVIDER_PID" 2>/dev/null || true
}
trap stop EXIT
fail() { echo "E2E OIDC FAIL: $*" >&2; cat "$WORK/oidc-provider.log" "$WORK/oidc-serve.log" >&2 || true; exit 1; }

"$VENV/bin/oidc-provider-mock" --host 127.0.0.1 --port "$PROVIDER_PORT" >"$WORK/oidc-provider.log" 2>&1 &
PROVIDER_PID=$!
PROVIDER="http://127.0.0.1:$PROVIDER_PORT"
for _ in $(seq 1 60); do curl -fsS "$PROVIDER/.well-known/openid-configuration" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "$PROVIDER/.well-known/openid-configuration" >/dev/null || fail "oidc-provider-mock did not start"

# The service of e2e.sh has a public https address; this one is reached on loopback, as the provider redirects there.
env -u HOCLIEU_PUBLIC_URL -u HOCLIEU_CONTENT_URL HOCLIEU_DATA="$WORK/oidc-data" \
    HOCLIEU_OIDC_ISSUER="$PROVIDER" HOCLIEU_OIDC_CLIENT_ID=hoclieu-e2e HOCLIEU_OIDC_CLIENT_SECRET='bí mật e2e' \
    HOCLIEU_OIDC_ALLOWED_DOMAINS=truong.edu.vn HOCLIEU_OIDC_SCHOOL_CLAIM=school \
    "$BIN" serve --port "$PORT" --content-port=-1 >"$WORK/oidc-serve.log" 2>&1 &
SERVICE_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -fsS "$URL/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "$URL/health" >/dev/null || fail "the service did not start"
[ "$(curl -fsS "$URL/api/v1/auth/methods" | python3 -c 'import sys, json; print(json.load(sys.stdin)["oidc"])')" = True ] ||
    fail "/api/v1/auth/methods does not offer OIDC"
TOKEN=$(curl -fsS -X POST "$URL/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$HOCLIEU_ADMIN_PASSWORD\"}" |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
"$VENV/bin/python" Tests/oidc/signin.py "$URL" "$PROVIDER" "$TOKEN" || fail "sign-in"
# The web UI's button, in headless Chromium (e2e.sh installs it and Selenium for Tests/ui).
SE_OFFLINE=true "$VENV/bin/python" Tests/oidc/browser_signin.py "$URL" "$PROVIDER" || fail "web UI sign-in"
# Every sign-in is in the audit log with its method.
AUDIT=$(curl -sS -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit?action=auth.login&limit=100")
COUNT=$(printf '%s' "$AUDIT" | python3 -c '
import sys, json
items = [e for e in json.load(sys.stdin)["items"] if e.get("details", {}).get("method") == "oidc"]
ok = sum(1 for e in items if e["action"] == "auth.login")
refused = [e["details"].get("reason") for e in items if e["action"] == "auth.login.failed"]
print(f"{ok} {refused}")') || fail "audit log: $AUDIT"
[ "$COUNT" = "4 ['oidc-domain-not-allowed']" ] || fail "the audit log holds $COUNT OIDC sign-ins and refusals, not 4 (3 by requests, 1 in the browser) and the refused domain: $AUDIT"
echo "e2e-oidc: sign-ins and the refusal audited OK"
