"""Ticket checks: the JSON ticket of GET /reads/{id} and /variants/{id} (htsget 1.2.0 / 1.3.0)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conformance import Response, Service, ServiceClient, SpecStore, check, fail, schema_errors

from .view import (
    DEFAULT,
    FORMAT_ALLOWED,
    FORMATS,
    AssemblyError,
    Htsget,
    Ticket,
    cases,
    first_case,
    parsed,
    sniff,
    unjudged_format,
    unsupported_format,
)

TICKET_TYPE = re.compile(r"^application/vnd\.ga4gh\.htsget\.v\d+\.\d+\.\d+\+json$")
HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
SI_REMOTE = {"https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/v1.0.0/": "service-info/1.0.0/"}


def standard_requests(service: Service, client: ServiceClient,
                      hts: Htsget) -> list[tuple[str, str, dict[str, Any] | None]]:
    """The requests whose tickets the ticket checks read: per id, whole file, each other format the
    server offers (whole, and class=header in it), a region and class=header (all cached, so the data checks
    reuse them).

    A format other than the default is asked for when service-info lists it; without such a list, when
    the server does not refuse it. Only BAM and VCF are defaults, CRAM and BCF are the server's choice: a 4xx
    (UnsupportedFormat, as the text asks, or another error) or a 501 says it is not offered, and a request
    for it is no "successful request" that must answer 200 (htsget 1.3.0 §Protocol essentials, §Query
    parameters, format)."""
    found: list[tuple[str, str, dict[str, Any] | None]] = []
    for kind in ("reads", "variants"):
        offered = hts.offered_formats(client, kind) if cases(service, kind) else None
        for case in cases(service, kind):
            ident = case["id"]
            found.append((kind, ident, None))
            for fmt in FORMATS[kind]:
                if fmt == DEFAULT[kind] or (offered is not None and fmt not in offered):
                    continue
                if offered is None and _refused(hts.request(client, kind, ident, {"format": fmt})):
                    continue
                found.append((kind, ident, {"format": fmt}))
                # The header in that format (1.3.0 §Query parameters, class: "in the format specified by
                # `format`"; 1.2.0 lets format alone accompany class=header, and format asks for the data's).
                found.append((kind, ident, {"format": fmt, "class": "header"}))
            found.append((kind, ident, {"class": "header"}))
            if case.get("referenceName"):
                found.append((kind, ident, _region(case)))
    if not found:
        pytest.skip("the profile lists no reads or variants ids")
    return found


def _refused(response: Response) -> bool:
    """An answer that says the request is not served: a client error, or 501 Not Implemented."""
    return 400 <= response.status < 500 or response.status == 501


def _region(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("referenceName", "start", "end", "format") if k in case}


def usable(service: Service, client: ServiceClient,
           hts: Htsget) -> list[tuple[str, str, dict[str, Any] | None, Ticket]]:
    """Every standard request that gave a ticket, with the ticket. A request that gave none (a 500, say:
    htsget.response.success-200-json reports it) does not hide the tickets of the others (issue 19);
    skips, with the first request's reason, only when none gave a ticket."""
    found: list[tuple[str, str, dict[str, Any] | None, Ticket]] = []
    reasons: list[str] = []
    for kind, ident, params in standard_requests(service, client, hts):
        try:
            found.append((kind, ident, params, hts.ticket(client, kind, ident, params)))
        except pytest.skip.Exception as exc:
            reasons.append(str(exc.msg))
    if not found:
        pytest.skip(reasons[0] if reasons else "no request gave a ticket")
    return found


def tickets(service: Service, client: ServiceClient, hts: Htsget) -> list[tuple[str, Ticket]]:
    return [(kind, ticket) for kind, _, _, ticket in usable(service, client, hts)]


