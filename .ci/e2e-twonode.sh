#!/usr/bin/env bash
# Two server nodes over one PostgreSQL database and one blob folder (the scale-out topology of docs/deploy.md), end to
# end: `Tests/twonode/twonode.py` checks shared sessions, an upload on A searchable on B, an OAI-PMH harvest started on
# A and continued on B with A's resumption token (Sickle), background jobs run exactly once, and node A killed with
# SIGKILL under a load whose client retries on B without losing a request. Before that: `serve` with an unreachable
# PostgreSQL exits non-zero within seconds with a bilingual message, and `/ready` answers 503 (not a hang) while the
# database of a running node is unreachable.
#
#   .ci/e2e-twonode.sh BIN WORK [VENV]   BIN: the hoclieu binary (e2e.sh passes the release build); WORK: a scratch
#                                        folder; VENV: a venv with Sickle (made in WORK when not given)
# Needs HOCLIEU_TEST_DATABASE_URL (`source .ci/pg-start.sh`): the script makes its own database in that cluster.
# Standalone: source .ci/pg-start.sh; .ci/e2e-twonode.sh .build/debug/hoclieu "$(mktemp -d)"
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?hoclieu binary}
WORK=${2:?scratch folder}
VENV=${3:-}
: "${HOCLIEU_TEST_DATABASE_URL:?a PostgreSQL server: source .ci/pg-start.sh}"
fail() { echo "E2E TWO-NODE FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
STARTED=$(date +%s)

TWO="$WORK/twonode"
rm -rf "$TWO" && mkdir -p "$TWO/data"
A_PID=""; B_PID=""; C_PID=""
stop_nodes() { for p in $A_PID $B_PID $C_PID; do kill -9 "$p" 2>/dev/null || true; done; }
trap stop_nodes EXIT

if [ -z "$VENV" ]; then
    VENV="$TWO/venv"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r Tests/oai/requirements-sickle.txt
fi
"$VENV/bin/python" -c 'import sickle, lxml' || fail "the venv $VENV has no Sickle"

# A fresh database in the test cluster, for both nodes.
DB="hoclieu_twonode_$$_$RANDOM"
python3 - "$HOCLIEU_TEST_DATABASE_URL" "$DB" <<'EOF' >"$TWO/url"
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + sys.argv[2], u.query, "")))
EOF
DATABASE_URL=$(cat "$TWO/url")
psql "$HOCLIEU_TEST_DATABASE_URL" -qc "CREATE DATABASE $DB" || fail "cannot create database $DB"

# ---- PostgreSQL unreachable at start: a clear bilingual error and a non-zero exit within seconds -------------------
DEAD_PORT=$(free_port)
T0=$(date +%s)
set +e
timeout 30 "$BIN" serve --port "$(free_port)" --content-port=-1 --data "$TWO/dead" \
    --database-url "postgres://hoclieu@127.0.0.1:$DEAD_PORT/nothing" --log-format json >"$TWO/dead.out" 2>"$TWO/dead.err"
RC=$?
set -e
ELAPSED=$(($(date +%s) - T0))
[ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] || fail "serve with an unreachable database: exit $RC after $ELAPSED s (124: it hung)"
[ "$ELAPSED" -le 20 ] || fail "serve took $ELAPSED s to give up on an unreachable database"
grep -q "Không kết nối được cơ sở dữ liệu PostgreSQL 127.0.0.1:$DEAD_PORT/nothing" "$TWO/dead.err" \
    && grep -q "did not answer within" "$TWO/dead.err" || { cat "$TWO/dead.err" | tail -5; fail "no bilingual message for an unreachable database"; }
echo "e2e two-node: serve with an unreachable PostgreSQL exits $RC after $ELAPSED s with a bilingual message"

