#!/usr/bin/env bash
# End to end against the release build, started exactly as README.md says:
# sign in, create, upload, search without diacritics, download; kill -9 during an upload;
# `hoclieu check` afterwards; backup and restore of the running store; a short search benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product hoclieu
BIN="$(swift build -c release --show-bin-path)/hoclieu"
"$BIN" catalog validate Catalog
WORK=$(mktemp -d -t hoclieu-e2e.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
export HOCLIEU_ADMIN_PASSWORD=e2e-admin-pw HOCLIEU_DATA="$WORK/data" HOCLIEU_PID_PREFIX=79-760
# CASE URIs are built from the public address; a loopback one is refused (503), so name a public one.
export HOCLIEU_PUBLIC_URL=https://hoclieu.example.vn
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "E2E FAIL: $*" >&2; exit 1; }

start() {
    swift run -c release hoclieu serve --port "$PORT" >>"$WORK/serve.log" 2>&1 &
    SERVER=$!
    # `swift run` may still have to link (or, on a busy machine, recompile a little): allow five minutes.
    for _ in $(seq 1 600); do
        curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    cat "$WORK/serve.log"; fail "service did not start"
}
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

start
API="http://127.0.0.1:$PORT/api/v1"
TOKEN=$(curl -fsS -X POST "$API/auth/login" -d "{\"username\":\"admin\",\"password\":\"$HOCLIEU_ADMIN_PASSWORD\"}" | json '["token"]')
AUTH="Authorization: Bearer $TOKEN"
PID=$(curl -fsS -X POST "$API/materials" -H "$AUTH" \
    -d '{"kind":"lesson","title":"Phân số và đường tròn","subjects":["TOAN"],"grades":[6],"status":"published","reason":"kiểm thử"}' | json '["pid"]')
head -c 3000000 /dev/urandom > "$WORK/lesson.bin"
curl -fsS -X POST "$API/materials/$PID/versions?filename=bai-giang.bin" -H "$AUTH" -H "Content-Type: application/octet-stream" \
    --data-binary @"$WORK/lesson.bin" >/dev/null
[ "$(curl -fsS "$API/search?q=phan%20so" | json '["total"]')" = 1 ] || fail "search without diacritics"
[ "$(curl -fsS "$API/search?q=duong%20tron&subject=TOAN" | json '["total"]')" = 1 ] || fail "search with a facet"
curl -fsS "$API/materials/$PID/versions/1/file" -o "$WORK/download.bin"
cmp "$WORK/lesson.bin" "$WORK/download.bin" || fail "download differs"
curl -fsS -H "Accept: text/html" "http://127.0.0.1:$PORT/id/$PID@v1" | grep -q "Phân số và đường tròn" || fail "/id HTML"
echo "e2e [$(date -u +%T)]: create, upload, search, download, resolve OK ($PID)"
[ "$(curl -fsS "$API/catalog/items/CN.3" | json '["code"]')" = CN.3 ] || fail "catalogue not loaded at start"

# A SCORM package through the release service: recognised on upload, played from the content origin.
SCORM=$(curl -fsS -X POST "$API/materials" -H "$AUTH" -d '{"kind":"lesson","title":"Golf","status":"published","reason":"kiểm thử"}' | json '["pid"]')
curl -fsS -X POST "$API/materials/$SCORM/versions?filename=golf.zip" -H "$AUTH" -H "Content-Type: application/zip" \
    --data-binary @../shared/conformance/scorm/scorm12/rustici_singlescobasic.zip | grep -q '"kind":"scorm12"' || fail "SCORM upload"

# ---- issue 16: the content origin (second port, main port + 1) -------------------------------------
CONTENT="http://127.0.0.1:$((PORT + 1))"
[ "$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$PORT/preview/$SCORM@v1/shared/launchpage.html")" \
    = "302 $CONTENT/preview/$SCORM@v1/shared/launchpage.html" ] || fail "main-origin preview does not redirect to the content origin"