@check("htsget.response.success-200-json")
def test_ticket_request_answers_200_json(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A successful ticket request answers 200 with a UTF-8 JSON body (htsget 1.3.0 §Protocol essentials)."""
    for kind, ident, params in standard_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        if response.status != 200:
            # A format asked for because service-info lists it, then refused: that listing is the cause.
            listed = params is not None and set(params) == {"format"} and unsupported_format(response)
            raise fail(f"GET /{kind}/{ident} with {params or 'no parameters'} answered {response.status}, "
                       "not 200 with a ticket", response.exchange,
                       caused_by="htsget.service-info.formats-satisfiable" if listed else None)
        try:
            parsed(response)
        except (UnicodeDecodeError, ValueError):
            raise fail(f"GET /{kind}/{ident} answered 200 with a body that is not UTF-8 JSON",
                       response.exchange) from None


@check("htsget.response.single-htsget-key")
def test_ticket_is_wrapped_in_single_htsget_key(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """The JSON response is an object whose single key is ``htsget`` (htsget 1.3.0 §Protocol essentials)."""
    for kind, ident, params in standard_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        if response.status != 200:
            continue
        document = response.json()
        if not isinstance(document, dict) or list(document) != ["htsget"]:
            keys = list(document) if isinstance(document, dict) else type(document).__name__
            raise fail(f"the ticket of /{kind}/{ident} has top-level keys {keys}, not the single key "
                       "'htsget'", response.exchange)


@check("htsget.response.content-type-htsget-json")
def test_ticket_content_type_names_htsget(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Tickets are served as ``application/vnd.ga4gh.htsget.vX.Y.Z+json`` (htsget 1.3.0 §Protocol essentials)."""
    for _, ticket in tickets(service, client, hts):
        if not TICKET_TYPE.match(ticket.response.content_type):
            got = ticket.response.headers.get("Content-Type") or "no Content-Type"
            raise fail(f"the ticket is served as {got!r}, not application/vnd.ga4gh.htsget.vX.Y.Z+json",
                       ticket.exchange)


@check("htsget.ticket.schema-valid")
def test_ticket_matches_official_schema(service: Service, client: ServiceClient, hts: Htsget,
                                        schemas: SpecStore) -> None:
    """The ticket validates against the OpenAPI response schema (htsget 1.3.0 OpenAPI
    #/components/schemas/htsgetResponseReads and htsgetResponseVariants; 1.2.0 inlines them)."""
    document = f"htsget/{service.version}/pub/htsget-openapi.yaml"
    for kind, ident, params in standard_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        if response.status != 200:
            continue
        # 1.2.0 inlines the endpoint schemas under the path (keyed by YAML integers): its shared
        # htsgetResponse component is what a JSON pointer can reach.
        suffix = "" if service.version.startswith("1.2") else kind.capitalize()
        pointer = f"/components/schemas/htsgetResponse{suffix}"
        validator = schemas.validator(document, pointer, remote=SI_REMOTE, openapi="3.0")
        errors = schema_errors(validator, response.json())
        if errors:
            raise fail(f"the ticket of /{kind}/{ident} does not match the official schema: "
                       f"{'; '.join(errors)}", response.exchange)


@check("htsget.ticket.urls-array")
def test_ticket_urls_is_array_of_url_objects(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """``htsget.urls`` is a non-empty array of objects with a string ``url`` (htsget 1.3.0 §Response JSON
    fields; OpenAPI #/components/schemas/htsgetUrl)."""
    for kind, ident, params in standard_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        if response.status != 200:
            continue
        body = response.json().get("htsget") if isinstance(response.json(), dict) else None
        if not isinstance(body, dict):
            continue
        urls = body.get("urls")
        if not isinstance(urls, list) or not urls or not all(
                isinstance(u, dict) and isinstance(u.get("url"), str) for u in urls):
            raise fail(f"htsget.urls of /{kind}/{ident} is {json.dumps(urls)[:80]}, not a non-empty "
                       "array of objects with a string url", response.exchange)


@check("htsget.ticket.format-allowed-for-endpoint")
def test_ticket_format_is_allowed_for_endpoint(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """``htsget.format`` is BAM or CRAM (reads), VCF or BCF (variants), upper case (htsget 1.3.0 §Response
    JSON fields)."""
    for kind, ticket in tickets(service, client, hts):
        if ticket.body.get("format") not in FORMATS[kind]:
            raise fail(f"the {kind} ticket's format is {ticket.body.get('format')!r}, not one of "
                       f"{', '.join(FORMATS[kind])}", ticket.exchange)


@check("htsget.ticket.format-matches-request")
def test_ticket_format_matches_request(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A requested format is the ticket's format and the data's (htsget 1.3.0 §Query parameters)."""
    checked, unread = False, ""
    for kind, ident, params, ticket in usable(service, client, hts):
        if not params or "format" not in params or "referenceName" in params:
            continue
        asked = "&".join(f"{k}={v}" for k, v in params.items())
        if ticket.body.get("format") != params["format"]:
            raise fail(f"{asked} was asked of /{kind}/{ident} but the ticket says "
                       f"{ticket.body.get('format')!r}", ticket.exchange, caused_by=_format_cause(kind, ticket))
        try:
            blob = hts.blob(client, ticket).data
        except AssemblyError as exc:
            unread = unread or f"the blocks could not be assembled ({exc.message}); see {exc.see}"
            continue
        checked = True
        if sniff(blob) != params["format"]:
            raise fail(f"{asked} was asked of /{kind}/{ident} but the data is {sniff(blob)}",
                       ticket.exchange)
    if not checked and not unread:  # a format asked for that gave no ticket is named, not called unasked
        for kind, ident, params in standard_requests(service, client, hts):
            if params and "format" in params and "referenceName" not in params:
                try:
                    hts.ticket(client, kind, ident, params)
                except pytest.skip.Exception as exc:
                    unread = f"format={params['format']} of /{kind}/{ident} gave no ticket: {exc.msg}"
                    break
    if not checked:
        pytest.skip(unread or "no format other than the default to ask for")


def _format_cause(kind: str, ticket: Ticket) -> str | None:
    """A ticket whose format is none of its endpoint's (``bam`` for BAM, say) breaks htsget.ticket.format-
    allowed-for-endpoint: a check that finds that format wrong again reports a consequence of it."""
    return FORMAT_ALLOWED if ticket.body.get("format") not in FORMATS[kind] else None


def _blob_or_skip(client: ServiceClient, hts: Htsget, ticket: Ticket) -> bytes:
    from .view import AssemblyError

    try:
        data: bytes = hts.blob(client, ticket).data
        return data
    except AssemblyError as exc:
        pytest.skip(f"the blocks could not be assembled ({exc.message}); see {exc.see}")


def _default_format(kind: str, service: Service, client: ServiceClient, hts: Htsget) -> None:
    case = first_case(service, kind)
    ticket = hts.ticket(client, kind, case["id"])
    if ticket.body.get("format") != DEFAULT[kind]:
        raise fail(f"a {kind} request without format got a ticket for {ticket.body.get('format')!r}, not "
                   f"{DEFAULT[kind]}", ticket.exchange, caused_by=_format_cause(kind, ticket))
    found = sniff(_blob_or_skip(client, hts, ticket))
    if found != DEFAULT[kind]:
        raise fail(f"a {kind} request without format got {found} data, not {DEFAULT[kind]}", ticket.exchange)


@check("htsget.ticket.format-default-bam")
def test_reads_default_to_bam(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Reads without ``format`` are BAM (htsget 1.3.0 §Query parameters, format default)."""
    _default_format("reads", service, client, hts)


@check("htsget.ticket.format-default-vcf")
def test_variants_default_to_vcf(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Variants without ``format`` are VCF (htsget 1.3.0 §Query parameters, format default)."""
    _default_format("variants", service, client, hts)


@check("htsget.ticket.url-absolute-http-or-data")
def test_urls_are_absolute_http_or_data(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Each url is an absolute http(s) URL or a data: URI (htsget 1.3.0 §Response JSON fields, url)."""
    for _, ticket in tickets(service, client, hts):
        for index, entry in enumerate(ticket.urls):
            url = entry["url"]
            if not re.match(r"^(https?://[^/\s]+|data:)", url, re.IGNORECASE):
                raise fail(f"urls[{index}].url {url[:80]!r} is neither an absolute http(s) URL nor a data: URI",
                           ticket.exchange)


@check("htsget.ticket.headers-string-map")
def test_headers_are_string_map(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """``headers``, when present, maps strings to strings (htsget 1.3.0 §Response JSON fields, headers)."""
    for _, ticket in tickets(service, client, hts):
        for index, entry in enumerate(ticket.urls):
            headers = entry.get("headers")
            if headers is None:
                continue
            if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
                raise fail(f"urls[{index}].headers is {json.dumps(headers)[:80]}, not a map of strings",
                           ticket.exchange)


@check("htsget.ticket.class-all-or-none")
def test_class_on_all_urls_or_none(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Either every URL has a ``class`` or none has (htsget 1.3.0 §Response JSON fields, class)."""
    for _, ticket in tickets(service, client, hts):
        with_class = [("class" in entry) for entry in ticket.urls]
        if any(with_class) and not all(with_class):
            raise fail(f"{sum(with_class)} of {len(with_class)} urls have a class: all or none must", ticket.exchange)


@check("htsget.ticket.class-header-or-body")
def test_class_is_header_or_body(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A ``class`` is ``header`` or ``body`` (htsget 1.3.0 §Response JSON fields, class)."""
    for _, ticket in tickets(service, client, hts):
        for index, entry in enumerate(ticket.urls):
            if "class" in entry and entry["class"] not in ("header", "body"):
                raise fail(f"urls[{index}].class is {entry['class']!r}, not 'header' or 'body'", ticket.exchange)


@check("htsget.ticket.class-matches-content")
def test_class_matches_block_content(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Header-class blocks come first and hold the header; body-class blocks hold no header
    (htsget 1.3.0 §Response JSON fields, class)."""
    judged, unjudged = False, ""
    for kind, ticket in tickets(service, client, hts):
        classes = [entry.get("class") for entry in ticket.urls]
        if not all(classes):
            continue
        if "header" in classes and "body" in classes[:classes.index("header")]:
            raise fail("a body-class block precedes a header-class block", ticket.exchange)
        fmt = ticket.format
        if fmt not in FORMATS[kind]:
            unjudged = unjudged or unjudged_format(fmt)
            continue
        headers = [e for e in ticket.urls if e.get("class") == "header"]
        bodies = [e for e in ticket.urls if e.get("class") == "body"]
        try:
            head = hts.fetch(client, headers, ticket.response.url).data if headers else b""
            body_first = hts.fetch(client, bodies[:1], ticket.response.url).data if bodies else b""
        except AssemblyError as exc:
            pytest.skip(f"blocks could not be fetched ({exc.message}); see {exc.see}")
        judged = True
        if headers and sniff(head) != fmt:
            raise fail(f"the header-class blocks do not start a {fmt} file (they look like {sniff(head)})",
                       ticket.exchange)
        if body_first and sniff(body_first) == fmt:
            raise fail(f"the first body-class block starts with the {fmt} header", ticket.exchange)
    if not judged:
        pytest.skip(unjudged or "no ticket gives each of its blocks a class (class is optional)")


@check("htsget.ticket.md5-hex")
def test_md5_is_32_hex_digits(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """``md5``, when given, is 32 hex digits (htsget 1.3.0 §Response JSON fields, md5)."""
    for _, ticket in tickets(service, client, hts):
        md5 = ticket.body.get("md5")
        if md5 is not None and (not isinstance(md5, str) or not HEX32.match(md5)):
            raise fail(f"md5 {md5!r} is not 32 hex digits", ticket.exchange)
