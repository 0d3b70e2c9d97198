"""AccessURLs and the bytes behind them: every access method streamed, size and checksums verified,
Range slices compared (DRS 1.2.0 - 1.5.0 §Objects › GetAccessURL, §Models › AccessURL, DrsObject;
RFC 9110 for Range, which DRS does not mention)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import pytest

from conformance import Response, SpecStore, check, fail, schema_errors

from .view import (
    HEX,
    HEX_LENGTH,
    Download,
    Drs,
    accepted_reason,
    error_body_cause,
    error_problem,
    header_lines,
    object_path,
)

T = TypeVar("T")

NO_SUCH_ACCESS_ID = "ga4gh-conformance-no-such-access-id"
NO_SUCH_OBJECT = "ga4gh-conformance-no-such-object-7f3a"


def _access_ids(drs: Drs) -> list[tuple[str, str, Response]]:
    found: list[tuple[str, str, Response]] = drs.access_ids()
    if not found:
        pytest.skip("no readable object lists an access_id")
    return found


@check("drs.access.get-returns-access-url")
def test_access_id_answers_access_url(drs: Drs, schemas: SpecStore) -> None:
    """For every access_id of an object, GET /objects/{id}/access/{access_id} answers 200 with an
    AccessURL (url string, headers an array of strings) (DRS 1.2.0 §Objects › GetAccessURL)."""
    validator = drs.validator(schemas, "/components/schemas/AccessURL") if schemas.available else None
    not_ready: list[str] = []
    for object_id, access_id, _ in _access_ids(drs):
        response = drs.access_response(object_id, access_id)
        if response.status == 202:  # drs.http.accepted-has-retry-after is about a 202
            not_ready.append(f"GET access {access_id!r} of {object_id!r} {accepted_reason(response)}")
            continue
        if response.status != 200:
            raise fail(f"GET access {access_id!r} of {object_id!r} answered {response.status}, not 200", response)
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            raise fail(f"GET access {access_id!r} of {object_id!r} answered no AccessURL with a url string", response)
        headers = body.get("headers", [])
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            raise fail(f"AccessURL of {object_id!r} {access_id!r} has headers {headers!r}, not an array of strings",
                       response)
        errors = schema_errors(validator, body) if validator is not None else []
        if errors:
            raise fail(f"AccessURL of {object_id!r} {access_id!r} does not match the schema: {'; '.join(errors)}",
                       response)
    if len(not_ready) == len(_access_ids(drs)):
        pytest.skip("; ".join(not_ready))


@check("drs.access.unknown-access-id-is-404")
def test_unknown_access_id_is_404(drs: Drs) -> None:
    """GET access for a known object and an access_id it does not have answers 404 with an Error body
    (DRS 1.2.0 §Objects › GetAccessURL › 404)."""
    object_id = next((i for i, _, _ in _access_ids(drs)), None)
    assert object_id is not None
    response = drs.client.get(f"{object_path(object_id)}/access/{NO_SUCH_ACCESS_ID}")
    if response.status != 404:
        raise fail(f"GET access for an unknown access_id of {object_id!r} answered {response.status}, not 404",
                   response)
    problem = error_problem(response)
    if problem:
        # the problem of the plain unknown object's 404 too: drs.error.body-is-json-error reports it, once
        raise fail(f"the 404 for an unknown access_id is not a DRS Error: {problem}", response,
                   caused_by=error_body_cause(drs, problem))


@check("drs.access.unknown-object-id-is-404")
def test_access_of_unknown_object_is_404(drs: Drs) -> None:
    """GET access for an object id the server does not hold answers 404 with an Error body (DRS 1.2.0
    §Objects › GetAccessURL › 404)."""
    access_id = next((a for _, a, _ in drs.access_ids()), "1")
    response = drs.client.get(f"{object_path(NO_SUCH_OBJECT)}/access/{quote(access_id, safe='')}")
    if response.status != 404:
        raise fail(f"GET access of an unknown object answered {response.status}, not 404", response)
    problem = error_problem(response)
    if problem:
        # the problem of the plain unknown object's 404 too: drs.error.body-is-json-error reports it, once
        raise fail(f"the 404 for access of an unknown object is not a DRS Error: {problem}", response,
                   caused_by=error_body_cause(drs, problem))


def _access_urls(drs: Drs) -> list[tuple[str, str, object, Response]]:
    """(object id, where, AccessURL, response) for inline and access_id AccessURLs."""
    found: list[tuple[str, str, object, Response]] = []
    for object_id, document, response in drs.require_documents():
        for index, method in enumerate(document.get("access_methods") or []):
            if isinstance(method, dict) and "access_url" in method:
                found.append((object_id, f"access_methods[{index}].access_url", method["access_url"], response))
    for object_id, access_id, _ in drs.access_ids():
        answer = drs.access_response(object_id, access_id)
        if answer.status == 200:
            body = answer.json()
            found.append((object_id, f"the AccessURL of access_id {access_id!r}", body, answer))
    if not found:
        pytest.skip("no AccessURL to look at")
    return found


@check("drs.access.url-is-absolute")
def test_access_url_is_absolute(drs: Drs) -> None:
    """AccessURL.url is "a fully resolvable URL", absolute with a scheme (DRS 1.2.0 §Models ›
    AccessURL.url)."""
    judged = 0
    for object_id, where, access_url, response in _access_urls(drs):
        url = access_url.get("url") if isinstance(access_url, dict) else None
        if isinstance(url, str):
            judged += 1
            parts = urlsplit(url)
            if not parts.scheme or not (parts.netloc or parts.scheme in ("file",)):
                raise fail(f"{object_id}: {where} url {url!r} is not an absolute URL", response)
    if not judged:
        pytest.skip("does not apply: no AccessURL with a url was read (inline or from /access)")


@check("drs.access.headers-are-header-lines")
def test_access_headers_are_header_lines(drs: Drs) -> None:
    """Each AccessURL.headers item is one "Name: value" header line (DRS 1.2.0 §Models ›
    AccessURL.headers, example 'Authorization: Basic Z2E0Z2g6ZHJz')."""
    listed = malformed = False
    for object_id, where, access_url, response in _access_urls(drs):
        headers = access_url.get("headers") if isinstance(access_url, dict) else None
        malformed = malformed or (headers is not None and not isinstance(headers, list))
        if isinstance(headers, list):
            listed = listed or bool(headers)
            for line in headers:
                if not isinstance(line, str) or len(header_lines([line])) != 1:
                    raise fail(f"{object_id}: {where} header {line!r} is not a 'Name: value' header line", response)
    if not listed and malformed:
        pytest.skip("no AccessURL lists headers as an array (see drs.access.get-returns-access-url)")
    if not listed:
        pytest.skip("does not apply: no AccessURL lists headers (they are optional)")


@check("drs.access.url-is-fetchable", per="objects")
def test_access_urls_answer_with_bytes(drs: Drs, case: str) -> None:
    """Every http(s) AccessURL, requested with its headers, answers 2xx with the bytes (DRS 1.2.0
    §Models › AccessURL.url; §Authorization & Authentication › Fetching DRS Objects)."""
    _, downloads = drs.downloads(case)
    for download in downloads:
        if not 200 <= download.response.status < 300:
            raise fail(f"{case}: the URL of {download.label} answered {download.response.status}, not the bytes",
                       download.response)


def _fetched(downloads: list[Download], case: str) -> list[Download]:
    ok = [d for d in downloads if 200 <= d.response.status < 300]
    if not ok:
        pytest.skip(f"{case}: no access URL answered with bytes (see drs.access.url-is-fetchable)")
    return ok


@check("drs.object.size-matches-bytes", per="objects")
def test_size_matches_bytes(drs: Drs, case: str) -> None:
    """The bytes served through every access method number exactly ``size`` (DRS 1.2.0 §Models ›
    DrsObject.size: "the blob size in bytes")."""
    size, downloads = drs.downloads(case)
    for download in _fetched(downloads, case):
        if download.count != size:
            count = f"more than {size}" if download.count > size else str(download.count)
            raise fail(f"{case}: {download.label} served {count} bytes, but size says {size}", download.response)


@check("drs.object.checksum-matches-bytes", per="objects")
def test_checksums_match_bytes(drs: Drs, case: str) -> None:
    """Every checksum the harness can compute equals the digest of the bytes served through every access
    method ("For blobs, the checksum is computed over the bytes in the blob", DRS 1.2.0 §Models ›
    DrsObject.checksums); etag and types without a well-kept implementation are skipped with the reason."""
    document, _ = drs.object(case)
    size, downloads = drs.downloads(case)
    expected = {str(c.get("type", "")).lower(): str(c.get("checksum", "")).lower()
                for c in document.get("checksums") or [] if isinstance(c, dict)}
    verified = 0
    for download in _fetched(downloads, case):
        if download.count != size:
            pytest.skip(f"{case}: {download.label} served {download.count} bytes, not {size} "
                        "(see drs.object.size-matches-bytes)")
        for kind, digest in download.digests.items():
            verified += 1
            if digest.lower() != expected.get(kind):
                raise fail(f"{case}: the {kind} of the bytes served by {download.label} is {digest}, but the object "
                           f"says {expected.get(kind)}", download.response,
                           caused_by=_malformed(kind, expected.get(kind)))
    if not verified:
        reasons = {k: v for d in downloads for k, v in d.unverifiable.items()}
        pytest.skip(f"{case}: no checksum could be verified ({'; '.join(reasons.values()) or 'none given'})")


def _malformed(kind: str, value: str | None) -> str | None:
    """The check that reports a listed checksum no digest can equal (not hex, or not the type's length): a
    mismatch with the bytes is its consequence (one root cause, one failure)."""
    if value is None or not HEX.match(value):
        return "drs.checksum.value-is-hex"
    if HEX_LENGTH.get(kind, len(value)) != len(value):
        return "drs.checksum.hex-length-matches-type"
    return None


def _range(drs: Drs, case: str) -> list[tuple[Download, int, Response, bytes]]:
    """(download, size, answer, body) of one Range request per complete download, asked once for the three
    checks that judge the answer (every listed object's side by side). The body is capped by the caller
    (stream): a server that ignores Range is no limit reached, only a 200."""
    drs.prefetch("range", lambda: _per_object(drs, "range", drs.downloads, _ask_range))
    return drs.memo(("range", case), lambda: _ask_range(drs, case, drs.downloads(case)))


def _per_object(drs: Drs, name: str, needs: Callable[[str], T], ask: Callable[[Drs, str, T], Any]) -> list[
        tuple[Any, Callable[[], Any]]]:
    """The entries of :meth:`Drs.prefetch` asking ``ask`` of every listed object with what it ``needs``, from
    what is made only; an object whose needs are not made (or failed, or skip) is left to its own checks."""
    entries: list[tuple[Any, Callable[[], Any]]] = []
    for object_id in drs.option("objects"):
        try:
            needed = needs(object_id)
        except (Exception, pytest.skip.Exception):
            continue
        entries.append(((name, object_id), partial(ask, drs, object_id, needed)))
    return entries


def _ask_range(drs: Drs, case: str, downloads: tuple[int, list[Download]]) -> list[
        tuple[Download, int, Response, bytes]]:
    size, fetched = downloads
    found = []
    for download in _fetched(fetched, case):
        if download.count != size or size == 0:
            continue
        start, end = download.window
        body = bytearray()
        response = drs.client.stream(download.url, body.extend, decode=False, max_bytes=(end - start) + 1024,
                                     headers={**download.headers, "Range": f"bytes={start}-{end - 1}"},
                                     claims=download.response.exchange.claims)
        found.append((download, size, response, bytes(body[:(end - start) + 1024])))
    if not found:
        pytest.skip(f"{case}: no complete download to compare a Range answer with")
    return found


@check("drs.access.range-partial-content-is-exact-slice", per="objects")
def test_range_answer_is_exact_slice(drs: Drs, case: str) -> None:
    """A 206 answer to ``Range: bytes=a-b`` carries exactly bytes a..b of the object and
    ``Content-Range: bytes a-b/size`` or ``bytes a-b/*`` (RFC 9110 §15.3.7, §14.4; DRS says nothing
    about Range, so a server that ignores Range passes)."""
    judged = False
    for download, size, response, body in _range(drs, case):
        start, end = download.window
        if response.status != 206:
            continue
        judged = True
        if response.truncated or body != download.window_bytes:
            raise fail(f"{case}: asked {download.label} for bytes {start}-{end - 1}, got "
                       f"{'more than ' if response.truncated else ''}{len(body)} bytes that are not that "
                       "slice of the object", response)
        expected = {f"bytes {start}-{end - 1}/{size}", f"bytes {start}-{end - 1}/*"}
        got = (response.headers.get("Content-Range") or "").strip()
        if got not in expected:
            raise fail(f"{case}: the 206 for bytes {start}-{end - 1} has Content-Range {got or 'missing'!r}, "
                       f"not 'bytes {start}-{end - 1}/{size}' (or '/*')", response)
    if not judged:
        pytest.skip(f"does not apply: no access URL of {case} answered the Range request with 206 (a server may "
                    "ignore Range and send the whole object)")


@check("drs.access.range-honoured-when-advertised", per="objects")
def test_range_honoured_when_advertised(drs: Drs, case: str) -> None:
    """An access URL that advertises ``Accept-Ranges: bytes`` answers a satisfiable single range with
    206 (RFC 9110 §14.3; a harness expectation, not a DRS rule)."""
    advertised = False
    for download, _, response, _ in _range(drs, case):
        if "bytes" not in (download.response.headers.get("Accept-Ranges") or "").lower():
            continue
        advertised = True
        if response.status == 200:
            raise fail(f"{case}: {download.label} advertises Accept-Ranges: bytes but answered a Range request "
                       "with 200 and the whole object", response)
    if not advertised:
        pytest.skip(f"{case}: no access URL advertises Accept-Ranges: bytes")


@check("drs.access.range-unsatisfiable-is-416", per="objects")
def test_unsatisfiable_range_is_416(drs: Drs, case: str) -> None:
    """An access URL that answers a satisfiable range with 206 (it supports Range for that resource)
    answers ``Range: bytes=<size>-``, which no byte of the object satisfies, with 416 (RFC 9110 §14.2;
    DRS says nothing about Range)."""
    drs.prefetch("past the end", lambda: _per_object(drs, "past the end", partial(_range, drs), _ask_past_end))
    answers = drs.memo(("past the end", case), lambda: _ask_past_end(drs, case, _range(drs, case)))
    for download, size, answer in answers:
        if answer.status != 416:
            raise fail(f"{case}: {download.label} answers ranges with 206 but answered bytes={size}- (past the "
                       f"{size}-byte object) with {answer.status}, not 416", answer)


def _ask_past_end(drs: Drs, case: str, ranges: list[tuple[Download, int, Response, bytes]]) -> list[
        tuple[Download, int, Response]]:
    """(download, size, answer to ``Range: bytes=<size>-``) of every access URL that answered the satisfiable
    range with 206."""
    answers = []
    for download, size, response, _ in ranges:
        if response.status == 206:
            answers.append((download, size, drs.client.stream(
                download.url, lambda _: None, decode=False, max_bytes=1024,
                headers={**download.headers, "Range": f"bytes={size}-"}, claims=download.response.exchange.claims)))
    if not answers:
        pytest.skip(f"{case}: no access URL answered a satisfiable range with 206")
    return answers
