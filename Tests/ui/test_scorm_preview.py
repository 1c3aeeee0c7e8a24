"""SCORM content playing in the player on the content origin, in headless Chromium.

SCORM 1.2: a real package of the conformance corpus (Rustici's golf course, ADL discovery code).
SCORM 2004: a 4th-edition package built here (the corpus has the ADL test-suite manifests but no SCO
that runs without a Java applet): two SCOs that find `API_1484_11` with the ADL algorithm, call
Initialize, set data and ask for `continue`, which the player must follow.
"""

from __future__ import annotations

import io
import zipfile

from browser import BASE_URL, CORPUS, api
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def publish(token: str, title: str, package: bytes, name: str) -> str:
    status, material = api("POST", "/api/v1/materials", {"kind": "lesson", "title": title}, token)
    assert status == 201, material
    pid = material["pid"]
    status, version = api("POST", f"/api/v1/materials/{pid}/versions?filename={name}", package, token, "application/zip")
    assert status == 201, version
    status, body = api("PATCH", f"/api/v1/materials/{pid}", {"status": "published", "reason": "kiểm thử"}, token)
    assert status == 200, body
    return pid


def calls_in_player(driver) -> list[str]:
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]


def open_player(driver, pid: str) -> None:
    driver.get(f"{BASE_URL}/preview/{pid}@v1/")
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.initialized") == "true")


def test_scorm12_package_calls_initialize(driver, admin_token):
    package = (CORPUS / "scorm/scorm12/rustici_singlescobasic.zip").read_bytes()
    pid = publish(admin_token, "Golf SCORM 1.2", package, "golf12.zip")
    open_player(driver, pid)
    assert any(line.startswith('LMSInitialize("") → "true"') for line in calls_in_player(driver)), calls_in_player(driver)
    # The content itself sees its API answer as the run-time specification says.
    # The player (top frame, content origin) holds the run-time; the package found it through `parent`.
    calls = driver.execute_script("return window.hoclieuScormCalls.map(function (c) { return c.call; })")
    assert calls[0] == "LMSInitialize"
    driver.switch_to.frame("content")
    try:
        assert driver.execute_script("return parent.API.LMSGetValue('cmi.core.lesson_mode')") == "browse"
        assert driver.execute_script("return parent.API.LMSSetValue('cmi.core.lesson_status', 'bogus')") == "false"
        assert driver.execute_script("return parent.API.LMSGetLastError()") == "405"
        assert driver.execute_script("return parent.API.LMSGetValue('cmi.core.session_time')") == ""
        assert driver.execute_script("return parent.API.LMSGetLastError()") == "404"  # write-only
        # The content origin is not the main origin: the repository's storage is out of reach.
        assert driver.execute_script("return self.origin") != BASE_URL
    finally:
        driver.switch_to.default_content()


MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="hoclieu.test.2004" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Phân số lớp 6</title>
      <item identifier="item1" identifierref="sco1"><title>Bài 1</title></item>
      <item identifier="item2" identifierref="sco2"><title>Bài 2</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco1" type="webcontent" adlcp:scormType="sco" href="sco1.html"><file href="sco1.html"/><dependency identifierref="common"/></resource>
    <resource identifier="sco2" type="webcontent" adlcp:scormType="sco" href="sco2.html"><file href="sco2.html"/><dependency identifierref="common"/></resource>
    <resource identifier="common" type="webcontent" adlcp:scormType="asset"><file href="api.js"/></resource>
  </resources>
</manifest>
"""

# The ADL SCORM 2004 discovery algorithm (window, its parents, then the opener), as content ships it.
API_JS = """
function findAPI(win) {
  var tries = 0;
  while (win.API_1484_11 == null && win.parent != null && win.parent != win) {
    if (++tries > 500) return null;
    win = win.parent;
  }
  return win.API_1484_11;
}
function getAPI() {
  var api = findAPI(window);
  if (api == null && window.opener != null) api = findAPI(window.opener);
  return api;
}
"""

SCO = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title><script src="api.js"></script>
<script>
window.onload = function () {{
  var api = getAPI();
  document.getElementById("found").textContent = api ? "API found" : "no API";
  api.Initialize("");
  document.getElementById("learner").textContent = api.GetValue("cmi.learner_name");
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.score.scaled", "0.8");
  api.Commit("");
  {navigate}
}};
</script></head><body><h1>{title}</h1><p id="found"></p><p id="learner"></p></body></html>
"""


def scorm2004_package() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_2004)
        archive.writestr("api.js", API_JS)
        archive.writestr("sco1.html", SCO.format(title="Bài 1", navigate='api.SetValue("adl.nav.request", "continue"); api.Terminate("");'))
        archive.writestr("sco2.html", SCO.format(title="Bài 2", navigate=""))
    return out.getvalue()


def test_scorm2004_package_initializes_and_navigates(driver, admin_token):
    status, _ = api("GET", "/health")
    assert status == 200
    pid = publish(admin_token, "Phân số SCORM 2004", scorm2004_package(), "phanso2004.zip")
    status, version = api("GET", f"/api/v1/materials/{pid}/versions/1", token=admin_token)
    assert version["package"]["kind"] == "scorm2004", version
    assert not any("schema" in warning for warning in version["package"]["warnings"]), version["package"]["warnings"]
    open_player(driver, pid)
    # SCO 1 asks to continue and terminates; the player opens SCO 2, which initializes in turn.
    WebDriverWait(driver, 20).until(lambda d: sum(line.startswith('Initialize("") → "true"') for line in calls_in_player(d)) == 2)
    log = calls_in_player(driver)
    assert 'SetValue("cmi.completion_status", "completed") → "true"' in log, log
    assert 'SetValue("adl.nav.request", "continue") → "true"' in log, log
    assert 'Terminate("") → "true"' in log, log
    assert driver.find_element(By.ID, "status").text == "Bài 2"
    driver.switch_to.frame("content")
    try:
        assert driver.find_element(By.ID, "found").text == "API found"
        assert driver.find_element(By.ID, "learner").text == "Người xem thử"
        # The run-time follows the 2004 error codes: a second Initialize is 103, an unknown element 401.
        assert driver.execute_script("return parent.API_1484_11.Initialize('')") == "false"
        assert driver.execute_script("return parent.API_1484_11.GetLastError()") == "103"
        assert driver.execute_script("return parent.API_1484_11.GetValue('cmi.no_such_thing')") == ""
        assert driver.execute_script("return parent.API_1484_11.GetLastError()") == "401"
        assert driver.execute_script("return parent.API_1484_11.GetValue('cmi.location')") == ""
        assert driver.execute_script("return parent.API_1484_11.GetLastError()") == "403"  # not initialised yet
    finally:
        driver.switch_to.default_content()


def test_preview_button_opens_the_player(driver, admin_token):
    package = (CORPUS / "scorm/scorm12/rustici_singlescobasic.zip").read_bytes()
    pid = publish(admin_token, "Sân gôn xem thử", package, "golf-ui.zip")
    driver.get(f"{BASE_URL}/?q=san%20gon%20xem%20thu")
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results button.preview"))
    original = driver.current_window_handle
    driver.find_element(By.CSS_SELECTOR, "#results button.preview").click()
    WebDriverWait(driver, 10).until(lambda d: len(d.window_handles) == 2)
    driver.switch_to.window([h for h in driver.window_handles if h != original][0])
    try:
        WebDriverWait(driver, 20).until(lambda d: f"/preview/{pid}@v1/" in d.current_url)
        WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.initialized") == "true")
        assert driver.execute_script("return window.opener") is None
    finally:
        driver.close()
        driver.switch_to.window(original)
