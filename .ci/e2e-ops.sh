#!/usr/bin/env bash
# Operations, end to end on a service of its own: configuration by file, environment and flags (`config show`),
# JSON logs with the effective configuration (secrets masked) and request ids, /ready, and graceful shutdown:
# an upload in flight when SIGTERM arrives completes (201), the process then exits 0, and the file is there
# after a restart.
#
#   .ci/e2e-ops.sh BIN WORK      BIN: the hoclieu binary (e2e.sh passes the release build); WORK: a scratch folder
# Standalone: .ci/e2e-ops.sh .build/debug/hoclieu "$(mktemp -d)"
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?hoclieu binary}
WORK=${2:?scratch folder}
fail() { echo "E2E OPS FAIL: $*" >&2; exit 1; }
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

OPS="$WORK/ops"
mkdir -p "$OPS"
SERVER=""
stop_server() { if [ -n "$SERVER" ]; then kill -9 "$SERVER" 2>/dev/null || true; fi; SERVER=""; }
trap stop_server EXIT

# ---- configuration: flags > environment > file > defaults; secrets masked ---------------------------------
PORT=$(free_port)
cat >"$OPS/hoclieu.conf" <<EOF
# The same NAME=value lines serve as a systemd EnvironmentFile.
HOCLIEU_DATA=$OPS/data
HOCLIEU_PORT=1
HOCLIEU_CONTENT_PORT=-1
HOCLIEU_PID_PREFIX=01-001
HOCLIEU_OAI_PAGE_SIZE=77
HOCLIEU_ADMIN_PASSWORD=ops-admin-secret-pw
HOCLIEU_LOG_FORMAT=json
HOCLIEU_BCRYPT_COST=4
EOF
SHOW=$(env -u HOCLIEU_DATA -u HOCLIEU_ADMIN_PASSWORD HOCLIEU_PID_PREFIX=79-760 HOCLIEU_CONFIG="$OPS/hoclieu.conf" \
    "$BIN" config show --port "$PORT" --json)
row() { echo "$SHOW" | python3 -c "import sys, json; r={x['name']: x for x in json.load(sys.stdin)}['$1']; print(r['value'], r['source'])"; }
[ "$(row HOCLIEU_PORT)" = "$PORT flag" ] || fail "flag over file: $(row HOCLIEU_PORT)"
[ "$(row HOCLIEU_PID_PREFIX)" = "79-760 environment" ] || fail "environment over file: $(row HOCLIEU_PID_PREFIX)"
[ "$(row HOCLIEU_OAI_PAGE_SIZE)" = "77 file" ] || fail "file over default: $(row HOCLIEU_OAI_PAGE_SIZE)"
[ "$(row HOCLIEU_REVIEWERS)" = "2 default" ] || [ "$(row HOCLIEU_REVIEWERS | cut -d' ' -f2)" = default ] || fail "default"
[ "$(row HOCLIEU_ADMIN_PASSWORD)" = "*** file" ] || fail "secret not masked: $(row HOCLIEU_ADMIN_PASSWORD)"
! echo "$SHOW" | grep -q ops-admin-secret-pw || fail "config show printed a secret"
echo "e2e ops: config show (flag > env > file > default, secrets masked) OK"

# ---- the service from that file: JSON logs, request ids, /ready ------------------------------------------
start() {
    env -u HOCLIEU_DATA -u HOCLIEU_ADMIN_PASSWORD -u HOCLIEU_LOG_FORMAT HOCLIEU_PID_PREFIX=79-760 HOCLIEU_CONFIG="$OPS/hoclieu.conf" \
        "$BIN" serve --port "$PORT" --catalog Catalog >>"$OPS/serve.log" 2>"$OPS/serve.err" &
    SERVER=$!
    for _ in $(seq 1 240); do
        curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER" 2>/dev/null || { cat "$OPS/serve.err"; fail "service exited at start"; }
        sleep 0.5
    done
    cat "$OPS/serve.err"; fail "service did not start"
}
start
BASE="http://127.0.0.1:$PORT"
API="$BASE/api/v1"
[ "$(curl -fsS "$BASE/ready" | json '["status"]')" = ready ] || fail "/ready"
[ "$(curl -fsS -o /dev/null -D - -H 'X-Request-Id: e2e-ops-1' "$BASE/health" | tr -d '\r' | grep -i '^x-request-id:' | cut -d' ' -f2)" = e2e-ops-1 ] \
    || fail "X-Request-Id not echoed"
# Every log line is one JSON object; the configuration line masks the admin password.
python3 - "$OPS/serve.err" <<'EOF' || fail "log is not one JSON object per line"
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
objects = [json.loads(l) for l in lines]
config = [o for o in objects if o.get("message") == "configuration"]
assert config, "no configuration line"
assert config[0]["hoclieu.config.admin_password"] == "***", config[0]
assert config[0]["hoclieu.config.oai_page_size"] == "77", config[0]
assert all({"ts", "level", "message"} <= o.keys() for o in objects)
EOF
! grep -q ops-admin-secret-pw "$OPS/serve.err" || fail "the log holds the admin password"
echo "e2e ops: JSON log lines, configuration line masked, X-Request-Id, /ready OK"

# ---- graceful shutdown: an upload in flight during SIGTERM completes ---------------------------------------
TOKEN=$(curl -fsS -X POST "$API/auth/login" -d '{"username":"admin","password":"ops-admin-secret-pw"}' | json '["token"]')
AUTH="Authorization: Bearer $TOKEN"
PID=$(curl -fsS -X POST "$API/materials" -H "$AUTH" -d '{"kind":"lesson","title":"Tắt êm","status":"draft"}' | json '["pid"]')
head -c 6000000 /dev/urandom >"$OPS/slow.bin"
# 6 MB at 1 MB/s: about six seconds on the wire.
curl -sS -o "$OPS/slow.out" -w '%{http_code}' --limit-rate 1M -X POST "$API/materials/$PID/versions?filename=slow.bin" -H "$AUTH" \
    -H "Content-Type: application/octet-stream" -H "X-Request-Id: e2e-slow-upload" --data-binary @"$OPS/slow.bin" >"$OPS/slow.status" &
UPLOAD=$!
sleep 2
kill -TERM "$SERVER"
SIGNALLED=$(date +%s)
# New connections are refused while the upload finishes.
sleep 0.5
! curl -fsS -m 2 "$BASE/health" >/dev/null 2>&1 || fail "the service took a new request after SIGTERM"
wait "$UPLOAD" || true
[ "$(cat "$OPS/slow.status")" = 201 ] || fail "the upload in flight during SIGTERM answered $(cat "$OPS/slow.status"): $(cat "$OPS/slow.out")"
STATUS=0
wait "$SERVER" || STATUS=$?
SERVER=""
[ "$STATUS" = 0 ] || fail "the service exited with $STATUS after SIGTERM"
echo "e2e ops: SIGTERM during an upload: the upload answered 201, the process exited 0 after $(( $(date +%s) - SIGNALLED )) s"
start
curl -fsS "$API/materials/$PID/versions/1/file" -H "$AUTH" -o "$OPS/slow.back"
cmp "$OPS/slow.bin" "$OPS/slow.back" || fail "the file uploaded during shutdown differs after restart"
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
"$BIN" check --data "$OPS/data" >/dev/null || fail "check after graceful shutdown"
echo "e2e ops: graceful shutdown OK"
