"""LTI 1.3 end to end: lti1p3platform acts as the LMS against a running Hoclieu.

Environment: HOCLIEU_URL (where to reach the service), HOCLIEU_PUBLIC_URL (its public address, the
origin of target_link_uri), HOCLIEU_TOKEN (an administrator's bearer token), HOCLIEU_PID (a
published, public material whose title contains "Phân số").

The platform side (its key set, OAuth token endpoint and AGS score endpoint) is a small HTTP server
on 127.0.0.1 whose handlers call the library's own code (get_access_token, validate_token,
validate_deeplinking_resp).
"""
import json
import os
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import requests
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration

TOOL = os.environ.get("HOCLIEU_URL", "http://127.0.0.1:8080").rstrip("/")
PUBLIC = os.environ.get("HOCLIEU_PUBLIC_URL", TOOL).rstrip("/")
ADMIN = {"Authorization": "Bearer " + os.environ.get("HOCLIEU_TOKEN", "")}
PID = os.environ.get("HOCLIEU_PID", "")
ISS = "https://lms.e2e.example"
CLIENT_ID = "hoclieu-e2e-" + str(int(time.time()))
DEPLOYMENT = "dep-1"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def pem_pair():
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode(), key.export_to_pem().decode()


PRIVATE, PUBLIC_KEY = pem_pair()
OTHER_PRIVATE, _ = pem_pair()
KID = Registration.get_jwk(PUBLIC_KEY)["kid"]


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        pass

    def get_registration_by_params(self, **kwargs):
        return (
            Registration()
            .set_iss(ISS)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT)
            .set_oidc_login_url(TOOL + "/lti/login")
            .set_launch_url(PUBLIC + "/lti/launch")
            .set_deeplink_launch_url(PUBLIC + "/lti/launch")
            .set_platform_public_key(PUBLIC_KEY)
            .set_platform_private_key(PRIVATE)
            .set_tool_key_set_url(TOOL + "/lti/jwks")
        )


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs.get("hint", "resource-1")

    def get_redirect(self, url):
        return url


class FakeRequest:
    def __init__(self, data):
        self.get_data = data
        self.form_data = {}


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


# The platform's web side: key set, token endpoint, score endpoints.
RECEIVED_SCORES = []


class PlatformHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/jwks":
            platform = Platform()
            platform.get_registration()
            return self.reply(200, platform.get_jwks())
        self.reply(404, {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        if self.path == "/token":
            form = dict(urllib.parse.parse_qsl(body))
            platform = Platform()
            platform.get_registration()
            try:
                return self.reply(200, platform.get_access_token(form))
            except Exception as error:  # the library refused the client assertion
                return self.reply(400, {"error": "invalid_client", "detail": str(error)})
        if self.path.startswith("/lineitems/broken"):
            return self.reply(500, {"error": "down"})
        if self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
            platform = Platform()
            platform.get_registration()
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if not platform.validate_token(token, allowed_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"]):
                return self.reply(401, {"error": "scope"})
            if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                return self.reply(415, {"error": "media type"})
            RECEIVED_SCORES.append((self.path, json.loads(body)))
            return self.reply(200, {})
        self.reply(404, {})


@pytest.fixture(scope="module")
def lms():
    server = ThreadingHTTPServer(("127.0.0.1", 0), PlatformHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    r = requests.post(
        TOOL + "/api/v1/lti/platforms",
        headers=ADMIN,
        json={
            "issuer": ISS,
            "clientId": CLIENT_ID,
            "deploymentIds": [DEPLOYMENT],
            "authUrl": base + "/auth",
            "tokenUrl": base + "/token",
            "jwksUrl": base + "/jwks",
        },
        timeout=10,
    )
    assert r.status_code == 201, r.text
    yield base
    server.shutdown()


def login(hint="resource-1"):
    """Third-party login initiation; returns the platform's view of the redirect and the cookie."""
    platform = Platform()
    oidc = Login(None, platform)
    oidc.set_lti_message_hint(hint=hint)
    url = oidc.prepare_preflight_url("user-1")
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
    assert params["state"] and params["nonce"] and params["client_id"] == CLIENT_ID
    cookie = r.headers["Set-Cookie"].split(";")[0]
    return params, cookie


def launch_token(params, roles, custom=None, ags_lineitem=None, deep_link=False):
    platform = Platform()
    launch = Launch(FakeRequest(params), platform)
    launch.set_user_data("learner-42", roles, full_name="Nguyễn Văn A")
    launch.set_resource_link_claim("rl-1", title="Bài 1")
    if custom:
        launch.set_custom_parameters_claim(custom)
    if ags_lineitem:
        launch.set_ags(lineitems_url=ags_lineitem.rsplit("/", 1)[0], lineitem_url=ags_lineitem)
    if deep_link:
        launch.set_dl("https://lms.e2e.example/deep-link-return", title="Chọn", accept_types={"ltiResourceLink"})
    return launch.lti_launch()


def post_launch(data, cookie):
    return requests.post(
        TOOL + "/lti/launch", data={"id_token": data["id_token"], "state": data["state"]}, headers={"Cookie": cookie}, timeout=30
    )


def hidden(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, html)
    assert m, html[:500]
    return m.group(1).replace("&amp;", "&").replace("&quot;", '"')


def test_tool_key_set_is_published():
    keys = requests.get(TOOL + "/lti/jwks", timeout=10).json()["keys"]
    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] for k in keys)


def test_deep_linking_round_trip(lms):
    params, cookie = login()
    data = launch_token(params, [INSTRUCTOR], deep_link=True)
    r = post_launch(data, cookie)
    assert r.status_code == 200, r.text
    assert "Chọn học liệu" in r.text
    context = hidden(r.text, "context")
    # Search without diacritics, then with them.
    for q in ["phan so", "Phân số"]:
        found = requests.post(TOOL + "/lti/deep-link", data={"context": context, "q": q, "action": "search"}, timeout=10)
        assert found.status_code == 200 and PID in found.text, q
    picked = requests.post(
        TOOL + "/lti/deep-link", data={"context": context, "action": "select", "pid": PID, "policy": "pinned"}, timeout=30
    )
    assert picked.status_code == 200, picked.text
    assert 'action="https://lms.e2e.example/deep-link-return"' in picked.text
    jws = hidden(picked.text, "JWT")
    platform = Platform()
    platform.get_registration()
    items = platform.validate_deeplinking_resp({"JWT": jws})  # the library's own check (tool JWKS, signature)
    assert len(items) == 1 and items[0]["type"] == "ltiResourceLink"
    assert items[0]["custom"]["hoclieu_pid"] == PID
    assert items[0]["custom"]["hoclieu_version_policy"] == "pinned"
    claims = jwt.decode(jws, options={"verify_signature": False})
    assert claims["aud"] == ISS and claims["iss"] == CLIENT_ID
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == DEPLOYMENT
    test_deep_linking_round_trip.custom = items[0]["custom"]


def test_learner_cannot_open_the_picker(lms):
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], deep_link=True), cookie)
    assert r.status_code == 403 and "lti-not-instructor" in r.text


