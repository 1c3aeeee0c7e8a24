"""A short administrator's journey through the admin screens (issue 19): add a harvest source with the keyboard,
start a backup and see it listed, and a catalogue file with a problem refused with its line. Each step is checked
against the API too. Runs against the service of HOCLIEU_URL (see conftest.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

from browser import ADMIN_PASSWORD, ADMIN_USER, SHOTS, api, go, sign_in, wait
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC


def open_tab(driver, name: str) -> None:
    go(driver, "#admin")
    tab = wait(driver).until(EC.element_to_be_clickable((By.ID, f"admin-tab-{name}")))
    tab.click()
    wait(driver).until(lambda d: d.find_element(By.ID, f"admin-tab-{name}").get_attribute("aria-selected") == "true")


def test_admin_adds_a_harvest_source_starts_a_backup_and_sees_it_listed(driver, admin_token, tmp_path: Path):
    sign_in(driver, ADMIN_USER, ADMIN_PASSWORD)

    # A harvest source, typed and submitted with the keyboard only (Enter in the form).
    open_tab(driver, "harvest")
    url = f"https://oai-{secrets.token_hex(4)}.example.edu.vn/oai"
    field = wait(driver).until(EC.visibility_of_element_located((By.ID, "hs-new-url")))
    assert driver.find_element(By.CSS_SELECTOR, "label[for='hs-new-url']").text.strip(), "the URL field has no label"
    field.send_keys(url)
    every = driver.find_element(By.ID, "hs-new-every")
    every.clear()
    every.send_keys("1d")
    every.send_keys(Keys.ENTER)
    wait(driver).until(lambda d: url in d.find_element(By.ID, "admin-panel").text)
    status, sources = api("GET", "/api/v1/harvest/sources", token=admin_token)
    assert status == 200
    added = [s for s in sources["items"] if s["url"] == url]
    assert len(added) == 1 and added[0]["every"] == "1d" and added[0]["trusted"] is False, added

    # A bad address is refused in the page with the server's message, and nothing is added.
    field = driver.find_element(By.ID, "hs-new-url")
    field.clear()
    field.send_keys("ftp://example.org/oai")
    driver.find_element(By.CSS_SELECTOR, "#harvest-add-form button[type=submit]").click()
    error = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#harvest-add-form .form-error")))
    assert "ftp://example.org/oai" in error.text
    assert len(api("GET", "/api/v1/harvest/sources", token=admin_token)[1]["items"]) == len(sources["items"])

    # A backup: started from the screen, listed when its job ends, with the counts the API reports.
    open_tab(driver, "backup")
    before = len(api("GET", "/api/v1/backups", token=admin_token)[1]["items"])
    wait(driver).until(EC.element_to_be_clickable((By.ID, "backup-start"))).click()
    wait(driver, 120).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#admin-panel table.data tbody tr")) == before + 1)
    status, backups = api("GET", "/api/v1/backups", token=admin_token)
    assert status == 200 and len(backups["items"]) == before + 1
    newest = backups["items"][0]
    assert newest["name"] in driver.find_element(By.ID, "admin-panel").text
    assert newest["materials"] >= 0 and newest["bytes"] > 0
    # Restore is explained, not offered.
    assert "hoclieu restore" in driver.find_element(By.ID, "admin-panel").text

    # The catalogue import: a file whose outcome has no parent is refused, and the problem's line is shown.
    open_tab(driver, "catalogue")
    bad = tmp_path / "THU.csv"
    bad.write_text("code,parent,type,grade,statement,statement_en,associations,status\n"
                   "TOAN.6.ZZ.9.1,TOAN.6.ZZ.9,outcome,6,Không có cha.,,,\n", encoding="utf-8")
    wait(driver).until(EC.presence_of_element_located((By.ID, "catalog-file"))).send_keys(str(bad))
    driver.find_element(By.CSS_SELECTOR, "#catalog-import-form button[type=submit]").click()
    report = wait(driver).until(EC.visibility_of_element_located((By.ID, "catalog-report")))
    assert "THU.csv:" in report.text, report.text
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "admin-catalogue-refused.png"))

    # Tidy: the source added here is removed through the API.
    assert api("DELETE", f"/api/v1/harvest/sources/{added[0]['id']}", token=admin_token)[0] == 204
