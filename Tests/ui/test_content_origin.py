"""Packages play from the content origin (issue 16), in headless Chromium.

The fixtures (Tests/Fixtures/scorm/*-nested-frames) run their SCO inside an inner iframe of the launch
page, as Rustici's golf examples and the big authoring tools do: the inner page must find the run-time
two frames up by ADL's discovery. They also try the main origin's API. Screenshots of the player and
of the material page at 1280 and 360 px go to .build/ui-screenshots/.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from browser import BASE_URL, api, screenshots
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "Tests" / "Fixtures" / "scorm"


def content_url() -> str:
    """The content origin: HOCLIEU_CONTENT_URL, else the service's default (main port + 1)."""
    configured = os.environ.get("HOCLIEU_CONTENT_URL", "").rstrip("/")
    if configured:
        return configured
    main = urlsplit(BASE_URL)
    return f"{main.scheme}://{main.hostname}:{main.port + 1}"


def zipped(name: str) -> bytes:
    out = io.BytesIO()
    folder = FIXTURES / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out.getvalue()


def publish(token: str, title: str, package: bytes, name: str, **fields) -> str:
    status, material = api("POST", "/api/v1/materials", {"kind": "lesson", "title": title, **fields}, token)
    assert status == 201, material
    pid = material["pid"]
    status, version = api("POST", f"/api/v1/materials/{pid}/versions?filename={name}", package, token, "application/zip")
    assert status == 201, version
    status, body = api("PATCH", f"/api/v1/materials/{pid}", {"status": "published", "reason": "kiểm thử"}, token)
    assert status == 200, body
    return pid


def log_lines(driver) -> list[str]:
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]


def inner_frame(driver) -> None:
    """From the player page: into the SCO's launch page, then into its inner content frame."""
    driver.switch_to.frame("content")
    driver.switch_to.frame("contentFrame")


def fetch_from_page(driver, url: str, token: str | None) -> str:
    """Runs fetch() in the current frame, as a package script would; answers how it ended."""
    return driver.execute_async_script(
        """
        var url = arguments[0], token = arguments[1], done = arguments[arguments.length - 1];
        var headers = token ? { Authorization: "Bearer " + token } : {};
        fetch(url, { headers: headers, credentials: "include" }).then(
          function (r) { return r.text().then(function (t) { done("status " + r.status + " " + t.slice(0, 60)); }); },
          function (e) { done("blocked"); });
        """,
        url, token)


def test_scorm12_sco_in_an_inner_frame_reaches_the_player_api(driver, admin_token):
    pid = publish(admin_token, "Khung lồng nhau 1.2", zipped("scorm12-nested-frames"), "nested12.zip")
    driver.get(f"{BASE_URL}/preview/{pid}@v1/")
    # The main origin sent the browser to the content origin.
    WebDriverWait(driver, 20).until(lambda d: d.current_url.startswith(content_url() + f"/preview/{pid}@v1/"))
    WebDriverWait(driver, 20).until(lambda d: any(line.startswith('LMSFinish("") → "true"') for line in log_lines(d)))
    log = log_lines(driver)
    assert log[0] == 'LMSInitialize("") → "true"', log
    assert 'LMSSetValue("cmi.core.lesson_status", "passed") → "true"' in log, log
    assert 'LMSSetValue("cmi.core.score.raw", "85") → "true"' in log, log
    assert 'LMSCommit("") → "true"' in log, log
    screenshots(driver, "scorm12-player")
    inner_frame(driver)
    try:
        assert driver.find_element(By.ID, "found").text == "API found"
        assert driver.find_element(By.ID, "learner").text == "Xem thử, Người"
        # Same origin as the player: no sandbox, no opaque origin.
        assert driver.execute_script("return self.origin") == content_url()
        # `/api/v1/me` on the content origin is nothing (no API there).
        assert driver.find_element(By.ID, "probe").text == "refused 404"
        # Even handed the viewer's token, a package cannot call the main origin's API (CSP connect-src 'self').
        assert fetch_from_page(driver, f"{BASE_URL}/api/v1/me", admin_token) == "blocked"
        assert fetch_from_page(driver, "/api/v1/me", admin_token).startswith("status 404")
    finally:
        driver.switch_to.default_content()