# ---- two nodes, one database, one data folder ----------------------------------------------------------------------------
export HOCLIEU_ADMIN_PASSWORD=twonode-admin-pw HOCLIEU_PID_PREFIX=79-760 HOCLIEU_BCRYPT_COST=4 HOCLIEU_OAI_PAGE_SIZE=10
export HOCLIEU_PUBLIC_URL=https://hoclieu.example.vn
PORT_A=$(free_port); PORT_B=$(free_port)
start_node() { # NAME PORT; sets NODE_PID
    "$BIN" serve --port "$2" --content-port=-1 --data "$TWO/data" --database-url "$DATABASE_URL" --catalog Catalog \
        --log-format json >"$TWO/$1.out" 2>"$TWO/$1.log" &
    NODE_PID=$!
    for _ in $(seq 1 240); do
        curl -fsS "http://127.0.0.1:$2/ready" >/dev/null 2>&1 && return 0
        kill -0 "$NODE_PID" 2>/dev/null || { tail -5 "$TWO/$1.log"; fail "node $1 exited at start"; }
        sleep 0.25
    done
    tail -5 "$TWO/$1.log"; fail "node $1 did not become ready"
}
# One after the other: the first migrates the new database and creates the administrator.
start_node A "$PORT_A"; A_PID=$NODE_PID
start_node B "$PORT_B"; B_PID=$NODE_PID
echo "e2e two-node: nodes A (:$PORT_A) and B (:$PORT_B) ready over one PostgreSQL database and one data folder"

"$BIN" bench cartridge --file "$TWO/course.imscc" --resources 30 --megabytes 1 --generate-only >/dev/null
"$VENV/bin/python" Tests/twonode/twonode.py --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" \
    --password "$HOCLIEU_ADMIN_PASSWORD" --kill-a "$A_PID" --logs "$TWO/A.log" "$TWO/B.log" --cartridge "$TWO/course.imscc" \
    || fail "two-node checks (logs: $TWO/A.log, $TWO/B.log)"
wait "$A_PID" 2>/dev/null || true; A_PID=""
kill -0 "$B_PID" 2>/dev/null || fail "node B died"
"$BIN" check --data "$TWO/data" --database-url "$DATABASE_URL" >/dev/null || fail "hoclieu check after the kill"
echo "e2e two-node: hoclieu check passes after node A was killed"

# ---- /ready while the database is unreachable: 503 within seconds, not a hang -------------------------------------------
# A third node through a TCP relay to PostgreSQL; the relay stops, the node's /ready must say so promptly.
RELAY_PORT=$(free_port)
PG_PORT=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port)' "$DATABASE_URL")
python3 - "$RELAY_PORT" "$PG_PORT" <<'EOF' &
import socket, sys, threading
listen = socket.create_server(("127.0.0.1", int(sys.argv[1])))
def pipe(a, b):
    try:
        while (data := a.recv(65536)):
            b.sendall(data)
    except OSError:
        pass
    finally:
        a.close(); b.close()
while True:
    client, _ = listen.accept()
    server = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    threading.Thread(target=pipe, args=(client, server), daemon=True).start()
    threading.Thread(target=pipe, args=(server, client), daemon=True).start()
EOF
RELAY=$!
PORT_C=$(free_port)
RELAYED_URL=$(echo "$DATABASE_URL" | sed "s/:$PG_PORT\//:$RELAY_PORT\//")
"$BIN" serve --port "$PORT_C" --content-port=-1 --data "$TWO/data" --database-url "$RELAYED_URL" --log-format json \
    >"$TWO/C.out" 2>"$TWO/C.log" &
C_PID=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT_C/ready" >/dev/null 2>&1 && break; sleep 0.25; done
curl -fsS "http://127.0.0.1:$PORT_C/ready" >/dev/null || fail "node C (through the relay) not ready"
kill -9 "$RELAY"; wait "$RELAY" 2>/dev/null || true
T0=$(date +%s)
STATUS=$(curl -sS -m 20 -o "$TWO/ready.json" -w '%{http_code}' "http://127.0.0.1:$PORT_C/ready" || true)
ELAPSED=$(($(date +%s) - T0))
[ "$STATUS" = 503 ] || fail "/ready with the database unreachable answered '$STATUS' after $ELAPSED s"
[ "$ELAPSED" -le 10 ] || fail "/ready took $ELAPSED s"
grep -q "not-ready" "$TWO/ready.json" || fail "/ready 503 without its problem: $(cat "$TWO/ready.json")"
kill -9 "$C_PID" 2>/dev/null || true; C_PID=""
echo "e2e two-node: /ready answers 503 after $ELAPSED s while the database is unreachable"

kill "$B_PID"; wait "$B_PID" 2>/dev/null || true; B_PID=""
psql "$HOCLIEU_TEST_DATABASE_URL" -qc "DROP DATABASE $DB" || true
echo "e2e two-node: OK in $(($(date +%s) - STARTED)) s"
