"""Media types and content negotiation: Content-Type on every answer, the sequence and JSON types the texts
name, the degradation of Accept types a server must allow, and 406 for a format it does not serve
(refget 1.0.1 and 2.0.0 §Protocol essentials, §Internet Media Types Handling, Default encoding of each
method; refget 1.0.0 §Protocol essentials, §Errors)."""

from __future__ import annotations

import pytest

from conformance import Response, check, fail

from .view import VENDOR_JSON, VENDOR_TEXT, Refget, Verified, answered, sequence_path

_SKIP = pytest.skip.Exception
#: The check that judges start/end answers, among them ?start=0&end=1 without an Accept header.
START_END = "refget.subsequence.start-end-returns-slice"
UNSUPPORTED = "application/vnd.ga4gh.conformance-unsupported+xml"


def _sequence_answers(refget: Refget) -> list[tuple[str, Response]]:
    """The successful sequence answers with the default Accept: each whole sequence, and one start/end. An
    answer reached through a redirect comes from "an alternate location" (refget 1.0.1 §Protocol
    essentials), not from the refget server, and is left out."""
    found = [(f"GET {sequence_path(i)}", refget.fetched(i).response) for i in refget.sequence_ids()]
    try:
        target = refget.longest(1)
        found.append((f"GET {sequence_path(target.ident)}?start=0&end=1", refget.query(target.ident, 0, 1)))
    except _SKIP:
        pass
    return [(what, r) for what, r in found if r.status == 200 and not r.exchange.redirected_from]


def _json_answers(refget: Refget) -> list[tuple[str, Response]]:
    found = [(f"GET {sequence_path(i)}/metadata", refget.metadata_response(i)) for i in refget.sequence_ids()]
    found.append((f"GET {refget.service_info_path}", refget.service_info_response()))
    return [(what, r) for what, r in found if r.status == 200]


@check("refget.http.content-type-present")
def test_content_type_present(refget: Refget) -> None:
    """Every answer carries a Content-Type ("Responses from the server MUST include a Content-Type header",
    refget 1.0.1 §Protocol essentials); successful sequence, metadata and service-info answers are judged."""
    answers = _sequence_answers(refget) + _json_answers(refget)
    if not answers:
        pytest.skip("no sequence, metadata or service-info answer was successful")
    for what, response in answers:
        if not response.headers.get("Content-Type"):
            raise fail(f"the answer to {what} has no Content-Type header", response)


@check("refget.sequence.content-type")
def test_sequence_content_type(refget: Refget) -> None:
    """A sequence is text/plain or text/vnd.ga4gh.refget.v<version>+plain (refget 1.0.1 §Protocol essentials:
    "A plain text (text/plain) response MAY include the encoding ..."); 1.0.0 requires the vendor type."""
    judged = 0
    for what, response in _sequence_answers(refget):
        media = response.content_type
        if not media:
            continue  # refget.http.content-type-present reports it
        judged += 1
        if VENDOR_TEXT.match(media) or (media == "text/plain" and refget.version != "1.0.0"):
            continue
        wanted = refget.text_type if refget.version == "1.0.0" else f"text/plain or {refget.text_type}"
        raise fail(f"the answer to {what} is served as {response.headers.get('Content-Type')!r}, not {wanted}",
                   response)
    if not judged:
        pytest.skip("no successful sequence answer with a Content-Type (see refget.sequence.known-id-answers-200)")


@check("refget.http.json-content-type")
def test_json_content_type(refget: Refget) -> None:
    """Metadata (and 1.0.x service-info) is application/vnd.ga4gh.refget.v<version>+json ("A JSON response
    MUST include the encoding for the invoked method and protocol version", refget 1.0.1 §Protocol
    essentials); 2.0.0 service-info may also be GA4GH service-info's application/json (erratum E8)."""
    judged = 0
    for what, response in _json_answers(refget):
        media = response.content_type
        if not media:
            continue
        judged += 1
        if VENDOR_JSON.match(media):
            continue
        if media == "application/json" and what.endswith("service-info") and not refget.v1:
            continue
        raise fail(f"the answer to {what} is served as {response.headers.get('Content-Type')!r}, not "
                   f"{refget.json_type}: a refget JSON response names its method's vendor type and version",
                   response)
    if not judged:
        pytest.skip("no successful metadata or service-info answer with a Content-Type")


def _start_end_cause(refget: Refget, target: Verified, response: Response) -> str | None:
    """The check that judged ?start=0&end=1 when, without an Accept header, it is answered as ``response`` (with
    one) was, other than 200: the negotiation checks ask for that piece, so their findings on it are then
    consequences (one root cause, one failure); None otherwise."""
    plain = refget.query(target.ident, 0, 1)
    return START_END if plain.status != 200 and plain.status == response.status else None


def _also(cause: str | None) -> str:
    return "" if cause is None else " (and as much without an Accept header)"


@check("refget.negotiation.accepts-degraded-types")
def test_accepts_degraded_types(refget: Refget) -> None:
    """The server allows each type to degrade: the versioned vendor type with and without charset, then
    text/plain or application/json, each answered 200 (refget 1.0.1 §Internet Media Types Handling:
    "a server MUST allow a internet type to degrade")."""
    target = refget.longest(1)
    paths = [f"{sequence_path(target.ident)}/metadata"]
    if refget.service_info_response().status == 200:
        paths.append(refget.service_info_path)
    for path in paths:
        for accept in (f"{refget.json_type}; charset=us-ascii", refget.json_type, "application/json"):
            response = refget.client.get(path, headers={"Accept": accept})
            if response.status != 200:
                raise fail(f"GET {path} with Accept: {accept} answered {answered(response)}, not 200", response)
    for accept in (f"{refget.text_type}; charset=us-ascii", refget.text_type, "text/plain"):
        response = refget.query(target.ident, 0, 1, headers={"Accept": accept})
        if response.status != 200:
            cause = _start_end_cause(refget, target, response)
            raise fail(f"?start=0&end=1 on {target.ident} with Accept: {accept} answered {answered(response)}, "
                       f"not 200{_also(cause)}", response, caused_by=cause)


@check("refget.negotiation.unsupported-accept-is-406")
def test_unsupported_accept_is_406(refget: Refget) -> None:
    """A format the server does not serve is refused with 406 Not Acceptable (refget 1.0.1 §Method: get
    sequence by ID › Request parameters (Accept): "The server SHOULD respond with an Not Acceptable error";
    1.0.0 and 2.0.0 say the same; 415 is refget 0.2's and the OpenAPI's BadFormat)."""
    expected = 406
    target = refget.longest(1)
    response = refget.client.get(f"{sequence_path(target.ident)}/metadata", headers={"Accept": UNSUPPORTED})
    if response.status != expected:
        raise fail(f"GET {sequence_path(target.ident)}/metadata with Accept: {UNSUPPORTED} answered "
                   f"{answered(response)}, not {expected}", response)
    response = refget.query(target.ident, 0, 1, headers={"Accept": UNSUPPORTED})
    if response.status != expected:
        cause = _start_end_cause(refget, target, response)
        raise fail(f"?start=0&end=1 on {target.ident} with Accept: {UNSUPPORTED} answered {answered(response)}, "
                   f"not {expected}{_also(cause)}", response, caused_by=cause)