def test_resource_launch_and_score(lms):
    custom = {"hoclieu_pid": PID, "hoclieu_version_policy": "latest"}
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], custom=custom, ags_lineitem=lms + "/lineitems/7"), cookie)
    assert r.status_code == 200, r.text
    assert f"/preview/{PID}@v1" in r.text
    assert "Set-Cookie" not in r.headers or "Max-Age=0" in r.headers["Set-Cookie"]
    ticket = re.search(r'data-ticket="([^"]+)"', r.text).group(1)
    s = requests.post(TOOL + "/lti/score", json={"ticket": ticket, "scoreGiven": 7, "scoreMaximum": 10}, timeout=60)
    assert s.status_code == 200, s.text
    assert s.json()["status"] == "posted"
    path, score = RECEIVED_SCORES[-1]
    assert path == "/lineitems/7/scores"
    assert score["userId"] == "learner-42" and score["scoreGiven"] == 7 and score["scoreMaximum"] == 10
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"


def test_failed_score_is_visible(lms):
    custom = {"hoclieu_pid": PID}
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], custom=custom, ags_lineitem=lms + "/lineitems/broken"), cookie)
    ticket = re.search(r'data-ticket="([^"]+)"', r.text).group(1)
    s = requests.post(TOOL + "/lti/score", json={"ticket": ticket, "scoreGiven": 3, "scoreMaximum": 10}, timeout=60)
    assert s.status_code == 202 and s.json()["status"] == "failed" and s.json()["attempts"] >= 2
    failed = requests.get(TOOL + "/api/v1/lti/scores?failed=true", headers=ADMIN, timeout=10).json()
    assert any(f["lineItem"].endswith("/lineitems/broken") and "500" in (f["lastError"] or "") for f in failed)


def test_missing_material_is_a_clear_page(lms):
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], custom={"hoclieu_pid": "79-760-0000017"}), cookie)
    assert r.status_code == 404 and "Không mở được học liệu" in r.text


# Tampered tokens: each is refused with a bilingual page and no session.
def tampered(change, key=None, kid=None):
    params, cookie = login()
    data = launch_token(params, [LEARNER], custom={"hoclieu_pid": PID})
    claims = jwt.decode(data["id_token"], options={"verify_signature": False})
    change(claims)
    token = jwt.encode(claims, key or PRIVATE, algorithm="RS256", headers={"kid": kid or KID})
    return post_launch({"id_token": token, "state": data["state"]}, cookie)


