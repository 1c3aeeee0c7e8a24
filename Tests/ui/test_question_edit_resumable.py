"""Issue 19 (wt19q): editing a question with the live maths preview, and a large upload that survives a lost
connection and a reloaded page (the resumable upload protocol, through the contribute screen)."""

from __future__ import annotations

import hashlib
import os
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser import BASE_URL, SHOTS, api, new_teacher, sign_in, wait



def test_question_edit_with_live_maths_preview(driver, admin_token):
    name, password, token = new_teacher(admin_token)
    aiken = "Tính \\(\\frac{1}{2}+\\frac{1}{3}\\)?\nA. \\(\\frac{5}{6}\\)\nB. \\(\\frac{2}{5}\\)\nANSWER: A\n".encode()
    status, body = api("POST", "/api/v1/question-imports?format=aiken&subject=TOAN", aiken, token=token, content_type="text/plain")
    assert status == 201, body
    qid = body["stored"][0]["id"]

    sign_in(driver, name, password)
    driver.get(BASE_URL + "/#questions")
    edit = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f".q-edit[data-id='{qid}']")))
    edit.click()
    stem = wait(driver).until(EC.visibility_of_element_located((By.ID, "qe-stem")))
    # The stored stem is already rendered: its fractions are MathML.
    wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#qe-stem-preview math mfrac")) == 2)
    stem.clear()
    stem.send_keys("Tính \\(\\sqrt{x^2+1}\\) và $\\frac{3}{4}$ khi $x = 2$")
    # The preview follows the typing: a root with a power inside, a fraction, and no LaTeX left as text.
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qe-stem-preview math msqrt msup"))
    fraction = driver.find_element(By.CSS_SELECTOR, "#qe-stem-preview math mfrac")
    assert [n.text for n in fraction.find_elements(By.CSS_SELECTOR, "mn")] == ["3", "4"]
    preview_text = driver.execute_script("return [...document.querySelectorAll('#qe-stem-preview')].map(n => n.childNodes).flatMap(c => [...c]).filter(n => n.nodeType === 3).map(n => n.data).join('')")
    assert "\\frac" not in preview_text and "$" not in preview_text, preview_text
    # Hostile markup typed into the stem is shown inert in the preview.
    stem.send_keys('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>')
    time.sleep(0.3)
    assert driver.execute_script("return window.__pwned === undefined")
    assert not driver.find_elements(By.CSS_SELECTOR, "#qe-stem-preview img, #qe-stem-preview script")
    # Mark option b right instead of a (the options have their own previews), then save.
    driver.find_element(By.ID, "qe-opt-1-correct").click()
    assert driver.find_elements(By.CSS_SELECTOR, "#qe-opt-0-preview math mfrac")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "question-editor-1280.png"))
    driver.find_element(By.ID, "qe-save").click()
    wait(driver).until(lambda d: not d.find_elements(By.ID, "qe-form"))

    status, question = api("GET", f"/api/v1/questions/{qid}", token=token)
    assert status == 200 and question["version"] == 2, question
    assert "\\sqrt{x^2+1}" in question["stem"]["html"] and "<script" not in question["stem"]["html"]
    options = question["body"]["options"]
    assert [o["fraction"] for o in options] == [0, 1]
    status, first = api("GET", f"/api/v1/questions/{qid}/versions/1", token=token)
    assert status == 200 and "frac{1}{3}" in first["stem"]["html"]


def test_large_upload_survives_a_lost_connection_and_a_reload(driver, admin_token, tmp_path):
    name, password, token = new_teacher(admin_token)
    big = tmp_path / "tep-lon.bin"
    big.write_bytes(os.urandom(20 * 1024 * 1024 + 12345))  # three chunks of 8 MiB at most
    digest = hashlib.sha256(big.read_bytes()).hexdigest()

    sign_in(driver, name, password)
    # Slow the connection down so the test can act between chunks.
    driver.set_network_conditions(offline=False, latency=5, download_throughput=50 * 1024 * 1024, upload_throughput=4 * 1024 * 1024)
    driver.get(BASE_URL + "/#contribute")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "c-title"))).send_keys("Tệp lớn tải tiếp")
    driver.find_element(By.ID, "c-file").send_keys(str(big))
    driver.find_element(By.ID, "contribute-submit").click()

    def received() -> int:
        ids = driver.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('hoclieu.upload.')).map(k => JSON.parse(localStorage[k]).id)")
        if not ids:
            return -1
        status, upload = api("GET", f"/api/v1/uploads/{ids[0]}", token=token)
        return upload["received"] if status == 200 else -1

    # A lost connection during the second chunk: the page retries from what the server holds.
    wait(driver, 60).until(lambda d: received() >= 8 * 1024 * 1024)
    driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    time.sleep(1.5)
    driver.set_network_conditions(offline=False, latency=5, download_throughput=50 * 1024 * 1024, upload_throughput=4 * 1024 * 1024)
    # Then the page is reloaded in the middle of the third chunk.
    wait(driver, 90).until(lambda d: received() >= 16 * 1024 * 1024)
    held = received()
    pid = driver.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('hoclieu.upload.')).map(k => JSON.parse(localStorage[k]).pid)[0]")
    driver.refresh()
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    driver.get(BASE_URL + "/#contribute")
    card = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".resume-card")))
    assert "tep-lon.bin" in card.text and pid in card.text
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "upload-resume-1280.png"))
    driver.set_network_conditions(offline=False, latency=0, download_throughput=50 * 1024 * 1024, upload_throughput=50 * 1024 * 1024)
    # The teacher picks the same file: the upload continues where the server stopped, not from zero.
    driver.execute_script(
        "window.__progress = []; const bar = document.getElementById('upload-progress');"
        "new MutationObserver(() => window.__progress.push(bar.value))"
        ".observe(document.getElementById('upload-percent'), {childList: true, characterData: true, subtree: true});")
    card.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(big))
    wait(driver, 90).until(EC.visibility_of_element_located((By.ID, "contribute-result")))
    progress = [float(v) for v in driver.execute_script("return window.__progress")]
    first = next(v for v in progress if v > 0)
    assert first >= held * 100 // big.stat().st_size - 1, (progress[:5], held)

    status, versions = api("GET", f"/api/v1/materials/{pid}/versions", token=token)
    assert status == 200 and len(versions["items"]) == 1
    assert versions["items"][0]["contentID"] == digest and versions["items"][0]["byteSize"] == big.stat().st_size
    assert driver.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('hoclieu.upload.')).length") == 0
