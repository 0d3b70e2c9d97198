"""What a request without a range selects: a reference alone is all of that reference, no reference is the
whole file; and every format service-info lists can be had (htsget 1.3.0 §Query parameters, §GA4GH
service-info)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import Service, ServiceClient, check, fail

from .view import (
    DEFAULT,
    FORMAT_ALLOWED,
    FORMATS,
    AssemblyError,
    Htsget,
    cases,
    first_case,
    missing,
    names,
    parsed,
)


def _each(service: Service) -> list[tuple[str, dict[str, Any]]]:
    found = [(kind, first_case(service, kind)) for kind in ("reads", "variants") if cases(service, kind)]
    if not found:
        pytest.skip("the profile lists no reads or variants ids")
    return found


@check("htsget.data.reference-only-returns-whole-reference")
def test_reference_alone_is_whole_reference(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """referenceName without start and end returns every record placed on that reference (htsget 1.3.0
    §Query parameters: start and end are optional, the range is the whole reference)."""
    for kind, case in _each(service):
        contig = hts.contig(client, kind, case)
        expected = [r for r in hts.ground_truth(client, kind, case["id"]) if r.ref == contig]
        got, ticket = hts.region_records(client, kind, case["id"], contig, None, None)
        lost = missing(expected, got)
        if lost:
            raise fail(f"referenceName={contig} without start or end lacks {names(lost)}", ticket.exchange)


@check("htsget.data.no-reference-returns-all-records")
def test_no_reference_is_every_record(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Without referenceName every record is returned regardless of position; for reads mapped and unmapped
    alike, so the unplaced unmapped reads of referenceName=* too (htsget 1.3.0 §Query parameters)."""
    for kind, case in _each(service):
        whole = hts.ground_truth(client, kind, case["id"])
        probes = [hts.contig(client, kind, case)] + (["*"] if kind == "reads" else [])
        for reference in probes:
            got, ticket = hts.region_records(client, kind, case["id"], reference, None, None)
            lost = missing(got, whole)
            if lost:
                raise fail(f"the request without referenceName lacks {names(lost)}, which referenceName={reference} "
                           "returns", ticket.exchange)


@check("htsget.service-info.formats-satisfiable")
def test_listed_formats_can_be_requested(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Every format service-info lists in htsget.formats can be requested: the ticket comes, in that format
    (htsget 1.3.0 §GA4GH service-info, formats: "List of requested format that can be satisfied")."""
    judged = False
    for kind, case in _each(service):
        offered = hts.offered_formats(client, kind)
        for fmt in offered or []:
            if fmt not in ("BAM", "CRAM", "VCF", "BCF"):
                continue  # htsget.service-info.formats-valid-for-datatype reports it
            judged = True
            response = hts.request(client, kind, case["id"], None if fmt == DEFAULT[kind] else {"format": fmt})
            if response.status != 200:
                raise fail(f"/{kind}/service-info lists {fmt}, but format={fmt} answered {response.status}",
                           response.exchange)
            try:
                document = parsed(response)
            except (UnicodeDecodeError, ValueError):
                pytest.skip(f"format={fmt} answered 200 without JSON (see htsget.response.success-200-json)")
            inner = document.get("htsget") if isinstance(document, dict) else None
            got = inner.get("format") if isinstance(inner, dict) else None
            if got != fmt:  # a format none of the endpoint's (bam for BAM, say) is that check's failure first
                raise fail(f"/{kind}/service-info lists {fmt}, but format={fmt} answered a {got} ticket",
                           response.exchange, caused_by=FORMAT_ALLOWED if got not in FORMATS[kind] else None)
    if not judged:
        pytest.skip("does not apply: no service-info of this service lists htsget.formats")


#: BAM fields whose values make up a decoded read's identity (name, flag, placement, CIGAR): requested
#: together, a server that filters fields must keep every one of them.
IDENTITY_FIELDS = "QNAME,FLAG,RNAME,POS,CIGAR"


def _fields_request(service: Service, client: ServiceClient, hts: Htsget,
                    fields: str) -> tuple[str, list[Any], bytes, Any]:
    if not cases(service, "reads"):
        pytest.skip("does not apply: field filtering names BAM fields, and the profile lists no reads id")
    case = first_case(service, "reads")
    truth = hts.ground_truth(client, "reads", case["id"])
    ticket = hts.ticket(client, "reads", case["id"], {"fields": fields})
    try:
        blob = hts.blob(client, ticket)
    except AssemblyError as exc:
        raise fail(f"the fields={fields} answer could not be assembled: {exc.message}",
                   exc.exchange or ticket.exchange) from None
    return case["id"], truth, blob.data, ticket


@check("htsget.data.requested-fields-present")
def test_requested_fields_kept(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """With fields=QNAME,FLAG,RNAME,POS,CIGAR every record keeps those fields' values; other fields may be
    blanked or kept, and a server may ignore fields (htsget 1.3.0 §Field filtering)."""
    _, truth, blob, ticket = _fields_request(service, client, hts, IDENTITY_FIELDS)
    try:
        got = hts.records(client, blob, ticket.format)
    except AssemblyError:
        pytest.skip(f"the fields={IDENTITY_FIELDS} answer does not parse (see htsget.data.fields-payload-valid)")
    lost = missing(truth, got)
    if lost:
        raise fail(f"with fields={IDENTITY_FIELDS} the answer lacks the requested values of {names(lost)}",
                   ticket.exchange)


@check("htsget.data.fields-payload-valid")
def test_fields_payload_parses(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A field-filtered answer (fields=QNAME,QUAL, where QUAL needs SEQ) is still a valid file: the
    concatenation parses (htsget 1.3.0 §Field filtering: "servers must not generate any response payload
    that is invalid under the respective format specification")."""
    _, _, blob, ticket = _fields_request(service, client, hts, "QNAME,QUAL")
    try:
        hts.records(client, blob, ticket.format)
    except AssemblyError as exc:
        raise fail(f"the fields=QNAME,QUAL answer is not a valid {ticket.format} file: {exc.message}",
                   ticket.exchange) from None
