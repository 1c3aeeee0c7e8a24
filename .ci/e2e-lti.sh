#!/usr/bin/env bash
# LTI 1.3 end to end: lti1p3platform (PyPI) acts as the LMS against a running release service.
# Called by e2e.sh with the service's address; it can also run alone against any service:
#   .ci/e2e-lti.sh URL PUBLIC_URL ADMIN_TOKEN VENV
# It creates one published, public material, then runs Tests/lti: login initiation, launch,
# deep linking verified by the platform library, a resource launch whose score reaches the platform
# through AGS, a failed score post listed for teachers, every tampered-token case, and a question set taken as
# a quiz whose answers the server scores (the platform receives that score; a client score is refused), and a
# cross-check: pylti1p3 (PyPI) in its tool role validates the same launches Hoclieu accepts and refuses the same forgeries.
# Tests/lti/test_scorm_score_browser.py (headless Chromium, SCORM score to the gradebook) runs only when PUBLIC_URL is URL.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=$1 PUBLIC_URL=$2 TOKEN=$3 VENV=$4
"$VENV/bin/pip" install -q -r Tests/lti/requirements.txt
PID=$(curl -fsS -X POST "$URL/api/v1/materials" -H "Authorization: Bearer $TOKEN" \
    -d '{"kind":"lesson","title":"Phân số trong LTI","subjects":["TOAN"],"grades":[6],"status":"published","reason":"kiểm thử LTI"}' |
    python3 -c "import sys, json; print(json.load(sys.stdin)['pid'])")
printf 'bài học LTI' | curl -fsS -X POST "$URL/api/v1/materials/$PID/versions?filename=bai.txt" -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: text/plain" --data-binary @- >/dev/null
# A question set: a small cartridge with a QTI quiz, imported and published, for the launch whose answers the
# server scores and whose score lti1p3platform receives.
QUIZ_FILE=$(mktemp --suffix=.imscc)
"$VENV/bin/python" Tests/lti/make_quiz_cartridge.py "$QUIZ_FILE"
JOB=$(curl -fsS -X POST "$URL/api/v1/imports?filename=quiz.imscc" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/zip" \
    --data-binary @"$QUIZ_FILE" | python3 -c "import sys, json; print(json.load(sys.stdin)['id'])")
for _ in $(seq 1 120); do
    STATUS=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/api/v1/imports/$JOB" | python3 -c "import sys, json; print(json.load(sys.stdin)['status'])")
    case "$STATUS" in succeeded|failed|cancelled) break ;; esac
    sleep 0.5
done
[ "$STATUS" = succeeded ] || { echo "quiz cartridge import: $STATUS" >&2; exit 1; }
QUIZ=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/api/v1/imports/$JOB" |
    python3 -c "import sys, json; print([i['pid'] for i in json.load(sys.stdin)['report']['items'] if i['kind'] == 'question_set'][0])")
curl -fsS -X PATCH "$URL/api/v1/materials/$QUIZ" -H "Authorization: Bearer $TOKEN" \
    -d '{"status":"published","visibility":"public","reason":"kiểm thử LTI: bộ câu hỏi"}' >/dev/null
rm -f "$QUIZ_FILE"
HOCLIEU_URL="$URL" HOCLIEU_PUBLIC_URL="$PUBLIC_URL" HOCLIEU_TOKEN="$TOKEN" HOCLIEU_PID="$PID" HOCLIEU_QUIZ_PID="$QUIZ" \
    "$VENV/bin/pytest" -q Tests/lti
