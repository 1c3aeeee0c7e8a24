"""Fixtures of the browser tests. Without HOCLIEU_URL and HOCLIEU_ADMIN_PASSWORD nothing is collected
(the reason is printed), so a plain `pytest` outside CI does not fail for want of a service."""

from __future__ import annotations

import pytest

import browser

if not browser.BASE_URL or not browser.ADMIN_PASSWORD:
    print("SKIP: set HOCLIEU_URL and HOCLIEU_ADMIN_PASSWORD (start `hoclieu serve`) to run the browser tests")
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="module")
def admin_token() -> str:
    status, body = browser.api("POST", "/api/v1/auth/login", {"username": browser.ADMIN_USER, "password": browser.ADMIN_PASSWORD})
    assert status == 200, f"admin sign-in through the API failed: {status} {body}"
    return body["token"]


@pytest.fixture(scope="module")
def driver():
    chromium = browser.make_driver()
    yield chromium
    chromium.quit()
