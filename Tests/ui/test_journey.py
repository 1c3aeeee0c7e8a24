"""The whole journey through the web UI in headless Chromium, against the running service (see conftest.py):

a teacher signs in, uploads a SCORM package (Tests/Fixtures/scorm) by the contribute screen, tags it through the
catalogue picker (type-ahead without diacritics), submits it for review; two reviewers sign in and approve it on the
review screen (the board's rule: two reviewers, all must agree); an anonymous visitor finds it with a query without
diacritics and opens its preview; the teacher builds a 2×3 blueprint (one row by type-ahead, one by browsing the
catalogue) over questions seeded through the API and downloads a .docx variant.

Then every main page is checked with axe-core (no serious or critical violation), photographed at 1280 and 360 px
into .build/ui-screenshots/, weighed (JS + CSS ≤ 200 KB uncompressed) and timed (Navigation Timing and
first-contentful-paint, printed; HOCLIEU_UI_FIRST_RENDER_MS, default 1000, is the bound).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import time
import zipfile
from pathlib import Path

import pytest
from browser import (ADMIN_PASSWORD, ADMIN_USER, BASE_URL, SHOTS, api, axe_problems, forget_session, go, load, metric_problems,
                     page_metrics, screenshots, settle, sign_in, timing_table, wait)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "Tests" / "Fixtures" / "scorm" / "scorm12-nested-frames"
MARKER = "hl" + secrets.token_hex(3)
PASSWORD = "mat-khau-" + secrets.token_hex(6)
UNIT_A = "TOAN.6.SD.3.1"  # Phân số. Tính chất cơ bản của phân số. So sánh phân số
UNIT_B = "TOAN.6.SD.3.2"  # Các phép tính với phân số
LEVELS = ["BHV3.1", "BHV3.2", "BHV3.3"]


def pick_by_typing(driver, picker_id: str, text: str, code: str) -> None:
    box = wait(driver).until(EC.element_to_be_clickable((By.ID, f"{picker_id}-q")))
    box.clear()
    box.send_keys(text)
    option = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"#{picker_id}-list li[data-code='{code}']")))
    # Keyboard: arrow down to the option, Enter.
    options = driver.find_elements(By.CSS_SELECTOR, f"#{picker_id}-list li[role='option']")
    for _ in range(options.index(option) + 1):
        box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.send_keys(Keys.ENTER)
    wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"#{picker_id}-chips li[data-code='{code}']")))


def click_text(driver, scope: str, text: str) -> None:
    button = wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, f"//*[@id='{scope}']//button[contains(normalize-space(.), '{text}')]")))
    button.click()


def scorm_zip(tmp_path: Path) -> Path:
    path = tmp_path / "phan-so-scorm12.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(FIXTURE.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(FIXTURE).as_posix())
    return path


def question_file() -> bytes:
    """Moodle XML: for each of the two units and three BHV3 levels, two single-choice questions."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>']
    for unit in (UNIT_A, UNIT_B):
        for level in LEVELS:
            for n in range(2):
                tags = "".join(f"<tag><text>hoclieu:{t}</text></tag>" for t in
                               ("subject=TOAN", "grade=6", f"ku={unit}", f"level=BHV3/{level}"))
                parts.append(
                    f'<question type="multichoice"><name><text>{MARKER} {unit} {level} {n}</text></name>'
                    f'<questiontext format="html"><text><![CDATA[<p>Câu {MARKER} {unit} {level} số {n}: 1/2 bằng?</p>]]></text></questiontext>'
                    f'<single>true</single><answer fraction="100"><text>2/4 ({n})</text></answer>'
                    f'<answer fraction="0"><text>1/3 ({n})</text></answer><answer fraction="0"><text>3/4 ({n})</text></answer>'
                    f'<tags>{tags}</tags></question>')
    parts.append("</quiz>")
    return "\n".join(parts).encode("utf-8")


@pytest.fixture(scope="module")
def accounts(admin_token):
    """A teacher of a school, two reviewers of the department (not of the teacher's school)."""
    made = {}
    for name, roles, extra in (
        ("teacher", ["teacher"], {"school": f"THCS Hoà Bình {MARKER}"}),
        ("reviewer1", ["reviewer"], {"subjects": ["TOAN"]}),
        ("reviewer2", ["reviewer"], {"subjects": ["TOAN"]}),
    ):
        username = f"{name}-{MARKER}"
        status, body = api("POST", "/api/v1/users", {"username": username, "password": PASSWORD, "roles": roles,
                                                      "displayName": f"{name} {MARKER}", **extra}, token=admin_token)
        assert status == 201, body
        made[name] = {"username": username, "id": body["id"]}
    return made


