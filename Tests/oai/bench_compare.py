#!/usr/bin/env python3
"""Off-the-shelf Python OAI-PMH servers against the same records, harvested with a raw HTTP client.

Loads N oai_dc records into SQLite, serves them with `oai-repo` (OAIRepository + a DataInterface over SQLite) and with
pyoai's `BatchingServer` (an IBatchingOAI over SQLite), each in its own process on 127.0.0.1, and harvests each one
completely through resumption tokens with a keep-alive HTTP client that only counts records (no XML parsing): the
server-side rate. With --hoclieu URL, a running Hoclieu `/oai` is harvested the same way, for the same table.

    python bench_compare.py --records 10000 [--page-size 200] [--hoclieu http://127.0.0.1:8080/oai]

Prints one line per server: records, seconds, records/s, p95 page time of the first and the last 1% of pages.
With --hoclieu-pid, the Hoclieu server's resident memory is sampled on every page (growth over the harvest and peak);
with --gzip, Hoclieu is harvested once more asking for gzip (every page must come compressed); with --sickle, once
more end to end with Sickle (XML parsed into records, as a real harvester does).
"""
import argparse
import datetime
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUBJECTS = ["Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lí", "Tin học", "Công nghệ"]
EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


def load(path, n):
    """N records: identifier, datestamp (one second apart), title, description, subject, language, rights."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE rec (id INTEGER PRIMARY KEY, identifier TEXT UNIQUE, datestamp TEXT, title TEXT, "
               "description TEXT, subject TEXT, language TEXT, rights TEXT)")
    rows = []
    for i in range(1, n + 1):
        stamp = (EPOCH + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        subject = SUBJECTS[i % len(SUBJECTS)]
        rows.append((i, f"oai:bench.local:VN-{i:07d}", stamp, f"Bài {i}: {subject} lớp {i % 12 + 1} — phân số và số thập phân",
                     f"Học liệu số {i} môn {subject}, dùng cho giáo viên và học sinh; có bài tập và đáp án.", subject, "vi",
                     "CC-BY-4.0"))
        if len(rows) == 10000:
            db.executemany("INSERT INTO rec VALUES (?,?,?,?,?,?,?,?)", rows)
            rows = []
    db.executemany("INSERT INTO rec VALUES (?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()


def oai_dc_element(row):
    from lxml import etree
    dc = "http://purl.org/dc/elements/1.1/"
    oai_dc = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    root = etree.Element(f"{{{oai_dc}}}dc", nsmap={"oai_dc": oai_dc, "dc": dc, "xsi": xsi})
    root.set(f"{{{xsi}}}schemaLocation", f"{oai_dc} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    for name, value in (("title", row[3]), ("description", row[4]), ("subject", row[5]), ("language", row[6]),
                        ("rights", row[7]), ("identifier", row[1])):
        etree.SubElement(root, f"{{{dc}}}{name}").text = value
    return root


# --- oai-repo -----------------------------------------------------------------------------------------------------

def serve_oairepo(port, path, page_size):
    import oai_repo
    db = sqlite3.connect(path, check_same_thread=False)

    class Data(oai_repo.DataInterface):
        limit = page_size

        def get_identify(self):
            ident = oai_repo.Identify()
            ident.repository_name = "bench"
            ident.base_url = f"http://127.0.0.1:{port}/oai"
            ident.admin_email = ["bench@bench.local"]
            ident.earliest_datestamp = "2024-01-01T00:00:00Z"
            ident.deleted_record = "no"
            ident.granularity = "YYYY-MM-DDThh:mm:ssZ"
            return ident

        def is_valid_identifier(self, identifier):
            return db.execute("SELECT 1 FROM rec WHERE identifier = ?", (identifier,)).fetchone() is not None

        def get_metadata_formats(self, identifier=None):
            return [oai_repo.MetadataFormat(metadata_prefix="oai_dc", schema="http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                                            metadata_namespace="http://www.openarchives.org/OAI/2.0/oai_dc/")]

        def get_record_header(self, identifier):
            return self.get_records_header([identifier])[0]

        def get_records_header(self, identifiers):
            marks = ",".join("?" * len(identifiers))
            stamps = dict(db.execute(f"SELECT identifier, datestamp FROM rec WHERE identifier IN ({marks})", identifiers))
            return [oai_repo.RecordHeader(identifier=i, datestamp=stamps[i]) for i in identifiers]

        def get_record_metadata(self, identifier, metadataprefix):
            return self.get_records_metadata([identifier], metadataprefix)[0]

        def get_records_metadata(self, identifiers, metadataprefix):
            marks = ",".join("?" * len(identifiers))
            rows = {r[1]: r for r in db.execute(f"SELECT * FROM rec WHERE identifier IN ({marks})", identifiers)}
            return [oai_dc_element(rows[i]) for i in identifiers]

        def get_record_abouts(self, identifier):
            return []

        def get_records_abouts(self, identifiers):
            return [[] for _ in identifiers]

        def list_set_specs(self, identifier=None, cursor=0):
            return [], 0, None

        def get_set(self, setspec):
            return None

        def list_identifiers(self, metadataprefix, filter_from=None, filter_until=None, filter_set=None, cursor=0):
            total = db.execute("SELECT count(*) FROM rec").fetchone()[0]
            ids = [r[0] for r in db.execute("SELECT identifier FROM rec ORDER BY id LIMIT ? OFFSET ?", (page_size, cursor))]
            return ids, total, None

    repository = oai_repo.OAIRepository(Data())
    run_http(port, lambda params: bytes(repository.process(params)))


# --- pyoai BatchingServer -----------------------------------------------------------------------------------------

def serve_pyoai(port, path, page_size):
    import warnings
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import cgi
    # pyoai decodes its resumption tokens with cgi.parse_qs, an alias Python 3.8 removed: put the same function back.
    if not hasattr(cgi, "parse_qs"):
        cgi.parse_qs = urllib.parse.parse_qs
    from oaipmh import common, metadata, server
    db = sqlite3.connect(path, check_same_thread=False)

    def record(row):
        stamp = datetime.datetime.strptime(row[2], "%Y-%m-%dT%H:%M:%SZ")
        header = common.Header(None, row[1], stamp, [], False)
        meta = common.Metadata(None, {"title": [row[3]], "description": [row[4]], "subject": [row[5]], "language": [row[6]],
                                      "rights": [row[7]], "identifier": [row[1]], "creator": [], "contributor": [],
                                      "publisher": [], "date": [], "type": [], "format": [], "source": [], "relation": [],
                                      "coverage": []})
        return header, meta, None

    class Store:
        def identify(self):
            return common.Identify("bench", f"http://127.0.0.1:{port}/oai", "2.0", ["bench@bench.local"],
                                   datetime.datetime(2024, 1, 1), "no", "YYYY-MM-DDThh:mm:ssZ", [])

        def listMetadataFormats(self, identifier=None):
            return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")]

        def listSets(self, cursor=0, batch_size=10):
            raise common.error.NoSetHierarchyError() if hasattr(common, "error") else Exception("no sets")

        def getRecord(self, metadataPrefix, identifier):
            row = db.execute("SELECT * FROM rec WHERE identifier = ?", (identifier,)).fetchone()
            return record(row)

        def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):
            return [h for h, _, _ in self.listRecords(metadataPrefix, set, from_, until, cursor, batch_size)]

        def listRecords(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):
            rows = db.execute("SELECT * FROM rec ORDER BY id LIMIT ? OFFSET ?", (batch_size, cursor))
            return [record(r) for r in rows]

    registry = metadata.MetadataRegistry()
    registry.registerWriter("oai_dc", server.oai_dc_writer)
    batching = server.BatchingServer(Store(), metadata_registry=registry, resumption_batch_size=page_size)

    def answer(params):
        body = batching.handleRequest(params)
        return body if isinstance(body, bytes) else body.encode("utf-8")

    run_http(port, answer)


def run_http(port, respond):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            query = urllib.parse.urlsplit(self.path).query
            params = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
            body = respond(params)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


# --- the raw harvester --------------------------------------------------------------------------------------------

TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


def rss_kib(pid):
    """The resident set of a process and its anonymous part (the heap), in KiB (Linux)."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "RssAnon:")):
                found[line.split(":")[0]] = int(line.split()[1])
    return found.get("VmRSS", 0), found.get("RssAnon", 0)


