#!/usr/bin/env bash
# OAI-PMH throughput: Hoclieu against the off-the-shelf Python servers (oai-repo, pyoai's BatchingServer, both over
# SQLite), same number of oai_dc records, each harvested completely through resumption tokens by the same raw
# keep-alive HTTP client (Tests/oai/bench_compare.py), plus `hoclieu bench oai` (its own in-process harvester).
#
#   .ci/bench-oai-compare.sh [RECORDS=10000] [PAGE_SIZE=200]
#   BIN=.build/debug/hoclieu .ci/bench-oai-compare.sh 2000     # a quick check with a debug build
#
# Release figures (the issue's targets: ≥ 3× both Python servers at 100k and 1M records) need BIN=.build/release/hoclieu.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS="${1:-10000}"
PAGE="${2:-200}"
BIN="${BIN:-.build/release/hoclieu}"
WORK="${WORK:-$(mktemp -d /tmp/bench-oai-compare.XXXXXX)}"
[ -x "$BIN" ] || { echo "no binary at $BIN (build it, or set BIN)" >&2; exit 1; }

[ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
if ! "$WORK/venv/bin/python" -c "import oaipmh, oai_repo, sickle" 2>/dev/null; then
    # pyoai needs lxml before 5; oai-repo and Sickle work with it too.
    "$WORK/venv/bin/pip" install -q "lxml<5" "pyoai>=2.5" "oai-repo>=0.5" sickle
fi

echo "== hoclieu bench oai --records $RECORDS --page-size $PAGE ($BIN)"
# --reuse: a WORK folder from an earlier run with the same number of records is harvested as it is (1M take minutes to make).
"$BIN" bench oai --records "$RECORDS" --page-size "$PAGE" --prefix oai_dc --data "$WORK/hoclieu" --reuse

PORT=$("$WORK/venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOCLIEU_OAI_PAGE_SIZE="$PAGE" HOCLIEU_JOBS=false "$BIN" serve --data "$WORK/hoclieu" --host 127.0.0.1 --port "$PORT" --content-port=-1 \
    >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }

echo "== the same raw HTTP harvester against each server ($RECORDS records, $PAGE per page)"
"$WORK/venv/bin/python" -W ignore Tests/oai/bench_compare.py --records "$RECORDS" --page-size "$PAGE" --hoclieu "http://127.0.0.1:$PORT/oai" \
    --hoclieu-pid "$SERVER" --gzip --sickle
echo "(work folder: $WORK)"
