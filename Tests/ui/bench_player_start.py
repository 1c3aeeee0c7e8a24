#!/usr/bin/env python3
"""Player start on the content origin: first paint of a big SCORM package's launch page (issue 16).

Generates a SCORM 1.2 package of --megabytes (default 300) in --entries files (default 5,000; incompressible,
stored), uploads and publishes it through the API, then opens its player on the content origin in headless
Chromium and reports, from the Paint and Navigation Timing APIs:

- the player page's first paint / first contentful paint (the top frame),
- the launch page's first contentful paint inside the player's content frame, measured from the moment the
  top-level navigation started (what a learner waits for),

once cold (the first open after the upload: the service builds the archive's index) and then warm (--runs
more opens, browser cache disabled, the index cached by the service), with the median and the worst.
The target: launch page first paint <= 500 ms on loopback, warm.

    HOCLIEU_URL=http://127.0.0.1:8080 HOCLIEU_ADMIN_PASSWORD=… python3 Tests/ui/bench_player_start.py [--megabytes 300] [--entries 5000]

Needs the venv of .ci/e2e.sh (selenium) and Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import ADMIN_PASSWORD, ADMIN_USER, BASE_URL, api, make_driver  # noqa: E402

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench.player.start" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>Bench</title>
    <item identifier="I1" identifierref="R1"><title>Bắt đầu / Start</title></item></organization></organizations>
  <resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="launch.html">
    <file href="launch.html"/></resource></resources>
</manifest>
"""

LAUNCH = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bắt đầu</title></head>
<body><h1 id="ready">Bài học đã sẵn sàng / The lesson is ready</h1>
<script>
var api = null, w = window;
for (var i = 0; i < 10 && w && !api; i++) { api = w.API || null; w = w.parent === w ? null : w.parent; }
if (api) api.LMSInitialize("");
</script></body></html>
"""


def generate(path: Path, megabytes: int, entries: int) -> None:
    """A stored (uncompressed) zip: manifest, launch page, then entries-2 files of random bytes."""
    fillers = max(entries - 2, 1)
    size = max(megabytes * 1024 * 1024 // fillers, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("launch.html", LAUNCH)
        for i in range(fillers):
            archive.writestr(f"media/{i // 100:03d}/asset-{i:05d}.bin", os.urandom(size))


def upload(token: str, pid: str, path: Path) -> dict:
    """Streams the package to the API (no copy in memory)."""
    target = urlsplit(BASE_URL)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=1800)
    with path.open("rb") as body:
        connection.request(
            "POST", f"/api/v1/materials/{pid}/versions?filename=bench.zip", body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/zip",
                     "Content-Length": str(path.stat().st_size)})
        response = connection.getresponse()
        payload = response.read()
    if response.status != 201:
        raise SystemExit(f"upload failed: {response.status} {payload[:300]!r}")
    return json.loads(payload)


MEASURE = """
var done = arguments[arguments.length - 1];
function fcp(win) {
  var entries = win.performance.getEntriesByType("paint");
  var first = entries.filter(function (e) { return e.name === "first-contentful-paint"; })[0];
  return first ? first.startTime : null;
}
function check() {
  var frame = document.getElementById("content");
  var inner = frame && frame.contentWindow;
  var innerPaint = null;
  try { innerPaint = inner && inner.document.getElementById("ready") ? fcp(inner) : null; } catch (e) {}
  if (innerPaint === null) { setTimeout(check, 10); return; }
  var nav = performance.getEntriesByType("navigation")[0];
  var paints = {};
  performance.getEntriesByType("paint").forEach(function (e) { paints[e.name] = e.startTime; });
  done({
    playerResponseEnd: nav.responseEnd,
    playerFirstPaint: paints["first-paint"] || null,
    playerFirstContentfulPaint: paints["first-contentful-paint"] || null,
    // The launch page's paint on the top frame's clock (both clocks count from their own time origin).
    launchFirstContentfulPaint: inner.performance.timeOrigin + innerPaint - performance.timeOrigin
  });
}
check();
"""


def measure(driver, url: str) -> dict:
    driver.get("about:blank")
    driver.get(url)
    return driver.execute_async_script(MEASURE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=int, default=300)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15, help="warm opens (default 15)")
    parser.add_argument("--content-url", default=os.environ.get("HOCLIEU_CONTENT_URL", ""),
                        help="the content origin (default: the service's port + 1)")
    parser.add_argument("--package", help="reuse this generated package instead of writing a new one")
    args = parser.parse_args()
    if not BASE_URL or not ADMIN_PASSWORD:
        raise SystemExit("set HOCLIEU_URL and HOCLIEU_ADMIN_PASSWORD (a running `hoclieu serve`)")
    main_url = urlsplit(BASE_URL)
    content = (args.content_url or f"{main_url.scheme}://{main_url.hostname}:{main_url.port + 1}").rstrip("/")

    status, session = api("POST", "/api/v1/auth/login", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert status == 200, session
    token = session["token"]

    with tempfile.TemporaryDirectory(prefix="hoclieu-bench-player-") as folder:
        package = Path(args.package) if args.package else Path(folder) / "bench.zip"
        if not args.package:
            started = time.monotonic()
            generate(package, args.megabytes, args.entries)
            print(f"generated {package.stat().st_size / 1e6:.0f} MB, {args.entries} entries in {time.monotonic() - started:.1f} s")
        status, material = api("POST", "/api/v1/materials", {"kind": "lesson", "title": "Bench player start"}, token)
        assert status == 201, material
        pid = material["pid"]
        started = time.monotonic()
        version = upload(token, pid, package)
        print(f"uploaded {pid}: kind {version.get('package', {}).get('kind')} in {time.monotonic() - started:.1f} s")
        status, body = api("PATCH", f"/api/v1/materials/{pid}", {"status": "published", "reason": "đo hiệu năng / benchmark"}, token)
        assert status == 200, body

    url = f"{content}/preview/{pid}@v1/"
    driver = make_driver()
    try:
        # Every open asks the service again (no browser cache): what is measured is the service.
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        cold = measure(driver, url)
        warm = [measure(driver, url) for _ in range(args.runs)]
    finally:
        driver.quit()

    def line(name: str, key: str) -> str:
        values = [run[key] for run in warm if run[key] is not None]
        median = statistics.median(values) if values else float("nan")
        worst = max(values) if values else float("nan")
        first = cold[key] if cold[key] is not None else float("nan")
        return f"{name:<44} cold {first:7.1f} ms   warm median {median:7.1f} ms   warm max {worst:7.1f} ms"

    print(f"player {url} ({args.megabytes} MB, {args.entries} entries; {args.runs} warm runs)")
    print(line("player page response end", "playerResponseEnd"))
    print(line("player page first paint", "playerFirstPaint"))
    print(line("player page first contentful paint", "playerFirstContentfulPaint"))
    print(line("launch page first contentful paint (from start)", "launchFirstContentfulPaint"))
    target = statistics.median(run["launchFirstContentfulPaint"] for run in warm)
    print(f"target: launch page first paint <= 500 ms warm: {'met' if target <= 500 else 'NOT met'} ({target:.1f} ms)")


if __name__ == "__main__":
    main()