curl -fsS -D "$WORK/preview.headers" -o /dev/null "$CONTENT/preview/$SCORM@v1/shared/launchpage.html"
grep -qi "^content-security-policy: default-src 'self'.*connect-src 'self'" "$WORK/preview.headers" || fail "content-origin CSP"
! grep -qi '^content-security-policy:.*sandbox' "$WORK/preview.headers" || fail "content-origin CSP must not sandbox"
grep -qi '^x-content-type-options: nosniff' "$WORK/preview.headers" || fail "content-origin nosniff"
grep -qi '^cross-origin-resource-policy: same-origin' "$WORK/preview.headers" || fail "content-origin CORP"
grep -qi '^referrer-policy: no-referrer' "$WORK/preview.headers" || fail "content-origin Referrer-Policy"
! grep -qi '^set-cookie' "$WORK/preview.headers" || fail "content origin set a cookie"
for P in /api/v1/me /api/v1/materials / /health "/id/$SCORM"; do
    [ "$(curl -sS -o /dev/null -w '%{http_code}' -H "$AUTH" "$CONTENT$P")" = 404 ] || fail "content origin answers $P"
done
# The H5P run-time (our own, Public/vendor/h5p) comes from the content origin, under its headers.
curl -fsS -D "$WORK/vendor.headers" -o /dev/null "$CONTENT/vendor/h5p/h5p-runtime.js" || fail "content origin does not serve the H5P run-time"
grep -qi "^content-security-policy: default-src 'self'" "$WORK/vendor.headers" || fail "H5P run-time without the content-origin CSP"
echo "e2e [$(date -u +%T)]: SCORM upload; content origin: redirect, headers, no API, H5P run-time OK ($SCORM)"
# ---- end issue 16 ------------------------------------------------------------------------------------

# A Common Cartridge through the release service: a background import job and its report, then an
# export job for Moodle (CC 1.1) whose file other tools read.
wait_job() {
    for _ in $(seq 1 240); do
        STATUS=$(curl -fsS -H "$AUTH" "$API/$1" | json '["status"]')
        case "$STATUS" in succeeded|failed|cancelled) echo "$STATUS"; return 0 ;; esac
        sleep 0.5
    done
    echo timeout
}
JOB=$(curl -fsS -X POST "$API/imports?filename=course.imscc" -H "$AUTH" -H "Content-Type: application/zip" \
    --data-binary @../shared/conformance/cc/ims_sample/ims_cc1p1_validation_cartridge_1.imscc | json '["id"]')
[ "$(wait_job "imports/$JOB")" = succeeded ] || fail "cartridge import job"
curl -fsS -H "$AUTH" "$API/imports/$JOB/report" | head -2
COURSE=$(curl -fsS -H "$AUTH" "$API/imports/$JOB" | json '["report"]["coursePackage"]["pid"]')
EXPORT=$(curl -fsS -X POST "$API/exports" -H "$AUTH" -d "{\"format\":\"cc1.1\",\"target\":\"moodle\",\"pids\":[\"$COURSE\"]}" | json '["id"]')
[ "$(wait_job "exports/$EXPORT")" = succeeded ] || fail "cartridge export job"
curl -fsS -H "$AUTH" "$API/exports/$EXPORT/file" -o "$WORK/export.imscc"
unzip -tqq "$WORK/export.imscc" || fail "exported cartridge is not a valid zip"
echo "e2e [$(date -u +%T)]: cartridge import and export jobs OK ($COURSE)"

# A crash in the middle of an upload.
PID2=$(curl -fsS -X POST "$API/materials" -H "$AUTH" -d '{"kind":"video","title":"Video dài"}' | json '["pid"]')
head -c 50000000 /dev/zero > "$WORK/big.bin"
curl -sS -X POST "$API/materials/$PID2/versions?filename=big.mp4" -H "$AUTH" --limit-rate 2M --data-binary @"$WORK/big.bin" \
    >/dev/null 2>&1 &
UPLOAD=$!
sleep 3
kill -9 "$SERVER"; SERVER=""
pkill -9 -f "hoclieu serve --port $PORT" || true
wait "$UPLOAD" 2>/dev/null || true
"$BIN" check || fail "check after kill -9"
start
curl -fsS "$API/materials/$PID/versions/1/file" -o "$WORK/after.bin"
cmp "$WORK/lesson.bin" "$WORK/after.bin" || fail "acknowledged file lost after kill -9"
[ "$(curl -fsS -H "$AUTH" "$API/materials/$PID2" | json '["currentVersion"]')" = 0 ] || fail "half upload became a version"
echo "e2e [$(date -u +%T)]: kill -9 during upload: acknowledged data intact, check passes"