def harvest(base, page_size, auth=None, gzip=False, rss=None):
    """Every record through resumption tokens on one keep-alive connection; returns (records, seconds, page times).
    `rss`: a list that gets the sampled resident set (KiB) of the server process `rss[0]` after every page."""
    import zlib
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    query = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    headers = {"Authorization": auth} if auth else {}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    records, pages = 0, []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        connection.request("GET", url.path + "?" + urllib.parse.urlencode(query), headers=headers)
        response = connection.getresponse()
        body = response.read()
        if gzip:
            if response.getheader("Content-Encoding") != "gzip":
                raise SystemExit(f"{base}: asked for gzip, got {response.getheader('Content-Encoding')}")
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        pages.append(time.perf_counter() - t0)
        if rss is not None:
            rss.append(rss_kib(rss[0]))
        if response.status != 200:
            raise SystemExit(f"{base}: HTTP {response.status}")
        records += body.count(b"<record>") + body.count(b"<record ")
        token = TOKEN.search(body)
        if not token:
            break
        query = {"verb": "ListRecords", "resumptionToken": token.group(1).decode()}
    return records, time.perf_counter() - start, pages


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


def wait_for(port):
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/oai?verb=Identify")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on port {port} did not start")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("serve-oairepo", "serve-pyoai"):
        port, path, page = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        (serve_oairepo if sys.argv[1] == "serve-oairepo" else serve_pyoai)(port, path, page)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--hoclieu", help="a running Hoclieu /oai base URL, harvested with the same client")
    parser.add_argument("--servers", default="oai-repo,pyoai")
    parser.add_argument("--hoclieu-pid", type=int, help="the Hoclieu server's process id: report its memory over the harvest")
    parser.add_argument("--gzip", action="store_true", help="also harvest Hoclieu asking for gzip")
    parser.add_argument("--sickle", action="store_true", help="also harvest Hoclieu end to end with Sickle")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-oai-")
    path = os.path.join(folder, "records.sqlite")
    t0 = time.perf_counter()
    load(path, args.records)
    print(f"loaded {args.records} records into SQLite in {time.perf_counter() - t0:.1f} s ({path})", flush=True)
    print(f"{'server':<22}{'records':>10}{'seconds':>10}{'records/s':>12}{'p95 first 1%':>15}{'p95 last 1%':>14}")
    results = {}

    def report(name, records, seconds, pages):
        tail = max(1, len(pages) // 100)
        rate = records / seconds if seconds else 0
        results[name] = rate
        print(f"{name:<22}{records:>10}{seconds:>10.2f}{rate:>12.0f}{p95(pages[:tail]) * 1000:>13.1f}ms{p95(pages[-tail:]) * 1000:>12.1f}ms",
              flush=True)
        if records != args.records and not name.startswith("hoclieu"):
            print(f"  ! {name} served {records} of {args.records} records", flush=True)

    for name in [s for s in args.servers.split(",") if s]:
        port = free_port()
        mode = {"oai-repo": "serve-oairepo", "pyoai": "serve-pyoai"}[name]
        process = subprocess.Popen([sys.executable, __file__, mode, str(port), path, str(args.page_size)])
        try:
            wait_for(port)
            report(name, *harvest(f"http://127.0.0.1:{port}/oai", args.page_size))
        finally:
            process.terminate()
            process.wait()
    if args.hoclieu:
        rss = [args.hoclieu_pid] if args.hoclieu_pid else None
        report("hoclieu", *harvest(args.hoclieu, args.page_size, rss=rss))
        if rss:
            for index, name in ((0, "VmRSS, all resident memory"), (1, "RssAnon, the heap")):
                samples = [sample[index] for sample in rss[1:]]
                print(f"hoclieu server memory ({name}): {samples[0] / 1024:.1f} MiB after the first page, {samples[-1] / 1024:.1f} MiB "
                      f"after the last, peak {max(samples) / 1024:.1f} MiB: growth {(samples[-1] - samples[0]) / 1024:.1f} MiB", flush=True)
        for name, rate in list(results.items()):
            if name != "hoclieu" and rate:
                print(f"hoclieu / {name}: {results['hoclieu'] / rate:.1f}x", flush=True)
        if args.gzip:
            report("hoclieu (gzip)", *harvest(args.hoclieu, args.page_size, gzip=True))
        if args.sickle:
            from sickle import Sickle
            t0 = time.perf_counter()
            count = sum(1 for _ in Sickle(args.hoclieu, max_retries=0, timeout=600).ListRecords(metadataPrefix="oai_dc"))
            seconds = time.perf_counter() - t0
            print(f"{'hoclieu (Sickle)':<22}{count:>10}{seconds:>10.2f}{count / seconds:>12.0f}   (end to end: XML parsed)", flush=True)


if __name__ == "__main__":
    main()
