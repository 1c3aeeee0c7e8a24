#!/usr/bin/env bash
# Faults on the embedded (SQLite) configuration that need no PostgreSQL.
#
# Disk full on the blob volume: the data folder's blobs/ is a 12 MiB tmpfs made here. Uploads that fit are
# acknowledged (201); the one that does not fit fails cleanly — 503 application/problem+json `storage-full`,
# no version recorded, no temporary file left; every acknowledged file still downloads byte for byte, the
# service keeps answering and takes a small upload again, and `hoclieu check` is green afterwards.
# Mounting needs root (and a kernel that lets this container mount): otherwise the test is skipped, with the reason.
#
#   .ci/e2e-faults.sh BIN WORK      BIN: the hoclieu binary (e2e.sh passes the release build); WORK: a scratch folder
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?hoclieu binary}
WORK=${2:?scratch folder}
fail() { echo "E2E FAULTS FAIL: $*" >&2; exit 1; }
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

F="$WORK/faults"
BLOBS="$F/data/blobs"
mkdir -p "$BLOBS"
if [ "$(id -u)" != 0 ]; then
    echo "e2e faults: SKIPPED disk-full test: mounting a small tmpfs for the blob volume needs root"
    exit 0
fi
if ! mount -t tmpfs -o size=12m,mode=0755 hoclieu-faults "$BLOBS" 2>"$F/mount.err"; then
    echo "e2e faults: SKIPPED disk-full test: cannot mount a tmpfs here: $(cat "$F/mount.err")"
    exit 0
fi
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill -9 "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    umount "$BLOBS" 2>/dev/null || umount -l "$BLOBS" 2>/dev/null || true
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOCLIEU_DATA="$F/data" HOCLIEU_ADMIN_PASSWORD=faults-admin-pw HOCLIEU_BCRYPT_COST=4 HOCLIEU_PID_PREFIX=79-760 \
    "$BIN" serve --port "$PORT" --content-port=-1 >"$F/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
API="http://127.0.0.1:$PORT/api/v1"
TOKEN=$(curl -fsS -X POST "$API/auth/login" -d '{"username":"admin","password":"faults-admin-pw"}' | json '["token"]')
AUTH="Authorization: Bearer $TOKEN"

upload() {  # upload PID FILE → status code; body in FILE.out
    curl -sS -o "$2.out" -w '%{http_code}' -X POST "$API/materials/$1/versions?filename=$(basename "$2")" -H "$AUTH" \
        -H "Content-Type: application/octet-stream" --data-binary @"$2" || true
}

# Three acknowledged files (about 7.5 MiB of the 12).
PIDS=()
for i in 1 2 3; do
    head -c 2500000 /dev/urandom >"$F/ok$i.bin"
    PID=$(curl -fsS -X POST "$API/materials" -H "$AUTH" -d "{\"kind\":\"document\",\"title\":\"Đầy đĩa $i\"}" | json '["pid"]')
    [ "$(upload "$PID" "$F/ok$i.bin")" = 201 ] || fail "upload $i before the volume is full: $(cat "$F/ok$i.bin.out")"
    PIDS+=("$PID")
done
USED_BEFORE=$(du -sk "$BLOBS" | cut -f1)

# One that does not fit.
head -c 8000000 /dev/urandom >"$F/big.bin"
BIG=$(curl -fsS -X POST "$API/materials" -H "$AUTH" -d '{"kind":"document","title":"Quá lớn cho ổ"}' | json '["pid"]')
STATUS=$(upload "$BIG" "$F/big.bin")
[ "$STATUS" = 503 ] || fail "a full blob volume answered $STATUS: $(head -c 400 "$F/big.bin.out")"
[ "$(json '["type"]' <"$F/big.bin.out")" = /problems/storage-full ] || fail "problem type: $(cat "$F/big.bin.out")"
json '["messages"]["vi"]' <"$F/big.bin.out" | grep -q "đã đầy" || fail "no Vietnamese message"
json '["messages"]["en"]' <"$F/big.bin.out" | grep -q "is full" || fail "no English message"
[ "$(curl -fsS -H "$AUTH" "$API/materials/$BIG" | json '["currentVersion"]')" = 0 ] || fail "the failed upload became a version"
LEFT=$(find "$BLOBS" -type f -not -path "$BLOBS/objects/*")
[ -z "$LEFT" ] || fail "temporary files left on the full volume: $LEFT"
[ "$(find "$BLOBS/objects" -type f | wc -l)" = 3 ] || fail "blobs other than the three acknowledged ones: $(find "$BLOBS/objects" -type f)"
[ "$(du -sk "$BLOBS" | cut -f1)" -le "$((USED_BEFORE + 64))" ] || fail "the failed upload left bytes behind"
echo "e2e faults: full blob volume → 503 storage-full problem+json, nothing recorded, nothing left behind"

# Nothing acknowledged is lost, and the service goes on.
for i in 1 2 3; do
    curl -fsS -H "$AUTH" "$API/materials/${PIDS[$((i - 1))]}/versions/1/file" -o "$F/back$i.bin"
    cmp "$F/ok$i.bin" "$F/back$i.bin" || fail "acknowledged file $i differs after the volume filled"
done
curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null || fail "/ready after the volume filled"
head -c 300000 /dev/urandom >"$F/small.bin"
[ "$(upload "$BIG" "$F/small.bin")" = 201 ] || fail "a small upload after the failure: $(cat "$F/small.bin.out")"
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
"$BIN" check --data "$F/data" || fail "check after the volume filled"
echo "e2e faults: acknowledged files intact, service still taking uploads, check green"
