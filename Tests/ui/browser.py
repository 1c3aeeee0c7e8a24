"""What the browser tests share: the service address, the API over urllib, headless Chromium.

Needs a running service and its admin password (see conftest.py); the set-up is the one
STACK-NOTES.md describes (Debian's chromium and chromium-driver, Selenium offline).
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request
from pathlib import Path

BASE_URL = os.environ.get("HOCLIEU_URL", "").rstrip("/")
ADMIN_USER = os.environ.get("HOCLIEU_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("HOCLIEU_ADMIN_PASSWORD", "")
# The conformance corpus sits beside the repository: Tests/ui -> Tests -> repo -> its parent.
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance"
REPO = Path(__file__).resolve().parents[2]
# Where the screenshots go (the CI artefacts).
SHOTS = Path(os.environ.get("HOCLIEU_UI_SCREENSHOTS", REPO / ".build" / "ui-screenshots"))
# The bound on a page's first render (Navigation Timing and the app's own marks), and on its JS + CSS.
FIRST_RENDER_MS = float(os.environ.get("HOCLIEU_UI_FIRST_RENDER_MS", "1000"))
WEIGHT_LIMIT = 200 * 1024

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium must not try to download a driver.


def api(method: str, path: str, body: dict | bytes | None = None, token: str | None = None,
        content_type: str = "application/json", headers: dict[str, str] | None = None) -> tuple[int, dict | None]:
    """Calls the API; returns the status and the parsed JSON body (None when empty or not JSON)."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(BASE_URL + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw) if raw else None
        except ValueError:
            return error.code, None


def new_teacher(admin_token: str, prefix: str = "gv.ui") -> tuple[str, str, str]:
    """A new teacher of THCS UI, signed in through the API: (username, password, token)."""
    name = f"{prefix}.{secrets.token_hex(3)}"
    password = "password-" + secrets.token_hex(4)
    status, body = api("POST", "/api/v1/users", {"username": name, "password": password, "roles": ["teacher"], "school": "THCS UI"}, token=admin_token)
    assert status == 201, body
    status, body = api("POST", "/api/v1/auth/login", {"username": name, "password": password})
    assert status == 200, body
    return name, password, body["token"]


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=vi-VN"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    return browser


def wait(driver, seconds: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds)


def load(driver, fragment: str = "") -> None:
    """A real page load of `/` + fragment (hash changes alone keep the page)."""
    driver.get(BASE_URL + "/" + fragment)
    driver.refresh()
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))


def forget_session(driver) -> None:
    """Clears the tab's storage from a document without the app (whose start-up check of the session would write it back)."""
    driver.get(BASE_URL + "/health")
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.delete_all_cookies()


