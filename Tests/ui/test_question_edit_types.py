"""Issue 19: the question editor edits the answers of every type the bank has beyond the choices — short text
(accepted answers), essay (grading notes, response template), matching (pairs, distractors), ordering (items in
order) and cloze (gaps and their answers) — with the keyboard only (Enter on buttons: add, remove, move).

The questions come from a Moodle XML file imported through the API (as a teacher would); each is edited in the
question bank screen and saved; the API then shows version 2 with exactly the edited body (computed here from
version 1 and the edits) and version 1 unchanged."""

from __future__ import annotations

import copy
import secrets

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from browser import BASE_URL, api, new_teacher, screenshots, sign_in, wait

MARKER = "qt" + secrets.token_hex(3)


def moodle_xml() -> bytes:
    def q(kind: str, name: str, stem: str, inner: str) -> str:
        return (f'<question type="{kind}"><name><text>{MARKER} {name}</text></name>'
                f'<questiontext format="html"><text><![CDATA[{stem}]]></text></questiontext>{inner}'
                '<tags><tag><text>hoclieu:subject=TOAN</text></tag><tag><text>hoclieu:grade=6</text></tag></tags></question>')

    return ('<?xml version="1.0" encoding="UTF-8"?><quiz>' + "".join([
        q("shortanswer", "ngắn", f"<p>Thủ đô của Việt Nam ({MARKER})?</p>",
          '<usecase>0</usecase><answer fraction="100"><text>Hà Nội</text></answer>'
          '<answer fraction="50"><text>Ha Noi</text></answer>'),
        q("essay", "tự luận", f"<p>Giải thích vì sao \\(a^2 \\ge 0\\) ({MARKER}).</p>",
          '<graderinfo format="html"><text><![CDATA[<p>Nêu hai trường hợp.</p>]]></text></graderinfo>'
          '<responsetemplate format="html"><text><![CDATA[<p>Xét a ≥ 0 …</p>]]></text></responsetemplate>'),
        q("matching", "ghép đôi", f"<p>Ghép phân số với số thập phân ({MARKER}).</p>",
          '<shuffleanswers>1</shuffleanswers>'
          '<subquestion format="html"><text><![CDATA[\\(\\frac{1}{2}\\)]]></text><answer><text>0,5</text></answer></subquestion>'
          '<subquestion format="html"><text><![CDATA[\\(\\frac{1}{4}\\)]]></text><answer><text>0,2</text></answer></subquestion>'
          '<subquestion format="html"><text><![CDATA[\\(\\frac{3}{4}\\)]]></text><answer><text>0,75</text></answer></subquestion>'
          '<subquestion format="html"><text></text><answer><text>0,3</text></answer></subquestion>'
          '<subquestion format="html"><text></text><answer><text>1,5</text></answer></subquestion>'),
        q("ordering", "sắp xếp", f"<p>Sắp xếp từ bé đến lớn ({MARKER}).</p>",
          '<answer fraction="1" format="html"><text><![CDATA[\\(\\frac{1}{3}\\)]]></text></answer>'
          '<answer fraction="2" format="html"><text><![CDATA[\\(\\frac{3}{4}\\)]]></text></answer>'
          '<answer fraction="3" format="html"><text><![CDATA[\\(\\frac{1}{2}\\)]]></text></answer>'),
        q("cloze", "điền khuyết",
          f"<p>Thủ đô là {{1:MULTICHOICE:=Huế~Hà Nội}}, số {{1:NUMERICAL:=3.5:0.1}} và màu {{2:SHORTANSWER:=xanh}} ({MARKER}).</p>", ""),
    ]) + "</quiz>").encode("utf-8")



