#!/usr/bin/env bash
# schemathesis against a PostgreSQL-backed service (a fresh database in the test cluster): the same checks and
# exclusions as e2e.sh's run against the SQLite-backed service (see there why each is left out), with enough examples
# for at least 2,000 generated requests; no 5xx, no schema violation. The number of requests is counted from
# schemathesis's own HAR report.
#
#   .ci/e2e-schemathesis-pg.sh BIN WORK VENV   BIN: the hoclieu binary; WORK: a scratch folder; VENV: a venv with
#                                              schemathesis (Tests/api/requirements.txt)
# Needs HOCLIEU_TEST_DATABASE_URL (`source .ci/pg-start.sh`).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?hoclieu binary}
WORK=${2:?scratch folder}
VENV=${3:?venv with schemathesis}
: "${HOCLIEU_TEST_DATABASE_URL:?a PostgreSQL server: source .ci/pg-start.sh}"
fail() { echo "E2E SCHEMATHESIS-PG FAIL: $*" >&2; exit 1; }
STARTED=$(date +%s)

FUZZ="$WORK/schemathesis-pg"
rm -rf "$FUZZ" && mkdir -p "$FUZZ"
DB="hoclieu_fuzz_$$_$RANDOM"
DATABASE_URL=$(python3 -c 'import sys, urllib.parse; u = urllib.parse.urlsplit(sys.argv[1]); print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + sys.argv[2], u.query, "")))' \
    "$HOCLIEU_TEST_DATABASE_URL" "$DB")
psql "$HOCLIEU_TEST_DATABASE_URL" -qc "CREATE DATABASE $DB" || fail "cannot create database $DB"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER=""
trap '[ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null || true' EXIT
HOCLIEU_ADMIN_PASSWORD=fuzz-admin-pw HOCLIEU_PUBLIC_URL=https://hoclieu.example.vn HOCLIEU_PID_PREFIX=79-760 \
    "$BIN" serve --port "$PORT" --content-port=-1 --data "$FUZZ/data" --database-url "$DATABASE_URL" --catalog Catalog \
    >"$FUZZ/serve.out" 2>"$FUZZ/serve.log" &
SERVER=$!
for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { tail -5 "$FUZZ/serve.log"; fail "service exited at start"; }
    sleep 0.25
done
API="http://127.0.0.1:$PORT/api/v1"
TOKEN=$(curl -fsS -X POST "$API/auth/login" -d '{"username":"admin","password":"fuzz-admin-pw"}' \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
# Something to find: a published material with a file, so that GETs below it meet real rows.
PID=$(curl -fsS -X POST "$API/materials" -H "Authorization: Bearer $TOKEN" \
    -d '{"kind":"lesson","title":"Phân số","subjects":["TOAN"],"grades":[6],"status":"published","reason":"kiểm thử"}' \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["pid"])')
head -c 10000 /dev/urandom | curl -fsS -X POST "$API/materials/$PID/versions?filename=a.bin" -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: application/octet-stream" --data-binary @- >/dev/null

# Hypothesis' health checks judge the generator, not the API: on a busy machine `too_slow` (and, with the
# stateful phase's data, `filter_too_much`) can stop a run that found nothing (CI did once). The response checks stay.
"$VENV/bin/schemathesis" run "$API/openapi.json" -H "Authorization: Bearer $TOKEN" --checks all \
    --suppress-health-check too_slow,filter_too_much \
    --exclude-checks positive_data_acceptance,ensure_resource_availability --exclude-path /api/v1/auth/logout \
    --exclude-path /api/v1/auth/password --exclude-path '/api/v1/users/{id}/disable' --exclude-path '/api/v1/users/{id}/sessions' \
    -n "${SCHEMATHESIS_PG_EXAMPLES:-20}" --seed 2018 --no-color --report har --report-har-path "$FUZZ/requests.har" \
    >"$FUZZ/schemathesis.txt" 2>&1 || { cat "$FUZZ/schemathesis.txt"; fail "schemathesis found problems (PostgreSQL store)"; }
REQUESTS=$(python3 -c 'import sys, json; print(len(json.load(open(sys.argv[1]))["log"]["entries"]))' "$FUZZ/requests.har")
FIVE=$(python3 -c 'import sys, json; print(sum(1 for e in json.load(open(sys.argv[1]))["log"]["entries"] if e["response"]["status"] >= 500))' "$FUZZ/requests.har")
tail -12 "$FUZZ/schemathesis.txt"
[ "$FIVE" = 0 ] || fail "$FIVE responses were 5xx"
[ "$REQUESTS" -ge 2000 ] || fail "only $REQUESTS requests generated (at least 2,000 wanted): raise SCHEMATHESIS_PG_EXAMPLES"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
psql "$HOCLIEU_TEST_DATABASE_URL" -qc "DROP DATABASE $DB" || true
echo "e2e: schemathesis against the PostgreSQL-backed service: $REQUESTS requests, no 5xx, no schema violation ($(($(date +%s) - STARTED)) s)"