def sign_in(driver, username: str, password: str) -> None:
    """Signs in through the sign-in screen (after a real page load without a session)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    forget_session(driver)
    load(driver, "#signin")
    try:
        wait(driver).until(EC.visibility_of_element_located((By.ID, "signin-username"))).send_keys(username)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / "failed-sign-in.png"))
        raise AssertionError(f"no sign-in form at {driver.current_url}: {driver.execute_script('return sessionStorage.length')}")
    driver.find_element(By.ID, "signin-password").send_keys(password)
    driver.find_element(By.ID, "signin-submit").click()
    try:
        wait(driver).until(EC.visibility_of_element_located((By.ID, "user-box")))
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / "failed-sign-in.png"))
        raise AssertionError(f"{username} could not sign in: {driver.find_element(By.ID, 'signin-error').text!r}")


def go(driver, view: str) -> None:
    """Opens a screen by its fragment (no page load) and waits until it shows."""
    driver.execute_script("location.hash = arguments[0]", view)
    wait(driver).until(lambda d: d.execute_script(
        "const s = document.querySelector(`[data-view='${arguments[0]}']`); return s && !s.hidden", view.split("/")[0].lstrip("#")))


def settle(driver) -> None:
    """Waits until the screen has no "loading" line left (its data arrived)."""
    wait(driver, 30).until(lambda d: d.execute_script(
        "const s = [...document.querySelectorAll('[data-view]')].find((x) => !x.hidden);"
        "return s && !/Đang tải…|Đang tìm…/.test(s.innerText)"))


def photograph(driver, path: Path, width: int) -> None:
    """The whole page from its top (up to 4,000 px tall) at `width`."""
    driver.execute_script("window.scrollTo(0, 0)")
    driver.set_window_size(width, 800)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, max(800, min(int(height) + 140, 4000)))
    driver.execute_script("return new Promise(function (r) { requestAnimationFrame(function () { setTimeout(r, 200); }); })")
    driver.save_screenshot(str(path))


def overflow(driver) -> int:
    """How many pixels the page is wider than the window (0 when it does not scroll sideways)."""
    return int(driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def screenshots(driver, name: str) -> list[str]:
    """`name`-1280.png and `name`-360.png of the whole page into SHOTS; the window is 1280 px wide again after.
    Returns the problems seen at 360 px (the page wider than the phone's screen)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        photograph(driver, SHOTS / f"{name}-1280.png", 1280)
        driver.set_window_size(360, 800)
        driver.execute_script("return new Promise(function (r) { requestAnimationFrame(function () { setTimeout(r, 300); }); })")
        if overflow(driver) > 0:
            problems.append(f"{name}: {overflow(driver)} px wider than a 360 px screen")
        photograph(driver, SHOTS / f"{name}-360.png", 360)
    finally:
        driver.set_window_size(1280, 1000)
    return problems


def axe_problems(driver, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each (empty when none)."""
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    problems = []
    for violation in results["violations"]:
        if violation.get("impact") in ("serious", "critical"):
            targets = [n["target"] for n in violation["nodes"]][:5]
            problems.append(f"{name}: axe {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    return problems


def page_metrics(driver) -> dict:
    """Navigation Timing of the current page load (ttfb, DOMContentLoaded, load, first contentful paint), the app's
    marks (`hoclieu:screen`: the screen drawn; `hoclieu:results`: its data shown), and the JS + CSS it loaded:
    `files` and their `bytes` as the server sends them (uncompressed)."""
    # The paint entry can reach the timeline a frame after the page settled (a headless browser on a busy machine
    # presents frames late): it is awaited for up to 3 s.
    metrics = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const report = () => {
          const nav = performance.getEntriesByType('navigation')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          const res = performance.getEntriesByType('resource').filter((r) => /\\.(js|css)(\\?|$)/.test(r.name));
          const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime ?? null;
          done({ttfb: nav.responseStart, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                fcp: fcp ? fcp.startTime : null, screen: mark('hoclieu:screen'), results: mark('hoclieu:results'),
                files: [...new Set(res.map((r) => r.name.replace(location.origin, '')))]});
        };
        if (performance.getEntriesByName('first-contentful-paint').length) return report();
        const timer = setTimeout(report, 3000);
        new PerformanceObserver((list, observer) => {
          if (list.getEntriesByName('first-contentful-paint').length) { observer.disconnect(); clearTimeout(timer); report(); }
        }).observe({type: 'paint', buffered: true});
        """)
    metrics["bytes"] = sum(len(urllib.request.urlopen(BASE_URL + path, timeout=30).read()) for path in metrics["files"])
    return metrics


def metric_problems(name: str, metrics: dict) -> list[str]:
    """The bounds of issue 19: JS + CSS ≤ WEIGHT_LIMIT, first paint and the screen (and its data) ≤ FIRST_RENDER_MS."""
    problems = []
    if metrics["bytes"] > WEIGHT_LIMIT:
        problems.append(f"{name}: JS+CSS {metrics['bytes']} bytes > {WEIGHT_LIMIT}")
    for what in ("fcp", "screen", "results"):
        value = metrics[what]
        if (value is None and what != "results") or (value is not None and value > FIRST_RENDER_MS):
            problems.append(f"{name}: {what} at {value} ms > {FIRST_RENDER_MS}")
    return problems


def timing_table(timings: list[tuple[str, dict]]) -> str:
    """The measured pages as a table (printed by the tests; the figures of the issue's note)."""
    lines = ["page                   ttfb ms  DCL ms  load ms  FCP ms  screen ms  results ms  JS+CSS bytes  files"]
    for name, m in timings:
        results = f"{m['results']:10.0f}" if m["results"] is not None else "         -"
        lines.append(f"{name:22} {m['ttfb']:7.0f} {m['domContentLoaded']:7.0f} {m['load']:8.0f} {m['fcp'] or -1:7.0f} "
                     f"{m['screen'] or -1:10.0f} {results}  {m['bytes']:12d}  {len(m['files'])}")
    return "\n".join(lines)
