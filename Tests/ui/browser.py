"""What the browser tests share: the service address, the API over urllib, headless Chromium.

Needs a running service and its admin password (see conftest.py); the set-up is the one
STACK-NOTES.md describes (Debian's chromium and chromium-driver, Selenium offline).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

BASE_URL = os.environ.get("HOCLIEU_URL", "").rstrip("/")
ADMIN_USER = os.environ.get("HOCLIEU_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("HOCLIEU_ADMIN_PASSWORD", "")
# The conformance corpus sits beside the repository: Tests/ui -> Tests -> repo -> its parent.
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance"

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium must not try to download a driver.


def api(method: str, path: str, body: dict | bytes | None = None, token: str | None = None,
        content_type: str = "application/json") -> tuple[int, dict | None]:
    """Calls the API; returns the status and the parsed JSON body (None when empty or not JSON)."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(BASE_URL + path, data=data, method=method)
    request.add_header("Accept", "application/json")
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
