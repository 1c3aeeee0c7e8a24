#!/usr/bin/env bash
# Faults: the service killed with SIGKILL in the middle of work, PostgreSQL restarted under load, a full blob volume.
#
# kill -9 during 200 concurrent uploads, on SQLite and on PostgreSQL (a fresh database each): the driver
# (.ci/e2e-faults.py, standard library only) creates 200 materials and uploads a distinct random file to each, all at
# once, and kills the server when a third are acknowledged (201). After a restart on the same data folder and
# database: every acknowledged upload is there and downloads byte for byte (sha256); every material that lists a
# version has its file (the one that was sent); `hoclieu check` is green.
#
# kill -9 during a cartridge import (a generated cartridge of 800 resources), on both backends: the server is killed
# while the import job runs. An import is one transaction and idempotent; the job of a dead node is queued again once
# it shows no progress for HOCLIEU_JOB_STALE_SECONDS (3 here; 60 by default). So after the restart the store holds
# nothing of the cartridge until the job runs again, and then all of it, once: the job ends `succeeded`, the store's
# materials are exactly the report's; `hoclieu check` is green.
#
# PostgreSQL restarted under load: a steady load (search, material JSON, material page, /ready) while this script's
# own PostgreSQL cluster is stopped for 8 s and started again: while it is down every request answers within 4 s
# with 503 problem+json (`store-unavailable`, or `not-ready` from /ready; Vietnamese and English; Retry-After), never a
# hang or a 500; once it is back every kind of request succeeds again, without restarting the node.
#
# Disk full on the blob volume: the data folder's blobs/ is a 12 MiB tmpfs made here. Uploads that fit are
# acknowledged (201); the one that does not fit fails cleanly — 503 application/problem+json `storage-full`,
# no version recorded, no temporary file left; every acknowledged file still downloads byte for byte, the
# service keeps answering and takes a small upload again, and `hoclieu check` is green afterwards.
# Mounting needs root (and a kernel that lets this container mount): otherwise the test is skipped, with the reason.
# The PostgreSQL parts need PostgreSQL 15 (.ci/pg-start.sh installs it as root): otherwise they are skipped, with the reason.
#
#   .ci/e2e-faults.sh BIN WORK [PARTS]   BIN: the hoclieu binary (e2e.sh passes the release build); WORK: a scratch
#                                        folder; PARTS: some of "uploads import pg-restart disk-full" (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?hoclieu binary}
WORK=${2:?scratch folder}
PARTS=" ${3:-uploads import pg-restart disk-full} "
part() { [[ "$PARTS" == *" $1 "* ]]; }
fail() { echo "E2E FAULTS FAIL: $*" >&2; exit 1; }
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

