"""Bodies a hostile or broken server sends (issue 23) and how they appear as evidence (issue 21 item 9):
bodies capped by kind, the run's memory budget, JSON bounded before parsing, binary evidence, the
document that makes the claim beside the bytes, and the bounded wait of a Retry-After loop."""

from __future__ import annotations

import hashlib
import json
import shlex
import zlib
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from conformance.errors import BudgetExceeded, CheckFailure, HarnessError, ServiceBusy
from conformance.exchange import Exchange, binary_summary, is_binary
from conformance.http.client import EVIDENCE_KEEP, HttpClient, ServiceClient
from conformance.http.models import Response, nesting_exceeds
from conformance.http.policy import MAX_RETRY_WAIT, RunLimits
from conformance.http.redirects import Credentials, origin_of
from conformance.limits import Budget
from conformance.profile import Service
from conformance.redact import Redactor
from conformance.reference.app import Fault, ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer

MiB = 1024 * 1024
BLOB = bytes(range(256)) * 800  # 200 KiB of bytes that are not text


class Hostile(ReferenceApp):
    standard: ClassVar[str] = "hostile-bodies-test"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)
    FAULTS: ClassVar[dict[str, Fault]] = {}

    @route("GET", "/big")
    def big(self, request: Request) -> Reply:
        size = int(request.arg("size") or MiB)
        return Reply(200, b" " * size, {"Content-Type": "application/json"})

    @route("GET", "/bomb")
    def bomb(self, request: Request) -> Reply:
        def pieces() -> Iterator[bytes]:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            block = b" " * MiB
            for _ in range(64):  # 64 MiB inflated
                yield compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
            yield compressor.flush()
        return Reply(200, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}, stream=pieces())

    @route("GET", "/object")
    def object(self, request: Request) -> Reply:
        return json_reply({"id": "blob", "checksums": [{"type": "sha-256", "checksum": "0" * 64}]})

    @route("GET", "/blob")
    def blob(self, request: Request) -> Reply:
        return Reply(200, BLOB, {"Content-Type": "application/octet-stream"})

    @route("GET", "/busy")
    def busy(self, request: Request) -> Reply:
        return json_reply({"msg": "busy"}, 503, {"Retry-After": request.arg("after") or "20"})


@pytest.fixture(scope="module")
def server() -> Iterator[Hostile]:
    app = Hostile()
    running = ReferenceServer(app, port=0, host="127.0.0.1")
    running.start()
    yield app
    running.stop()


@pytest.fixture
def make_http() -> Iterator[Callable[..., HttpClient]]:
    made: list[HttpClient] = []

    def make(**budget: Any) -> HttpClient:
        limits = RunLimits(Budget(**{"requests_per_second": 1000, "request_timeout_seconds": 5, **budget}))
        made.append(HttpClient(limits, Redactor([])))
        return made[-1]

    yield make
    for client in made:
        client.close()


def client_of(http: HttpClient, app: Hostile) -> ServiceClient:
    service = Service(index=0, standard=Hostile.standard, version="1.0.0", url=app.url)
    return ServiceClient(http, service, Credentials(origin_of(app.url), {}, frozenset()))


# -- bodies by kind -------------------------------------------------------------------------------------------


def test_a_document_is_capped_at_max_document_bytes(make_http: Callable[..., HttpClient], server: Hostile) -> None:
    http = make_http(max_document_bytes=MiB)
    response = http.request("GET", f"{server.url}/big?size={4 * MiB}")
    assert response.truncated and response.exchange.body_bytes >= MiB
    assert len(response.content) == EVIDENCE_KEEP  # a cut document cannot be parsed: only its head is kept
    assert response.limit_name == "max_document_bytes"
    assert "max_document_bytes" in http.limits.hit
    cut = r"announced a body of 4,194,304 bytes \(Content-Length\), more than max_document_bytes=1048576; not parsed"
    with pytest.raises(BudgetExceeded, match=cut) as caught:
        response.json()
    assert caught.value.limit == "max_document_bytes"


def test_the_default_document_cap_is_a_few_mib_not_max_response_bytes() -> None:
    assert Budget().max_document_bytes <= 16 * MiB < Budget().max_response_bytes


def test_bytes_a_caller_asks_to_hold_keep_max_response_bytes(make_http: Callable[..., HttpClient],
                                                             server: Hostile) -> None:
    http = make_http(max_document_bytes=MiB)
    response = http.request("GET", f"{server.url}/big?size={2 * MiB}", max_bytes=4 * MiB)
    assert not response.truncated and len(response.content) == 2 * MiB