# Attacks that once took the service down or showed what they should not (issue 11). After each, /health.
healthy() { curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || fail "service down after: $1"; }
for ENTRY in "" shared/launchpage.html; do
    STATUS=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Range: bytes=0-18446744073709551615' "$CONTENT/preview/$SCORM@v1/$ENTRY" || true)
    case "$STATUS" in 200|206|416) ;; *) fail "huge Range on /preview/$SCORM@v1/$ENTRY answered $STATUS" ;; esac
    healthy "huge Range on /preview/$SCORM@v1/$ENTRY"
done
curl -fsS -X POST "$API/users" -H "$AUTH" -d '{"username":"gv.mot","password":"mat-khau-mot","roles":["teacher"]}' >/dev/null
curl -fsS -X POST "$API/users" -H "$AUTH" -d '{"username":"gv.hai","password":"mat-khau-hai","roles":["teacher"]}' >/dev/null
T1=$(curl -fsS -X POST "$API/auth/login" -d '{"username":"gv.mot","password":"mat-khau-mot"}' | json '["token"]')
T2=$(curl -fsS -X POST "$API/auth/login" -d '{"username":"gv.hai","password":"mat-khau-hai"}' | json '["token"]')
DRAFT=$(curl -fsS -X POST "$API/materials" -H "Authorization: Bearer $T1" \
    -d '{"kind":"document","title":"Nháp riêng pub sig all","visibility":"private"}' | json '["pid"]')
for q in pub "pub&status=draft" sig all; do
    [ "$(curl -fsS "$API/search?q=$q" | json '["total"]')" = 0 ] || fail "anonymous search q=$q shows a private draft"
    [ "$(curl -fsS -H "Authorization: Bearer $T2" "$API/search?q=$q" | json '["total"]')" = 0 ] || fail "teacher search q=$q shows a private draft"
done
healthy "visibility words"
# A provenance collision: the second teacher imports a cartridge under the first one's source.
for T in "$T1" "$T2"; do
    J=$(curl -fsS -X POST "$API/imports?filename=course.imscc&source=moodle:truong-a" -H "Authorization: Bearer $T" -H "Content-Type: application/zip" \
        --data-binary @../shared/conformance/cc/ims_sample/pyslet_ims_cc1p1_sample_1.zip | json '["id"]')
    for _ in $(seq 1 120); do
        S=$(curl -fsS -H "Authorization: Bearer $T" "$API/imports/$J" | json '["status"]')
        [ "$S" = succeeded ] && break
        [ "$S" = failed ] && fail "collision import failed"
        sleep 0.5
    done
    CREATED=$(curl -fsS -H "Authorization: Bearer $T" "$API/imports/$J" | json '["report"]["created"]')
    [ "$CREATED" -gt 0 ] || fail "the second teacher's import updated the first teacher's materials"
done
healthy "provenance collision"
echo "e2e [$(date -u +%T)]: attack probes OK (huge Range, visibility words, provenance collision)"

# Backup of the running store, restore elsewhere, check.
"$BIN" backup "$WORK/backup.zip"
"$BIN" restore "$WORK/backup.zip" --data "$WORK/restored"
"$BIN" check --data "$WORK/restored"
echo "e2e [$(date -u +%T)]: backup while running, restore, check OK"

# The API against its own OpenAPI document, fuzzed by schemathesis. Left out: logout (it would end
# the fuzzer's own session); the "schema-valid request accepted" check, because a PID that
# matches the documented pattern but carries a wrong check character is rightly a 400; and the
# "created resource available" check, because it follows every GET below a created version, and
# optional sub-resources are rightly 404 (a thumbnail exists only for a PDF, an outline only for a
# course package). Also left out, as administrator: registering harvest sources and running them (the scheduler would
# then fetch the fuzzer's URLs), catalogue imports (they would change the catalogue later steps read) and starting
# backups (each one copies the whole data folder); reading, changing and deleting sources is fuzzed. Hypothesis' health
# checks `too_slow` and `filter_too_much` judge the generator, not the API (see .ci/e2e-schemathesis-pg.sh): off.
VENV="$WORK/venv"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r Tests/api/requirements.txt -r Tests/case/requirements.txt -r Tests/ui/requirements.txt

