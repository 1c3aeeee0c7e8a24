"""Two Hoclieu nodes over one PostgreSQL database and one blob folder, driven as clients see them.

Run by .ci/e2e-twonode.sh (with the e2e venv's Python: Sickle harvests). Each check prints one line; any failure
exits non-zero with the reason.

  python twonode.py --a URL_A --b URL_B --password ADMIN_PW --kill-a PID --logs LOG_A LOG_B --cartridge FILE.imscc

1. sessions: a login on A is valid on B; a logout on B ends it on A.
2. an upload on A is found by a search on B (bounded retry: the index is written in the upload's transaction).
3. a ListRecords harvest started on A continues on B with A's resumption token (Sickle), and page by page alternating
   nodes; the union equals a full harvest, without duplicates.
4. background jobs (cartridge imports) submitted on A run exactly once across the two nodes: one "cartridge imported"
   log line per job in the two nodes' logs together, and the same report for each importer.
5. A killed (SIGKILL) while both nodes serve a load from a client that retries a failed connection on the other node:
   every request is answered 2xx, B keeps answering. Beside it, `wrk` loads each node on its own (no retries): the
   one on B must see no error and no non-2xx answer through the kill; the one on A sees its connections cut.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

from lxml import etree
from sickle import Sickle

OAI_NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}


def fail(message):
    sys.exit("TWO-NODE FAIL: " + message)


class Node:
    """One node's base URL with small JSON helpers (a new connection per call: nodes may die)."""

    def __init__(self, name, base):
        self.name = name
        self.base = base.rstrip("/")
        parts = urllib.parse.urlsplit(self.base)
        self.host, self.port = parts.hostname, parts.port

    def call(self, method, path, body=None, token=None, headers=None, raw=False):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = "Bearer " + token
        data = body
        if body is not None and not isinstance(body, (bytes, bytearray)):
            data = json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        connection.request(method, path, data, all_headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        if raw:
            return response.status, payload
        return response.status, (json.loads(payload) if payload and payload[:1] in (b"{", b"[") else payload)

    def ok(self, method, path, body=None, token=None, headers=None):
        status, payload = self.call(method, path, body, token, headers)
        if not 200 <= status < 300:
            fail(f"{self.name}: {method} {path} answered {status}: {payload!r:.300}")
        return payload


def login(node, username, password):
    return node.ok("POST", "/api/v1/auth/login", {"username": username, "password": password})["token"]


def check_sessions(a, b, admin):
    token = login(a, "admin", admin)
    me = b.ok("GET", "/api/v1/me", token=token)
    if me.get("username") != "admin":
        fail(f"B does not know A's session: {me}")
    second = login(a, "admin", admin)
    b.ok("POST", "/api/v1/auth/logout", token=second)
    status, _ = a.call("GET", "/api/v1/me", token=second)
    if status != 401:
        fail(f"a session ended on B still valid on A ({status})")
    print("two-node: sessions shared (login on A valid on B; logout on B ends it on A)")
    return token


def check_upload_search(a, b, token):
    word = "hainut" + uuid.uuid4().hex[:8]
    created = a.ok("POST", "/api/v1/materials", {
        "kind": "lesson", "title": f"Bài giảng hai nút {word}", "subjects": ["TOAN"], "grades": [7],
        "status": "published", "reason": "kiểm thử hai nút / two-node test"}, token=token)
    pid = created["pid"]
    content = os.urandom(200_000)
    a.ok("POST", f"/api/v1/materials/{pid}/versions?filename=hai-nut.bin", content, token=token,
         headers={"Content-Type": "application/octet-stream"})
    deadline = time.monotonic() + 10
    while True:
        result = b.ok("GET", f"/api/v1/search?q={word}")
        if result["total"] == 1 and result["items"][0]["pid"] == pid:
            break
        if time.monotonic() > deadline:
            fail(f"upload on A ({pid}) not found on B within 10 s: {result}")
        time.sleep(0.2)
    status, body = b.call("GET", f"/api/v1/materials/{pid}/versions/1/file", raw=True)
    if status != 200 or body != content:
        fail(f"B serves a different file for {pid}@v1 ({status}, {len(body)} bytes)")
    print(f"two-node: upload on A ({pid}) found by a search on B and downloaded intact from B")
    return pid


def seed(a, b, token, count):
    for i in range(count):
        node = a if i % 2 else b
        node.ok("POST", "/api/v1/materials", {
            "kind": "document", "title": f"Học liệu thu hoạch hai nút {i}", "subjects": ["TOAN"], "grades": [6],
            "licence": "CC-BY-4.0", "status": "published", "reason": "kiểm thử hai nút / two-node test"}, token=token)


def oai_page(node, **params):
    """One raw ListRecords page: (identifiers, resumption token or None)."""
    status, body = node.call("GET", "/oai?" + urllib.parse.urlencode(params), raw=True)
    if status != 200:
        fail(f"{node.name}: OAI {params} answered {status}")
    root = etree.fromstring(body)
    errors = root.findall("oai:error", OAI_NS)
    if errors:
        fail(f"{node.name}: OAI error {errors[0].get('code')}: {errors[0].text}")
    ids = [h.text for h in root.iterfind(".//oai:record/oai:header/oai:identifier", OAI_NS)]
    token = root.find(".//oai:resumptionToken", OAI_NS)
    return ids, (token.text if token is not None and token.text else None)


def check_harvest(a, b):
    full = [r.header.identifier for r in Sickle(b.base + "/oai").ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)]
    if len(full) != len(set(full)):
        fail("a full harvest on B has duplicates")
    # Sickle: the first page on A, the rest on B from A's resumption token.
    first, token = oai_page(a, verb="ListRecords", metadataPrefix="oai_dc")
    if not token:
        fail(f"one page holds the whole list ({len(first)} records): lower HOCLIEU_OAI_PAGE_SIZE")
    rest = [r.header.identifier for r in Sickle(b.base + "/oai").ListRecords(resumptionToken=token, ignore_deleted=False)]
    union = first + rest
    if len(union) != len(set(union)):
        fail(f"A then B: {len(union) - len(set(union))} duplicates")
    if set(union) != set(full):
        fail(f"A then B: {len(set(full) - set(union))} records missing, {len(set(union) - set(full))} extra")
    # Page by page, alternating nodes.
    nodes, seen, pages = [a, b], [], 0
    ids, token = oai_page(a, verb="ListRecords", metadataPrefix="oai_dc")
    seen += ids
    while token:
        pages += 1
        ids, token = oai_page(nodes[pages % 2], verb="ListRecords", resumptionToken=token)
        seen += ids
    if len(seen) != len(set(seen)) or set(seen) != set(full):
        fail(f"alternating pages: {len(seen)} records, {len(set(seen))} distinct, full harvest {len(full)}")
    print(f"two-node: ListRecords started on A continued on B with A's token (Sickle): {len(first)} + {len(rest)} = "
          f"{len(full)} records, no duplicates; alternating A/B over {pages + 1} pages: the same set")