def test_a_gzip_bomb_stops_at_the_document_cap_counted_inflated(make_http: Callable[..., HttpClient],
                                                                 server: Hostile) -> None:
    http = make_http(max_document_bytes=2 * MiB)
    response = http.request("GET", f"{server.url}/bomb")
    assert response.truncated and 2 * MiB <= response.exchange.body_bytes < 3 * MiB
    assert "gzip-encoded body inflates to more than max_document_bytes" in response.cut_reason()


# -- the memory budget ---------------------------------------------------------------------------------------


def test_an_exchange_over_max_memory_mb_stops_with_an_error_naming_it(make_http: Callable[..., HttpClient],
                                                                      server: Hostile) -> None:
    http = make_http(max_memory_mb=1)
    http.memory_base -= 2  # as if the run had grown by 2 MB already: the first check stops the body
    with pytest.raises(BudgetExceeded, match=r"the run's memory grew by \d+ MB \(to \d+ MB\) while reading this "
                                             r"body, over max_memory_mb=1; the exchange was stopped") as caught:
        http.request("GET", f"{server.url}/big?size={3 * MiB}")
    assert caught.value.limit == "max_memory_mb"
    assert caught.value.exchange is not None and caught.value.exchange.error
    assert "max_memory_mb" in http.limits.hit


def test_a_run_under_its_memory_budget_reads_the_body(make_http: Callable[..., HttpClient], server: Hostile) -> None:
    response = make_http().request("GET", f"{server.url}/big?size={3 * MiB}")
    assert len(response.content) == 3 * MiB


def test_the_budget_counts_what_the_run_adds_not_what_the_process_held(make_http: Callable[..., HttpClient],
                                                                        server: Hostile) -> None:
    """A run hosted in a process that already holds more than the budget (plugin mode, a long test
    session) is not stopped for it: only the growth during the run counts."""
    http = make_http(max_memory_mb=1)
    http.memory_base += 10_000  # the process held far more than 1 MB before the run
    response = http.request("GET", f"{server.url}/big?size={3 * MiB}")
    assert len(response.content) == 3 * MiB


# -- JSON bounded before parsing -----------------------------------------------------------------------------


def answer(body: bytes, content_type: str = "application/json", status: int = 200) -> Response:
    exchange = Exchange(method="GET", url="http://h/x", status=status, response_body=body[:100].decode("latin-1"))
    headers: Any = {"Content-Type": content_type}
    from requests.structures import CaseInsensitiveDict

    return Response(status, "OK", CaseInsensitiveDict(headers), body, "http://h/x", exchange, False, 10 * MiB)


def test_deep_nesting_is_refused_before_the_parser_sees_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("json.loads was called")

    monkeypatch.setattr("conformance.http.models.json", SimpleNamespace(loads=no_parse,
                                                                        JSONDecodeError=json.JSONDecodeError))
    with pytest.raises(HarnessError, match="nested too deeply to parse") as caught:
        answer(b"[" * 100_000 + b"]" * 100_000).json()
    assert not isinstance(caught.value, CheckFailure)


def test_nesting_prescan_counts_brackets_outside_strings_only() -> None:
    assert not nesting_exceeds(json.dumps(["[" * 1000, {"a": [1, 2]}]).encode(), 10)
    assert nesting_exceeds(b"[" * 11 + b"]" * 11, 10)
    assert not nesting_exceeds(b"[" * 10 + b"]" * 10, 10)
    assert not nesting_exceeds(b'["\\"[[[[[[[[[[[[", 1]', 2)


def test_a_number_too_long_to_parse_is_an_error_not_a_failure() -> None:
    """RFC 8259 §9 lets a parser limit the range of numbers: a huge number is no fault of the server."""
    with pytest.raises(HarnessError, match="number too long to parse") as caught:
        answer(b'{"n": ' + b"9" * 5000 + b"}").json()
    assert not isinstance(caught.value, CheckFailure)


# -- binary evidence (issue 21 item 9) ------------------------------------------------------------------------


