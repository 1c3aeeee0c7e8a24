"""Harvest a Hoclieu OAI-PMH provider completely with a real client (Sickle or pyoai), through resumption tokens.

Usage: python harvest.py {sickle|pyoai} BASE_URL PREFIX [--set SPEC] [--user NAME --password PW] [--expect N]

Prints the number of records (deleted ones included) and exits 1 when it differs from --expect, when an identifier
comes twice, or when a resumption token repeats (none of these clients notices one by itself).
"""
import argparse
import base64
import sys


def with_sickle(args):
    from sickle import Sickle
    from sickle.oaiexceptions import NoRecordsMatch

    auth = (args.user, args.password) if args.user else None
    client = Sickle(args.base, auth=auth, max_retries=2)
    params = {"metadataPrefix": args.prefix, "ignore_deleted": False}
    if args.set:
        params["set"] = args.set
    tokens = []
    identifiers = []
    try:
        records = client.ListRecords(**params)
        for record in records:
            identifiers.append(record.header.identifier)
            token = records.resumption_token
            if token is not None and token.token and (not tokens or tokens[-1] != token.token):
                if token.token in tokens:
                    sys.exit("sickle: resumption token repeated: " + token.token)
                tokens.append(token.token)
    except NoRecordsMatch:
        pass
    return identifiers, len(tokens)


def with_pyoai(args):
    from oaipmh.client import Client
    from oaipmh.error import NoRecordsMatchError
    from oaipmh.metadata import MetadataRegistry, oai_dc_reader, MetadataReader

    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    # LOM: enough of it to prove the record parses (title and identifiers).
    registry.registerReader(
        "lom",
        MetadataReader(
            fields={"title": ("textList", "lom:lom/lom:general/lom:title/lom:string/text()"),
                    "entry": ("textList", "lom:lom/lom:general/lom:identifier/lom:entry/text()")},
            namespaces={"lom": "http://ltsc.ieee.org/xsd/LOM"},
        ),
    )
    client = Client(args.base, registry)
    if args.user:
        # pyoai 2.5's own `credentials=` calls base64.encodestring, gone since Python 3.9: set the header value it sends.
        client._credentials = base64.b64encode(("%s:%s" % (args.user, args.password)).encode()).decode()
    params = {"metadataPrefix": args.prefix}
    if args.set:
        params["set"] = args.set
    identifiers = []
    try:
        for header, metadata, _ in client.listRecords(**params):
            identifiers.append(header.identifier())
            if not header.isDeleted() and not metadata.getField("title"):
                sys.exit("pyoai: a record without a title: " + header.identifier())
    except NoRecordsMatchError:
        pass
    # pyoai also checks Identify's datestamps and granularity.
    identify = client.identify()
    assert identify.protocolVersion() == "2.0", identify.protocolVersion()
    assert identify.deletedRecord() == "persistent"
    return identifiers, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("client", choices=["sickle", "pyoai"])
    parser.add_argument("base")
    parser.add_argument("prefix")
    parser.add_argument("--set")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--expect", type=int)
    args = parser.parse_args()
    identifiers, tokens = (with_sickle if args.client == "sickle" else with_pyoai)(args)
    if len(set(identifiers)) != len(identifiers):
        sys.exit("%s: an identifier came twice" % args.client)
    print("%s %s set=%s user=%s: %d records%s" % (
        args.client, args.prefix, args.set or "-", args.user or "-", len(identifiers),
        "" if tokens is None else ", %d tokens" % tokens))
    if args.expect is not None and len(identifiers) != args.expect:
        sys.exit("%s: %d records harvested, the store has %d" % (args.client, len(identifiers), args.expect))


if __name__ == "__main__":
    main()