def check_jobs(a, b, admin_token, cartridge, logs, teachers=3):
    data = open(cartridge, "rb").read()
    jobs = {}
    for i in range(teachers):
        name = f"gv.hainut.{uuid.uuid4().hex[:6]}"
        a.ok("POST", "/api/v1/users", {"username": name, "password": "mat-khau-hai-nut", "roles": ["teacher"]}, token=admin_token)
        token = login(a, name, "mat-khau-hai-nut")
        job = a.ok("POST", "/api/v1/imports?filename=course.imscc", data, token=token,
                   headers={"Content-Type": "application/zip"})
        jobs[job["id"]] = token
    deadline = time.monotonic() + 60
    reports = {}
    for job_id, token in jobs.items():
        while True:
            job = b.ok("GET", f"/api/v1/imports/{job_id}", token=token)
            if job["status"] == "succeeded":
                reports[job_id] = job["report"]
                break
            if job["status"] in ("failed", "cancelled"):
                fail(f"import {job_id} {job['status']}: {job.get('error')}")
            if time.monotonic() > deadline:
                fail(f"import {job_id} still {job['status']} after 60 s")
            time.sleep(0.2)
    created = {r["created"] for r in reports.values()}
    if len(created) != 1 or created == {0}:
        fail(f"imports of the same cartridge by different teachers created {created}")
    # Exactly once: each job's "cartridge imported" line appears once in the two logs together.
    runs = {job_id: [] for job_id in jobs}
    for name, path in zip("AB", logs):
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                if not line.startswith("{"):
                    continue
                entry = json.loads(line)
                if entry.get("message") == "cartridge imported" and entry.get("hoclieu.job.id") in runs:
                    runs[entry["hoclieu.job.id"]].append(name)
    twice = {j: n for j, n in runs.items() if len(n) != 1}
    if twice:
        fail(f"jobs not run exactly once: {twice}")
    where = "".join(n[0] for n in runs.values())
    print(f"two-node: {len(jobs)} imports submitted on A ran exactly once each (nodes: {where}), "
          f"{created.pop()} materials each; status read on B")