def refused(r, code):
    assert r.status_code in (401, 403), (r.status_code, r.text[:300])
    assert "Không mở được học liệu" in r.text and "Cannot open the material" in r.text
    assert code in r.text, r.text
    assert "Set-Cookie" not in r.headers
    assert "Authorization" not in r.text and "token" not in r.headers.get("Set-Cookie", "")


def test_bad_signature(lms):
    refused(tampered(lambda c: None, key=OTHER_PRIVATE), "lti-bad-signature")


def test_unknown_kid(lms):
    refused(tampered(lambda c: None, key=OTHER_PRIVATE, kid="no-such-key"), "lti-unknown-kid")


def test_wrong_audience(lms):
    refused(tampered(lambda c: c.update(aud="someone-else", azp="someone-else")), "lti-wrong-aud")


def test_expired(lms):
    refused(tampered(lambda c: c.update(iat=int(time.time()) - 3000, exp=int(time.time()) - 2000)), "lti-expired")


def test_issued_in_the_future(lms):
    refused(tampered(lambda c: c.update(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200)), "lti-iat")


def test_missing_deployment_id(lms):
    refused(tampered(lambda c: c.pop("https://purl.imsglobal.org/spec/lti/claim/deployment_id")), "lti-missing-claim")


def test_foreign_target_link(lms):
    refused(
        tampered(lambda c: c.update({"https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://evil.example/lti/launch"})),
        "lti-target-link",
    )


def test_replayed_nonce(lms):
    params, cookie = login()
    data = launch_token(params, [LEARNER], custom={"hoclieu_pid": PID})
    assert post_launch(data, cookie).status_code == 200
    # The same token and state again: the state was used up.
    refused(post_launch(data, cookie), "lti-state")
    # The used token under a fresh login: its nonce is not the one issued for this state.
    params2, cookie2 = login()
    refused(post_launch({"id_token": data["id_token"], "state": params2["state"]}, cookie2), "lti-nonce")


def test_state_not_bound_to_this_browser(lms):
    params, _ = login()
    data = launch_token(params, [LEARNER], custom={"hoclieu_pid": PID})
    refused(post_launch(data, "other=1"), "lti-state")


def test_withdrawn_material_is_a_clear_page(lms):
    made = requests.post(
        TOOL + "/api/v1/materials", headers=ADMIN, json={"kind": "document", "title": "Sắp thu hồi", "status": "published", "reason": "kiểm thử LTI"}, timeout=10
    )
    assert made.status_code == 201, made.text
    pid = made.json()["pid"]
    params, cookie = login()
    assert post_launch(launch_token(params, [LEARNER], custom={"hoclieu_pid": pid}), cookie).status_code == 200
    withdrawn = requests.post(TOOL + f"/api/v1/materials/{pid}/withdraw", headers=ADMIN, json={"reason": "kiểm thử LTI"}, timeout=10)
    assert withdrawn.status_code == 200, withdrawn.text
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], custom={"hoclieu_pid": pid}), cookie)
    assert r.status_code == 404 and "thu hồi" in r.text and "withdrawn" in r.text


QUIZ_PID = os.environ.get("HOCLIEU_QUIZ_PID", "")


def test_question_set_scored_by_the_server(lms):
    """A learner takes a question set launched from the LMS; the server scores the answers and AGS delivers that score."""
    assert QUIZ_PID
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], custom={"hoclieu_pid": QUIZ_PID}, ags_lineitem=lms + "/lineitems/9"), cookie)
    assert r.status_code == 200, r.text
    assert 'action="/lti/quiz"' in r.text and "data-ticket" not in r.text
    attempt = hidden(r.text, "attempt")
    # The options of each question, as the page offers them (no answers in the page).
    options = re.findall(r'name="(q\d+)" value="([^"]+)"', r.text)
    assert {q for q, _ in options} == {"q0", "q1"}, options
    per_question = {q: [v for qq, v in options if qq == q] for q in ("q0", "q1")}
    # The second option of each question, in the page's order: right for the first question (B), wrong for the
    # second (its answer is A); and a made-up score field, which the server ignores.
    answers = {"attempt": attempt, "q0": per_question["q0"][1], "q1": per_question["q1"][1], "scoreGiven": "100"}
    s = requests.post(TOOL + "/lti/quiz", data=answers, timeout=60)
    assert s.status_code == 200, s.text
    assert 'class="posted"' in s.text, s.text
    path, score = RECEIVED_SCORES[-1]
    assert path == "/lineitems/9/scores"
    assert score["userId"] == "learner-42" and score["scoreMaximum"] > 0
    assert abs(score["scoreGiven"] / score["scoreMaximum"] - 0.5) < 1e-9, score


