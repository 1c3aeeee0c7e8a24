"""Sign-in to a running Hoclieu through oidc-provider-mock, with a plain HTTP client, as a browser would.

    python signin.py HOCLIEU_URL PROVIDER_URL ADMIN_TOKEN

Hoclieu must be configured with HOCLIEU_OIDC_ISSUER=PROVIDER_URL and HOCLIEU_OIDC_ALLOWED_DOMAINS=truong.edu.vn.
Checks: a new teacher of an allowed domain is provisioned and signed in by cookie (with the school claim); a
second sign-in finds the same account; an account whose address an administrator recorded is found by it; a
cookie session needs the CSRF token for a state-changing request; a domain that is not allowed gets the
bilingual refusal page and no session.
"""

import sys
from urllib.parse import quote

import requests

HOCLIEU, PROVIDER, ADMIN = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), sys.argv[3]


def check(condition, message):
    if not condition:
        raise SystemExit(f"OIDC e2e FAIL: {message}")


def sign_in(sub, claims):
    """Login redirect → the mock's authorization form, submitted with `sub` → the callback. Returns the session and the callback's answer."""
    r = requests.put(f"{PROVIDER}/users/{quote(sub, safe='')}", json=claims, timeout=10)
    check(r.status_code == 204, f"set user claims: {r.status_code} {r.text[:200]}")
    browser = requests.Session()
    r = browser.get(f"{HOCLIEU}/auth/oidc/login", allow_redirects=False, timeout=10)
    check(r.status_code == 302, f"login: {r.status_code} {r.text[:300]}")
    authorize = r.headers["Location"]
    check(authorize.startswith(PROVIDER + "/"), f"login redirects to {authorize}")
    for part in ("response_type=code", "code_challenge_method=S256", "nonce=", "state=", "scope=openid%20email%20profile"):
        check(part in authorize, f"authorization request lacks {part}: {authorize}")
    form = browser.get(authorize, timeout=10)
    check(form.status_code == 200 and 'name="sub"' in form.text, f"the mock's authorization form: {form.status_code}")
    r = browser.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    check(r.status_code == 302, f"authorization form: {r.status_code} {r.text[:300]}")
    back = r.headers["Location"]
    check(back.startswith(HOCLIEU + "/auth/oidc/callback?"), f"the provider sends the browser to {back}")
    return browser, browser.get(back, allow_redirects=False, timeout=30)


# A new teacher of an allowed domain.
browser, r = sign_in("lan-e2e", {"email": "lan.e2e@truong.edu.vn", "email_verified": True, "name": "Nguyễn Thị Lan", "school": "THCS Lê Lợi"})
check(r.status_code == 302 and r.headers.get("Location") == "/", f"callback: {r.status_code} {r.text[:400]}")
check(browser.cookies.get("hoclieu_session"), "no session cookie")
me = browser.get(f"{HOCLIEU}/api/v1/me", timeout=10)
check(me.status_code == 200, f"/api/v1/me with the cookie: {me.status_code} {me.text[:200]}")
me = me.json()
check(me["username"] == "lan.e2e@truong.edu.vn" and me["roles"] == ["teacher"], f"provisioned account: {me}")
check(me.get("school") == "THCS Lê Lợi" and me.get("displayName") == "Nguyễn Thị Lan", f"claims of the account: {me}")
# A cookie session's POST needs the CSRF token.
r = browser.post(f"{HOCLIEU}/api/v1/auth/logout", timeout=10)
check(r.status_code == 403, f"logout without X-CSRF-Token: {r.status_code}")
r = browser.post(f"{HOCLIEU}/api/v1/auth/logout", headers={"X-CSRF-Token": browser.cookies.get("hoclieu_csrf")}, timeout=10)
check(r.status_code == 204, f"logout with X-CSRF-Token: {r.status_code} {r.text[:200]}")

# Again: the same account, through its link.
browser, r = sign_in("lan-e2e", {"email": "lan.e2e@truong.edu.vn", "email_verified": True, "name": "Nguyễn Thị Lan"})
check(r.status_code == 302, f"second sign-in: {r.status_code}")
check(browser.get(f"{HOCLIEU}/api/v1/me", timeout=10).json()["id"] == me["id"], "second sign-in found another account")

# An account an administrator made with the address recorded.
r = requests.post(
    f"{HOCLIEU}/api/v1/users", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10,
    json={"username": "hd.minh", "password": "mat-khau-minh", "roles": ["reviewer"], "email": "minh@so.edu.vn"})
check(r.status_code == 201, f"create account with e-mail: {r.status_code} {r.text[:200]}")
minh = r.json()["id"]
browser, r = sign_in("minh-ms365", {"email": "Minh@So.Edu.vn", "email_verified": True, "name": "Trần Minh"})
check(r.status_code == 302, f"sign-in of a recorded address: {r.status_code} {r.text[:400]}")
found = browser.get(f"{HOCLIEU}/api/v1/me", timeout=10).json()
check(found["id"] == minh and found["roles"] == ["reviewer"], f"recorded address found {found}")

# A domain that is not allowed.
browser, r = sign_in("outsider", {"email": "someone@gmail.com", "email_verified": True})
check(r.status_code == 403, f"outsider: {r.status_code}")
check("oidc-domain-not-allowed" in r.text and "Không đăng nhập được" in r.text and "Sign-in failed" in r.text, "outsider page")
check(not browser.cookies.get("hoclieu_session"), "outsider got a session")
check(browser.get(f"{HOCLIEU}/api/v1/me", timeout=10).status_code == 401, "outsider is signed in")
print("OIDC e2e: provisioning, linking, recorded address, CSRF on the cookie session, refused domain OK")