# The web UI in headless Chromium: sign in, contribute with the upload progress bar, search without diacritics.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium chromium-driver >/dev/null
fi
HOCLIEU_URL="http://127.0.0.1:$PORT" SE_OFFLINE=true "$VENV/bin/pytest" -q Tests/ui
echo "e2e [$(date -u +%T)]: web UI OK"

"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" -H "$AUTH" --checks all \
    --suppress-health-check too_slow,filter_too_much \
    --exclude-checks positive_data_acceptance,ensure_resource_availability --exclude-path /api/v1/auth/logout \
    --exclude-path /api/v1/auth/password --exclude-path '/api/v1/users/{id}/disable' --exclude-path '/api/v1/users/{id}/sessions' \
    --exclude-operation-id postapi_v1_harvest_sources --exclude-path '/api/v1/harvest/sources/{id}/run' \
    --exclude-path /api/v1/catalog/imports --exclude-operation-id postapi_v1_backups -n 40 --seed 2018 --no-color
echo "e2e [$(date -u +%T)]: schemathesis OK"

# Every IMS CASE 1.0 endpoint against the CASE JSON Schemas of the conformance corpus.
HOCLIEU_URL="http://127.0.0.1:$PORT" "$VENV/bin/pytest" -q Tests/case
echo "e2e [$(date -u +%T)]: CASE schemas OK"

# LTI 1.3 with lti1p3platform as the LMS (its own script).
.ci/e2e-lti.sh "http://127.0.0.1:$PORT" "$HOCLIEU_PUBLIC_URL" "$TOKEN" "$VENV"
echo "e2e [$(date -u +%T)]: LTI 1.3 OK"
# Sign-in with an organisation's OpenID Connect provider: oidc-provider-mock and a second service configured for it.
.ci/e2e-oidc.sh "$BIN" "$WORK" "$VENV"
echo "e2e [$(date -u +%T)]: OIDC sign-in OK"
# OAI-PMH with real harvesters (a block of its own).
PORT="$PORT" TOKEN="$TOKEN" BIN="$BIN" WORK="$WORK" .ci/e2e-oai.sh

kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

# Operations on a service of its own: configuration sources, JSON logs, request ids, /ready, graceful shutdown.
.ci/e2e-ops.sh "$BIN" "$WORK"
# Faults on the SQLite configuration: a full blob volume (needs root for its small tmpfs; skipped with the reason otherwise).
.ci/e2e-faults.sh "$BIN" "$WORK"
# PostgreSQL: two nodes over one database and one data folder (sessions, search, OAI-PMH tokens, jobs run once, kill -9
# under load, an unreachable database at start and under a running node), and schemathesis against a PostgreSQL-backed
# service. Both make a fresh database in the throwaway cluster of .ci/run (started here when run on its own).
if [ -z "${HOCLIEU_TEST_DATABASE_URL:-}" ]; then source .ci/pg-start.sh; fi
.ci/e2e-twonode.sh "$BIN" "$WORK" "$WORK/venv-sickle"
.ci/e2e-schemathesis-pg.sh "$BIN" "$WORK" "$VENV"

echo "== [$(date -u +%T)] bench ingest (small, for the log)"
"$BIN" bench ingest --file "$WORK/ingest.zip" --entries 500 --megabytes 30 --data "$WORK/bench-ingest"

echo "== [$(date -u +%T)] bench cartridge (small, for the log)"
"$BIN" bench cartridge --file "$WORK/cartridge.imscc" --resources 1000 --megabytes 40 --generate-only
"$BIN" bench cartridge --file "$WORK/cartridge.imscc" --resources 1000 --megabytes 40 --data "$WORK/bench-cartridge"

echo "== [$(date -u +%T)] bench search (small, for the log)"
"$BIN" bench search --materials 10000 --queries 300 --data "$WORK/bench"
