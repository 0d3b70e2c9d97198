"""POST: the ticket it returns, open-ended regions, and the errors its body and URL call for (htsget 1.3.0
§POST request, §URL parameters, §Request body). POST is optional: a server that refuses it skips these."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import Response, Service, ServiceClient, check, fail

from .check_errors import _error, unsupported_format_requests
from .check_post_service_info import _kind, post, post_records
from .view import Htsget, missing, names, parsed


def _expect(client: ServiceClient, hts: Htsget, kind: str, ident: str, body: dict[str, Any], status: int,
            error: str | tuple[str, ...], what: str, params: dict[str, Any] | None = None) -> None:
    post(client, hts, kind, ident, {})  # skips when POST is not offered (it is optional)
    response: Response = hts.request(client, kind, ident, params, post=body)
    if response.status >= 500:
        pytest.skip(f"POST /{kind}/{ident} answered {response.status} (see htsget.post.same-url-as-get)")
    got, _ = _error(response)
    errors = (error,) if isinstance(error, str) else error
    if response.status != status or got not in errors:
        raise fail(f"POST {what} answered {response.status} {got or 'without an htsget error'}, not {status} "
                   f"{' or '.join(errors)}", response.exchange)


def _contig(client: ServiceClient, hts: Htsget, kind: str, ident: str) -> str:
    placed = [r.ref for r in hts.ground_truth(client, kind, ident) if r.ref]
    if not placed:
        pytest.skip(f"{ident} holds no placed records to name a reference from")
    return str(placed[0])


@check("htsget.post.returns-ticket")
def test_post_returns_a_ticket(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A successful POST returns the same JSON ticket as GET: 200 and {"htsget": {"format", "urls"}} (htsget
    1.3.0 §POST request)."""
    kind, ident = _kind(service)
    response = post(client, hts, kind, ident, {})
    if response.status != 200:
        pytest.skip(f"POST /{kind}/{ident} answered {response.status} (see htsget.post.same-url-as-get)")
    try:
        document = parsed(response)
    except (UnicodeDecodeError, ValueError):
        raise fail(f"POST /{kind}/{ident} answered 200 without a JSON body", response.exchange) from None
    inner = document.get("htsget") if isinstance(document, dict) else None
    if not isinstance(inner, dict) or not isinstance(inner.get("format"), str) or \
            not isinstance(inner.get("urls"), list):
        raise fail(f"POST /{kind}/{ident} answered 200 without a ticket {{\"htsget\": {{\"format\", \"urls\"}}}}",
                   response.exchange)


@check("htsget.post.region-open-ended")
def test_post_open_ended_region(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A region without start and end returns all of its reference, and one without end runs to the end of
    the reference (htsget 1.3.0 §Request body, start and end)."""
    kind, ident = _kind(service)
    truth = hts.ground_truth(client, kind, ident)
    contig = _contig(client, hts, kind, ident)
    on_contig = [r for r in truth if r.ref == contig]
    middle = on_contig[len(on_contig) // 2].start
    for region, expected in (({"referenceName": contig}, on_contig),
                             ({"referenceName": contig, "start": middle}, [r for r in on_contig if r.end > middle])):
        got, response = post_records(client, hts, kind, ident, {"regions": [region]})
        lost = missing(expected, got)
        if lost:
            raise fail(f"POST region {region} lacks {names(lost)} of the rest of {contig}", response.exchange)


@check("htsget.post.query-params-invalid-input")
def test_post_query_params_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A POST whose URL carries a GET query parameter answers 400 InvalidInput (htsget 1.3.0 §URL parameters)."""
    kind, ident = _kind(service)
    fmt = "BAM" if kind == "reads" else "VCF"
    _expect(client, hts, kind, ident, {}, 400, "InvalidInput", f"/{kind}/{ident}?format={fmt}", {"format": fmt})


@check("htsget.post.empty-regions-invalid-input")
def test_post_empty_regions_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """An empty or ill-formed region list answers 400 InvalidInput (htsget 1.3.0 §Request body, regions)."""
    kind, ident = _kind(service)
    _expect(client, hts, kind, ident, {"regions": []}, 400, "InvalidInput", 'with "regions": []')
    _expect(client, hts, kind, ident, {"regions": {"referenceName": "x"}}, 400, "InvalidInput",
            "with regions an object, not an array")


@check("htsget.post.region-without-reference-name-invalid-input")
def test_post_region_without_reference_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A region without referenceName answers 400 InvalidInput (htsget 1.3.0 §Request body, referenceName)."""
    kind, ident = _kind(service)
    _expect(client, hts, kind, ident, {"regions": [{"start": 0, "end": 100}]}, 400, "InvalidInput",
            "with a region lacking referenceName")


@check("htsget.post.region-unknown-reference-not-found")
def test_post_unknown_reference_not_found(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A region whose reference does not exist answers 404 NotFound (htsget 1.3.0 §Request body)."""
    kind, ident = _kind(service)
    _expect(client, hts, kind, ident, {"regions": [{"referenceName": "chrConformanceNope"}]}, 404, "NotFound",
            "with a region on reference chrConformanceNope")


@check("htsget.post.region-start-not-below-end-invalid-range")
def test_post_start_equal_end_invalid_range(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A region with start >= end (equal included, unlike GET) answers 400 InvalidRange (htsget 1.3.0
    §Request body, start and end)."""
    kind, ident = _kind(service)
    contig = _contig(client, hts, kind, ident)
    _expect(client, hts, kind, ident, {"regions": [{"referenceName": contig, "start": 100, "end": 100}]}, 400,
            "InvalidRange", f"with the region {contig} start 100 end 100")


@check("htsget.post.class-header-with-other-params-invalid-input")
def test_post_class_header_with_regions_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """"class": "header" with any parameter but format answers 400 InvalidInput (htsget 1.3.0 §Request body,
    class)."""
    kind, ident = _kind(service)
    contig = _contig(client, hts, kind, ident)
    _expect(client, hts, kind, ident, {"class": "header", "regions": [{"referenceName": contig}]}, 400,
            "InvalidInput", '"class": "header" with regions')


@check("htsget.post.tags-notags-intersect-invalid-input")
def test_post_tags_notags_intersect_invalid_input(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """tags and notags arrays that intersect answer 400 InvalidInput (htsget 1.3.0 §Request body)."""
    kind, ident = _kind(service)
    tag = "NM" if kind == "reads" else "DP"
    _expect(client, hts, kind, ident, {"tags": [tag], "notags": [tag]}, 400, "InvalidInput",
            f'with "tags": ["{tag}"] and "notags": ["{tag}"]')


@check("htsget.post.unsupported-format-400")
def test_post_unsupported_format(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A body naming a format the server does not support answers 400 UnsupportedFormat (htsget 1.3.0 §Request
    body, format): an allowed format its service-info does not list, and CRAM of variants, for which
    InvalidInput is tolerated as CRAM is outside the variants values."""
    for kind, ident, fmt, errors in unsupported_format_requests(service, client, hts):
        listed = f" on {kind}, which its service-info does not list" if errors == "UnsupportedFormat" else ""
        _expect(client, hts, kind, ident, {"format": fmt}, 400, errors, f'with "format": "{fmt}"{listed}')
