#!/usr/bin/env python3
"""Drivers of the fault tests in .ci/e2e-faults.sh (standard library only).

  uploads BASE TOKEN SERVER_PID STATE.json   200 concurrent uploads (create a material, upload its file); SIGKILL of
                                             the server once a third of them are acknowledged; writes what was sent
                                             and what was acknowledged
  verify-uploads BASE TOKEN STATE.json       after the restart: every acknowledged upload is there, byte for byte;
                                             every material with a version has the file that was sent for it
  import BASE TOKEN SERVER_PID FILE STATE    starts a cartridge import and SIGKILLs the server while its job runs
  verify-import BASE TOKEN STATE             after the restart: the job ends succeeded and the store holds the whole
                                             cartridge, once (materials = the report's items + the course package)
  pg-restart BASE PID STOP_CMD START_CMD     a steady load (search, material JSON and page, /ready); PostgreSQL stopped
                                             for 8 s and started again: requests fail fast with a bilingual 503 while it
                                             is down, succeed again soon after without a node restart
"""
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse


def fail(message):
    print(f"E2E FAULTS FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def request(base, method, path, token=None, body=None, headers=None, timeout=60):
    """(status, headers, body bytes); raises OSError/HTTPException when the connection breaks."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def get_json(base, path, token=None):
    status, _, body = request(base, "GET", path, token)
    if status != 200:
        fail(f"GET {path} answered {status}: {body[:300]!r}")
    return json.loads(body)


# ---- 200 concurrent uploads, kill -9 midway --------------------------------------------------------------------

def uploads(base, token, server_pid, state_path, count=200):
    rng = random.Random(int(time.time()))
    lock = threading.Lock()
    state = {"sent": {}, "acknowledged": {}, "created": [], "errors": 0}
    killed = threading.Event()
    kill_after = count // 3

    def one(i):
        size = rng.randint(10_000, 300_000)
        data = os.urandom(size)
        digest = hashlib.sha256(data).hexdigest()
        try:
            status, _, body = request(
                base, "POST", "/api/v1/materials", token,
                json.dumps({"kind": "document", "title": f"Tải lên đồng thời {i}"}).encode(),
                {"Content-Type": "application/json"})
            if status != 201:
                with lock:
                    state["errors"] += 1
                return
            pid = json.loads(body)["pid"]
            with lock:
                state["created"].append(pid)
                state["sent"][pid] = digest
            status, _, body = request(
                base, "POST", f"/api/v1/materials/{pid}/versions?filename=tep-{i}.bin", token, data,
                {"Content-Type": "application/octet-stream"})
        except (OSError, http.client.HTTPException):
            with lock:
                state["errors"] += 1
            return
        if status == 201 and json.loads(body).get("number") == 1:
            with lock:
                state["acknowledged"][pid] = digest
                n = len(state["acknowledged"])
            if n >= kill_after and not killed.is_set():
                killed.set()
                os.kill(server_pid, signal.SIGKILL)
                state["killedAt"] = time.time()
                state["acknowledgedAtKill"] = n
        else:
            with lock:
                state["errors"] += 1

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(one, range(count)))
    if not killed.is_set():
        os.kill(server_pid, signal.SIGKILL)
        state["killedAt"] = time.time()
        state["acknowledgedAtKill"] = len(state["acknowledged"])
    state["seconds"] = round(time.time() - started, 2)
    with open(state_path, "w") as f:
        json.dump(state, f)
    print(f"e2e faults: {count} concurrent uploads: {len(state['created'])} materials created, "
          f"{state['acknowledgedAtKill']} uploads acknowledged when kill -9 came, {len(state['acknowledged'])} acknowledged in all, "
          f"{state['errors']} cut off ({state['seconds']} s)")


def all_materials(base, token):
    """Every material the admin sees (every status), by paging the search."""
    found = {}
    for status in ("draft", "submitted", "in_review", "changes_requested", "published", "rejected", "withdrawn"):
        cursor = None
        while True:
            path = f"/api/v1/search?limit=100&status={status}" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            code, _, body = request(base, "GET", path, token)
            if code == 400:
                break  # a status this version does not know
            if code != 200:
                fail(f"GET {path} answered {code}: {body[:300]!r}")
            page = json.loads(body)
            for item in page["items"]:
                found[item["pid"]] = item
            cursor = page.get("next")
            if not cursor:
                break
    return found


def download_digest(base, token, pid, number=1):
    status, _, body = request(base, "GET", f"/api/v1/materials/{pid}/versions/{number}/file", token)
    return status, hashlib.sha256(body).hexdigest() if status == 200 else None


def verify_uploads(base, token, state_path):
    with open(state_path) as f:
        state = json.load(f)
    listed = all_materials(base, token)
    missing = set(state["created"]) - set(listed)
    if missing:
        fail(f"materials whose creation was acknowledged are gone: {sorted(missing)[:5]}")

    def verify(pid):
        current = listed[pid].get("currentVersion")
        if current is None:
            current = get_json(base, f"/api/v1/materials/{pid}", token).get("currentVersion", 0)
        if pid in state["acknowledged"] and current != 1:
            fail(f"acknowledged upload {pid} has currentVersion {current}")
        if current == 0:
            return 0
        status, got = download_digest(base, token, pid, current)
        if status != 200:
            fail(f"{pid} lists version {current} but its file answers {status} (half-written)")
        if pid in state["sent"] and got != state["sent"][pid]:
            fail(f"{pid}: the stored file is not the one sent (sha256 {got}, sent {state['sent'][pid]})")
        return 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        with_file = sum(pool.map(verify, listed))
    print(f"e2e faults: after restart: {len(state['acknowledged'])} acknowledged uploads intact (sha256), "
          f"{len(listed)} materials listed, {with_file} with a file, all downloadable and identical to what was sent, "
          f"none half-written")


# ---- a cartridge import, kill -9 while its job runs ------------------------------------------------------------

def materials_count(base):
    return int(get_json(base, "/health")["materials"])


def start_import(base, token, server_pid, cartridge, state_path):
    with open(cartridge, "rb") as f:
        data = f.read()
    status, _, body = request(base, "POST", "/api/v1/imports?filename=faults.imscc", token, data,
                              {"Content-Type": "application/zip"}, timeout=300)
    if status != 202:
        fail(f"import answered {status}: {body[:300]!r}")
    job = json.loads(body)["id"]
    started = time.time()
    seen = []
    while time.time() - started < 120:
        info = get_json(base, f"/api/v1/imports/{job}", token)
        seen.append((info["status"], info.get("progress")))
        # Running: the kill comes in the middle of the import (a release build imports the cartridge in about a
        # second, and reports progress every half second: waiting for a progress figure could see it end first).
        if info["status"] == "running":
            break
        if info["status"] in ("succeeded", "failed", "cancelled"):
            fail(f"the import ended ({info['status']}) before the kill could come: make the cartridge larger")
        time.sleep(0.05)
    else:
        fail(f"the import job did not run: {seen[-3:]}")
    before = materials_count(base)
    os.kill(server_pid, signal.SIGKILL)
    state = {"job": job, "progressAtKill": seen[-1][1], "materialsAtKill": before, "secondsToKill": round(time.time() - started, 2)}
    with open(state_path, "w") as f:
        json.dump(state, f)
    print(f"e2e faults: cartridge import killed at progress {state['progressAtKill']:.2f} "
          f"({state['secondsToKill']} s after the upload; {before} materials in the store then)")


def verify_import(base, token, state_path):
    with open(state_path) as f:
        state = json.load(f)
    job = state["job"]
    first = get_json(base, f"/api/v1/imports/{job}", token)
    after_restart = materials_count(base)
    if first["status"] == "running" and after_restart != state["materialsAtKill"]:
        fail(f"materials changed from {state['materialsAtKill']} to {after_restart} while the killed job was still 'running'")
    started = time.time()
    statuses = [first["status"]]
    while time.time() - started < 90:
        info = get_json(base, f"/api/v1/imports/{job}", token)
        if info["status"] != statuses[-1]:
            statuses.append(info["status"])
        if info["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.25)
    else:
        fail(f"the killed import job did not end after the restart: {statuses}")
    if info["status"] != "succeeded":
        fail(f"the killed import job ended {info['status']}: {info.get('error')}")
    report = info["report"]
    pids = {item["pid"] for item in report["items"] if item.get("pid")}
    if report.get("coursePackage"):
        pids.add(report["coursePackage"]["pid"])
    count = materials_count(base)
    if count != len(pids):
        fail(f"{count} materials in the store, the cartridge has {len(pids)}: a partial or doubled import")
    for pid in list(pids)[:400]:
        material = get_json(base, f"/api/v1/materials/{pid}", token)
        current = material.get("currentVersion", 0)
        if current:
            status, _ = download_digest(base, token, pid, current)
            if status != 200:
                fail(f"imported {pid} lists version {current} but its file answers {status}")
    print(f"e2e faults: after restart the job went {' → '.join(statuses)} ({round(time.time() - started, 1)} s): "
          f"the whole cartridge once ({count} materials = the report's {len(pids)}), files downloadable")


# ---- PostgreSQL restarted under load ---------------------------------------------------------------------------

def pg_restart(base, pid, stop_cmd, start_cmd, trace=None, workers=8):
    results = []  # (start time, duration, path, status, problem)
    lock = threading.Lock()
    stop = threading.Event()
    paths = ["/api/v1/search?q=phan%20so", f"/api/v1/materials/{pid}", f"/id/{pid}", "/ready"]

    def loop(k):
        i = k
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            t0 = time.time()
            try:
                status, headers, body = request(base, "GET", path, timeout=30)
            except (OSError, http.client.HTTPException) as error:
                status, headers, body = 0, {}, str(error).encode()
            elapsed = time.time() - t0
            problem = None
            if status >= 500:
                try:
                    problem = json.loads(body)
                    problem["_type"] = headers.get("Content-Type", "")
                    problem["_retry"] = headers.get("Retry-After")
                except ValueError:
                    problem = {"_raw": body[:200].decode(errors="replace")}
            with lock:
                results.append((t0, elapsed, path, status, problem))
            time.sleep(0.02)

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    time.sleep(2)
    t_stop = time.time()
    subprocess.run(stop_cmd, shell=True, check=True)
    t_down = time.time()
    # Down long enough for several rounds of requests, each refused within a few seconds.
    time.sleep(8)
    t_start = time.time()
    subprocess.run(start_cmd, shell=True, check=True)
    t_up = time.time()
    # Recovery: the first success of each kind after PostgreSQL answers again, then 3 s more of load.
    deadline = t_up + 20
    recovered = None
    while time.time() < deadline:
        with lock:
            ok_after = [r for r in results if r[0] >= t_up and r[3] == 200]
            kinds = {r[2] for r in ok_after}
        if kinds >= set(paths):
            recovered = max(min(r[0] + r[1] for r in ok_after if r[2] == p) for p in paths)
            break
        time.sleep(0.1)
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join()

    if trace:
        with open(trace, "w") as f:
            json.dump({"stop": t_stop, "down": t_down, "start": t_start, "up": t_up, "recovered": recovered,
                       "results": [[round(r[0] - t_stop, 3), round(r[1], 3), r[2], r[3], (r[4] or {}).get("type")] for r in results]}, f)
    before = [r for r in results if r[0] + r[1] < t_stop]
    # Requests that started once PostgreSQL was stopped, early enough to end before it was started again.
    down = [r for r in results if t_down <= r[0] <= t_start - 3.5]
    after = [r for r in results if recovered and r[0] >= recovered]
    if not before or any(r[3] != 200 for r in before):
        fail(f"before the restart not every request succeeded: {[r[2:4] for r in before if r[3] != 200][:5]}")
    if len(down) < 6:
        fail(f"only {len(down)} requests while PostgreSQL was down")
    # connect_timeout=1.5 in the service's database URL: a lease gives up after 1.5 s once no call has been answered
    # for 3 s (twice that: while calls are answered the pool is only busy); never the pool's own minute. A request
    # that began just before the stop waits those 3 s at most.
    slow = [r for r in results if r[1] > 4.0]
    if slow:
        fail(f"{len(slow)} requests took over 4 s, e.g. {slow[0][2]} {slow[0][1]:.2f} s (status {slow[0][3]})")
    for r in results:
        if r[3] not in (200, 503):
            fail(f"{r[2]} answered {r[3]} around the restart (only 200 or 503 may): {r[4]}")
    failed_down = [r for r in down if r[3] == 503]
    if len(failed_down) < len(down) * 0.9:
        fail(f"while PostgreSQL was down {len(down) - len(failed_down)} of {len(down)} requests did not answer 503")
    for r in failed_down:
        p = r[4] or {}
        expected = "/problems/not-ready" if r[2] == "/ready" else "/problems/store-unavailable"
        if not p.get("_type", "").startswith("application/problem+json") or p.get("type") != expected:
            fail(f"{r[2]} while down: not the {expected} problem+json: {p}")
        if not p.get("messages", {}).get("vi") or not p.get("messages", {}).get("en") or not p.get("_retry"):
            fail(f"{r[2]} while down: no bilingual message or no Retry-After: {p}")
    if recovered is None:
        fail("the service did not recover within 20 s of PostgreSQL answering again")
    if not after or any(r[3] != 200 for r in after):
        fail(f"after recovery not every request succeeded: {[r[2:4] for r in after if r[3] != 200][:5]}")
    longest_down = max(r[1] for r in down)
    print(f"e2e faults: PostgreSQL stopped for {t_start - t_down:.1f} s under load ({len(results)} requests): "
          f"{len(failed_down)} of {len(down)} requests while down answered 503 problem+json "
          f"(store-unavailable / not-ready, vi+en, Retry-After), slowest {longest_down:.2f} s "
          f"(of all requests around the restart {max(r[1] for r in results):.2f} s); "
          f"every kind of request succeeded again {recovered - t_up:.2f} s after PostgreSQL was back, without a node restart; "
          f"{len(after)} requests after that, all 200")
    sample = next(r[4] for r in failed_down if r[2] != "/ready")
    print(f"e2e faults: the problem while down: {sample['messages']['en']} / {sample['messages']['vi']}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "uploads":
        uploads(args[0], args[1], int(args[2]), args[3])
    elif command == "verify-uploads":
        verify_uploads(args[0], args[1], args[2])
    elif command == "import":
        start_import(args[0], args[1], int(args[2]), args[3], args[4])
    elif command == "verify-import":
        verify_import(args[0], args[1], args[2])
    elif command == "pg-restart":
        pg_restart(*args[:5])
    else:
        fail(f"unknown command {command}")
