"""POST with regions and the htsget service-info block (htsget 1.3.0 §POST request, §GA4GH service-info)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from conformance import Response, Service, ServiceClient, SpecStore, check, fail, schema_errors

from .check_ticket import SI_REMOTE
from .view import (
    FORMATS,
    AssemblyError,
    Htsget,
    Record,
    cases,
    first_case,
    missing,
    names,
    overlapping,
    unjudged_format,
)

REFUSED = (404, 405, 501)


def post(client: ServiceClient, hts: Htsget, kind: str, ident: str, body: dict[str, Any]) -> Response:
    response: Response = hts.request(client, kind, ident, post=body)
    if response.status in REFUSED:
        pytest.skip(f"POST /{kind}/{ident} answered {response.status}: POST is not offered (it is optional)")
    if response.status >= 500:
        # Neither a ticket nor a refusal: htsget.post.same-url-as-get reports it; the POST checks
        # cannot tell whether POST is offered at all.
        pytest.skip(f"POST /{kind}/{ident} answered {response.status} (see htsget.post.same-url-as-get)")
    return response


def post_records(client: ServiceClient, hts: Htsget, kind: str, ident: str,
                 body: dict[str, Any]) -> tuple[list[Record], Response]:
    response = post(client, hts, kind, ident, body)
    if response.status != 200:
        raise fail(f"POST /{kind}/{ident} with {body} answered {response.status}, not a ticket",
                   response.exchange)
    ticket = hts.ticket(client, kind, ident, post=body)
    try:
        return hts.records(client, hts.blob(client, ticket).data, ticket.format), response
    except AssemblyError as exc:
        try:
            hts.blob(client, hts.ticket(client, kind, ident))
        except AssemblyError:
            # The GET ticket's blocks fail too: htsget.urls.accept-get reports that root cause once (issue 19).
            pytest.skip(f"the POST answer could not be assembled ({exc.message}), nor the GET one; see "
                        f"{exc.see}")
        raise fail(f"the POST answer could not be assembled: {exc.message}", response.exchange) from None


def regions_for(client: ServiceClient, hts: Htsget, kind: str, ident: str) -> tuple[list[Record], list[dict[str, Any]]]:
    truth = hts.ground_truth(client, kind, ident)
    contigs = list(dict.fromkeys(r.ref for r in truth if r.ref))
    if len(contigs) < 2:
        pytest.skip("POST region checks need records on two references")
    first = [r for r in truth if r.ref == contigs[0]]
    second = [r for r in truth if r.ref == contigs[1]]
    mid = first[len(first) // 2]
    regions = [{"referenceName": contigs[1], "start": second[0].start, "end": second[0].end},
               {"referenceName": contigs[0], "start": mid.start, "end": mid.start + 60},
               {"referenceName": contigs[0], "start": mid.start + 30, "end": mid.start + 90}]
    return truth, regions


def _kind(service: Service) -> tuple[str, str]:
    for kind in ("reads", "variants"):
        if cases(service, kind):
            return kind, first_case(service, kind)["id"]
    pytest.skip("the profile lists no reads or variants ids")


@check("htsget.post.same-url-as-get")
def test_post_answered_or_refused(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """POST at the GET URL answers a ticket, or refuses with 404/405/501 when not offered (htsget 1.3.0
    §POST request)."""
    kind, ident = _kind(service)
    response = hts.request(client, kind, ident, post={})
    if response.status not in (200, *REFUSED):
        raise fail(f"POST /{kind}/{ident} with an empty body answered {response.status}, neither a "
                   "ticket nor a refusal of POST", response.exchange)


@check("htsget.post.no-regions-returns-whole-file")
def test_post_without_regions_is_whole_file(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A POST body without regions returns the entire file (htsget 1.3.0 §Request body)."""
    kind, ident = _kind(service)
    got, response = post_records(client, hts, kind, ident, {})
    lost = missing(hts.ground_truth(client, kind, ident), got)
    if lost:
        raise fail(f"POST without regions lacks {names(lost)}", response.exchange)


