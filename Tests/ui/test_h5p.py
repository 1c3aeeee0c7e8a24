"""H5P plays on the content origin (issue 16), in headless Chromium.

The valid packages of the conformance corpus (../shared/conformance/h5p/, real content from Moodle's
and Lumi's fixtures) run on our own H5P run-time (Public/vendor/h5p): each renders its main element;
a multiple-choice answer produces an xAPI `answered` statement, shown in the player's log and posted
to the material page that embeds the player; a package that lacks a library says which, in Vietnamese
and English. Screenshots of the H5P player at 1280 and 360 px go to .build/ui-screenshots/.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from browser import BASE_URL, CORPUS, api
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_content_origin import SCREENSHOTS, content_url, publish, screenshots

H5P = CORPUS / "h5p"

# Package, the element its main library renders (the content type's own root class).
PACKAGES = [
    ("moodle/multiple-choice-2-6.h5p", "H5P.MultiChoice", ".h5p-multichoice .h5p-answer"),
    ("lumi/H5P.DragText.h5p", "H5P.DragText", ".h5p-drag-text .h5p-drag-dropzone-container"),
    ("moodle/ipsums.h5p", "H5P.Accordion", ".h5p-accordion .h5p-panel-title"),
    ("moodle/filltheblanks.h5p", "H5P.Blanks", ".h5p-blanks .h5p-text-input"),
    ("moodle/guess-the-answer.h5p", "H5P.GuessTheAnswer", ".h5p-guess-answer"),
    ("moodle/basic_essay.h5p", "H5P.Essay", ".h5p-essay textarea"),
    ("moodle/find-the-words.h5p", "H5P.FindTheWords", ".h5p-find-the-words canvas"),
    ("lumi/validator_valid3-3-images.h5p", "H5P.Agamotto", ".h5p-agamotto img"),
    ("moodle/greeting-card.h5p", "H5P.GreetingCard", ".h5p-greetingcard .greeting-text"),
]

pytestmark = pytest.mark.skipif(not H5P.is_dir(), reason=f"needs the conformance corpus, absent at {H5P}")


def state(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-h5p-state")


def play(driver, pid: str) -> None:
    """Opens the version's player on the content origin and waits until the content runs or fails."""
    driver.get(f"{content_url()}/preview/{pid}@v1/")
    WebDriverWait(driver, 30).until(lambda d: state(d) in ("running", "failed"))
    if state(driver) != "running":
        problem = driver.find_element(By.ID, "h5p-problem").text
        logs = [entry["message"] for entry in driver.get_log("browser")] if hasattr(driver, "get_log") else []
        pytest.fail(f"{pid} did not start: {problem} {logs}")


def xapi_verbs(driver) -> list[str]:
    return [item.get_attribute("data-verb") for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]


@pytest.mark.parametrize("package,library,selector", PACKAGES, ids=[p[1] for p in PACKAGES])
def test_h5p_package_renders_its_main_element(driver, admin_token, package, library, selector):
    pid = publish(admin_token, f"H5P {library}", (H5P / package).read_bytes(), package.split("/")[-1])
    play(driver, pid)
    assert driver.find_element(By.ID, "h5p-main").text.startswith(library + " ")
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
    assert driver.find_element(By.CSS_SELECTOR, selector).is_displayed() or selector.endswith("canvas")
    assert not driver.find_element(By.ID, "h5p-problem").is_displayed()
    # Nothing the content type called was missing from the run-time.
    assert driver.execute_script("return window.hoclieuErrors") == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"h5p-{library}-1280.png"))


def answer_multiple_choice(driver) -> None:
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".h5p-multichoice .h5p-answer"))
    driver.find_elements(By.CSS_SELECTOR, ".h5p-multichoice .h5p-answer")[0].click()
    check = driver.find_element(By.CSS_SELECTOR, ".h5p-question-check-answer")
    driver.execute_script("arguments[0].scrollIntoView()", check)
    check.click()


def test_multiple_choice_answer_is_an_xapi_answered_statement(driver, admin_token):
    pid = publish(admin_token, "Trắc nghiệm H5P", (H5P / "moodle/multiple-choice-2-6.h5p").read_bytes(), "mc.h5p")
    play(driver, pid)
    answer_multiple_choice(driver)
    WebDriverWait(driver, 10).until(lambda d: "answered" in xapi_verbs(d))
    statement = driver.execute_script(
        "return window.hoclieuXAPI.filter(function (s) { return /answered$/.test(s.verb.id); })[0]")
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert statement["object"]["id"] == f"{statement['object']['id'].split('/id/')[0]}/id/{pid}@v1"
    assert statement["object"]["definition"]["extensions"]["http://h5p.org/x-api/h5p-local-content-id"] == f"{pid}@v1"
    assert statement["result"]["score"]["max"] >= 1 and "response" in statement["result"], statement
    assert statement["actor"]["objectType"] == "Agent"
    screenshots(driver, "h5p-player")


def test_material_page_receives_the_statements_from_its_origin_only(driver, admin_token):
    pid = publish(admin_token, "Trắc nghiệm H5P nhúng", (H5P / "moodle/multiple-choice-2-6.h5p").read_bytes(), "mc.h5p")
    driver.get(f"{BASE_URL}/id/{pid}")
    driver.switch_to.frame(driver.find_element(By.ID, "player"))
    try:
        WebDriverWait(driver, 30).until(lambda d: state(d) == "running")
        answer_multiple_choice(driver)
        WebDriverWait(driver, 10).until(lambda d: "answered" in xapi_verbs(d))
    finally:
        driver.switch_to.default_content()
    # The player posted to the main origin (an explicit target, not "*"); the page checked the sender.
    WebDriverWait(driver, 10).until(
        lambda d: "answered" in [i.get_attribute("data-verb") for i in d.find_elements(By.CSS_SELECTOR, "#results li")])
    screenshots(driver, "h5p-material-page")


def without_library(package: bytes, folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if not info.filename.startswith(folder + "/"):
                target.writestr(info, source.read(info))
    return out.getvalue()


def test_a_package_that_lacks_a_library_says_so(driver, admin_token):
    package = without_library((H5P / "moodle/multiple-choice-2-6.h5p").read_bytes(), "H5P.JoubelUI-1.3")
    pid = publish(admin_token, "H5P thiếu thư viện", package, "missing.h5p")
    driver.get(f"{content_url()}/preview/{pid}@v1/")
    message = driver.find_element(By.ID, "h5p-missing")
    assert message.is_displayed()
    assert "H5P.JoubelUI 1.3" in message.text
    assert "Gói thiếu thư viện" in message.text and "The package lacks libraries" in message.text
    screenshots(driver, "h5p-missing-library")


def test_a_library_that_does_not_define_its_constructor_is_a_clear_message(driver, admin_token):
    # Lumi's fixture names its library H5P.GreetingCard1 but its script defines H5P.GreetingCard.
    pid = publish(admin_token, "H5P sai tên", (H5P / "lumi/greetingcard1.h5p").read_bytes(), "greetingcard1.h5p")
    driver.get(f"{content_url()}/preview/{pid}@v1/")
    WebDriverWait(driver, 30).until(lambda d: state(d) in ("running", "failed"))
    assert state(driver) == "failed"
    problem = driver.find_element(By.ID, "h5p-problem")
    assert problem.is_displayed()
    assert "This H5P content cannot run" in problem.text and "Không chạy được nội dung H5P này" in problem.text
    assert "H5P.GreetingCard1 1.0" in problem.text and "the library is not loaded" in problem.text
