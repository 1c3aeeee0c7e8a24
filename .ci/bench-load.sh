#!/usr/bin/env bash
# Load on the read surfaces with wrk, on loopback: search, the material page, OAI-PMH ListRecords and the CASE package.
# Not part of .ci/run: a benchmark the lead runs (a quiet machine gives the figures; a busy one gives their shape).
#
#   .ci/bench-load.sh [--materials 100000] [--database-url postgres://…] [--bin PATH] [--work DIR]
#                     [--connections 64] [--threads 2] [--duration 60] [--surfaces search,material,oai,case]
#                     [--soak [--soak-seconds 300]]
#
# 1. Fills a store with N synthetic Vietnamese materials through `hoclieu bench search --reuse` (SQLite in
#    WORK/data by default, or the PostgreSQL database of --database-url: give it an empty database; a later run with
#    the same --work and N reuses it). HOCLIEU_PUBLIC_URL is https://hoclieu.bench.example unless set: the records
#    are stored rendered for it, and the CASE provider refuses a loopback address.
# 2. Starts `hoclieu serve` on 127.0.0.1 (jobs off, no content origin) and gathers the request lists from the service
#    itself: material PIDs from search pages, OAI resumption tokens by walking ListRecords, CASE document ids.
# 3. Runs `wrk --latency` (a Lua script rotating over each list) on every surface and reports requests/s, p50/p99,
#    non-2xx responses and socket errors (both must be zero), the server's CPU seconds (/proc/PID/stat, before and
#    after) and so requests/s per core of the server; on a local PostgreSQL also its CPU seconds (the postmaster and
#    its children) and requests/s per core of server and database together.
# --soak: one mixed run (all four lists interleaved) of --soak-seconds (300), the server's VmRSS sampled every 10 s;
#    reports RSS growth between minute 1 and the end (target < 10%).
#
# Every figure is printed with `uptime`'s load averages; results also go to WORK/results.tsv and WORK/soak-rss.tsv.
# HOCLIEU_BIN (or --bin) names the binary; the default is .build/release/hoclieu.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MATERIALS=100000
DATABASE_URL=""
BIN="${HOCLIEU_BIN:-$ROOT/.build/release/hoclieu}"
WORK=""
CONNECTIONS=64
THREADS=2
DURATION=60
SURFACES="search,material,oai,case"
SOAK=0
SOAK_SECONDS=300
while [ $# -gt 0 ]; do
    case "$1" in
        --materials) MATERIALS=$2; shift 2 ;;
        --database-url) DATABASE_URL=$2; shift 2 ;;
        --bin) BIN=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --surfaces) SURFACES=$2; shift 2 ;;
        --soak) SOAK=1; shift ;;
        --soak-seconds) SOAK_SECONDS=$2; shift 2 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "bench-load: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$BIN" ] || { echo "bench-load: no binary at $BIN (build it, or give --bin / HOCLIEU_BIN)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench-load: wrk is missing (apt-get install wrk)" >&2; exit 1; }