@pytest.fixture(scope="module")
def bank(driver, admin_token):
    """A teacher, signed in, with one draft question of each type: {type: question (version 1)}."""
    name, password, token = new_teacher(admin_token, "gv.loai")
    status, report = api("POST", "/api/v1/question-imports?filename=loai.xml&partial=false", moodle_xml(), token=token,
                         content_type="application/xml")
    assert status == 201, report
    questions = {}
    for stored in report["stored"]:
        status, question = api("GET", f"/api/v1/questions/{stored['id']}", token=token)
        assert status == 200 and question["version"] == 1
        questions[question["body"]["type"]] = question
    assert sorted(questions) == ["cloze", "essay", "matching", "ordering", "shortText"], sorted(questions)
    sign_in(driver, name, password)
    return {"token": token, "questions": questions}


def open_editor(driver, question: dict) -> None:
    driver.get(BASE_URL + "/#questions")
    edit = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f".q-edit[data-id='{question['id']}']")))
    edit.send_keys(Keys.ENTER)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "qe-form")))


def press(driver, element) -> None:
    """Keyboard only: the control takes the focus, Enter activates it."""
    driver.execute_script("arguments[0].focus()", element)
    element.send_keys(Keys.ENTER)


def retype(element, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def save_and_check(driver, bank: dict, question: dict, expected_body: dict, expected_stem: dict | None = None) -> dict:
    press(driver, driver.find_element(By.ID, "qe-save"))
    try:
        wait(driver).until(lambda d: not d.find_elements(By.ID, "qe-form"))
    except Exception:
        raise AssertionError(driver.find_element(By.ID, "qe-error").text)
    token = bank["token"]
    status, saved = api("GET", f"/api/v1/questions/{question['id']}", token=token)
    assert status == 200 and saved["version"] == 2, saved
    assert saved["body"] == expected_body
    assert saved["stem"] == (expected_stem or question["stem"])
    status, first = api("GET", f"/api/v1/questions/{question['id']}/versions/1", token=token)
    assert status == 200 and first["body"] == question["body"] and first["stem"] == question["stem"]
    return saved


def test_short_text_accepted_answers(driver, bank):
    question = bank["questions"]["shortText"]
    open_editor(driver, question)
    retype(driver.find_element(By.ID, "qe-st-0-pattern"), "Thủ đô Hà Nội")
    # A credit that is no number is refused in the page, on its field, before anything is sent.
    credit = driver.find_element(By.ID, "qe-st-1-credit")
    retype(credit, "năm mươi")
    press(driver, driver.find_element(By.ID, "qe-save"))
    wait(driver).until(EC.visibility_of_element_located((By.ID, "qe-error")))
    assert "Đáp án 2" in driver.find_element(By.ID, "qe-error").text
    assert driver.switch_to.active_element == credit and credit.get_attribute("aria-invalid") == "true"
    assert api("GET", f"/api/v1/questions/{question['id']}", token=bank["token"])[1]["version"] == 1
    retype(credit, "40")
    # Correcting it clears the mark and the message.
    assert credit.get_attribute("aria-invalid") is None and not driver.find_element(By.ID, "qe-error").is_displayed()
    # A third answer, added with the keyboard (the new row takes the focus), then moved up above the second.
    press(driver, driver.find_element(By.ID, "qe-st-add"))
    added = driver.find_element(By.ID, "qe-st-2-pattern")
    assert driver.switch_to.active_element == added
    added.send_keys("Hà Nội*")
    retype(driver.find_element(By.ID, "qe-st-2-credit"), "25")
    up = driver.find_element(By.CSS_SELECTOR, "#qe-st-2-row .qe-up")
    assert up.get_attribute("aria-label") == "Lên (Đáp án 3)"
    press(driver, up)
    assert driver.switch_to.active_element == up and up.get_attribute("aria-label") == "Lên (Đáp án 2)"
    assert driver.find_element(By.CSS_SELECTOR, "label[for='qe-st-2-pattern']").text == "Đáp án 2"
    driver.find_element(By.ID, "qe-st-case").send_keys(Keys.SPACE)  # a checkbox is ticked with Space
    assert not screenshots(driver, "question-editor-short-text")
    keys = question["body"]["keys"]
    expected = {**question["body"], "caseSensitive": True,
                "keys": [{**keys[0], "pattern": "Thủ đô Hà Nội"}, {"pattern": "Hà Nội*", "fraction": 0.25}, {**keys[1], "fraction": 0.4}]}
    save_and_check(driver, bank, question, expected)


def test_essay_grading_notes_with_maths_preview(driver, bank):
    question = bank["questions"]["essay"]
    open_editor(driver, question)
    rubric = driver.find_element(By.ID, "qe-rubric")
    retype(rubric, "<p>Xét \\(a \\ge 0\\) và \\(a < 0\\); kết luận \\(a^2 \\ge 0\\).</p>")
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qe-rubric-preview math msup"))
    # An emptied template is no template at all.
    retype(driver.find_element(By.ID, "qe-template"), "")
    expected = {k: v for k, v in question["body"].items() if k != "responseTemplate"}
    expected["rubric"] = {"html": "<p>Xét \\(a \\ge 0\\) và \\(a &lt; 0\\); kết luận \\(a^2 \\ge 0\\).</p>", "format": "html"}
    save_and_check(driver, bank, question, expected)


def test_matching_pairs_and_distractors(driver, bank):
    question = bank["questions"]["matching"]
    open_editor(driver, question)
    retype(driver.find_element(By.ID, "qe-pairs-1-answer"), "0,25")
    # The first distractor is removed; the focus goes to the one that took its place.
    remove = driver.find_element(By.CSS_SELECTOR, "#qe-distractors-0-row .qe-row-tools button")
    assert remove.get_attribute("aria-label") == "Bỏ (Đáp án gây nhiễu 1)"
    press(driver, remove)
    assert driver.switch_to.active_element == driver.find_element(By.ID, "qe-distractors-1-text")
    assert driver.find_element(By.CSS_SELECTOR, "label[for='qe-distractors-1-text']").text == "Đáp án gây nhiễu 1"
    # A fourth pair.
    press(driver, driver.find_element(By.ID, "qe-pairs-add"))
    driver.find_element(By.ID, "qe-pairs-3-prompt").send_keys("\\(\\frac{3}{2}\\)")
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qe-pairs-3-prompt-preview math mfrac"))
    driver.find_element(By.ID, "qe-pairs-3-answer").send_keys("1,5")
    body = copy.deepcopy(question["body"])
    body["pairs"][1]["answer"] = "0,25"
    used = {p["id"] for p in body["pairs"]}
    new_id = next(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in used)
    body["pairs"].append({"id": new_id, "prompt": {"html": "\\(\\frac{3}{2}\\)", "format": "html"}, "answer": "1,5"})
    body["distractors"] = body["distractors"][1:]
    save_and_check(driver, bank, question, body)


def test_ordering_items_moved_with_the_keyboard(driver, bank):
    question = bank["questions"]["ordering"]
    items = question["body"]["items"]
    assert len(items) == 3
    open_editor(driver, question)
    # The third item (1/2) goes up once: 1/3, 1/2, 3/4.
    up = driver.find_element(By.CSS_SELECTOR, "#qe-items-2-row .qe-up")
    press(driver, up)
    assert driver.switch_to.active_element == up
    order = driver.execute_script("return [...document.querySelectorAll('#qe-items-list > li')].map((li) => li.id)")
    assert order == ["qe-items-0-row", "qe-items-2-row", "qe-items-1-row"], order
    assert driver.find_element(By.CSS_SELECTOR, "label[for='qe-items-2-text']").text == "Mục 2"
    # The first item cannot go up, the last cannot go down.
    first_up = driver.find_element(By.CSS_SELECTOR, "#qe-items-0-row .qe-up")
    assert first_up.get_attribute("disabled") is not None
    assert driver.find_element(By.CSS_SELECTOR, "#qe-items-1-row .qe-down").get_attribute("disabled") is not None
    # Down then Up on the first item: there and back; when its Up ends disabled at the top, the focus is on its Down.
    down = driver.find_element(By.CSS_SELECTOR, "#qe-items-0-row .qe-down")
    press(driver, down)
    assert driver.switch_to.active_element == down
    assert driver.find_element(By.CSS_SELECTOR, "label[for='qe-items-0-text']").text == "Mục 2"
    press(driver, first_up)
    assert driver.switch_to.active_element == down
    order = driver.execute_script("return [...document.querySelectorAll('#qe-items-list > li')].map((li) => li.id)")
    assert order == ["qe-items-0-row", "qe-items-2-row", "qe-items-1-row"], order
    assert not screenshots(driver, "question-editor-ordering")
    save_and_check(driver, bank, question, {**question["body"], "items": [items[0], items[2], items[1]]})


def test_cloze_gaps_edited_removed_and_added(driver, bank):
    question = bank["questions"]["cloze"]
    gaps = question["body"]["gaps"]
    assert [g["kind"]["type"] for g in gaps] == ["choice", "numeric", "shortText"], gaps
    stem = question["stem"]["html"]
    assert stem.count("{#1}") == stem.count("{#2}") == stem.count("{#3}") == 1, stem
    open_editor(driver, question)
    # Gap 1: the right option is now b (Hà Nội).
    driver.find_element(By.ID, "qe-gaps-0-opt-1-correct").send_keys(Keys.SPACE)
    assert driver.find_element(By.ID, "qe-gaps-0-opt-1-correct").is_selected()
    # Gap 3: another accepted answer and a new weight.
    retype(driver.find_element(By.ID, "qe-gaps-2-st-0-pattern"), "xanh lam")
    retype(driver.find_element(By.ID, "qe-gaps-2-weight"), "3")
    # Gap 2 (the number) is removed: its marker leaves the stem and {#3} becomes {#2}.
    remove = driver.find_element(By.CSS_SELECTOR, "#qe-gaps-1-row > .qe-row-tools button")
    assert remove.text == "Bỏ chỗ trống này" and remove.get_attribute("aria-label") == "Bỏ chỗ trống này (Chỗ trống 2 ({#2}))"
    press(driver, remove)
    stem_box = driver.find_element(By.ID, "qe-stem")
    expected_stem = stem.replace("{#2}", "").replace("{#3}", "{#2}")
    assert stem_box.get_attribute("value") == expected_stem
    assert driver.find_element(By.ID, "qe-gaps-2-heading").text == "Chỗ trống 2 ({#2})"
    # A new short-text gap, marked at the cursor: the end of the stem.
    driver.execute_script("const a = arguments[0]; a.focus(); a.setSelectionRange(a.value.length, a.value.length);", stem_box)
    stem_box.send_keys(" Thêm: ")
    driver.find_element(By.ID, "qe-gap-kind").send_keys("Điền chữ")
    press(driver, driver.find_element(By.ID, "qe-gaps-add"))
    assert stem_box.get_attribute("value") == expected_stem + " Thêm: {#3}"
    assert driver.switch_to.active_element == driver.find_element(By.ID, "qe-gaps-3-weight")
    driver.find_element(By.ID, "qe-gaps-3-st-0-pattern").send_keys("đỏ")
    assert not screenshots(driver, "question-editor-cloze")
    choice = copy.deepcopy(gaps[0])
    for option in choice["kind"]["options"]:
        option["fraction"] = 1 if option["id"] == choice["kind"]["options"][1]["id"] else 0
    short = copy.deepcopy(gaps[2])
    short["weight"] = 3
    short["kind"]["keys"][0]["pattern"] = "xanh lam"
    added = {"weight": 1, "kind": {"type": "shortText", "keys": [{"pattern": "đỏ", "fraction": 1}], "caseSensitive": False}}
    save_and_check(driver, bank, question, {**question["body"], "gaps": [choice, short, added]},
                   {**question["stem"], "html": expected_stem + " Thêm: {#3}"})