def test_question_set_refuses_a_client_score(lms):
    params, cookie = login()
    r = post_launch(launch_token(params, [LEARNER], custom={"hoclieu_pid": QUIZ_PID}, ags_lineitem=lms + "/lineitems/9"), cookie)
    # No score ticket in a quiz page; a ticket from another material's page names that material, not this one.
    assert "data-ticket" not in r.text
    before = len(RECEIVED_SCORES)
    forged = requests.post(TOOL + "/lti/quiz", data={"attempt": "x.y", "q0": "B"}, timeout=30)
    assert forged.status_code in (400, 401) and "lti-state" in forged.text
    assert len(RECEIVED_SCORES) == before


def test_instructor_sees_the_line_item_scores(lms):
    params, cookie = login()
    r = post_launch(launch_token(params, [INSTRUCTOR], custom={"hoclieu_pid": QUIZ_PID}, ags_lineitem=lms + "/lineitems/9"), cookie)
    assert r.status_code == 200, r.text
    assert "Scores sent to the LMS" in r.text and "learner-42" in r.text and "Đã gửi / Posted" in r.text


# ---- Cross-check: pylti1p3 (PyPI) in its tool role reads the same messages ----------------------------------
from pylti1p3.cookie import CookieService  # noqa: E402
from pylti1p3.message_launch import MessageLaunch  # noqa: E402
from pylti1p3.request import Request as PyRequest  # noqa: E402
from pylti1p3.session import SessionService  # noqa: E402
from pylti1p3.tool_config import ToolConfDict  # noqa: E402


class FormRequest(PyRequest):
    def __init__(self, params):
        self._params = params
        self._session = {}

    @property
    def session(self):
        return self._session

    def is_secure(self):
        return False

    def get_param(self, key):
        return self._params.get(key)


class Cookies(CookieService):
    def __init__(self, values):
        self.values = values

    def get_cookie(self, name):
        return self.values.get(name)

    def set_cookie(self, name, value, exp=3600):
        self.values[name] = value


class PyToolLaunch(MessageLaunch):
    def _get_request_param(self, key):
        return self._request.get_param(key)


def pylti1p3_validate(lms, data, nonce, client_id=None):
    """pylti1p3's own launch validation (state, nonce, registration, signature by the platform's JWKS, deployment,
    message claims) of the id_token the platform library made."""
    conf = ToolConfDict({ISS: [{
        "default": True, "client_id": client_id or CLIENT_ID, "auth_login_url": lms + "/auth", "auth_token_url": lms + "/token",
        "auth_audience": None, "key_set_url": lms + "/jwks", "key_set": None, "deployment_ids": [DEPLOYMENT],
    }]})
    request = FormRequest({"id_token": data["id_token"], "state": data["state"]})
    session = SessionService(request)
    session.save_nonce(nonce)
    launch = PyToolLaunch(request, conf, session_service=session, cookie_service=Cookies({data["state"]: data["state"]}))
    return launch.validate().get_launch_data()


def test_pylti1p3_and_hoclieu_accept_the_same_launches(lms):
    # A learner's resource-link launch with AGS, and an instructor's deep-linking launch: both tools accept each.
    for roles, kwargs in [
        ([LEARNER], {"custom": {"hoclieu_pid": PID}, "ags_lineitem": lms + "/lineitems/7"}),
        ([INSTRUCTOR], {"deep_link": True}),
    ]:
        params, cookie = login()
        data = launch_token(params, roles, **kwargs)
        claims = pylti1p3_validate(lms, data, params["nonce"])
        assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == DEPLOYMENT
        r = post_launch(data, cookie)
        assert r.status_code == 200, r.text[:300]


def test_pylti1p3_and_hoclieu_refuse_the_same_tampered_launch(lms):
    # A token for another client id: pylti1p3 finds no registration for it, Hoclieu refuses the audience.
    params, cookie = login()
    data = launch_token(params, [LEARNER], custom={"hoclieu_pid": PID})
    with pytest.raises(Exception):
        pylti1p3_validate(lms, data, params["nonce"], client_id="another-tool")
    # The same claims signed with a key the platform does not publish: both refuse the signature.
    params, cookie = login()
    data = launch_token(params, [LEARNER], custom={"hoclieu_pid": PID})
    claims = jwt.decode(data["id_token"], options={"verify_signature": False})
    forged = {"id_token": jwt.encode(claims, OTHER_PRIVATE, algorithm="RS256", headers={"kid": KID}), "state": data["state"]}
    with pytest.raises(Exception, match="decode id_token"):
        pylti1p3_validate(lms, forged, params["nonce"])
    refused(post_launch(forged, cookie), "lti-bad-signature")