def test_a_binary_body_is_evidence_as_size_type_digest_and_hex(make_http: Callable[..., HttpClient],
                                                               server: Hostile) -> None:
    response = make_http().request("GET", f"{server.url}/blob")
    exchange = response.exchange
    assert exchange.binary and exchange.body_sha256 == hashlib.sha256(BLOB).hexdigest()
    assert exchange.response_body == (f"[binary body: 204,800 bytes, application/octet-stream, sha256 "
                                      f"{hashlib.sha256(BLOB).hexdigest()}; first 32 bytes: {BLOB[:32].hex(' ')}]")
    assert "\ufffd" not in exchange.response_body and len(exchange.response_body) < 300
    assert exchange.to_dict()["body_sha256"] == exchange.body_sha256


def test_the_curl_line_of_a_binary_body_writes_it_to_a_file() -> None:
    words = shlex.split(Exchange(method="GET", url="http://h/blob", binary=True).curl())
    assert words[:6] == ["curl", "-sS", "-D", "-", "-o", "response.bin"] and "-i" not in words
    assert "-i" in shlex.split(Exchange(method="GET", url="http://h/x").curl())


def test_a_streamed_body_is_hashed_whole_and_only_its_head_kept(make_http: Callable[..., HttpClient],
                                                                server: Hostile) -> None:
    client = client_of(make_http(), server)
    received = bytearray()
    response = client.stream("/blob", received.extend)
    assert bytes(received) == BLOB
    assert response.exchange.body_sha256 == hashlib.sha256(BLOB).hexdigest()
    assert response.exchange.binary


def test_bytes_streamed_after_documents_carry_them_as_claims(make_http: Callable[..., HttpClient],
                                                             server: Hostile) -> None:
    client = client_of(make_http(), server)
    first, second, third = (client.get("/object") for _ in range(3))
    response = client.stream("/blob", lambda chunk: None)
    assert response.exchange.claims == [third.exchange, second.exchange]  # the latest CLAIMS documents
    named = client.stream("/blob", lambda chunk: None, claims=[first.exchange])
    assert named.exchange.claims == [first.exchange]


def test_the_evidence_of_a_bytes_failure_includes_the_claims() -> None:
    from conformance.plugin import _evidence

    claim = Exchange(method="GET", url="http://h/object", status=200, response_body='{"checksums": []}')
    blob = Exchange(method="GET", url="http://h/blob", status=200, binary=True, claims=[claim])
    evidence = _evidence(blob, SimpleNamespace())  # type: ignore[arg-type]
    assert [entry["url"] for entry in evidence] == ["http://h/blob", "http://h/object"]


@pytest.mark.parametrize(("content_type", "head", "binary"), [
    ("application/octet-stream", b"\x1f\x8b\x08\x00", True),
    ("", b"BAM\x01\x00\x00", True),
    ("application/json", b'{"a": "\xff"}', False),  # a JSON body with bad bytes is a text failure
    ("text/plain", b"ACGT", False),
    ("", "résumé".encode()[:-1], False),  # a character cut at the end of the preview
    ("application/vnd.ga4gh.bam", b"plain words", False),
])
def test_is_binary(content_type: str, head: bytes, binary: bool) -> None:
    assert is_binary(content_type, head) is binary


def test_binary_summary_of_a_body_cut_at_its_cap() -> None:
    assert binary_summary(10, "", None, b"\x00\x01", truncated=True) == \
        "[binary body: 10 bytes, cut at the size cap, no Content-Type, sha256 not computed; first 2 bytes: 00 01]"


# -- Retry-After loops ----------------------------------------------------------------------------------------


def test_a_retry_after_loop_is_bounded_in_total_wait(make_http: Callable[..., HttpClient], server: Hostile,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    import time

    monkeypatch.setattr("conformance.http.client.time", SimpleNamespace(sleep=waits.append, monotonic=time.monotonic))
    with pytest.raises(ServiceBusy, match=rf"beyond the {MAX_RETRY_WAIT:g} s a request waits in all"):
        make_http().request("GET", f"{server.url}/busy?after=20")
    assert sum(waits) <= MAX_RETRY_WAIT and waits == [20.0]



def test_a_huge_header_is_cut_in_the_evidence() -> None:
    from conformance.http.client import EVIDENCE_HEADER_CHARS, bounded_headers

    bounded = bounded_headers({"X-Big": "a" * 60_000, "Content-Type": "application/json"})
    assert bounded["Content-Type"] == "application/json"
    assert bounded["X-Big"] == "a" * EVIDENCE_HEADER_CHARS + "… (60,000 characters)"