@pytest.fixture(scope="module")
def journey(driver, admin_token, accounts, tmp_path_factory):
    """Runs the journey once; the tests below check its parts and the pages it leaves behind."""
    tmp = tmp_path_factory.mktemp("journey")
    state: dict = {"tmp": tmp}
    downloads = tmp / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    state["downloads"] = downloads

    # --- The teacher uploads, tags and submits.
    sign_in(driver, accounts["teacher"]["username"], PASSWORD)
    go(driver, "#contribute")
    title = f"Phân số bằng nhau {MARKER}"
    wait(driver).until(EC.visibility_of_element_located((By.ID, "c-title"))).send_keys(title)
    driver.find_element(By.CSS_SELECTOR, "#c-kind option[value='lesson']").click()
    driver.find_element(By.ID, "c-description").send_keys("Bài giảng SCORM: phân số bằng nhau, rút gọn phân số.")
    pick_by_typing(driver, "c-units", "tinh chat co ban cua phan so", UNIT_A)
    # The unit filled the subject and grade.
    assert driver.find_element(By.ID, "c-subjects").get_attribute("value") == "TOAN"
    assert driver.find_element(By.ID, "c-grade-6").is_selected()
    licence = driver.find_element(By.CSS_SELECTOR, "#c-licence option[value='CC-BY-SA-4.0']")
    licence.click()
    assert "chia sẻ lại" in driver.find_element(By.ID, "c-licence-help").text
    driver.find_element(By.ID, "c-file").send_keys(str(scorm_zip(tmp)))
    driver.find_element(By.ID, "contribute-submit").click()
    result = wait(driver, 120).until(EC.visibility_of_element_located((By.ID, "contribute-result")))
    assert driver.find_element(By.ID, "upload-progress").get_attribute("value") == "100"
    pid = result.find_element(By.ID, "result-pid-link").text.strip()
    assert "SCORM12" in driver.find_element(By.ID, "result-detail").text
    state["pid"] = pid
    status, material = api("GET", f"/api/v1/materials/{pid}", token=admin_token)
    assert status == 200 and material["metadata"]["knowledgeUnits"] == [UNIT_A], material
    assert material["metadata"]["licence"] == "CC-BY-SA-4.0" and material["format"] == "scorm12"
    driver.find_element(By.ID, "submit-review").click()
    wait(driver).until(lambda d: "hồ sơ số" in d.find_element(By.ID, "result-review").text)
    status, page = api("GET", f"/api/v1/submissions?pid={pid}", token=admin_token)
    assert status == 200 and len(page["items"]) == 1, page
    submission = page["items"][0]
    state["submission"] = submission["id"]

    # "My materials" shows it under review.
    go(driver, "#mine")
    item = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"#mine-list li[data-pid='{pid}']")))
    assert item.get_attribute("data-status") in ("submitted", "in_review"), item.get_attribute("data-status")
    # Only the teacher's own materials are listed (others' public ones are not).
    assert [li.get_attribute("data-pid") for li in driver.find_elements(By.CSS_SELECTOR, "#mine-list li[data-pid]")] == [pid]

    # The board: exactly our two reviewers (auto-assignment may have chosen others of earlier runs).
    mine = {accounts["reviewer1"]["id"], accounts["reviewer2"]["id"]}
    for assignment in submission["assignments"]:
        if assignment["reviewerID"] not in mine:
            status, body = api("DELETE", f"/api/v1/submissions/{submission['id']}/assignments/{assignment['reviewerID']}", token=admin_token)
            assert status in (200, 204), body
    assigned = {a["reviewerID"] for a in submission["assignments"]} & mine
    if mine - assigned:
        status, body = api("POST", f"/api/v1/submissions/{submission['id']}/assignments", {"reviewers": sorted(mine - assigned)}, token=admin_token)
        assert status in (200, 201), body

    # --- Two reviewers approve on the review screen.
    for reviewer in ("reviewer1", "reviewer2"):
        sign_in(driver, accounts[reviewer]["username"], PASSWORD)
        go(driver, "#queue")
        link = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#queue-table a[data-id='{submission['id']}']")))
        link.click()
        wait(driver).until(EC.visibility_of_element_located((By.ID, "review-form")))
        # The preview sits beside the form.
        frame = driver.find_element(By.ID, "review-frame")
        assert "/preview/" in frame.get_attribute("src")
        for fieldset in driver.find_elements(By.CSS_SELECTOR, "#review-form fieldset.criterion"):
            radios = fieldset.find_elements(By.CSS_SELECTOR, "input[type='radio']")
            best = max(radios, key=lambda r: int(r.get_attribute("value")))
            driver.execute_script("arguments[0].click()", best)
        driver.find_element(By.CSS_SELECTOR, "#rv-decision option[value='approve']").click()
        driver.find_element(By.ID, "rv-feedback").send_keys(f"Tốt, {reviewer}.")
        driver.find_element(By.ID, "rv-notes").send_keys("Ghi chú nội bộ.")
        driver.find_element(By.ID, "rv-submit").click()
        wait(driver).until(lambda d: "Bạn đã thẩm định" in d.find_element(By.ID, "review-form-slot").text
                           or "đã đóng" in d.find_element(By.ID, "review-form-slot").text)
    status, material = api("GET", f"/api/v1/materials/{pid}", token=admin_token)
    assert material["status"] == "published", material

    # --- Anonymous: found without diacritics, preview opened.
    forget_session(driver)
    load(driver, f"?q=phan+so+bang+nhau+{MARKER}#search")
    found = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"#results .result-title a[href='/id/{pid}']")))
    assert found.text.strip() == title
    assert driver.find_elements(By.CSS_SELECTOR, "#results .result-title mark"), "the matched words are highlighted"
    # The catalogue node as a filter (the node and everything below it), chosen in the picker.
    pick_by_typing(driver, "f-unit", "tinh chat co ban cua phan so", UNIT_A)
    wait(driver).until(lambda d: f"unit={UNIT_A}" in d.current_url)
    found = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"#results .result-title a[href='/id/{pid}']")))
    card = found.find_element(By.XPATH, "ancestor::li[1]")
    before = set(driver.window_handles)
    main_window = driver.current_window_handle
    card.find_element(By.CSS_SELECTOR, "button.preview").click()
    # A new tab, or (when the browser blocks the tab) this one: the player of the content origin either way.
    try:
        wait(driver, 30).until(lambda d: len(d.window_handles) > len(before) or "/preview/" in d.current_url)
    except Exception:
        driver.save_screenshot(str(SHOTS / "failed-preview.png"))
        raise AssertionError(f"no preview: {driver.current_url} {driver.window_handles} {driver.get_log('browser')}")
    opened = set(driver.window_handles) - before
    if opened:
        driver.switch_to.window(opened.pop())
    wait(driver, 30).until(lambda d: "/preview/" in d.current_url and pid in d.current_url)
    wait(driver, 30).until(lambda d: "SCORM" in d.find_element(By.TAG_NAME, "body").text)
    state["preview_url"] = driver.current_url
    if opened:
        driver.close()
        driver.switch_to.window(main_window)

    # --- Blueprint 2×3 over seeded questions, a .docx variant.
    status, report = api("POST", "/api/v1/question-imports?filename=seed.xml&partial=true", question_file(), token=admin_token,
                         content_type="application/xml")
    assert status in (200, 201), report
    for stored in report["stored"]:
        status, body = api("PUT", f"/api/v1/questions/{stored['id']}/status", {"status": "published"}, token=admin_token)
        assert status == 200, body
    sign_in(driver, accounts["teacher"]["username"], PASSWORD)
    go(driver, "#blueprint")
    pick_by_typing(driver, "bp-row-1", "tinh chat co ban cua phan so", UNIT_A)
    driver.find_element(By.ID, "bp-add-row").click()
    # Row 2 by browsing: Toán → Lớp 6 → SỐ VÀ ĐẠI SỐ → Phân số → choose TOAN.6.SD.3.2.
    row2 = driver.find_elements(By.CSS_SELECTOR, ".picker[id^='bp-row-']")[1].get_attribute("id")
    driver.find_element(By.ID, f"{row2}-browse-button").click()
    click_text(driver, f"{row2}-browse", "Toán")
    click_text(driver, f"{row2}-browse", "Lớp 6")
    click_text(driver, f"{row2}-browse", "SỐ VÀ ĐẠI SỐ")
    click_text(driver, f"{row2}-browse", "Phân số")
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#{row2}-browse button[aria-label='Chọn {UNIT_B}']"))).click()
    wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"#{row2}-chips li[data-code='{UNIT_B}']")))
    for row in range(2):
        for level in LEVELS:
            cell = driver.find_element(By.ID, f"bp-cell-{row}-{level.replace('.', '_')}")
            cell.clear()
            cell.send_keys("1")
    check = driver.find_element(By.ID, "bp-check")
    try:
        wait(driver, 30).until(lambda d: check.get_attribute("data-state") in ("ok", "short"))
    except Exception:
        raise AssertionError(f"no check: {check.get_attribute('data-state')} {check.text}")
    assert check.get_attribute("data-state") == "ok", check.text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#bp-matrix td.cell-ok")) == 6
    # The live check: asking for more than the bank holds marks the cell short.
    over = driver.find_element(By.ID, "bp-cell-0-BHV3_1")
    over.clear()
    over.send_keys("500")
    wait(driver, 30).until(lambda d: check.get_attribute("data-state") == "short")
    assert driver.find_elements(By.CSS_SELECTOR, "#bp-td-0-BHV3_1.cell-short")
    over.clear()
    over.send_keys("1")
    wait(driver, 30).until(lambda d: check.get_attribute("data-state") == "ok")
    variants = driver.find_element(By.ID, "bp-variants")
    variants.clear()
    variants.send_keys("2")
    driver.find_element(By.ID, "bp-assemble-button").click()
    button = wait(driver, 60).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#bp-test button.variant-docx")))
    assert len(driver.find_elements(By.CSS_SELECTOR, "#bp-test button.variant-docx")) == 2
    code = button.get_attribute("data-code")
    button.click()
    wait(driver, 60).until(lambda d: button.get_attribute("data-bytes"))
    docx = downloads / f"de-{code}.docx"
    deadline = time.time() + 30
    while time.time() < deadline and not docx.exists():
        time.sleep(0.2)
    data = docx.read_bytes()
    assert data[:4] == b"PK\x03\x04" and int(button.get_attribute("data-bytes")) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as paper:
        body = paper.read("word/document.xml").decode("utf-8")
    # Six questions, one per cell, drawn from the published bank of the two units (this run's or an earlier one's).
    text = re.sub(r"<[^>]+>", "", body)
    stems = re.findall(r"Câu hl[0-9a-f]{6} (TOAN\.6\.SD\.3\.[12]) (BHV3\.[123]) số [01]: 1/2 bằng\?", text)
    assert sorted(set(stems)) == sorted((u, l) for u in (UNIT_A, UNIT_B) for l in LEVELS) and len(stems) == 6, stems
    assert "Đáp án" not in body
    state["docx"] = len(data)
    return state


