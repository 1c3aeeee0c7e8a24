"""The course import view in headless Chromium: a real Common Cartridge uploaded with a progress bar,
processed as a background job, and its report shown; a file that is not a cartridge gets a clear error."""

from __future__ import annotations

from pathlib import Path

from browser import ADMIN_PASSWORD, ADMIN_USER, BASE_URL
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from test_ui import sign_in, wait

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "cc"


def open_import(driver) -> None:
    # Signed out, and a real page load: the views keep their state across hash changes.
    driver.get(BASE_URL + "/")
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get("about:blank")
    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "user-box")))
    driver.find_element(By.CSS_SELECTOR, "a[data-view-link='import']").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "import-form")))


def test_course_import_shows_progress_and_report(driver):
    open_import(driver)
    cartridge = CORPUS / "canvas" / "wallacekelly_modules.imscc"
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
