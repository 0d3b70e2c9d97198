"""The http(s) data block URLs themselves: encoding, framing, sub-ranges, retries and CORS (htsget 1.3.0
§HTTPS data block URLs). Each check asks for a fresh whole-file ticket, so that a block URL meant for
one use is not spent by another check."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import pytest

from conformance import Response, Service, ServiceClient, check, fail

from .check_protocol import ORIGIN
from .view import (
    Htsget,
    byte_range,
    cases,
    first_case,
    get_block,
    is_data_uri,
    parsed,
    range_ignored,
    register_secrets,
)

#: RFC 3986 §2: what a URI may carry (unreserved, reserved, and % starting a percent-encoding).
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def http_blocks(service: Service, client: ServiceClient, hts: Htsget) -> list[tuple[str, dict[str, Any], Response]]:
    """(absolute URL, headers, the ticket's response) of every http(s) block of a fresh whole-file ticket of
    each endpoint's first id; skips when there is none."""
    found: list[tuple[str, dict[str, Any], Response]] = []
    for kind in ("reads", "variants"):
        if not cases(service, kind):
            continue
        ident = first_case(service, kind)["id"]
        response = hts.request(client, kind, ident, cache=False)
        if response.status != 200:
            continue
        try:
            document = parsed(response)
        except (UnicodeDecodeError, ValueError):
            continue
        body = document.get("htsget") if isinstance(document, dict) else None
        urls = body.get("urls") if isinstance(body, dict) else None
        for entry in urls if isinstance(urls, list) else []:
            url = entry.get("url") if isinstance(entry, dict) else None
            headers = entry.get("headers") or {}
            if not isinstance(url, str) or is_data_uri(url) or not isinstance(headers, dict) \
                    or not all(isinstance(v, str) for v in headers.values()):
                continue
            register_secrets(client, headers)
            found.append((urljoin(response.url, url), headers, response))
    if not found:
        pytest.skip("no whole-file ticket has an http(s) block (every block is a data: URI, or no ticket came)")
    return found


def _get(client: ServiceClient, url: str, headers: dict[str, Any]) -> Response:
    return get_block(client.without_credentials(), url, headers)


@check("htsget.urls.percent-encoded")
def test_block_urls_percent_encoded(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """http(s) block URLs have a percent-encoded path and query (htsget 1.3.0 §HTTPS data block URLs, 1)."""
    for url, _, ticket in http_blocks(service, client, hts):
        if not URI_CHARACTERS.match(url) or BAD_PERCENT.search(url):
            bad = sorted({c for c in url if not URI_CHARACTERS.match(c)}) or ["%"]
            raise fail(f"the block URL carries characters a percent-encoded URL cannot ({' '.join(map(repr, bad))})",
                       ticket.exchange)


@check("htsget.urls.content-length-or-chunked")
def test_block_framed(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A block is sent with Content-Length, chunked transfer encoding, or both (htsget 1.3.0 §HTTPS data
    block URLs, 7)."""
    for url, headers, _ in http_blocks(service, client, hts):
        response = _get(client, url, headers)
        if response.status not in (200, 206):
            pytest.skip(f"the block answered {response.status} (see htsget.urls.accept-get)")
        chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
        if not chunked and not response.headers.get("Content-Length"):
            raise fail("the block was sent with neither Content-Length nor chunked transfer encoding",
                       response.exchange)


@check("htsget.urls.range-subdivisible")
def test_block_range_subdivisible(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A block whose headers give a byte range can be fetched as two sub-ranges with the same URL and
    headers, together the same bytes (htsget 1.3.0 §HTTPS data block URLs, 10)."""
    judged = False
    for url, headers, _ in http_blocks(service, client, hts):
        asked = byte_range(headers)
        if asked is None or asked[2] <= asked[1]:
            continue
        name, lo, hi = asked
        whole = _get(client, url, headers)
        if whole.status not in (200, 206):
            pytest.skip(f"the block answered {whole.status} (see htsget.urls.accept-get)")
        # A 200 carrying more than the range is the whole resource: htsget.urls.accept-get reports that the
        # ticket's Range was not answered; the sub-ranges are compared with the bytes the range names in it.
        ignored = range_ignored(whole, headers)
        expected = whole.content[lo:hi + 1] if ignored else whole.content
        # A last-pos past the end of the data means "the remainder" (RFC 9110 §14.1.2): the bytes sent are
        # the range to subdivide.
        hi = min(hi, lo + len(expected) - 1)
        if hi <= lo:
            continue
        middle = (lo + hi) // 2
        parts = []
        for first, last in ((lo, middle), (middle + 1, hi)):
            response = _get(client, url, {**headers, name: f"bytes={first}-{last}"})
            if response.status != 206 or len(response.content) != last - first + 1:
                raise fail(f"the block's sub-range bytes={first}-{last} answered {response.status} with "
                           f"{len(response.content)} bytes, not 206 with {last - first + 1}", response.exchange,
                           caused_by="htsget.urls.accept-get" if ignored else None)
            parts.append(response.content)
        judged = True
        if b"".join(parts) != expected:
            raise fail("the block's two sub-ranges together differ from its whole range", whole.exchange)
    if not judged:
        pytest.skip("no http(s) block carries a byte Range header of more than one byte")


@check("htsget.urls.retries-allowed")
def test_block_retry(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A block can be fetched again, with the same bytes (htsget 1.3.0 §HTTPS data block URLs, 4)."""
    url, headers, _ = http_blocks(service, client, hts)[0]
    first = _get(client, url, headers)
    if first.status not in (200, 206):
        pytest.skip(f"the block answered {first.status} (see htsget.urls.accept-get)")
    again = _get(client, url, headers)
    if again.status != first.status or again.content != first.content:
        raise fail(f"fetching the block a second time answered {again.status} with {len(again.content)} bytes, "
                   f"the first time {first.status} with {len(first.content)}", again.exchange)


@check("htsget.urls.cors")
def test_block_cors(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Block URLs provide CORS: a request with Origin gets Access-Control-Allow-Origin (htsget 1.3.0 §HTTPS
    data block URLs, 3)."""
    for url, headers, _ in http_blocks(service, client, hts):
        response = _get(client, url, {**headers, "Origin": ORIGIN})
        if response.status not in (200, 206):
            pytest.skip(f"the block answered {response.status} (see htsget.urls.accept-get)")
        if response.headers.get("Access-Control-Allow-Origin", "").strip() not in (ORIGIN, "*"):
            raise fail(f"the block answered a request with Origin: {ORIGIN} without Access-Control-Allow-Origin",
                       response.exchange)


@check("htsget.urls.partial-content-has-content-range")
def test_block_206_has_content_range(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A block answered 206 to the ticket's byte Range carries a Content-Range for exactly that range (RFC
    9110 §15.3.7, §14.4; htsget hands the Range to the client in the ticket's headers)."""
    judged = False
    for url, headers, _ in http_blocks(service, client, hts):
        name = next((k for k in headers if k.lower() == "range"), None)
        match = RANGE.match(headers[name].strip()) if name else None
        if name is None or match is None:
            continue
        response = _get(client, url, headers)
        if response.status != 206:
            continue
        judged = True
        lo, hi = int(match.group(1)), int(match.group(2))
        got = response.headers.get("Content-Range", "").strip()
        if not re.match(rf"^bytes {lo}-{min(hi, lo + len(response.content) - 1)}/(\d+|\*)$", got):
            raise fail(f"the block answered {name}: {headers[name]} with 206 and Content-Range {got or 'absent'}",
                       response.exchange)
    if not judged:
        pytest.skip("no http(s) block with a byte Range in its headers was answered 206")
