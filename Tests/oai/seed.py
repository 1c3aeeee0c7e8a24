"""Seed a running Hoclieu with materials for harvesting: every visibility, published, draft and withdrawn.

Usage: python seed.py API_URL TOKEN COUNT
"""
import http.client
import json
import sys
import urllib.parse


def main():
    api, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    url = urllib.parse.urlsplit(api)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    def call(method, path, body):
        connection.request(method, url.path + path, json.dumps(body), headers)
        response = connection.getresponse()
        data = response.read()
        if response.status >= 300:
            sys.exit("%s %s: %d %s" % (method, path, response.status, data[:300]))
        return json.loads(data)

    visibilities = ["public", "public", "sector", "school", "private"]
    for i in range(count):
        subject = "TOAN" if i % 3 else "NGUVAN"
        grade = 6 if i % 3 else 7
        created = call("POST", "/materials", {
            "kind": "lesson" if i % 2 else "document",
            "title": "Học liệu thu hoạch %d — phân số" % i,
            "description": "Tài liệu số %d cho OAI-PMH <kiểm thử> & harvest" % i,
            "subjects": [subject], "grades": [grade], "keywords": ["oai", "phân số"],
            "licence": "CC-BY-4.0", "authors": ["Nguyễn Thị Thu Hoạch"],
            "visibility": visibilities[i % len(visibilities)],
            "status": "draft" if i % 11 == 5 else "published",
            "reason": "Bộ dữ liệu kiểm thử thu hoạch / harvest test data",
        })
        if i % 13 == 7:
            if created["status"] == "published":
                call("POST", "/materials/" + created["pid"] + "/withdraw", {"reason": "Rút để kiểm thử bản ghi đã xoá / deleted-record test"})
    print("seeded %d materials" % count)


if __name__ == "__main__":
    main()