def test_teacher_reviewers_anonymous_blueprint(journey):
    assert journey["pid"] and journey["docx"] > 1000
    print(f"\njourney: {journey['pid']} published after two approvals; preview {journey['preview_url']}; variant .docx {journey['docx']} bytes")


MAIN_PAGES = [
    ("home-search", "#search", None),
    ("upload", "#contribute", "teacher"),
    ("my-materials", "#mine", "teacher"),
    ("question-bank", "#questions", "teacher"),
    ("blueprint", "#blueprint", "teacher"),
    ("review-queue", "#queue", "admin"),
    ("review-screen", "#review/{submission}", "admin"),
    ("assignments", "#assign", "admin"),
    ("admin", "#admin", "admin"),
    ("reports", "#reports", "admin"),
]


def test_main_pages_accessible_photographed_light_and_fast(driver, journey, accounts, admin_token):
    failures = []
    timings = []
    signed_as = "unknown"
    for name, fragment, who in MAIN_PAGES:
        fragment = fragment.format(submission=journey["submission"])
        if who != signed_as:
            if who is None:
                forget_session(driver)
            else:
                sign_in(driver, accounts[who]["username"] if who != "admin" else ADMIN_USER, PASSWORD if who != "admin" else ADMIN_PASSWORD)
            signed_as = who
        driver.set_window_size(1280, 1000)
        load(driver, fragment)
        settle(driver)
        heading = driver.execute_script(
            "const s = [...document.querySelectorAll('[data-view]')].find((x) => !x.hidden); return s.querySelector('h1').textContent")
        metrics = page_metrics(driver)
        timings.append((name, metrics))
        failures += metric_problems(name, metrics)
        failures += axe_problems(driver, name)
        failures += screenshots(driver, name)
        assert heading.strip(), name
    status, health = api("GET", "/health")
    print(f"\nfirst render with {health.get('materials')} materials in the store ({BASE_URL})")
    print(timing_table(timings))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "timings.json").write_text(json.dumps(dict(timings), indent=1))
    assert not failures, "\n".join(failures)


