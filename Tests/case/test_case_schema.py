"""Every IMS CASE 1.0 endpoint of a running Hoclieu, validated against the CASE 1.0 JSON Schemas
in ../shared/conformance/schemas/case (draft 7, python-jsonschema).

- CFPackages: OpenSALT's CASE 1.0 CFPackage schema.
- CFDocuments/{id}, CFItems/{id}, CFAssociations/{id}: 1EdTech OpenCASE v1p0 schemas.
- Sets, definitions and imsx_StatusInfo errors: the CASE 1.0 OpenAPI (swagger) definitions. Those
  whose swagger definition combines `allOf` with `additionalProperties: false` (CFDocument.Type,
  CFItem.Type) cannot validate any object, so their elements are checked with the 1EdTech schemas.

Needs HOCLIEU_URL (the service's base URL); skipped otherwise.
"""
import json
import os
import pathlib
import urllib.error
import urllib.request

import jsonschema
import pytest

BASE = os.environ.get("HOCLIEU_URL")
ROOT = pathlib.Path(__file__).resolve().parents[3] / "shared" / "conformance" / "schemas" / "case"
pytestmark = pytest.mark.skipif(not BASE, reason="HOCLIEU_URL is not set: no running service to test")


def schema(name):
    path = ROOT / name
    assert path.exists(), f"schema missing: {path} (the shared conformance corpus must sit beside the repository)"
    return json.loads(path.read_text())


def swagger(definition):
    spec = schema("opensalt_case-v1p0-swagger.json")
    return {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": spec["definitions"],
            "$ref": f"#/definitions/{definition}"}


def get(path, expect=200):
    try:
        with urllib.request.urlopen(f"{BASE}/ims/case/v1p0/{path}") as response:
            status, body = response.status, response.read()
            assert response.headers["Access-Control-Allow-Origin"] == "*"
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    assert status == expect, f"{path}: {status} {body[:300]!r}"
    return json.loads(body)


def check(instance, against):
    checker = jsonschema.Draft7Validator(against, format_checker=jsonschema.FormatChecker())
    errors = sorted(checker.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_every_endpoint_validates():
    document_schema = schema("1edtech_opencase_case-v1p0-cfdocument.json")
    item_schema = schema("1edtech_opencase_case-v1p0-cfitem.json")
    association_schema = schema("1edtech_opencase_case-v1p0-cfassociation.json")
    package_schema = schema("opensalt_case-v1p0-cfpackage-schema.json")

    documents = get("CFDocuments")
    assert set(documents) == {"CFDocuments"} and documents["CFDocuments"]
    for document in documents["CFDocuments"]:
        check(document, document_schema)
    counts = {"items": 0, "associations": 0}
    for document in documents["CFDocuments"]:
        check(get(f"CFDocuments/{document['identifier']}"), document_schema)
        package = get(f"CFPackages/{document['identifier']}")
        check(package, package_schema)
        for item in package.get("CFItems", [])[:300]:
            check(get(f"CFItems/{item['identifier']}"), item_schema)
            linked = get(f"CFItemAssociations/{item['identifier']}")
            assert set(linked) == {"CFItem", "CFAssociations"}
            check(linked["CFItem"], item_schema)
            for association in linked["CFAssociations"]:
                check(association, swagger("CFPckgAssociation.Type"))
            counts["items"] += 1
        for association in package.get("CFAssociations", [])[:300]:
            check(get(f"CFAssociations/{association['identifier']}"), association_schema)
            counts["associations"] += 1
        definitions = package.get("CFDefinitions", {})
        for item_type in definitions.get("CFItemTypes", []):
            check(get(f"CFItemTypes/{item_type['identifier']}"), swagger("CFItemTypeSet.Type"))
        for subject in definitions.get("CFSubjects", []):
            check(get(f"CFSubjects/{subject['identifier']}"), swagger("CFSubjectSet.Type"))
        for licence in definitions.get("CFLicenses", []):
            check(get(f"CFLicenses/{licence['identifier']}"), swagger("CFLicense.Type"))
    assert counts["items"] > 100 and counts["associations"] > 100


def test_errors_are_imsx_status_info():
    status = swagger("imsx_StatusInfo.Type")
    check(get("CFItems/00000000-0000-5000-8000-000000000000", expect=404), status)
    check(get("CFItems/not-a-uuid", expect=404), status)  # binding table 2.4: unknownobject
    check(get("CFConcepts/00000000-0000-5000-8000-000000000000", expect=404), status)
    check(get("CFDocuments?limit=0", expect=400), status)
    get("CFDocuments?sort=colour")  # §3.2: an unknown sort field keeps the default order
