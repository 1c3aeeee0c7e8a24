#!/usr/bin/env bash
# OAI-PMH against the release service that e2e.sh started: real harvesters from PyPI (Sickle, and pyoai in its own
# venv because it needs lxml<5) harvest the whole repository through resumption tokens, with and without a set,
# anonymously and as an LMS client (HTTP Basic), in oai_dc and LOM; each count must equal the store's
# (`hoclieu oai count`, read from the same data folder).
# Called by e2e.sh with PORT, TOKEN (an administrator's bearer token), BIN (the release binary) and WORK set, and
# HOCLIEU_DATA exported. Standalone: the same variables, against any running service.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PORT:?}" "${TOKEN:?}" "${BIN:?}" "${WORK:?}" "${HOCLIEU_DATA:?}"
fail() { echo "E2E OAI FAIL: $*" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT/oai"
API="http://127.0.0.1:$PORT/api/v1"

python3 Tests/oai/seed.py "$API" "$TOKEN" "${OAI_SEED:-1100}"
curl -fsS -X POST "$API/users" -H "Authorization: Bearer $TOKEN" \
    -d '{"username":"lms.oai","password":"lms-oai-password","roles":["lms_client"]}' >/dev/null || fail "LMS client account"

python3 -m venv "$WORK/venv-sickle"
"$WORK/venv-sickle/bin/pip" install -q -r Tests/oai/requirements-sickle.txt
python3 -m venv "$WORK/venv-pyoai"
"$WORK/venv-pyoai/bin/pip" install -q -r Tests/oai/requirements-pyoai.txt

for set in "" "subject:TOAN:grade:6" "kind:lesson"; do
    for who in anonymous lms; do
        count_args=(); set_args=(); user_args=()
        [ -n "$set" ] && { count_args+=(--set "$set"); set_args+=(--set "$set"); }
        [ "$who" = lms ] && { count_args+=(--sector); user_args+=(--user lms.oai --password lms-oai-password); }
        expected=$("$BIN" oai count "${count_args[@]}")
        [ "$expected" -gt 0 ] || fail "nothing to harvest for set '$set' ($who)"
        for prefix in oai_dc lom; do
            "$WORK/venv-sickle/bin/python" Tests/oai/harvest.py sickle "$BASE" "$prefix" "${set_args[@]}" "${user_args[@]}" --expect "$expected" \
                || fail "sickle $prefix set '$set' ($who)"
            "$WORK/venv-pyoai/bin/python" Tests/oai/harvest.py pyoai "$BASE" "$prefix" "${set_args[@]}" "${user_args[@]}" --expect "$expected" \
                || fail "pyoai $prefix set '$set' ($who)"
        done
    done
done
# A third harvester, oai-harvest (PyPI oaiharvest, on pyoai): anonymous, one file per live record and a "delete" log line
# per deleted record; together they must be the whole list.
python3 -m venv "$WORK/venv-oaiharvest"
"$WORK/venv-oaiharvest/bin/pip" install -q -r Tests/oai/requirements-oaiharvest.txt
for set in "" "subject:TOAN:grade:6"; do
    for prefix in oai_dc lom; do
        out="$WORK/oai-harvest-$prefix-${set//:/_}"
        rm -rf "$out" && mkdir -p "$out"
        set_args=(); count_args=()
        [ -n "$set" ] && { set_args+=(-s "$set"); count_args+=(--set "$set"); }
        expected=$("$BIN" oai count "${count_args[@]}")
        "$WORK/venv-oaiharvest/bin/oai-harvest" -p "$prefix" "${set_args[@]}" -d "$out" --db "$out.db" "$BASE" >"$out.log" 2>&1 \
            || fail "oai-harvest $prefix set '$set': $(tail -3 "$out.log")"
        written=$(find "$out" -type f | wc -l)
        deleted=$(grep -c "Respecting server request to delete" "$out.log" || true)
        [ $((written + deleted)) -eq "$expected" ] || fail "oai-harvest $prefix set '$set': $written records + $deleted deleted, expected $expected"
    done
done
# A forged token and a wrong password, through the same service.
curl -fsS "$BASE?verb=ListRecords&resumptionToken=forged.token" | grep -q 'code="badResumptionToken"' || fail "forged token accepted"
[ "$(curl -sS -o /dev/null -w '%{http_code}' -u lms.oai:wrong "$BASE?verb=Identify")" = 401 ] || fail "wrong Basic password not 401"
echo "e2e: OAI-PMH harvested by Sickle, pyoai and oai-harvest OK"