def test_catalogues_have_the_same_keys(driver):
    """Both languages are complete: vi.js and en.js have the same keys, and the same codes in each code list."""
    driver.get(BASE_URL + "/")
    difference = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        Promise.all([import('/js/i18n/vi.js'), import('/js/i18n/en.js')]).then(([vi, en]) => {
          const a = vi.default, b = en.default, out = [];
          for (const k of Object.keys(a)) if (!(k in b)) out.push('en lacks ' + k);
          for (const k of Object.keys(b)) if (!(k in a)) out.push('vi lacks ' + k);
          for (const k of Object.keys(a)) {
            if (a[k] && typeof a[k] === 'object' && b[k] && typeof b[k] === 'object') {
              for (const c of Object.keys(a[k])) if (!(c in b[k])) out.push(`en lacks ${k}.${c}`);
              for (const c of Object.keys(b[k])) if (!(c in a[k])) out.push(`vi lacks ${k}.${c}`);
            } else if (typeof a[k] !== typeof b[k]) out.push(`${k}: ${typeof a[k]} vs ${typeof b[k]}`);
          }
          done({count: Object.keys(a).length, out});
        }).catch((e) => done({count: 0, out: [String(e)]}));
        """)
    assert difference["count"] > 100 and difference["out"] == [], difference


def test_switching_language_relabels_a_screen(driver):
    forget_session(driver)
    load(driver, "#reports")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "cov-heading")))
    assert driver.find_element(By.ID, "cov-heading").text == "Độ phủ chương trình (môn × lớp)"
    driver.find_element(By.CSS_SELECTOR, ".lang-btn[data-lang='en']").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "cov-heading").text == "Coverage of the programme (subject × grade)")
    assert driver.title.startswith("Reports")
    driver.find_element(By.CSS_SELECTOR, ".lang-btn[data-lang='vi']").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "cov-heading").text.startswith("Độ phủ"))


def test_reports_screen_against_independent_counts(driver, journey, admin_token):
    """The heatmap's TOAN × 6 cell shows the published materials of subject TOAN and grade 6 as the search counts
    them (the same rule, computed by another path), and the drill-down lists the unit the journey tagged."""
    status, _ = api("GET", "/api/v1/reports/coverage", token=admin_token)
    if status == 404:
        pytest.skip("the reports API (/api/v1/reports/…, issue 19 backend) is not in this build")
    assert status == 200
    status, page = api("GET", "/api/v1/search?subject=TOAN&grade=6&status=published&limit=1", token=admin_token)
    assert status == 200 and not page.get("totalIsLowerBound"), page
    expected = page["total"]
    assert expected >= 1  # the journey's material
    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)
    go(driver, "#reports")
    cell = wait(driver, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#coverage-heatmap a.cov-cell[data-subject='TOAN'][data-grade='6']")))
    assert int(cell.get_attribute("data-materials")) == expected
    # Keyboard: the cell is a link; Enter opens the units of TOAN 6.
    driver.execute_script("arguments[0].focus()", cell)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait(driver, 30).until(EC.visibility_of_element_located((By.ID, "coverage-drill")))
    row = driver.find_element(By.XPATH, f"//*[@id='rep-coverage']//tr[.//span[@class='chip-code' and text()='{UNIT_A}']]")
    assert int(row.find_elements(By.TAG_NAME, "td")[0].text.replace(".", "")) >= 1
    button = driver.find_element(By.CSS_SELECTOR, "#rep-coverage button.csv")
    button.click()
    wait(driver, 30).until(lambda d: button.get_attribute("data-bytes"))
    assert int(button.get_attribute("data-bytes")) > 0


def test_question_import_shows_the_report_per_question(driver, accounts):
    """A teacher imports a Moodle XML file with one good question and one the bank cannot take: the report lists
    both, the second as refused with its reason and what the conversion lost; the good one is in the bank list."""
    marker = "qi" + secrets.token_hex(3)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"cau-hoi-{marker}.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><quiz>'
        f'<question type="multichoice"><name><text>Tốt {marker}</text></name>'
        f'<questiontext format="html"><text>Phân số {marker} nào bằng 1/2?</text></questiontext><single>true</single>'
        '<answer fraction="100"><text>2/4</text></answer><answer fraction="0"><text>1/3</text></answer>'
        '<tags><tag><text>hoclieu:subject=TOAN</text></tag><tag><text>hoclieu:grade=6</text></tag>'
        f'<tag><text>hoclieu:ku={UNIT_A}</text></tag><tag><text>hoclieu:level=BHV3/BHV3.2</text></tag></tags></question>'
        f'<question type="ddwtos"><name><text>Kéo thả {marker}</text></name>'
        '<questiontext format="html"><text>Kéo [[1]] vào</text></questiontext>'
        '<dragbox><text>a</text><group>1</group></dragbox></question></quiz>', encoding="utf-8")
    sign_in(driver, accounts["teacher"]["username"], PASSWORD)
    go(driver, "#questions")
    tab = wait(driver).until(EC.element_to_be_clickable((By.ID, "qtab-import")))
    tab.click()
    driver.find_element(By.ID, "qi-file").send_keys(str(path))
    driver.find_element(By.ID, "qi-submit-button").click()
    report = wait(driver, 60).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#qi-report table")))
    rows = report.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 2, report.text
    assert "Đã nhập" in rows[0].text and "Giữ nguyên" in rows[0].text
    assert "Lỗi, không nhập" in rows[1].text and "ddwtos" in rows[1].text and "phương án" in rows[1].text
    assert "1 câu mới" in driver.find_element(By.ID, "qi-report").text
    # The list (its tab) now holds the new question, found by the level filter.
    driver.find_element(By.ID, "qtab-list").click()
    driver.find_element(By.CSS_SELECTOR, "#qf-level option[value='BHV3.2']").click()
    wait(driver, 30).until(lambda d: marker in d.find_element(By.ID, "q-table").text)


def test_admin_creates_an_lms_credential_shown_once(driver):
    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)
    go(driver, "#admin")
    wait(driver).until(EC.element_to_be_clickable((By.ID, "admin-tab-clients"))).click()
    name = f"Moodle {MARKER}"
    wait(driver).until(EC.visibility_of_element_located((By.ID, "client-name"))).send_keys(name)
    driver.find_element(By.CSS_SELECTOR, "#admin-client-form button[type='submit']").click()
    secret = wait(driver).until(EC.visibility_of_element_located((By.ID, "client-secret"))).text.strip()
    client_id, _, tail = secret.partition(".")
    assert client_id and len(tail) > 20, secret
    # The credential works (an LMS client reads its own account), and is never listed again.
    status, me = api("GET", "/api/v1/me", token=secret)
    assert status == 200, me
    go(driver, "#search")
    go(driver, "#admin")
    driver.find_element(By.ID, "admin-tab-clients").click()
    table_text = wait(driver).until(EC.visibility_of_element_located((By.XPATH, f"//td[contains(., '{client_id}')]/ancestor::table"))).text
    assert name in table_text and tail not in driver.page_source


def test_interrupted_upload_restarts(driver, accounts, admin_token, tmp_path):
    """On a slow line the teacher cancels an upload half-way (as a dropped connection would end it); the material
    stays, without a file, and "upload again" sends the file whole to the same PID."""
    payload = tmp_path / "bai-giang-cham.pdf"
    payload.write_bytes(b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024))
    sign_in(driver, accounts["teacher"]["username"], PASSWORD)
    go(driver, "#contribute")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "c-title"))).send_keys(f"Tải lại {MARKER}")
    driver.find_element(By.ID, "c-file").send_keys(str(payload))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": 10_000_000, "uploadThroughput": 256 * 1024})
    try:
        driver.find_element(By.ID, "contribute-submit").click()
        wait(driver, 60).until(lambda d: 5 <= float(d.find_element(By.ID, "upload-progress").get_attribute("value")) < 90)
        driver.find_element(By.ID, "upload-cancel").click()
        wait(driver).until(lambda d: d.find_element(By.ID, "upload-box").get_attribute("data-state") == "failed")
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    retry = wait(driver).until(EC.visibility_of_element_located((By.ID, "retry-upload")))
    pid = retry.text.split()[-1]
    status, versions = api("GET", f"/api/v1/materials/{pid}/versions", token=admin_token)
    assert status == 200 and versions["items"] == [], versions
    retry.click()
    wait(driver, 120).until(EC.visibility_of_element_located((By.ID, "contribute-result")))
    assert driver.find_element(By.ID, "upload-box").get_attribute("data-state") == "done"
    status, versions = api("GET", f"/api/v1/materials/{pid}/versions", token=admin_token)
    assert [v["byteSize"] for v in versions["items"]] == [payload.stat().st_size]