def test_scorm2004_multi_sco_navigation_with_nested_frames(driver, admin_token):
    pid = publish(admin_token, "Khung lồng nhau 2004", zipped("scorm2004-nested-frames"), "nested2004.zip")
    status, version = api("GET", f"/api/v1/materials/{pid}/versions/1", token=admin_token)
    assert version["package"]["kind"] == "scorm2004" and version["package"]["scoCount"] == 2, version
    driver.get(f"{BASE_URL}/preview/{pid}@v1/")
    # SCO 1 (inner frame) initialises, sets data, asks to continue and terminates; the player opens SCO 2.
    WebDriverWait(driver, 20).until(lambda d: sum(line == 'Initialize("") → "true"' for line in log_lines(d)) == 2)
    WebDriverWait(driver, 10).until(lambda d: 'SetValue("cmi.location", "part-2") → "true"' in log_lines(d))
    log = log_lines(driver)
    assert 'SetValue("cmi.location", "part-1") → "true"' in log, log
    assert 'SetValue("adl.nav.request", "continue") → "true"' in log, log
    assert 'Terminate("") → "true"' in log, log
    assert driver.find_element(By.ID, "status").text == "Phần 2"
    inner_frame(driver)
    try:
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "done").text == "ready")
        assert driver.find_element(By.ID, "part").text == "Phần 2"
        assert driver.find_element(By.ID, "learner").text == "Người xem thử"
        assert driver.find_element(By.ID, "probe").text == "refused 404"
    finally:
        driver.switch_to.default_content()
    screenshots(driver, "scorm2004-player")
    # Back to SCO 1 with the player's own navigation: a fresh attempt initialises again (and, asking to
    # continue once more, may already have moved on to SCO 2: count at least three).
    driver.find_element(By.ID, "previous").click()
    WebDriverWait(driver, 20).until(lambda d: sum(line == 'Initialize("") → "true"' for line in log_lines(d)) >= 3)
    assert sum(line == 'SetValue("cmi.location", "part-1") → "true"' for line in log_lines(driver)) == 2


def test_material_page_embeds_the_player_and_keeps_the_session_out_of_reach(driver, admin_token):
    pid = publish(
        admin_token, "Phân số — bài giảng tương tác", zipped("scorm12-nested-frames"), "material.zip",
        description="Bài giảng SCORM có khung lồng nhau, dùng để kiểm thử trang học liệu.",
        subjects=["TOAN"], grades=[6], licence="CC-BY-4.0", authors=["Nguyễn Thị Lan"], school="THCS Nguyễn Du")
    # Signed in on the main origin: the web UI keeps its token in sessionStorage there.
    driver.get(f"{BASE_URL}/")
    driver.execute_script("sessionStorage.setItem('hoclieu.session', JSON.stringify({token: arguments[0]}))", admin_token)
    driver.get(f"{BASE_URL}/id/{pid}")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Phân số — bài giảng tương tác"
    assert pid in driver.find_element(By.ID, "pid").text
    assert driver.find_element(By.CSS_SELECTOR, 'link[rel="alternate"]').get_attribute("type") == "application/json"
    assert driver.find_element(By.CSS_SELECTOR, 'meta[property="og:title"]').get_attribute("content") == "Phân số — bài giảng tương tác"
    player = driver.find_element(By.ID, "player")
    assert player.get_attribute("src") == f"{content_url()}/preview/{pid}@v1/"
    driver.switch_to.frame(player)
    try:
        WebDriverWait(driver, 20).until(lambda d: any(line.startswith('LMSFinish("") → "true"') for line in log_lines(d)))
        inner_frame(driver)
        # The package's frames see none of the main origin's session.
        assert driver.execute_script("return sessionStorage.getItem('hoclieu.session')") is None
        assert driver.find_element(By.ID, "probe").text == "refused 404"
        assert fetch_from_page(driver, f"{BASE_URL}/api/v1/me", admin_token) == "blocked"
    finally:
        driver.switch_to.default_content()
    screenshots(driver, "material-page")


def test_use_in_my_lms_downloads_a_cartridge_and_names_the_lti_addresses(driver, admin_token):
    pid = publish(admin_token, "Học liệu cho LMS", zipped("scorm12-nested-frames"), "lms.zip")
    driver.get(f"{BASE_URL}/")
    driver.execute_script("sessionStorage.removeItem('hoclieu.session')")
    driver.get(f"{BASE_URL}/id/{pid}")
    # Without a session the page says to sign in (the export goes through the access policy).
    driver.find_element(By.CSS_SELECTOR, 'button.cartridge[data-target="moodle"]').click()
    assert "đăng nhập" in driver.find_element(By.ID, "cartridge-status").text
    driver.execute_script("sessionStorage.setItem('hoclieu.session', JSON.stringify({token: arguments[0]}))", admin_token)
    for target in ("moodle", "canvas"):
        driver.execute_script("document.getElementById('cartridge-status').removeAttribute('data-bytes')")
        driver.find_element(By.CSS_SELECTOR, f'button.cartridge[data-target="{target}"]').click()
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "cartridge-status").get_attribute("data-bytes")
                                        or "Export failed" in d.find_element(By.ID, "cartridge-status").text)
        status = driver.find_element(By.ID, "cartridge-status")
        assert int(status.get_attribute("data-bytes") or 0) > 1000, status.text
    urls = driver.find_element(By.ID, "lti-urls").text
    assert "/lti/login" in urls and "/lti/launch" in urls and "/lti/jwks" in urls
    assert driver.find_element(By.ID, "share-url").text.endswith(f"/id/{pid}")
    driver.execute_script("document.getElementById('lms').scrollIntoView()")
    screenshots(driver, "material-page-lms")
