"""End-to-end tests of the Hoclieu web UI (Public/) in headless Chromium.

Needs a running service and its admin password (fixtures in conftest.py):

    HOCLIEU_URL=http://127.0.0.1:18181 HOCLIEU_ADMIN_PASSWORD=… SE_OFFLINE=true \
        python -m pytest -v Tests/ui

Without HOCLIEU_URL nothing is collected (with the reason printed).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path


from browser import ADMIN_PASSWORD, ADMIN_USER, BASE_URL, api
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOT = Path(os.environ.get("HOCLIEU_UI_SCREENSHOT", "/tmp/hoclieu-ui.png"))
PID_PATTERN = re.compile(r"^[0-9A-Z]+(-[0-9A-Z]+)*$")
TITLE = "Đường tròn lớp 9"


def wait(driver, seconds: float = 15) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def fresh_page(driver, fragment: str = "") -> None:
    """Loads the UI signed out, in Vietnamese, with no stored state."""
    driver.get(BASE_URL + "/")
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get(BASE_URL + "/" + fragment)
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"


def sign_in(driver, username: str, password: str) -> None:
    fresh_page(driver, "#signin")
    field = wait(driver).until(EC.visibility_of_element_located((By.ID, "signin-username")))
    field.clear()
    field.send_keys(username)
    driver.find_element(By.ID, "signin-password").send_keys(password)
    driver.find_element(By.ID, "signin-submit").click()


def search_for(driver, text: str) -> None:
    box = wait(driver).until(EC.visibility_of_element_located((By.ID, "q")))
    box.clear()
    box.send_keys(text)  # no Enter: the debounced search runs by itself


def result_links(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#results .result-title a")


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_wrong_password_shows_vietnamese_message(driver):
    sign_in(driver, ADMIN_USER, "not-the-password-" + secrets.token_hex(4))
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "signin-error")))
    wait(driver).until(lambda d: error.text.strip() != "")
    assert error.text.strip() == "Sai tên đăng nhập hoặc mật khẩu."
    # Still signed out: the sign-in link is shown, no token stored.
    assert driver.find_element(By.ID, "signin-link").is_displayed()
    assert driver.execute_script("return sessionStorage.getItem('hoclieu.session')") is None


def test_contribute_upload_publish_and_search_without_diacritics(driver, admin_token, tmp_path):
    # A ~3 MB file to upload.
    upload = tmp_path / "duong-tron-lop-9.pdf"
    with upload.open("wb") as handle:
        handle.write(b"%PDF-1.4\n% Hoclieu UI test\n")
        handle.write(os.urandom(3 * 1024 * 1024))
    size = upload.stat().st_size

    # Sign in through the form.
    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "user-box")))
    assert driver.find_element(By.ID, "user-name").text.strip() != ""
    assert driver.execute_script("return JSON.parse(sessionStorage.getItem('hoclieu.session')).token.length") > 10

    # Contribute.
    driver.find_element(By.CSS_SELECTOR, "[data-view-link='contribute']").click()
    title = wait(driver).until(EC.visibility_of_element_located((By.ID, "c-title")))
    title.send_keys(TITLE)
    assert title.get_attribute("value") == TITLE
    driver.find_element(By.CSS_SELECTOR, "#c-kind option[value='lesson']").click()
    driver.find_element(By.ID, "c-description").send_keys("Bài giảng về đường tròn, dây cung và tiếp tuyến cho học sinh lớp 9.")
    driver.find_element(By.ID, "c-subjects").send_keys("TOAN")
    driver.find_element(By.CSS_SELECTOR, "label[for='c-grade-9']").click()
    driver.find_element(By.ID, "c-keywords").send_keys("hình học, đường tròn")
    driver.find_element(By.ID, "c-authors").send_keys("Nguyễn Thị Hoa")
    driver.find_element(By.CSS_SELECTOR, "#c-licence option[value='CC-BY-SA-4.0']").click()
    driver.find_element(By.ID, "c-file").send_keys(str(upload))

    # Record every percentage the progress bar shows.
    driver.execute_script(
        """
        window.__progress = [];
        const bar = document.getElementById('upload-progress');
        new MutationObserver(() => window.__progress.push(bar.value))
          .observe(document.getElementById('upload-percent'), {childList: true, characterData: true, subtree: true});
        """
    )
    driver.find_element(By.ID, "contribute-submit").click()

    result = wait(driver, 120).until(EC.visibility_of_element_located((By.ID, "contribute-result")))
    bar = driver.find_element(By.ID, "upload-progress")
    assert float(bar.get_attribute("value")) == 100.0
    assert driver.find_element(By.ID, "upload-percent").text.strip() == "100%"
    progress = driver.execute_script("return window.__progress")
    assert progress and progress[-1] == 100, progress
    assert driver.find_element(By.ID, "upload-box").get_attribute("data-state") == "done"

    link = result.find_element(By.ID, "result-pid-link")
    pid = link.text.strip()
    assert PID_PATTERN.match(pid), pid
    assert link.get_attribute("href") == f"{BASE_URL}/id/{pid}"

    # The server has the file, whole.
    status, versions = api("GET", f"/api/v1/materials/{pid}/versions", token=admin_token)
    assert status == 200
    assert versions["items"][-1]["byteSize"] == size
    assert versions["items"][-1]["fileName"] == upload.name

    # Publish it as admin through the API.
    status, material = api("PATCH", f"/api/v1/materials/{pid}", {"status": "published", "reason": "kiểm thử"}, token=admin_token)
    assert status == 200, material
    assert material["status"] == "published"

    # Search without diacritics in the UI.
    driver.find_element(By.CSS_SELECTOR, "[data-view-link='search']").click()
    search_for(driver, "duong tron")
    selector = f"#results .result-title a[href='/id/{pid}']"
    found = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)))
    assert found.text.strip() == TITLE
    card = found.find_element(By.XPATH, "ancestor::li[1]")
    assert "CC-BY-SA-4.0" in card.text
    assert "Toán (TOAN)" in card.text
    download = card.find_element(By.CSS_SELECTOR, "a.access")
    assert download.text == "Tải tệp"
    assert download.get_attribute("href") == f"{BASE_URL}/api/v1/materials/{pid}/versions/1/file"
    count = driver.find_element(By.ID, "result-count").text
    assert "kết quả" in count
    assert driver.current_url.endswith("q=duong+tron#search") or "q=duong+tron" in driver.current_url

    driver.save_screenshot(str(SCREENSHOT))

    # The persistent link resolves to the material's page.
    found.click()
    heading = wait(driver).until(EC.visibility_of_element_located((By.TAG_NAME, "h1")))
    assert heading.text.strip() == TITLE


def test_problem_message_in_chosen_language(driver):
    """A refused contribution shows messages.vi, or messages.en after switching to EN."""
    fresh_page(driver)
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".lang-btn[data-lang='en']"))).click()
    # The switch loads the English catalogue first (a module), then relabels the page.
    wait(driver).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    wait(driver).until(lambda d: d.find_element(By.ID, "search-heading").text == "Search materials")
    # The choice survives a reload.
    driver.refresh()
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    assert driver.find_element(By.ID, "search-heading").text == "Search materials"

    driver.find_element(By.ID, "signin-link").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "signin-username"))).send_keys(ADMIN_USER)
    driver.find_element(By.ID, "signin-password").send_keys("wrong-" + secrets.token_hex(4))
    driver.find_element(By.ID, "signin-submit").click()
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "signin-error")))
    wait(driver).until(lambda d: error.text.strip() != "")
    assert error.text.strip() == "Wrong username or password."

    driver.find_element(By.CSS_SELECTOR, ".lang-btn[data-lang='vi']").click()
    assert driver.find_element(By.ID, "signin-heading").text == "Đăng nhập"


def test_user_data_is_rendered_as_text(driver, admin_token):
    marker = secrets.token_hex(4)
    title = f'<img src=x onerror="window.__xss=1">Hình tròn <b>đậm</b> xss{marker}'
    status, material = api(
        "POST", "/api/v1/materials",
        {"kind": "document", "title": title, "description": "<script>window.__xss=2</script>", "subjects": ["TOAN"],
         "grades": [9], "licence": "CC0-1.0", "visibility": "public", "status": "published", "reason": "kiểm thử"},
        token=admin_token,
    )
    assert status == 201, material
    fresh_page(driver, f"?q=xss{marker}")
    link = wait(driver).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, f"#results a[href='/id/{material['pid']}']")))
    assert link.text == title
    assert driver.find_elements(By.CSS_SELECTOR, "#results img, #results b, #results script") == []
    assert driver.execute_script("return window.__xss") is None


def test_facets_and_load_more(driver, admin_token):
    marker = "dh" + secrets.token_hex(3)
    for i in range(23):
        status, body = api(
            "POST", "/api/v1/materials",
            {"kind": "simulation" if i % 2 else "lesson", "title": f"Dao động điều hoà {marker} số {i}",
             "subjects": ["VATLY"] if i < 20 else ["KHTN"], "grades": [11] if i < 20 else [8],
             "licence": "CC-BY-4.0", "visibility": "public", "status": "published", "reason": "kiểm thử"},
            token=admin_token,
        )
        assert status == 201, body

    fresh_page(driver)
    search_for(driver, f"dao dong {marker}")
    wait(driver).until(lambda d: d.find_element(By.ID, "result-count").text.strip() == "23 kết quả")
    assert len(result_links(driver)) == 20
    more = driver.find_element(By.ID, "load-more")
    assert more.is_displayed() and more.text == "Tải thêm"
    more.click()
    wait(driver).until(lambda d: len(result_links(d)) == 23)
    assert not driver.find_element(By.ID, "load-more").is_displayed()
    titles = [a.text for a in result_links(driver)]
    assert len(set(titles)) == 23

    # Subject facet from the response's facets; choosing KHTN narrows to 3.
    wait(driver).until(EC.presence_of_element_located((By.ID, "f-subject-KHTN")))
    label = driver.find_element(By.CSS_SELECTOR, "label[for='f-subject-KHTN']")
    assert label.text.split("\n")[-1].strip() == "3"
    label.click()
    wait(driver).until(lambda d: d.find_element(By.ID, "result-count").text.strip() == "3 kết quả")
    assert driver.find_element(By.ID, "f-subject-KHTN").is_selected()
    # The other subject stays offered with its own count (values of one facet are alternatives).
    vatly = driver.find_element(By.CSS_SELECTOR, "label[for='f-subject-VATLY']")
    assert vatly.text.split("\n")[-1].strip() == "20"
    # Grade facet reflects the narrowed results.
    grades = [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, "[data-facet='grade'] input")]
    assert grades == ["8"]
    assert "subject=KHTN" in driver.current_url

    driver.find_element(By.ID, "clear-filters").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "result-count").text.strip() == "23 kết quả")


def test_contribute_requires_sign_in_and_title(driver):
    fresh_page(driver, "#contribute")
    notice = wait(driver).until(EC.visibility_of_element_located((By.ID, "contribute-signed-out")))
    assert "đăng nhập" in notice.text.lower()
    assert not driver.find_element(By.ID, "contribute-form").is_displayed()

    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "user-box")))
    driver.find_element(By.CSS_SELECTOR, "[data-view-link='contribute']").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "contribute-submit"))).click()
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "contribute-error")))
    assert error.text == "Hãy nhập tiêu đề."
    assert driver.switch_to.active_element.get_attribute("id") == "c-title"

    # Sign out.
    driver.find_element(By.ID, "signout-button").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "signin-link")))
    assert driver.execute_script("return sessionStorage.getItem('hoclieu.session')") is None


def test_stale_session_falls_back_to_anonymous_search(driver):
    fresh_page(driver)
    driver.execute_script(
        "sessionStorage.setItem('hoclieu.session', JSON.stringify({token: 'stale-token', user: {username: 'ghost'}}))")
    driver.get(BASE_URL + "/?q=duong%20tron")
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "error")))
    assert "Phiên đăng nhập đã hết hạn" in error.text
    wait(driver).until(lambda d: any(a.text == TITLE for a in result_links(d)))
    assert driver.find_element(By.ID, "signin-link").is_displayed()
    assert driver.execute_script("return sessionStorage.getItem('hoclieu.session')") is None