@check("htsget.post.regions-all-returned")
def test_post_returns_every_region(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Records overlapping each listed region are present (htsget 1.3.0 §Region list)."""
    kind, ident = _kind(service)
    truth, regions = regions_for(client, hts, kind, ident)
    got, response = post_records(client, hts, kind, ident, {"regions": regions})
    for region in regions:
        expected = overlapping(truth, region["referenceName"], region["start"], region["end"])
        lost = missing(expected, got)
        if lost:
            raise fail(f"POST lacks {names(lost)} of region {region}", response.exchange)


@check("htsget.post.records-in-file-order")
def test_post_records_in_file_order(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Records come in file order whatever the order of regions (htsget 1.3.0 §Region list)."""
    kind, ident = _kind(service)
    truth, regions = regions_for(client, hts, kind, ident)
    got, response = post_records(client, hts, kind, ident, {"regions": regions})
    rank = {r.key: i for i, r in enumerate(truth)}
    order = [rank[r.key] for r in got if r.key in rank]
    if order != sorted(order):
        raise fail("POST returned records out of the file's order (regions were listed out of order)",
                   response.exchange)


@check("htsget.post.records-not-duplicated")
def test_post_records_not_duplicated(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A record matching overlapping regions is returned once (htsget 1.3.0 §Region list): no record comes
    more often than the whole file holds it (a file may hold two identical records, each returned)."""
    kind, ident = _kind(service)
    truth, regions = regions_for(client, hts, kind, ident)
    got, response = post_records(client, hts, kind, ident, {"regions": regions})
    held = Counter(r.key for r in truth)
    seen: Counter[Any] = Counter()
    for record in got:
        seen[record.key] += 1
        if seen[record.key] > max(held[record.key], 1):
            times = "once" if held[record.key] <= 1 else f"{held[record.key]} times"
            raise fail(f"POST returned {record.label()} {seen[record.key]} times for overlapping regions; the "
                       f"whole file holds it {times}", response.exchange)


@check("htsget.post.class-header-only-header")
def test_post_class_header_returns_header_only(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A body with "class": "header" asks for the SAM/CRAM/VCF headers only: the ticket's data is a header and
    holds no records (htsget 1.3.0 §Request body, class)."""
    kind, ident = _kind(service)
    body = {"class": "header"}
    response = post(client, hts, kind, ident, body)
    if response.status != 200:
        raise fail(f"POST /{kind}/{ident} with {body} answered {response.status}, not a ticket", response.exchange)
    ticket = hts.ticket(client, kind, ident, post=body)
    if ticket.format not in FORMATS[kind]:
        pytest.skip(unjudged_format(ticket.format))
    try:
        blob = hts.blob(client, ticket).data
    except AssemblyError as exc:
        pytest.skip(f"the blocks of the POST answer could not be assembled ({exc.message}); see "
                    f"{exc.see}")
    hts.require_header_only(client, kind, blob, ticket, f"POST with {body}")


# -- service-info (1.3.0) --------------------------------------------------------------------------------

def documents(service: Service, client: ServiceClient,
              hts: Htsget) -> list[tuple[str, str, dict[str, Any], Response]]:
    found = []
    for kind in ("reads", "variants"):
        if not service.options.get(kind):
            continue
        response = hts.service_info(client, kind)
        if response.status != 200:
            continue
        body = response.json()
        if isinstance(body, dict):
            found.append((kind, f"/{kind}/service-info", body, response))
    if not found:
        pytest.skip("no /reads/service-info or /variants/service-info document (see htsget.service-info"
                    ".endpoint-exposed)")
    return found


@check("htsget.service-info.endpoint-exposed")
def test_service_info_endpoints_exposed(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """GET /reads/service-info and /variants/service-info, for each endpoint the profile declares, answer
    200 (htsget 1.3.0 §GA4GH service-info: the server SHOULD also expose them)."""
    for kind in ("reads", "variants"):
        if service.options.get(kind):
            response = hts.service_info(client, kind)
            if response.status != 200:
                # the shared check reports the same answer at the same level (issue 19: htsgetr)
                raise fail(f"/{kind}/service-info answered {response.status}", response.exchange,
                           caused_by="service-info.endpoint.answers-200")


@check("htsget.service-info.schema-valid")
def test_service_info_matches_htsget_schema(service: Service, client: ServiceClient, hts: Htsget,
                                            schemas: SpecStore) -> None:
    """The document validates against htsgetServiceInfo (htsget 1.3.0 OpenAPI)."""
    validator = schemas.validator(f"htsget/{service.version}/pub/htsget-openapi.yaml",
                                  "/components/schemas/htsgetServiceInfo", remote=SI_REMOTE, openapi="3.0")
    for _, path, body, response in documents(service, client, hts):
        errors = schema_errors(validator, body)
        if errors:
            raise fail(f"{path} does not match htsgetServiceInfo: {'; '.join(errors)}", response.exchange)


@check("htsget.service-info.htsget-object")
def test_service_info_has_htsget_object(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """The document includes an htsget object (htsget 1.3.0 §GA4GH service-info)."""
    for _, path, body, response in documents(service, client, hts):
        if not isinstance(body.get("htsget"), dict):
            raise fail(f"{path} has no htsget object", response.exchange)


@check("htsget.service-info.datatype-matches-endpoint")
def test_service_info_datatype_matches(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """htsget.datatype is reads at /reads/service-info, variants at /variants/service-info (htsget 1.3.0
    §GA4GH service-info)."""
    for kind, path, body, response in documents(service, client, hts):
        block = body.get("htsget")
        if isinstance(block, dict) and "datatype" in block and block["datatype"] != kind:
            raise fail(f"{path}: htsget.datatype is {block['datatype']!r}, not {kind!r}", response.exchange)


@check("htsget.service-info.formats-valid-for-datatype")
def test_service_info_formats_valid(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """htsget.formats lists only BAM/CRAM (reads) or VCF/BCF (variants) (htsget 1.3.0 §GA4GH service-info)."""
    for kind, path, body, response in documents(service, client, hts):
        block = body.get("htsget")
        formats = block.get("formats") if isinstance(block, dict) else None
        if formats is not None and (not isinstance(formats, list) or set(formats) - set(FORMATS[kind])):
            raise fail(f"{path}: htsget.formats {formats} is not a subset of {list(FORMATS[kind])}",
                       response.exchange)


@check("htsget.service-info.effective-flags-boolean")
def test_service_info_flags_are_booleans(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """fieldsParameterEffective and tagsParametersEffective are booleans (htsget 1.3.0 §GA4GH service-info)."""
    for _, path, body, response in documents(service, client, hts):
        block = body.get("htsget")
        if not isinstance(block, dict):
            continue
        for key in ("fieldsParameterEffective", "tagsParametersEffective"):
            if key in block and not isinstance(block[key], bool):
                raise fail(f"{path}: htsget.{key} is {block[key]!r}, not a boolean", response.exchange)