def check_kill(a, b, token, pid, kill_pid, total=1200, workers=8):
    paths = [f"/api/v1/search?q=thu%20hoach", f"/api/v1/materials/{pid}", f"/id/{pid}",
             "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/health"]
    nodes = [a, b]
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "retries": 0, "after_kill_b": 0, "killed": False}
    problems = []

    def take():
        with lock:
            if state["next"] >= total:
                return None
            state["next"] += 1
            return state["next"] - 1

    def worker():
        connections = {}
        while (i := take()) is not None:
            path = paths[i % len(paths)]
            node = nodes[i % 2]
            for attempt in range(6):
                try:
                    connection = connections.get(node.name)
                    if connection is None:
                        connection = connections[node.name] = http.client.HTTPConnection(node.host, node.port, timeout=30)
                    connection.request("GET", path, headers={"Accept": "application/json", "Authorization": "Bearer " + token})
                    response = connection.getresponse()
                    response.read()
                    if not 200 <= response.status < 300:
                        with lock:
                            problems.append(f"{node.name} {path}: {response.status}")
                    with lock:
                        state["done"] += 1
                        if state["killed"] and node is b:
                            state["after_kill_b"] += 1
                    break
                except (ConnectionError, http.client.HTTPException, OSError):
                    # The connection failed (refused, reset, closed without an answer): try the other node.
                    connections.pop(node.name, None)
                    with lock:
                        state["retries"] += 1
                    node = b if node is a else a
                    time.sleep(0.05 * attempt)
            else:
                with lock:
                    problems.append(f"{path}: no node answered after 6 attempts")

    # wrk on each node, for longer than the retrying clients' load takes (a few seconds).
    wrk = shutil.which("wrk")
    if wrk is None and os.environ.get("CI"):
        fail("wrk is not installed (apt-get install wrk)")
    loads = {}
    if wrk:
        for node in (a, b):
            loads[node.name] = subprocess.Popen(
                [wrk, "-t1", "-c16", "-d6s", "--timeout", "5s", "-H", "Authorization: Bearer " + token,
                 f"http://{node.host}:{node.port}/api/v1/materials/{pid}"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wrk_started = time.monotonic()
        time.sleep(1)
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while True:
        with lock:
            if state["next"] >= total // 3:
                break
        time.sleep(0.01)
    os.kill(kill_pid, signal.SIGKILL)
    with lock:
        state["killed"] = True
    if loads and not 1 <= time.monotonic() - wrk_started <= 4:
        fail(f"the kill came {time.monotonic() - wrk_started:.1f} s into wrk's 6 s: not inside its run")
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if problems:
        fail(f"{len(problems)} requests not answered 2xx, e.g. {problems[:5]}")
    if state["done"] != total:
        fail(f"{total - state['done']} requests lost")
    if state["after_kill_b"] < total // 3:
        fail(f"B answered only {state['after_kill_b']} requests after A was killed")
    b.ok("GET", "/ready")
    if loads:
        outputs = {name: load.communicate(timeout=60)[0] for name, load in loads.items()}
        on_b = outputs["B"]
        served = re.search(r"(\d+) requests in", on_b)
        if not served or int(served.group(1)) == 0 or "Socket errors" in on_b or "Non-2xx" in on_b:
            fail(f"wrk on B saw errors while A was killed:\n{on_b}")
        cut = re.search(r"Socket errors: (.*)", outputs["A"])
        print(f"two-node: wrk (16 connections, 6 s, no retries) on each node, A killed inside the run; on B: {served.group(1)} requests, all 2xx, "
              f"no socket error; on A: {cut.group(1) if cut else 'no socket error reported'}")
    else:
        print("two-node: wrk is not installed: the wrk load beside the kill was left out")
    print(f"two-node: A killed (SIGKILL) under a load of {total} requests ({workers} clients, both nodes): every request "
          f"answered 2xx, {state['retries']} retried on the other node, B answered {state['after_kill_b']} after the kill "
          f"({elapsed:.1f} s)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--kill-a", type=int, required=True, help="process id of node A (killed in the last check)")
    parser.add_argument("--logs", nargs=2, required=True, help="the JSON logs of A and B")
    parser.add_argument("--cartridge", required=True)
    parser.add_argument("--seed", type=int, default=60)
    parser.add_argument("--skip", default="", help="comma-separated checks to leave out while developing: harvest, jobs")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    a, b = Node("A", args.a), Node("B", args.b)
    started = time.monotonic()
    token = check_sessions(a, b, args.password)
    pid = check_upload_search(a, b, token)
    if "harvest" not in skip:
        seed(a, b, token, args.seed)
        check_harvest(a, b)
    if "jobs" not in skip:
        check_jobs(a, b, token, args.cartridge, args.logs)
    check_kill(a, b, token, pid, args.kill_a)
    print(f"two-node: all checks passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
