"""H5P plays on the content origin (issue 16), in headless Chromium.

The valid packages of the conformance corpus (../shared/conformance/h5p/, real content from Moodle's
and Lumi's fixtures) run on our own H5P run-time (Public/vendor/h5p): each renders its main element;
a multiple-choice answer produces an xAPI `answered` statement, shown in the player's log and posted
to the material page that embeds the player; a package that lacks a library says which, in Vietnamese
and English. Screenshots of the H5P player at 1280 and 360 px go to .build/ui-screenshots/.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from browser import BASE_URL, CORPUS, SHOTS, screenshots
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_content_origin import content_url, publish

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
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"h5p-{library}-1280.png"))


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


COLUMN_JS = """
var H5P = H5P || {};
H5P.TestColumn = (function ($) {
  function TestColumn(params, contentId) {
    H5P.EventDispatcher.call(this);
    var self = this;
    self.seen = 0;
    self.on("xAPI", function () { self.seen++; });
    self.attach = function ($container) {
      params.content.forEach(function (child) {
        var $wrapper = $('<div class="test-column-item"></div>').appendTo($container);
        H5P.newRunnable(child, contentId, $wrapper, undefined, { parent: self });
      });
    };
  }
  TestColumn.prototype = Object.create(H5P.EventDispatcher.prototype);
  TestColumn.prototype.constructor = TestColumn;
  return TestColumn;
})(H5P.jQuery);
"""


def column_of_multiple_choices() -> bytes:
    """A container written here (the shape of H5P.Column: children made with newRunnable and a parent) holding
    two copies of the corpus's multiple-choice question, with their real libraries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO((H5P / "moodle/multiple-choice-2-6.h5p").read_bytes())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        manifest = json.loads(source.read("h5p.json"))
        question = json.loads(source.read("content/content.json"))
        for info in source.infolist():
            if info.filename not in ("h5p.json", "content/content.json"):
                target.writestr(info, source.read(info))
        manifest["mainLibrary"] = "H5P.TestColumn"
        manifest["title"] = "Cột câu hỏi"
        manifest["preloadedDependencies"].append({"machineName": "H5P.TestColumn", "majorVersion": 1, "minorVersion": 0})
        target.writestr("h5p.json", json.dumps(manifest))
        target.writestr("content/content.json", json.dumps({"content": [
            {"library": "H5P.MultiChoice 1.14", "params": question, "subContentId": "cau-1"},
            {"library": "H5P.MultiChoice 1.14", "params": question, "subContentId": "cau-2"}]}))
        target.writestr("H5P.TestColumn-1.0/library.json", json.dumps({
            "title": "Test column", "machineName": "H5P.TestColumn", "majorVersion": 1, "minorVersion": 0, "patchVersion": 0,
            "runnable": 1, "preloadedJs": [{"path": "column.js"}],
            "preloadedDependencies": [{"machineName": "H5P.MultiChoice", "majorVersion": 1, "minorVersion": 14}]}))
        target.writestr("H5P.TestColumn-1.0/column.js", COLUMN_JS)
    return out.getvalue()


def test_nested_content_reports_once_with_its_parent(driver, admin_token):
    pid = publish(admin_token, "Cột câu hỏi", column_of_multiple_choices(), "column.h5p")
    play(driver, pid)
    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".test-column-item.h5p-multichoice")) == 2)
    answer_multiple_choice(driver)
    WebDriverWait(driver, 10).until(lambda d: "answered" in xapi_verbs(d))
    answered = driver.execute_script("return window.hoclieuXAPI.filter(function (s) { return /answered$/.test(s.verb.id); })")
    # One statement per answer (it bubbled through the container, and reached the player once).
    assert len(answered) == 1, answered
    statement = answered[0]
    activity = statement["object"]["id"].split("?")[0]
    assert activity.endswith(f"/id/{pid}@v1")
    assert statement["object"]["id"] == activity + "?subContentId=cau-1"
    assert statement["object"]["definition"]["extensions"]["http://h5p.org/x-api/h5p-subContentId"] == "cau-1"
    assert statement["context"]["contextActivities"]["parent"] == [{"id": activity, "objectType": "Activity"}]
    assert driver.execute_script("return H5P.instances[0].seen") >= 1
    assert driver.execute_script("return [H5P.instances[0].isRoot(), H5P.instances[0].libraryInfo.machineName]") == [True, "H5P.TestColumn"]
    assert driver.execute_script("return window.hoclieuErrors") == []


def test_drag_the_words_scores_a_dropped_word(driver, admin_token):
    # jQuery UI 1.10 (a library the package carries) drags on our run-time's jQuery 3.
    from selenium.webdriver.common.action_chains import ActionChains

    pid = publish(admin_token, "Kéo thả từ", (H5P / "lumi/H5P.DragText.h5p").read_bytes(), "drag.h5p")
    play(driver, pid)
    words = driver.find_elements(By.CSS_SELECTOR, ".h5p-drag-draggables-container .ui-draggable")
    zones = driver.find_elements(By.CSS_SELECTOR, ".h5p-drag-dropzone-container .ui-droppable")
    assert len(words) == 3 and len(zones) == 3
    blue = next(word for word in words if word.text.split("\n")[0] == "blue")  # "Blueberries are *blue*"
    ActionChains(driver).click_and_hold(blue).pause(0.2).move_by_offset(5, 5).pause(0.1) \
        .move_to_element(zones[0]).pause(0.2).release().perform()
    WebDriverWait(driver, 5).until(lambda d: zones[0].text.startswith("blue"))
    driver.find_element(By.CSS_SELECTOR, ".h5p-question-check-answer").click()
    WebDriverWait(driver, 10).until(lambda d: "answered" in xapi_verbs(d))
    score = driver.execute_script(
        "return window.hoclieuXAPI.filter(function (s) { return /answered$/.test(s.verb.id); })[0].result.score")
    assert score["raw"] == 1 and score["max"] == 3, score
    assert driver.execute_script("return window.hoclieuErrors") == []
