#!/usr/bin/env bash
# LTI 1.3 end to end: lti1p3platform (PyPI) acts as the LMS against a running release service.
# Called by e2e.sh with the service's address; it can also run alone against any service:
#   .ci/e2e-lti.sh URL PUBLIC_URL ADMIN_TOKEN VENV
# It creates one published, public material, then runs Tests/lti: login initiation, launch,
# deep linking verified by the platform library, a resource launch whose score reaches the platform
# through AGS, a failed score post listed for teachers, and every tampered-token case.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=$1 PUBLIC_URL=$2 TOKEN=$3 VENV=$4
"$VENV/bin/pip" install -q -r Tests/lti/requirements.txt
PID=$(curl -fsS -X POST "$URL/api/v1/materials" -H "Authorization: Bearer $TOKEN" \
    -d '{"kind":"lesson","title":"Phân số trong LTI","subjects":["TOAN"],"grades":[6],"status":"published","reason":"kiểm thử LTI"}' |
    python3 -c "import sys, json; print(json.load(sys.stdin)['pid'])")
printf 'bài học LTI' | curl -fsS -X POST "$URL/api/v1/materials/$PID/versions?filename=bai.txt" -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: text/plain" --data-binary @- >/dev/null
HOCLIEU_URL="$URL" HOCLIEU_PUBLIC_URL="$PUBLIC_URL" HOCLIEU_TOKEN="$TOKEN" HOCLIEU_PID="$PID" "$VENV/bin/pytest" -q Tests/lti
