"""The web UI's organisation sign-in in headless Chromium, against a service configured for oidc-provider-mock.

    python browser_signin.py HOCLIEU_URL PROVIDER_URL

The sign-in page offers "Đăng nhập bằng tài khoản của Sở"; the mock's form signs a teacher in; back on Hoclieu the
page shows the signed-in user from the session cookie; signing out (a POST that needs the CSRF token) ends it.
"""

import sys
from pathlib import Path
from urllib.parse import quote

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
import browser  # noqa: E402  (Tests/ui/browser.py: the one Chromium set-up)

HOCLIEU, PROVIDER = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
SUB = "hoa.ui@truong.edu.vn"
r = requests.put(f"{PROVIDER}/users/{quote(SUB, safe='')}", json={"email": SUB, "email_verified": True, "name": "Lê Thị Hoa"}, timeout=10)
assert r.status_code == 204, r.text

driver = browser.make_driver()
try:
    wait = WebDriverWait(driver, 20)
    driver.get(f"{HOCLIEU}/#signin")
    button = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#signin-oidc a")))
    assert button.text == "Đăng nhập bằng tài khoản của Sở", button.text
    button.click()
    sub = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[name=sub]")))
    assert driver.current_url.startswith(PROVIDER + "/"), driver.current_url
    sub.send_keys(SUB)
    sub.submit()
    wait.until(EC.visibility_of_element_located((By.ID, "user-box")))
    assert driver.current_url.startswith(HOCLIEU + "/"), driver.current_url
    assert driver.find_element(By.ID, "user-name").text == "Lê Thị Hoa", driver.find_element(By.ID, "user-name").text
    assert driver.get_cookie("hoclieu_session"), "no session cookie"
    driver.find_element(By.ID, "signout-button").click()
    wait.until(EC.visibility_of_element_located((By.ID, "signin-link")))
    wait.until(lambda d: not d.get_cookie("hoclieu_session"))
    driver.refresh()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    assert not driver.find_element(By.ID, "user-box").is_displayed(), "still signed in after signing out"
    print("OIDC e2e: web UI sign-in with the organisation's account and sign-out OK")
finally:
    driver.quit()
