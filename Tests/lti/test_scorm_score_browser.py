"""A SCORM 1.2 package's score reaches the LMS gradebook through the launch page, in headless Chromium.

The platform stand-in here is a whole LMS side: its /auth endpoint answers the tool's login redirect with an
auto-posting form carrying a signed id_token (PyJWT, RS256), and it serves its key set, an OAuth token endpoint
and an AGS score endpoint. The package sets cmi.core.score.raw/max and commits; the content-origin player posts
the run-time calls to the launch page (explicit target origin), which sends the score to /lti/score.

Runs only when the service's public address is the one the browser uses (HOCLIEU_PUBLIC_URL == HOCLIEU_URL):
the player posts to the public origin and nowhere else.
"""
import html
import io
import json
import os
import threading
import time
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import requests
from jwcrypto.jwk import JWK

TOOL = os.environ.get("HOCLIEU_URL", "").rstrip("/")
PUBLIC = os.environ.get("HOCLIEU_PUBLIC_URL", "").rstrip("/")
ADMIN = {"Authorization": "Bearer " + os.environ.get("HOCLIEU_TOKEN", "")}
pytestmark = pytest.mark.skipif(not TOOL or TOOL != PUBLIC, reason="needs HOCLIEU_PUBLIC_URL == HOCLIEU_URL")

KEY = JWK.generate(kty="RSA", size=2048, kid="standin-1")
PRIVATE = KEY.export_to_pem(private_key=True, password=None)
ISS = "https://lms.browser.example"
CLIENT = "browser-" + str(int(time.time()))
SCORES = []

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="M_score" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>Điểm</title>
    <item identifier="I" identifierref="R"><title>Bài có điểm</title></item></organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""
SCO = """<!doctype html><html><body><p>SCO</p><script>
function find(w) { for (var i = 0; i < 10 && w; i++) { if (w.API) return w.API; if (w.parent === w) break; w = w.parent; } return null; }
var api = find(window);
api.LMSInitialize("");
api.LMSSetValue("cmi.core.score.raw", "8");
api.LMSSetValue("cmi.core.score.max", "10");
api.LMSSetValue("cmi.core.lesson_status", "passed");
api.LMSCommit("");
</script></body></html>"""


class Platform(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/jwks":
            return self.reply(200, {"keys": [json.loads(KEY.export_public())]})
        if url.path == "/auth":
            q = dict(urllib.parse.parse_qsl(url.query))
            now = int(time.time())
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            claims = {
                "iss": ISS, "aud": CLIENT, "sub": "learner-9", "iat": now, "exp": now + 300, "nonce": q["nonce"],
                "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
                "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
                "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
                "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": q["redirect_uri"],
                "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-9"},
                "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                "https://purl.imsglobal.org/spec/lti/claim/custom": {"hoclieu_pid": self.server.pid},
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                    "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitem": base + "/lineitems/5"},
            }
            token = jwt.encode(claims, PRIVATE, algorithm="RS256", headers={"kid": "standin-1"})
            page = (f'<form id="f" method="post" action="{html.escape(q["redirect_uri"])}">'
                    f'<input type="hidden" name="id_token" value="{token}"><input type="hidden" name="state" value="{html.escape(q["state"])}">'
                    '</form><script>document.getElementById("f").submit()</script>')
            return self.reply(200, page, "text/html")
        self.reply(404, {})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if self.path == "/token":
            return self.reply(200, {"access_token": "t-9", "token_type": "Bearer", "expires_in": 3600})
        if self.path == "/lineitems/5/scores" and self.headers.get("Authorization") == "Bearer t-9":
            SCORES.append(json.loads(body))
            return self.reply(200, {})
        self.reply(404, {})


@pytest.fixture(scope="module")
def platform():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    r = requests.post(TOOL + "/api/v1/lti/platforms", headers=ADMIN, timeout=10, json={
        "issuer": ISS, "clientId": CLIENT, "deploymentIds": ["dep-1"], "authUrl": base + "/auth", "tokenUrl": base + "/token",
        "jwksUrl": base + "/jwks"})
    assert r.status_code == 201, r.text
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("imsmanifest.xml", MANIFEST)
        z.writestr("index.html", SCO)
    m = requests.post(TOOL + "/api/v1/materials", headers=ADMIN, json={"kind": "lesson", "title": "SCORM có điểm"}, timeout=10).json()
    v = requests.post(f"{TOOL}/api/v1/materials/{m['pid']}/versions?filename=score.zip", headers={**ADMIN, "Content-Type": "application/zip"},
                      data=package.getvalue(), timeout=30)
    assert v.status_code == 201, v.text
    p = requests.patch(f"{TOOL}/api/v1/materials/{m['pid']}", headers=ADMIN, json={"status": "published", "reason": "kiểm thử"}, timeout=10)
    assert p.status_code == 200, p.text
    server.pid = m["pid"]
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]:
        options.add_argument(arg)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield d
    d.quit()


def test_scorm_score_reaches_the_gradebook(platform, driver):
    query = urllib.parse.urlencode({"iss": ISS, "login_hint": "u9", "target_link_uri": PUBLIC + "/lti/launch", "client_id": CLIENT})
    driver.get(TOOL + "/lti/login?" + query)
    for _ in range(60):
        if SCORES:
            break
        time.sleep(0.5)
    status = driver.execute_script("var s = document.getElementById('status'); return s ? s.textContent : document.body.innerText.slice(0, 300)")
    assert SCORES, status
    score = SCORES[-1]
    assert score["userId"] == "learner-9" and score["scoreGiven"] == 8 and score["scoreMaximum"] == 10, score
    assert score["activityProgress"] == "Completed"
    assert "đã gửi / sent" in status
