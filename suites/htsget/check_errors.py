"""Error behaviour: the htsget error JSON with the spec's status codes (htsget 1.3.0 §Errors)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import CheckFailure, Response, Service, ServiceClient, check, fail

from .view import FORMATS, Htsget, cases, first_case

TYPES = {"InvalidAuthentication": 401, "PermissionDenied": 403, "NotFound": 404, "UnsupportedFormat": 400,
         "InvalidInput": 400, "InvalidRange": 400, "PayloadTooLarge": 413}
UNKNOWN_ID = "conformance-no-such-id-7f3a"


def _kind_and_id(service: Service) -> tuple[str, str]:
    for kind in ("reads", "variants"):
        if service.options.get(kind):
            return kind, first_case(service, kind)["id"]
    pytest.skip("the profile lists no reads or variants ids")


def _target(service: Service, client: ServiceClient, hts: Htsget) -> tuple[str, str, str]:
    """An id and a reference name it holds (the profile's, else from its own records): never a guess
    such as chr1, which a GRCh37-style file calls 1."""
    kind, _ = _kind_and_id(service)
    case = first_case(service, kind)
    return kind, case["id"], hts.contig(client, kind, case)


def error_requests(service: Service, client: ServiceClient, hts: Htsget) -> list[tuple[str, str, dict[str, Any]]]:
    kind, ident, contig = _target(service, client, hts)
    return [(kind, UNKNOWN_ID, {}), (kind, ident, {"referenceName": "chrConformanceNope"}),
            (kind, ident, {"referenceName": contig, "start": "abc"}),
            (kind, ident, {"referenceName": contig, "start": 20, "end": 10}),
            (kind, ident, {"start": 5})]


def _error(response: Response) -> tuple[str | None, str | None]:
    try:
        body = response.json()
    except CheckFailure:
        return None, None
    inner = body.get("htsget") if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return None, None
    return inner.get("error"), inner.get("message")


def _expect(client: ServiceClient, hts: Htsget, kind: str, ident: str, params: dict[str, Any], status: int,
            error: str | tuple[str, ...], what: str) -> None:
    response = hts.request(client, kind, ident, params)
    got, _ = _error(response)
    errors = (error,) if isinstance(error, str) else error
    if response.status != status or got not in errors:
        raise fail(f"{what} answered {response.status} {got or 'without an htsget error'}, not {status} "
                   f"{' or '.join(errors)}", response.exchange)


#: The answers to a format outside the endpoint's allowed values (CRAM of variants): UnsupportedFormat, which
#: the format parameter names, or InvalidInput, "the request parameters do not adhere to the specification"
#: (htsget 1.3.0 §Query parameters, format; §Errors).
OUTSIDE_LIST = ("UnsupportedFormat", "InvalidInput")


@check("htsget.error.status-4xx-5xx")
def test_errors_use_4xx_or_5xx(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """An error body never comes with a 2xx or 3xx status (htsget 1.3.0 §Errors)."""
    for kind, ident, params in error_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        error, _ = _error(response) if response.content_type.endswith("json") else (None, None)
        if error is not None and response.status < 400:
            raise fail(f"an htsget error {error!r} came with status {response.status}", response.exchange)


@check("htsget.error.body-has-error-and-message")
def test_error_body_has_error_and_message(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """An htsget error body is {"htsget": {"error": string, "message": string}} (htsget 1.3.0 §Error Response
    JSON fields; OpenAPI Error). A JSON body without the ``htsget`` key (a web framework's {"detail": ...})
    is not the htsget error object, which the text asks for with a SHOULD: the checks of the answer each
    error condition SHOULD get report it, not this MUST."""
    judged = False
    for kind, ident, params in error_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        if response.status < 400 or not response.content_type.endswith("json"):
            continue
        body = response.json()
        if not isinstance(body, dict) or "htsget" not in body:
            continue
        judged = True
        inner = body["htsget"]
        if not isinstance(inner, dict) or not isinstance(inner.get("error"), str) or \
                not isinstance(inner.get("message"), str):
            raise fail("the error body lacks htsget.error or htsget.message as strings", response.exchange)
    if not judged:
        pytest.skip("no error was answered with an htsget error object ({\"htsget\": ...})")


@check("htsget.error.body-json")
def test_error_body_is_json(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """htsget errors carry a JSON body, content-type application/json (htsget 1.3.0 §Errors)."""
    for kind, ident, params in error_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        if 400 <= response.status < 500 and not response.content_type.endswith("json"):
            raise fail(f"a {response.status} error is served as {response.content_type or 'nothing'}, "
                       "not application/json", response.exchange)


@check("htsget.error.type-from-table")
def test_error_type_is_from_table(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """htsget.error is one of the spec's error types (htsget 1.3.0 §Error Response JSON fields)."""
    for kind, ident, params in error_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        error, _ = _error(response)
        if response.status >= 400 and response.status < 500 and error is not None and error not in TYPES:
            raise fail(f"error type {error!r} is not in the spec's table", response.exchange)


@check("htsget.error.status-matches-type")
def test_error_status_matches_type(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """The status matches the error type (htsget 1.3.0 §Errors)."""
    for kind, ident, params in error_requests(service, client, hts):
        response = hts.request(client, kind, ident, params)
        error, _ = _error(response)
        if error in TYPES and response.status != TYPES[str(error)]:
            raise fail(f"error {error} came with {response.status}, not {TYPES[str(error)]}",
                       response.exchange)


@check("htsget.error.not-found-404")
def test_unknown_id_is_404_not_found(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """An unknown id answers 404 NotFound (htsget 1.3.0 §Errors)."""
    kind, _ = _kind_and_id(service)
    _expect(client, hts, kind, UNKNOWN_ID, {}, 404, "NotFound", f"the unknown id /{kind}/{UNKNOWN_ID}")


@check("htsget.params.unknown-reference-name-not-found")
def test_unknown_reference_is_404(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """An unknown referenceName answers 404 NotFound (htsget 1.3.0 §Query parameters)."""
    kind, ident = _kind_and_id(service)
    _expect(client, hts, kind, ident, {"referenceName": "chrConformanceNope"}, 404, "NotFound",
            "referenceName=chrConformanceNope")


@check("htsget.error.invalid-input-400")
def test_non_integer_start_is_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """start=abc answers 400 InvalidInput (htsget 1.3.0 §Errors)."""
    kind, ident, contig = _target(service, client, hts)
    _expect(client, hts, kind, ident, {"referenceName": contig, "start": "abc"}, 400, "InvalidInput", "start=abc")


@check("htsget.error.invalid-range-400")
def test_start_after_end_is_invalid_range(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """start > end answers 400 InvalidRange (htsget 1.3.0 §Query parameters)."""
    kind, ident, contig = _target(service, client, hts)
    _expect(client, hts, kind, ident, {"referenceName": contig, "start": 20, "end": 10}, 400, "InvalidRange",
            "start=20&end=10")


@check("htsget.params.start-requires-reference-name")
def test_start_without_reference_is_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """start without referenceName answers 400 InvalidInput (htsget 1.3.0 §Query parameters)."""
    kind, ident = _kind_and_id(service)
    _expect(client, hts, kind, ident, {"start": 5}, 400, "InvalidInput", "start=5 without referenceName")


@check("htsget.params.class-header-with-other-params-invalid-input")
def test_class_header_with_region_is_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """class=header with other parameters than format answers 400 InvalidInput (htsget 1.3.0 §Query
    parameters)."""
    kind, ident, contig = _target(service, client, hts)
    _expect(client, hts, kind, ident, {"class": "header", "referenceName": contig}, 400, "InvalidInput",
            f"class=header&referenceName={contig}")


def unsupported_format_requests(service: Service, client: ServiceClient,
                                hts: Htsget) -> list[tuple[str, str, str, str | tuple[str, ...]]]:
    """(kind, id, format, the error codes to expect) of each format request a server does not support, for the
    GET and the POST check alike: each format allowed for an endpoint (BAM/CRAM, VCF/BCF) that its service-info
    ``htsget.formats`` leaves out (UnsupportedFormat: without such a list nothing tells a refused format from
    one the server fails to serve, so none is named), then CRAM of variants, outside the variants values
    (InvalidInput tolerated too). Skips when there is none."""
    found: list[tuple[str, str, str, str | tuple[str, ...]]] = []
    for kind in ("reads", "variants"):
        if not cases(service, kind):
            continue
        offered = hts.offered_formats(client, kind)
        for fmt in FORMATS[kind]:
            if offered is not None and fmt not in offered:
                found.append((kind, first_case(service, kind)["id"], fmt, "UnsupportedFormat"))
    if cases(service, "variants"):
        found.append(("variants", first_case(service, "variants")["id"], "CRAM", OUTSIDE_LIST))
    if not found:
        pytest.skip("the profile lists no variants id to ask CRAM of, and service-info lists every format")
    return found


@check("htsget.error.unsupported-format-400")
def test_unsupported_format_is_unsupported_format(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A format the server does not support answers 400 UnsupportedFormat (htsget 1.3.0 §Query parameters,
    format: "The server SHOULD reply with an UnsupportedFormat error if the requested format is not
    supported"): an allowed format its service-info does not list (CRAM of a reads endpoint listing BAM only),
    and CRAM asked of variants, for which InvalidInput is tolerated as CRAM is outside the variants values."""
    for kind, ident, fmt, errors in unsupported_format_requests(service, client, hts):
        listed = ", which its service-info does not list" if errors == "UnsupportedFormat" else ""
        _expect(client, hts, kind, ident, {"format": fmt}, 400, errors, f"format={fmt} on {kind}{listed}")


@check("htsget.params.start-end-accept-uint32-range")
def test_end_up_to_uint32_max_accepted(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """end up to 4294967295 is answered with a ticket (htsget 1.3.0 §Query parameters: 32-bit unsigned)."""
    kind, ident, contig = _target(service, client, hts)
    response = hts.request(client, kind, ident, {"referenceName": contig, "start": 0, "end": 4294967295})
    if response.status != 200:
        raise fail(f"end=4294967295 answered {response.status}, not a ticket", response.exchange)


def _protected(service: Service) -> tuple[str, str]:
    protected = service.options.get("protected") or []
    if not protected:
        pytest.skip("the profile names no protected id")
    ident = str(protected[0])
    in_variants = any(c.get("id") == ident for c in service.options.get("variants") or [])
    return ("variants" if in_variants else "reads"), ident


@check("htsget.error.invalid-authentication-401")
def test_protected_id_refused_without_valid_token(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A protected id without credentials answers 401 InvalidAuthentication (403 PermissionDenied tolerated),
    and with an invalid token 401 InvalidAuthentication (htsget 1.3.0 §Errors). Judged only when the
    profile's bearer token is granted the same request: else a refusal proves nothing (issue 21)."""
    kind, ident = _protected(service)
    if client.credentials is None:
        pytest.skip("cannot decide: the profile gives no bearer token to show the protected id is served at all")
    control = hts.request(client, kind, ident)
    if control.status != 200:
        pytest.skip(f"cannot decide: protected id {ident} with the profile's token answered {control.status} (see "
                    "htsget.security.bearer-token-accepted), so a refusal without it proves nothing")
    anonymous = client.without_credentials()
    response = anonymous.get(f"/{kind}/{ident}")
    error, _ = _error(response)
    if (response.status, error) not in ((401, "InvalidAuthentication"), (403, "PermissionDenied")):
        raise fail(f"protected id {ident} without a token answered {response.status} {error or ''}".strip()
                   + ", not 401 InvalidAuthentication", response.exchange)
    response = anonymous.get(f"/{kind}/{ident}", headers={"Authorization": "Bearer conformance-invalid-token"})
    error, _ = _error(response)
    if (response.status, error) != (401, "InvalidAuthentication"):
        raise fail(f"protected id {ident} with an invalid token answered {response.status}, not 401 "
                   "InvalidAuthentication", response.exchange)


@check("htsget.security.bearer-token-accepted")
def test_bearer_token_grants_protected_id(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A valid bearer token in Authorization is accepted (htsget 1.3.0 §Security)."""
    kind, ident = _protected(service)
    if client.credentials is None:
        pytest.skip("the profile gives no bearer token")
    response = hts.request(client, kind, ident)
    if response.status != 200:
        raise fail(f"protected id {ident} with the profile's bearer token answered {response.status}",
                   response.exchange)


@check("htsget.params.end-requires-reference-name")
def test_end_without_reference_is_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """end without referenceName answers 400 InvalidInput (htsget 1.3.0 §Query parameters, end)."""
    kind, ident = _kind_and_id(service)
    _expect(client, hts, kind, ident, {"end": 100}, 400, "InvalidInput", "end=100 without referenceName")


@check("htsget.params.start-end-with-unplaced-reference-invalid")
def test_range_with_star_is_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """start or end with referenceName=* answers 400 InvalidInput (htsget 1.3.0 §Query parameters, start and
    end; `*` is defined for the reads endpoint)."""
    if not service.options.get("reads"):
        pytest.skip("does not apply: referenceName=* is defined for reads, and the profile lists no reads id")
    ident = first_case(service, "reads")["id"]
    alone = hts.request(client, "reads", ident, {"referenceName": "*"})
    if alone.status != 200:
        pytest.skip(f"cannot decide: referenceName=* alone answered {alone.status} (see "
                    "htsget.data.unplaced-unmapped-for-star), so a refusal with start proves nothing of the range")
    _expect(client, hts, "reads", ident, {"referenceName": "*", "start": 0}, 400, "InvalidInput",
            "referenceName=*&start=0")
    _expect(client, hts, "reads", ident, {"referenceName": "*", "end": 100}, 400, "InvalidInput",
            "referenceName=*&end=100")


@check("htsget.params.tags-notags-intersect-invalid-input")
def test_tags_notags_intersecting_is_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """tags and notags naming a common tag answer 400 InvalidInput (htsget 1.3.0 §Query parameters)."""
    kind, ident = _kind_and_id(service)
    tag = "NM" if kind == "reads" else "DP"
    _expect(client, hts, kind, ident, {"tags": tag, "notags": tag}, 400, "InvalidInput", f"tags={tag}&notags={tag}")
