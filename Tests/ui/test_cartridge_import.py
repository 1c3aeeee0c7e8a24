"""The course import view in headless Chromium: a real Common Cartridge uploaded with a progress bar,
processed as a background job, and its report shown; a file that is not a cartridge gets a clear error."""

from __future__ import annotations

import pytest
from browser import ADMIN_PASSWORD, ADMIN_USER, BASE_URL, CORPUS, api
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from test_ui import sign_in, wait

CARTRIDGES = CORPUS / "cc"
# The real cartridges come from the conformance corpus (../shared/conformance), which a fresh clone does not have.
needs_corpus = pytest.mark.skipif(not CARTRIDGES.is_dir(), reason=f"needs the conformance corpus, absent at {CARTRIDGES}")


def open_import(driver) -> None:
    # Signed out, and a real page load: the views keep their state across hash changes.
    driver.get(BASE_URL + "/")
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get("about:blank")
    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "user-box")))
    driver.find_element(By.CSS_SELECTOR, "a[data-view-link='import']").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "import-form")))


@needs_corpus
def test_course_import_shows_progress_and_report(driver):
    open_import(driver)
    cartridge = CARTRIDGES / "canvas" / "wallacekelly_modules.imscc"
    driver.find_element(By.ID, "i-file").send_keys(str(cartridge))
    driver.find_element(By.ID, "import-submit").click()
    result = wait(driver, 60).until(EC.visibility_of_element_located((By.ID, "import-result")))
    assert driver.find_element(By.ID, "import-progress").get_attribute("value") == "100"
    summary = driver.find_element(By.ID, "import-summary").text
    assert "học liệu mới" in summary and "liên kết LTI" in summary, summary
    course = driver.find_element(By.ID, "import-course-link")
    assert course.text.strip() and course.get_attribute("href").endswith(course.text.split(" — ")[-1])
    assert result.get_attribute("tabindex") == "-1"

    # The same file again: nothing new.
    driver.find_element(By.ID, "import-another").click()
    driver.find_element(By.ID, "i-file").send_keys(str(cartridge))
    driver.find_element(By.ID, "import-submit").click()
    wait(driver, 60).until(EC.visibility_of_element_located((By.ID, "import-result")))
    assert driver.find_element(By.ID, "import-summary").text.startswith("0 học liệu mới")


def test_not_a_cartridge_is_explained(driver, tmp_path):
    open_import(driver)
    junk = tmp_path / "khong-phai.imscc"
    junk.write_bytes(b"day khong phai tep zip")
    driver.find_element(By.ID, "i-file").send_keys(str(junk))
    driver.find_element(By.ID, "import-submit").click()
    error = wait(driver, 60).until(EC.visibility_of_element_located((By.ID, "import-error")))
    assert error.text.startswith("Không nhập được khoá học:"), error.text
    assert driver.find_element(By.ID, "import-box").get_attribute("data-state") == "failed"


@needs_corpus
def test_interrupted_import_restarts_from_nothing(driver):
    """A course upload cut off halfway (the teacher's cancel, as a dropped connection would) stores nothing, and the
    same file sent again imports the whole course: the import is restartable. The upload is slowed to 128 KB/s in
    the browser so that it can be stopped in the middle."""
    open_import(driver)
    cartridge = CARTRIDGES / "canvas" / "canvas_summer_template_cc1p1.imscc"
    _, health = api("GET", "/health")
    before = int(health["materials"])
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 128 * 1024})
    try:
        driver.find_element(By.ID, "i-file").send_keys(str(cartridge))
        driver.find_element(By.ID, "import-submit").click()
        progress = driver.find_element(By.ID, "import-progress")
        wait(driver, 30).until(lambda d: 5 <= int(progress.get_attribute("value")) < 40)
        assert driver.find_element(By.ID, "import-box").get_attribute("data-state") == "uploading"
        driver.find_element(By.ID, "import-cancel").click()
        error = wait(driver, 30).until(EC.visibility_of_element_located((By.ID, "import-error")))
        assert error.text == "Đã huỷ: không có gì được lưu.", error.text
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    _, health = api("GET", "/health")
    assert int(health["materials"]) == before, "the cut-off upload left materials behind"

    # Sent again, as it is: the whole course.
    assert not driver.find_element(By.ID, "import-submit").get_attribute("disabled")
    driver.find_element(By.ID, "import-submit").click()
    wait(driver, 120).until(EC.visibility_of_element_located((By.ID, "import-result")))
    summary = driver.find_element(By.ID, "import-summary").text
    created = int(summary.split(" ", 1)[0])
    assert created > 0, summary
    _, health = api("GET", "/health")
    # The course itself and each of its resources (the report counts the resources).
    assert int(health["materials"]) - before >= created, (health["materials"], before, summary)