case "$MATERIALS" in ''|*[!0-9]*) echo "bench-load: --materials takes a number" >&2; exit 2 ;; esac
WORK="${WORK:-/tmp/bench-load-$MATERIALS-$([ -n "$DATABASE_URL" ] && echo pg || echo sqlite)}"
mkdir -p "$WORK"
BIN=$(readlink -f "$BIN")
BACKEND=$([ -n "$DATABASE_URL" ] && echo postgresql || echo sqlite)
DB_ARGS=()
[ -n "$DATABASE_URL" ] && DB_ARGS=(--database-url "$DATABASE_URL")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { awk '{print $1"/"$2"/"$3}' /proc/loadavg; }
HZ=$(getconf CLK_TCK)
# CPU seconds of one process (user + system, plus its reaped children's with "children").
cpu_of() { sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$HZ" -v c="${2:-}" '{t=$12+$13; if (c=="children") t+=$14+$15; printf "%.2f", t/hz}'; }

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
# A public address that is not loopback (the CASE provider refuses to serve one its consumers cannot reach); the
# stored OAI records are rendered for it at the fill, so the fill and the server must agree on it.
export HOCLIEU_PUBLIC_URL="${HOCLIEU_PUBLIC_URL:-https://hoclieu.bench.example}"

echo "== bench-load: $BACKEND, $MATERIALS materials, $BIN, work $WORK, load $(load)"
START=$(date +%s)
"$BIN" bench search --materials "$MATERIALS" --queries 20 --data "$WORK/data" "${DB_ARGS[@]}" --reuse >"$WORK/fill.txt" 2>&1 \
    || { cat "$WORK/fill.txt" >&2; exit 1; }
echo "filled (or reused) in $(( $(date +%s) - START )) s: $(grep -E '^(materials|indexing)' "$WORK/fill.txt" | tr -s ' ' | paste -sd ';')"

HOCLIEU_JOBS=false "$BIN" serve --data "$WORK/data" "${DB_ARGS[@]}" --host 127.0.0.1 --port "$PORT" --content-port=-1 \
    >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
# A first start over an empty PostgreSQL database loads the catalogue into it first: allow it a few minutes.
for _ in $(seq 1 1500); do
    curl -fsS "$BASE/ready" >/dev/null 2>&1 && break
    kill -0 $SERVER 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
    sleep 0.2
done
curl -fsS "$BASE/ready" >/dev/null || { echo "bench-load: the service is not ready" >&2; tail -20 "$WORK/serve.log" >&2; exit 1; }

# Wait until the server is idle: work it starts by itself (rendering stored OAI records again when the public address
# differs from the fill's, for instance) must not be measured as load.
for _ in $(seq 1 120); do
    c0=$(cpu_of $SERVER); sleep 5; c1=$(cpu_of $SERVER)
    awk -v a="$c0" -v b="$c1" 'BEGIN{ exit !(b - a < 0.25) }' && break
done
echo "the server is idle (load $(load))"

# The database server's processes, when it runs here: the postmaster (with its reaped children) and its children.
PG_MASTER=""
if [ -n "$DATABASE_URL" ] && command -v psql >/dev/null; then
    child=$(psql "$DATABASE_URL" -Atc "select pid from pg_stat_activity where backend_type = 'checkpointer'" 2>/dev/null || true)
    if [ -n "$child" ] && [ -r "/proc/$child/stat" ]; then PG_MASTER=$(sed 's/.*) //' "/proc/$child/stat" | awk '{print $2}'); fi
fi
pg_cpu() {
    [ -n "$PG_MASTER" ] || { echo 0; return; }
    local total
    total=$(cpu_of "$PG_MASTER" children)
    for p in $(pgrep -P "$PG_MASTER"); do total=$(awk -v a="$total" -v b="$(cpu_of "$p" 2>/dev/null || echo 0)" 'BEGIN{printf "%.2f", a+b}'); done
    echo "$total"
}

# Request lists, from the service itself (only what an anonymous user sees).
python3 - "$BASE" "$WORK" <<'PY'
import json, re, sys, urllib.parse, urllib.request
base, work = sys.argv[1], sys.argv[2]
def get(path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return r.read()
# Search: what teachers type, with and without marks, some with subject/grade filters; one in four asks for facets.
queries = ["phân số", "phan so", "đường tròn", "duong tron", "tam giác vuông", "tam giac vuong", "phương trình bậc hai",
    "phuong trinh bac hai", "đọc hiểu văn bản", "doc hieu van ban", "tế bào", "te bao", "năng lượng điện", "nang luong dien",
    "thống kê xác suất", "thong ke xac suat", "hình học không gian", "hinh hoc khong gian", "kiểm tra chương", "kiem tra chuong",
    "đề thi", "de thi", "lịch sử việt nam", "lich su viet nam", "địa lí thế giới", "dia li the gioi", "số thập phân",
    "so thap phan", "diện tích hình thang", "dien tich hinh thang", "chuyển động", "chuyen dong", "ánh sáng", "anh sang",
    "thuật toán", "thuat toan", "nhân vật truyện", "nhan vat truyen", "bài tập ôn", "bai tap on", "số", "lớp", "học",
    "ước chung lớn nhất", "uoc chung lon nhat", "lũy thừa", "luy thua", "vectơ tọa độ", "vecto toa do", "môi trường", "moi truong"]
filters = ["", "", "&subject=TOAN", "&subject=NGUVAN&grade=7", "&grade=9", "", "&subject=KHTN", "&subject=TOAN&grade=6"]
search = []
for i, q in enumerate(queries):
    for j in range(4):
        f = filters[(i + j) % len(filters)]
        facets = "&facets=subject,grade,kind" if (i + j) % 4 == 0 else ""
        search.append("/api/v1/search?q=" + urllib.parse.quote(q) + f + "&limit=20" + facets)
# Material pages: public published PIDs, from search pages.
pids = []
for q in ["số", "và", "bài", "học", "lớp", "tập", "toán", "hình", "tính", "đường", "phân", "câu", "văn", "điện"]:
    cursor = ""
    for _ in range(5):
        page = json.loads(get("/api/v1/search?q=" + urllib.parse.quote(q) + "&limit=100" + cursor))
        for item in page.get("items", []):
            if item.get("pid") and item["pid"] not in pids:
                pids.append(item["pid"])
        if not page.get("next"):
            break
        cursor = "&cursor=" + urllib.parse.quote(page["next"])
    if len(pids) >= 2000:
        break
material = ["/api/v1/materials/" + urllib.parse.quote(p, safe=":") for p in pids]
# OAI: first pages (both formats) and resumption pages further in (walking the list as a harvester does).
oai = []
for prefix in ["oai_dc", "lom"]:
    path = "/oai?verb=ListRecords&metadataPrefix=" + prefix
    oai.append(path)
    for _ in range(40):
        text = get(path).decode()
        m = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", text)
        if not m:
            break
        path = "/oai?verb=ListRecords&resumptionToken=" + urllib.parse.quote(m.group(1), safe="")
        oai.append(path)
# One first page in ten: most requests of a harvest are resumption pages.
firsts = [p for p in oai if "metadataPrefix" in p]
oai = [p for p in oai if "metadataPrefix" not in p]
oai = oai + firsts * max(1, len(oai) // 10 // len(firsts))
# CASE: every framework's package.
docs = json.loads(get("/ims/case/v1p0/CFDocuments"))
case = ["/ims/case/v1p0/CFPackages/" + d["identifier"] for d in docs.get("CFDocuments", [])]
lists = {"search": search, "material": material, "oai": oai, "case": case}
mixed = []
for i in range(max(len(v) for v in lists.values())):
    for name in ["search", "material", "material", "search", "oai", "case"]:
        mixed.append(lists[name][i % len(lists[name])])
lists["mixed"] = mixed
for name, paths in lists.items():
    if not paths:
        sys.exit(f"bench-load: no requests for {name}")
    for p in paths[:3]:
        get(p)  # each list answers 200 before it is loaded
    with open(f"{work}/paths-{name}.txt", "w") as out:
        out.write("\n".join(paths) + "\n")
    print(f"{name}: {len(paths)} distinct requests")
PY

cat >"$WORK/rotate.lua" <<'LUA'
-- Each thread walks the list of paths (one per line, in the file given after --) from its own starting point.
local counter = 0
function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
end
local paths = {}
local i = 0
function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 then paths[#paths + 1] = line end
    end
    i = ((tid or 0) * 7919) % #paths
end
function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
LUA

# wrk's latency figure in milliseconds.
ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /m$/) printf "%.0f", v*60000; else printf "%.0f", v*1000 }'; }

RESULTS="$WORK/results.tsv"
[ -s "$RESULTS" ] || printf 'date\tbackend\tmaterials\tsurface\tconnections\tseconds\trequests\treq_per_s\tp50_ms\tp99_ms\tnon2xx\tsocket_errors\tserver_cpu_s\tpg_cpu_s\treq_per_core_server\treq_per_core_total\tload_before\tload_after\n' >"$RESULTS"

run_surface() { # NAME SECONDS
    local name=$1 seconds=$2 out="$WORK/wrk-$1.txt"
    local load_before cpu0 pg0 cpu1 pg1
    load_before=$(load)
    cpu0=$(cpu_of $SERVER); pg0=$(pg_cpu)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s --latency -s "$WORK/rotate.lua" "$BASE" -- "$WORK/paths-$name.txt" >"$out"
    cpu1=$(cpu_of $SERVER); pg1=$(pg_cpu)
    local requests rps p50 p99 non2xx sockerr server pg
    requests=$(awk '/requests in/ {print $1}' "$out")
    rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$out")
    p50=$(ms "$(awk '$1=="50%" {print $2}' "$out")")
    p99=$(ms "$(awk '$1=="99%" {print $2}' "$out")")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
    sockerr=$(awk '/Socket errors/ {gsub(",", ""); print $4+$6+$8+$10}' "$out"); sockerr=${sockerr:-0}
    server=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{printf "%.1f", b-a}')
    pg=$(awk -v a="$pg0" -v b="$pg1" 'BEGIN{printf "%.1f", b-a}')
    local per_server per_total
    per_server=$(awk -v r="$requests" -v c="$server" 'BEGIN{ if (c>0) printf "%.0f", r/c; else print "-" }')
    per_total=$(awk -v r="$requests" -v c="$server" -v p="$pg" 'BEGIN{ if (c+p>0) printf "%.0f", r/(c+p); else print "-" }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$BACKEND" "$MATERIALS" \
        "$name" "$CONNECTIONS" "$seconds" "$requests" "$rps" "$p50" "$p99" "$non2xx" "$sockerr" "$server" "$pg" "$per_server" \
        "$per_total" "$load_before" "$(load)" >>"$RESULTS"
    printf '%-9s %8s req/s  p50 %7s ms  p99 %8s ms  non-2xx %s  socket errors %s  server CPU %6s s (%s req/core-s)  PG CPU %5s s (%s req/core-s with PG)  load %s -> %s\n' \
        "$name" "$rps" "$p50" "$p99" "$non2xx" "$sockerr" "$server" "$per_server" "$pg" "$per_total" "$load_before" "$(load)"
    if [ "$non2xx" != 0 ] || [ "$sockerr" != 0 ]; then FAILED=1; fi
}

FAILED=0
if [ "$SOAK" = 1 ]; then
    echo "== soak: mixed load for $SOAK_SECONDS s at $CONNECTIONS connections, VmRSS every 10 s"
    rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
    echo -e "seconds\tvmrss_kib\tload" >"$WORK/soak-rss.tsv"
    ( t=0; while [ $t -le "$SOAK_SECONDS" ]; do echo -e "$t\t$(rss)\t$(load)" >>"$WORK/soak-rss.tsv"; sleep 10; t=$((t + 10)); done ) &
    SAMPLER=$!
    echo "  RSS before load: $(rss) KiB"
    run_surface mixed "$SOAK_SECONDS"
    wait $SAMPLER 2>/dev/null || true
    read -r m1 m5 <<<"$(awk -F'\t' -v end="$SOAK_SECONDS" 'NR>1 && $1==60 {a=$2} NR>1 && $1<=end {b=$2} END{print a, b}' "$WORK/soak-rss.tsv")"
    growth=$(awk -v a="$m1" -v b="$m5" 'BEGIN{ if (a>0) printf "%.1f", (b-a)*100/a; else print "?" }')
    echo "  VmRSS at 60 s: $m1 KiB, at $SOAK_SECONDS s: $m5 KiB: growth $growth% (target < 10%); samples in $WORK/soak-rss.tsv"
    awk -v g="$growth" 'BEGIN{ exit !(g != "?" && g+0 < 10) }' || FAILED=1
else
    echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency on each surface ($BACKEND)"
    for surface in ${SURFACES//,/ }; do run_surface "$surface" "$DURATION"; done
fi
echo "(results: $RESULTS; wrk outputs and serve.log in $WORK)"
exit $FAILED