F="$WORK/faults"
mkdir -p "$F"
DRIVER=.ci/e2e-faults.py
SERVER=""
BLOBS=""
cleanup() {
    if [ -n "$SERVER" ]; then kill -9 "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    if [ -n "$BLOBS" ]; then umount "$BLOBS" 2>/dev/null || umount -l "$BLOBS" 2>/dev/null || true; fi
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
API="$BASE/api/v1"

# serve DATA DATABASE_URL LOG: starts the service (SQLite in DATA when DATABASE_URL is empty), signs the admin in.
serve() {
    HOCLIEU_DATA="$1" HOCLIEU_DATABASE_URL="$2" HOCLIEU_ADMIN_PASSWORD=faults-admin-pw HOCLIEU_BCRYPT_COST=4 \
        HOCLIEU_PID_PREFIX=79-760 HOCLIEU_JOB_STALE_SECONDS=3 "$BIN" serve --port "$PORT" --content-port=-1 >>"$3" 2>&1 &
    SERVER=$!
    local up=""
    for _ in $(seq 1 600); do
        curl -fsS "$BASE/health" >/dev/null 2>&1 && { up=1; break; }
        kill -0 "$SERVER" 2>/dev/null || { tail -20 "$3"; fail "the service stopped at start"; }
        sleep 0.25
    done
    [ -n "$up" ] || { tail -5 "$3"; fail "the service did not start in 150 s"; }
    TOKEN=$(curl -fsS -X POST "$API/auth/login" -d '{"username":"admin","password":"faults-admin-pw"}' | json '["token"]')
    AUTH="Authorization: Bearer $TOKEN"
}
# The driver killed the server with SIGKILL: reap it.
reap() { wait "$SERVER" 2>/dev/null || true; SERVER=""; }
stop_server() { kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""; }
# check DATA DATABASE_URL: `hoclieu check` on the stopped service's store.
check() { HOCLIEU_DATABASE_URL="$2" "$BIN" check --data "$1" >"$F/check.out" 2>&1 || { cat "$F/check.out"; fail "check: $3"; }; }

# kill_uploads NAME DATABASE_URL
kill_uploads() {
    local d="$F/$1-uploads" t0=$SECONDS
    mkdir -p "$d"
    serve "$d/data" "$2" "$d/serve.log"
    python3 "$DRIVER" uploads "$BASE" "$TOKEN" "$SERVER" "$d/state.json"
    reap
    serve "$d/data" "$2" "$d/serve.log"
    python3 "$DRIVER" verify-uploads "$BASE" "$TOKEN" "$d/state.json"
    stop_server
    check "$d/data" "$2" "after kill -9 during uploads ($1)"
    echo "e2e faults: kill -9 during 200 uploads on $1: check green ($((SECONDS - t0)) s)"
}

# kill_import NAME DATABASE_URL
kill_import() {
    local d="$F/$1-import" t0=$SECONDS
    mkdir -p "$d"
    serve "$d/data" "$2" "$d/serve.log"
    python3 "$DRIVER" import "$BASE" "$TOKEN" "$SERVER" "$CARTRIDGE" "$d/state.json"
    reap
    serve "$d/data" "$2" "$d/serve.log"
    python3 "$DRIVER" verify-import "$BASE" "$TOKEN" "$d/state.json"
    stop_server
    check "$d/data" "$2" "after kill -9 during an import ($1)"
    echo "e2e faults: kill -9 during a cartridge import on $1: check green ($((SECONDS - t0)) s)"
}

disk_full() {
    mkdir -p "$F/data/blobs"
    if [ "$(id -u)" != 0 ]; then
        echo "e2e faults: SKIPPED disk-full test: mounting a small tmpfs for the blob volume needs root"
        return 0
    fi
    if ! mount -t tmpfs -o size=12m,mode=0755 hoclieu-faults "$F/data/blobs" 2>"$F/mount.err"; then
        echo "e2e faults: SKIPPED disk-full test: cannot mount a tmpfs here: $(cat "$F/mount.err")"
        return 0
    fi
    BLOBS="$F/data/blobs"
    serve "$F/data" "" "$F/serve.log"

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
    stop_server
    "$BIN" check --data "$F/data" || fail "check after the volume filled"
    echo "e2e faults: acknowledged files intact, service still taking uploads, check green"
    umount "$BLOBS" 2>/dev/null || umount -l "$BLOBS" 2>/dev/null || true
    BLOBS=""
}

# ---- SQLite -------------------------------------------------------------------------------------------------
CARTRIDGE="$F/course.imscc"
if part import; then
    "$BIN" bench cartridge --file "$CARTRIDGE" --resources 1600 --megabytes 32 --generate-only --data "$F/generate" >/dev/null
fi
if part uploads; then kill_uploads sqlite ""; fi
if part import; then kill_import sqlite ""; fi

# ---- PostgreSQL (this script's own throwaway cluster: the restart test stops it) ------------------------------
PG_OWN=""
if ! part uploads && ! part import && ! part pg-restart; then
    :
elif ! source .ci/pg-start.sh >"$F/pg-start.log" 2>&1; then
    echo "e2e faults: SKIPPED the PostgreSQL scenarios: $(tail -3 "$F/pg-start.log")"
else
    PG_OWN=1
    PGURL="postgres://hoclieu@127.0.0.1:$HOCLIEU_PG_PORT"
    createdb() { "$HOCLIEU_PG_BIN/psql" -q "$PGURL/hoclieu_test" -c "CREATE DATABASE $1" >/dev/null; }
    if part uploads; then
        createdb faults_uploads
        kill_uploads postgresql "$PGURL/faults_uploads"
    fi
    if part import; then
        createdb faults_import
        kill_import postgresql "$PGURL/faults_import"
    fi
fi
if [ -n "$PG_OWN" ] && part pg-restart; then
    # PostgreSQL restarted under load.
    t0=$SECONDS
    createdb faults_restart
    # connect_timeout=1.5: give up a lease after 1.5 s of silence (the default, 5 s, allows for slow connections).
    serve "$F/restart-data" "$PGURL/faults_restart?connect_timeout=1.5" "$F/restart-serve.log"
    PID=$(curl -fsS -X POST "$API/materials" -H "$AUTH" \
        -d '{"kind":"lesson","title":"Phân số dưới tải","status":"published","reason":"kiểm thử"}' | json '["pid"]')
    PG_AS=()
    [ "$(id -u)" = 0 ] && PG_AS=(runuser -u postgres --)
    PG_CTL="${PG_AS[*]} $HOCLIEU_PG_BIN/pg_ctl -D $HOCLIEU_PG_ROOT/data"
    python3 "$DRIVER" pg-restart "$BASE" "$PID" "$PG_CTL -m fast -w stop >/dev/null" \
        "$PG_CTL -l $HOCLIEU_PG_ROOT/server.log -w -t 60 -o '-c listen_addresses=127.0.0.1 -k $HOCLIEU_PG_ROOT -p $HOCLIEU_PG_PORT -c fsync=off -c max_connections=200' start >/dev/null" "$F/restart-trace.json"
    stop_server
    echo "e2e faults: PostgreSQL restarted under load ($((SECONDS - t0)) s)"
fi

# ---- The blob volume full (SQLite) ----------------------------------------------------------------------------
if part disk-full; then disk_full; fi
