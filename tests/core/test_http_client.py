"""The one HTTP client (conformance/http/client.py) against tiny loopback servers: retries and busy
answers, credentials and redirects, the caps on a response, undecoded and streamed bodies, and the
evidence every exchange leaves."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any, ClassVar, cast
from urllib.parse import quote, urlsplit

import pytest

from conformance.errors import BudgetExceeded, HarnessError, ResponseError, ServiceBusy, TransportError
from conformance.hashing import ParallelHashes
from conformance.http.client import EVIDENCE_KEEP, STREAM_PIECE, USER_AGENT, HttpClient, RefusedTarget, ServiceClient
from conformance.http.policy import MAX_ATTEMPTS, MAX_RETRY_AFTER, RunLimits
from conformance.http.redirects import MAX_REDIRECTS, Credentials, origin_of
from conformance.limits import Budget
from conformance.profile import Service
from conformance.redact import MASK, Redactor
from conformance.reference.app import Fault, ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer, free_port

TOKEN = "tok-5f4e3d2c1b0a99887766"
PAYLOAD = json.dumps({"id": "x", "items": list(range(50))}).encode()
LARGE = bytes(range(256)) * 12000  # 3 MiB: several pieces of STREAM_PIECE


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    # SO_LINGER with a zero timeout: close() sends a RST instead of a FIN
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


class Stub(ReferenceApp):
    """Answers what a test asks for and records every request it receives."""

    standard: ClassVar[str] = "http-client-test"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)
    FAULTS: ClassVar[dict[str, Fault]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Request] = []
        #: How many 503s /flaky answers before it answers 200.
        self.failures = 0

    def seen(self, path: str) -> list[Request]:
        return [r for r in self.received if r.path == path]

    @route("GET", "/ok")
    @route("POST", "/ok")
    def ok(self, request: Request) -> Reply:
        self.received.append(request)
        return json_reply({"method": request.method, "body": request.body.decode(),
                           "content_type": request.header("Content-Type"), "query": request.query})

    @route("GET", "/busy")
    @route("POST", "/busy")
    def busy(self, request: Request) -> Reply:
        self.received.append(request)
        after = request.arg("after") or "0"
        return json_reply({"msg": "busy"}, 503, {} if after == "none" else {"Retry-After": after})

    @route("GET", "/reset")
    @route("POST", "/reset")
    def reset(self, request: Request) -> Reply:
        """The connection is reset before any answer."""
        self.received.append(request)
        return Reply(raw=reset_connection)

    @route("GET", "/close-after")
    def close_after(self, request: Request) -> Reply:
        """A whole answer, then the connection closed without saying so (no ``Connection: close``): the
        next request on it meets a closed connection, the race of persistent connections."""
        self.received.append(request)

        def write(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"ok")

        return Reply(raw=write)

    @route("GET", "/no-answer")
    def no_answer(self, request: Request) -> Reply:
        """The connection is closed (not reset) before any answer."""
        self.received.append(request)
        return Reply(raw=lambda handler: None)

    @route("GET", "/reset-body")
    def reset_body(self, request: Request) -> Reply:
        """A third of the body, then the connection is reset."""
        self.received.append(request)

        def write(handler: BaseHTTPRequestHandler) -> None:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(LARGE) + LARGE[:len(LARGE) // 3])
            reset_connection(handler)

        return Reply(raw=write)

    @route("GET", "/flaky")
    def flaky(self, request: Request) -> Reply:
        self.received.append(request)
        if self.failures:
            self.failures -= 1
            return json_reply({"msg": "busy"}, 503, {"Retry-After": "0"})
        return json_reply({"ok": True})

    @route("GET", "/go")
    @route("POST", "/go")
    def go(self, request: Request) -> Reply:
        """A redirect to ``to`` with the status ``status`` (302 by default)."""
        self.received.append(request)
        body = b"<html>Redirecting</html>" * int(request.arg("body") or 0)  # what web servers often add
        return Reply(int(request.arg("status") or 302), body, {"Location": request.arg("to") or "/ok",
                                                               "Content-Type": "text/html"})

    @route("GET", "/echo")
    def echo(self, request: Request) -> Reply:
        """The request's Authorization echoed ``times`` times, after ``pad`` bytes, in the body and (``in=header``)
        in a header: a server that reflects what it was sent."""
        self.received.append(request)
        pad, times = int(request.arg("pad") or 0), int(request.arg("times") or 1)
        echoed = (request.header("Authorization") or "").encode() * times
        if request.arg("in") == "reason":
            def write(handler: BaseHTTPRequestHandler) -> None:
                handler.send_response(int(request.arg("status") or 500), f"refused {echoed.decode()}")
                handler.send_header("Content-Length", "0")
                handler.end_headers()

            return Reply(raw=write)
        if request.arg("in") == "header":
            return Reply(200, b"{}", {"Content-Type": "application/json", "X-Echo": "x" * pad + echoed.decode()})
        return Reply(200, b"y" * pad + echoed, {"Content-Type": "text/plain"})

    @route("GET", "/{rest:path}")
    def anything(self, request: Request) -> Reply:
        """Any other path: recorded, and answered 404."""
        self.received.append(request)
        return json_reply({"msg": "no such path"}, 404)

    @route("GET", "/chain/{n}")
    def chain(self, request: Request) -> Reply:
        self.received.append(request)
        return Reply(302, b"", {"Location": f"/chain/{int(request.params['n']) + 1}"})

    @route("GET", "/loop/{side}")
    def loop(self, request: Request) -> Reply:
        self.received.append(request)
        return Reply(302, b"", {"Location": "/loop/b" if request.params["side"] == "a" else "/loop/a"})

    @route("GET", "/bytes/{size}")
    def sized(self, request: Request) -> Reply:
        self.received.append(request)
        return Reply(200, b"x" * int(request.params["size"]), {"Content-Type": "text/plain"})

    @route("GET", "/large")
    def large(self, request: Request) -> Reply:
        self.received.append(request)
        return Reply(200, LARGE, {"Content-Type": "application/octet-stream"})

    @route("GET", "/gzip")
    def gzipped(self, request: Request) -> Reply:
        """Always gzip-encoded, whatever the request accepts: stored data served as it is stored."""
        self.received.append(request)
        return Reply(200, gzip.compress(PAYLOAD, mtime=0),
                     {"Content-Type": "application/json", "Content-Encoding": "gzip"})


# -- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Stub]]:
    """A :class:`Stub` on each of two loopback addresses (two origins), for the whole module: stopping
    a server waits for its poll interval, which would cost every test half a second."""
    started = [ReferenceServer(Stub(), host=host).start() for host in ("127.0.0.1", "127.0.0.2")]
    for server in started:
        quiet_resets(server)
    try:
        yield {server.host: cast(Stub, server.app) for server in started}
    finally:
        for server in started:
            server.stop()


def quiet_resets(server: ReferenceServer) -> None:
    """A body cut at a cap ends with the client closing its connection; the server's thread then meets
    a reset, which socketserver would print as a traceback."""
    original = server.httpd.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            original(request, client_address)

    server.httpd.handle_error = handle_error  # type: ignore[method-assign]


def fresh(app: Stub) -> Stub:
    app.received.clear()
    app.failures = 0
    return app


@pytest.fixture
def here(servers: dict[str, Stub]) -> Stub:
    return fresh(servers["127.0.0.1"])


@pytest.fixture
def there(servers: dict[str, Stub]) -> Stub:
    """Another origin, on another loopback address."""
    return fresh(servers["127.0.0.2"])


@pytest.fixture
def make_http() -> Iterator[Callable[..., HttpClient]]:
    """An :class:`HttpClient` with a fast budget (any field can be overridden), closed at teardown."""
    made: list[HttpClient] = []

    def make(**budget: Any) -> HttpClient:
        limits = RunLimits(Budget(**{"requests_per_second": 1000, "request_timeout_seconds": 5, **budget}))
        made.append(HttpClient(limits, Redactor([TOKEN])))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def http(make_http: Callable[..., HttpClient]) -> HttpClient:
    return make_http()


@pytest.fixture
def backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's waits between attempts, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr("conformance.http.client.time", SimpleNamespace(sleep=waits.append, monotonic=time.monotonic))
    return waits


def client_of(http: HttpClient, app: Stub, *, allowed_hosts: frozenset[str] = frozenset(),
              credentials: bool = True) -> ServiceClient:
    service = Service(index=0, standard=Stub.standard, version="1.0.0", url=app.url)
    given = Credentials(origin_of(app.url), {"Authorization": f"Bearer {TOKEN}"}, allowed_hosts)
    return ServiceClient(http, service, given if credentials else None)


def go(to: str, status: int = 302, body: int = 0) -> str:
    """The stub's redirect to ``to``; ``body``: that many copies of a short HTML page as its body."""
    return f"/go?to={quote(to, safe='')}&status={status}&body={body}"


# -- one request, its evidence ------------------------------------------------------------------------------------


def test_a_request_is_sent_with_the_credentials_and_recorded_redacted(http: HttpClient, here: Stub) -> None:
    client = client_of(http, here)
    response = client.get("/ok", params={"a": "1", "b": ["x", "y"]})
    assert response.status == 200 and response.json()["query"] == {"a": ["1"], "b": ["x", "y"]}
    sent = here.seen("/ok")[0]
    assert sent.header("Authorization") == f"Bearer {TOKEN}"
    assert sent.header("User-Agent") == USER_AGENT
    assert client.exchanges == [response.exchange] and client.last is response.exchange
    exchange = response.exchange
    assert exchange.request_headers["Authorization"] == MASK
    assert TOKEN not in exchange.curl() and MASK in exchange.curl()
    assert (exchange.status, exchange.reason, exchange.body_bytes) == (200, "OK", len(response.content))
    assert exchange.response_body == response.text and not exchange.truncated
    assert exchange.url == f"{here.url}/ok?a=1&b=x&b=y"
    assert http.limits.requests == 1 and http.limits.bytes == len(response.content)


def test_a_post_sends_json(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).post("/ok", json={"q": [1, 2]})
    assert response.json() == {"method": "POST", "body": '{"q": [1, 2]}', "content_type": "application/json",
                               "query": {}}
    assert response.exchange.request_body == '{"q": [1, 2]}'


def test_service_client_urls_are_relative_to_the_service() -> None:
    service = Service(index=0, standard="x", version="1", url="http://127.0.0.1:1/api/")
    client = ServiceClient(HttpClient(RunLimits(Budget()), Redactor()), service, None)
    try:
        assert client.url("/objects/1") == "http://127.0.0.1:1/api/objects/1"
        assert client.url("objects/1") == "http://127.0.0.1:1/api/objects/1"
        assert client.url("https://elsewhere.example/x") == "https://elsewhere.example/x"
        assert client.last is None
    finally:
        client.http.close()


def test_a_refused_connection_is_a_transport_error_with_evidence(http: HttpClient) -> None:
    url = f"http://127.0.0.1:{free_port()}/x"
    with pytest.raises(TransportError) as caught:
        http.request("GET", url)
    assert caught.value.message == "connection refused"
    assert caught.value.exchange is not None and caught.value.exchange.error == "connection refused"
    assert caught.value.exchange.summary() == f"GET {url} → connection refused"


# -- retries and busy answers --------------------------------------------------------------------------------------


def test_an_idempotent_request_is_retried_on_503_until_it_answers(http: HttpClient, here: Stub) -> None:
    here.failures = MAX_ATTEMPTS - 1
    client = client_of(http, here)
    response = client.get("/flaky")
    assert response.status == 200
    assert len(here.seen("/flaky")) == MAX_ATTEMPTS
    assert [e.status for e in client.exchanges] == [503] * (MAX_ATTEMPTS - 1) + [200]


def test_a_persistent_503_is_service_busy_after_the_retries(http: HttpClient, here: Stub) -> None:
    with pytest.raises(ServiceBusy) as caught:
        client_of(http, here).get("/busy")
    assert caught.value.message == f"the server answered 503 Service Unavailable to {MAX_ATTEMPTS} attempts"
    assert caught.value.exchange is not None and caught.value.exchange.status == 503
    assert len(here.seen("/busy")) == MAX_ATTEMPTS


def test_a_post_is_not_retried(http: HttpClient, here: Stub) -> None:
    with pytest.raises(ServiceBusy) as caught:
        client_of(http, here).post("/busy", json={"q": 1})
    assert caught.value.message == "the server answered 503 Service Unavailable to 1 attempt"
    assert len(here.seen("/busy")) == 1


def test_a_post_declared_idempotent_is_retried(http: HttpClient, here: Stub) -> None:
    with pytest.raises(ServiceBusy):
        client_of(http, here).post("/busy", json={"q": 1}, idempotent=True)
    assert len(here.seen("/busy")) == MAX_ATTEMPTS


def test_allow_busy_hands_over_the_busy_answer(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).get("/busy", allow_busy=True)
    assert response.status == 503 and response.json() == {"msg": "busy"}
    assert len(here.seen("/busy")) == MAX_ATTEMPTS


def test_a_retry_after_longer_than_the_harness_waits_is_not_waited_for_and_blocks_the_origin(
        http: HttpClient, here: Stub, there: Stub) -> None:
    with pytest.raises(ServiceBusy) as caught:
        client_of(http, here).get("/busy?after=86400")
    assert caught.value.message == ("the server answered 503 Service Unavailable with Retry-After: 86400 s, longer "
                                    f"than the harness waits ({MAX_RETRY_AFTER:g} s); not retried")
    assert len(here.seen("/busy")) == 1
    with pytest.raises(HarnessError) as blocked:
        client_of(http, here).get("/ok")
    assert blocked.value.message.startswith(f"not sent: the run stopped asking {here.url} (the server answered 503")
    assert here.seen("/ok") == []
    assert client_of(http, there).get("/ok").status == 200  # another origin is still asked


def test_an_origin_that_keeps_answering_busy_is_no_longer_asked(http: HttpClient, here: Stub) -> None:
    client = client_of(http, here)
    for _ in range(3):
        with pytest.raises(ServiceBusy):
            client.post("/busy")
    with pytest.raises(HarnessError) as caught:
        client.get("/ok")
    assert not isinstance(caught.value, ServiceBusy)
    assert "3 requests in a row failed, the last: the server answered 503" in caught.value.message
    assert len(here.received) == 3


def test_an_answer_clears_the_count_of_busy_answers(http: HttpClient, here: Stub) -> None:
    client = client_of(http, here)
    for _ in range(2):
        with pytest.raises(ServiceBusy):
            client.post("/busy")
    assert client.get("/ok").status == 200
    for _ in range(2):
        with pytest.raises(ServiceBusy):
            client.post("/busy")
    assert client.get("/ok").status == 200


def test_busy_answers_without_retry_after_are_retried_with_a_growing_wait(http: HttpClient, here: Stub,
                                                                          backoff: list[float]) -> None:
    with pytest.raises(ServiceBusy):
        client_of(http, here).get("/busy?after=none")
    assert backoff == [0.5, 1.0]
    assert len(here.seen("/busy")) == MAX_ATTEMPTS


def test_busy_answers_are_retried_after_their_retry_after(http: HttpClient, here: Stub, backoff: list[float]) -> None:
    with pytest.raises(ServiceBusy):
        client_of(http, here).get("/busy?after=2")
    assert backoff == [2.0, 2.0]


def test_a_get_reset_before_its_answer_is_retried(http: HttpClient, here: Stub, backoff: list[float]) -> None:
    with pytest.raises(TransportError) as caught:
        client_of(http, here).get("/reset")
    assert caught.value.message == "connection reset by the server"
    assert len(here.seen("/reset")) == MAX_ATTEMPTS and backoff == [0.5, 1.0]


def test_a_kept_alive_connection_closed_by_the_server_is_retried_at_once(http: HttpClient, here: Stub,
                                                                         backoff: list[float]) -> None:
    client = client_of(http, here)
    assert client.get("/close-after").status == 200
    # the pool still holds the connection the server closed: the request meets the closed connection, and is
    # sent again on a new one without a wait (RFC 9112 §9.3.1)
    assert client.get("/ok").status == 200
    assert backoff == [] and len(here.seen("/ok")) == 1


def test_a_server_that_never_answers_is_retried_at_once_then_with_a_wait(http: HttpClient, here: Stub,
                                                                         backoff: list[float]) -> None:
    with pytest.raises(TransportError) as caught:
        client_of(http, here).get("/no-answer")
    assert caught.value.message == "the server closed the connection without answering"
    assert len(here.seen("/no-answer")) == MAX_ATTEMPTS and backoff == [1.0]


def test_a_post_reset_before_its_answer_is_not_retried(http: HttpClient, here: Stub, backoff: list[float]) -> None:
    with pytest.raises(TransportError, match="connection reset by the server"):
        client_of(http, here).post("/reset", json={"q": 1})
    assert len(here.seen("/reset")) == 1 and backoff == []


def test_resets_open_the_breaker(http: HttpClient, here: Stub) -> None:
    client = client_of(http, here)
    for _ in range(3):
        with pytest.raises(TransportError):
            client.post("/reset")
    with pytest.raises(HarnessError) as caught:
        client.get("/ok")
    assert caught.value.message.endswith("the last: connection reset by the server)")
    assert here.seen("/ok") == []


def test_a_reset_in_the_body_is_retried_unless_the_body_was_streamed(http: HttpClient, here: Stub,
                                                                     backoff: list[float]) -> None:
    client = client_of(http, here)
    with pytest.raises(ResponseError) as caught:
        client.get("/reset-body")
    assert caught.value.message == "the server reset the connection in the middle of the body"
    assert caught.value.exchange is not None and caught.value.exchange.status == 200
    assert len(here.seen("/reset-body")) == MAX_ATTEMPTS
    chunks: list[bytes] = []
    with pytest.raises(ResponseError):
        client.stream("/reset-body", chunks.append)  # the chunks went to a hash: repeating would count them twice
    assert len(here.seen("/reset-body")) == MAX_ATTEMPTS + 1


# -- budgets -------------------------------------------------------------------------------------------------------


def test_the_request_budget_stops_a_request_before_it_is_sent(make_http: Callable[..., HttpClient],
                                                              here: Stub) -> None:
    client = client_of(make_http(max_requests=1), here)
    client.get("/ok")
    with pytest.raises(BudgetExceeded) as caught:
        client.get("/ok")
    assert caught.value.limit == "max_requests"
    assert len(here.seen("/ok")) == 1
    assert client.http.limits.hit == {"max_requests"}


def test_the_run_byte_budget_stops_a_body_with_evidence(make_http: Callable[..., HttpClient], here: Stub) -> None:
    client = client_of(make_http(max_run_bytes=1000), here)
    with pytest.raises(BudgetExceeded) as caught:
        client.get("/large")
    assert caught.value.limit == "max_run_bytes"
    exchange = caught.value.exchange
    assert exchange is not None and exchange.status == 200
    assert exchange.error == "run byte budget exhausted (max_run_bytes=1000)"
    assert client.http.limits.hit == {"max_run_bytes"}


def test_max_response_bytes_cuts_the_body_and_is_recorded(make_http: Callable[..., HttpClient], here: Stub) -> None:
    http = make_http(max_response_bytes=1000)
    response = client_of(http, here).get("/bytes/5000")
    assert response.truncated and response.exchange.truncated
    assert response.content == b"x" * 1000
    assert http.limits.hit == {"max_response_bytes"}
    with pytest.raises(BudgetExceeded) as caught:
        response.json()
    assert caught.value.message == ("the server announced a body of 5,000 bytes (Content-Length), more than "
                                    "max_response_bytes=1000; not parsed")


def test_a_body_exactly_at_the_cap_is_whole(make_http: Callable[..., HttpClient], here: Stub) -> None:
    http = make_http(max_response_bytes=1000)
    response = client_of(http, here).get("/bytes/1000")
    assert not response.truncated and len(response.content) == 1000
    assert not http.limits.hit


def test_a_request_may_cap_its_response_lower_but_not_higher(make_http: Callable[..., HttpClient],
                                                             here: Stub) -> None:
    client = client_of(make_http(max_response_bytes=1000), here)
    assert len(client.get("/bytes/5000", max_bytes=100).content) == 100
    assert len(client.get("/bytes/5000", max_bytes=10_000).content) == 1000


def test_a_callers_own_lower_cap_is_no_limit_of_the_run(make_http: Callable[..., HttpClient], here: Stub) -> None:
    """A check reading only the head of an answer (max_bytes=65536 for an unknown id) cut a long body at its own
    cap, which the scorecard listed as max_response_bytes reached, and messages named as max_response_bytes=65536,
    though the run's max_response_bytes was 100 MiB: raising it would change nothing."""
    http = make_http(max_response_bytes=1000)
    client = client_of(http, here)
    response = client.get("/bytes/5000", max_bytes=100)
    assert response.truncated and response.limit_name is None
    assert not http.limits.hit
    assert response.cut_reason() == ("the server announced a body of 5,000 bytes (Content-Length), more than the 100 "
                                     "bytes the harness reads of this answer")
    with pytest.raises(HarnessError) as caught:
        response.json()
    assert not isinstance(caught.value, BudgetExceeded) and caught.value.limit is None
    at_the_budget = client.get("/bytes/5000", max_bytes=10_000)
    assert at_the_budget.limit_name == "max_response_bytes" and http.limits.hit == {"max_response_bytes"}


# -- bodies: undecoded, streamed -------------------------------------------------------------------------------------


def test_a_gzip_body_is_inflated(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).get("/gzip")
    assert response.content == PAYLOAD and response.json()["id"] == "x"
    assert here.seen("/gzip")[0].header("Accept-Encoding") == "gzip, deflate"


def test_decode_false_keeps_the_bytes_as_stored(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).get("/gzip", decode=False)
    assert response.content == gzip.compress(PAYLOAD, mtime=0)
    assert gzip.decompress(response.content) == PAYLOAD
    assert here.seen("/gzip")[0].header("Accept-Encoding") == "identity"


def test_stream_passes_every_chunk_on_and_keeps_only_the_evidence(make_http: Callable[..., HttpClient],
                                                                  here: Stub) -> None:
    http = make_http(max_response_bytes=1000)
    chunks: list[bytes] = []
    client = client_of(http, here)
    response = client.stream("/large", chunks.append, max_bytes=len(LARGE) + 1)
    assert b"".join(chunks) == LARGE  # in pieces of about STREAM_PIECE, the last one shorter
    assert all(len(chunk) >= STREAM_PIECE for chunk in chunks[:-1])
    assert response.content == LARGE[:EVIDENCE_KEEP]  # not the body: the head kept as evidence
    assert response.exchange.body_bytes == len(LARGE) and not response.truncated
    assert not http.limits.hit  # a streaming caller may allow more than max_response_bytes
    assert http.limits.bytes == len(LARGE)


def test_a_stream_whose_caller_reports_its_own_digests_skips_the_evidence_sha256(http: HttpClient,
                                                                                 here: Stub) -> None:
    """evidence_digest=False (issue 13): the bytes still reach the caller whole, the evidence keeps its head
    and size, and no sha-256 of the body is computed; by default (and for any held body) it is."""
    client = client_of(http, here)
    chunks: list[bytes] = []
    bare = client.stream("/large", chunks.append, max_bytes=len(LARGE) + 1, evidence_digest=False)
    assert b"".join(chunks) == LARGE and bare.content == LARGE[:EVIDENCE_KEEP]
    assert bare.exchange.body_bytes == len(LARGE) and bare.exchange.body_sha256 is None
    default = client.stream("/large", lambda chunk: None, max_bytes=len(LARGE) + 1)
    assert default.exchange.body_sha256 == hashlib.sha256(LARGE).hexdigest()
    held = client.get("/large", max_bytes=len(LARGE) + 1, evidence_digest=False)
    assert held.exchange.body_sha256 == hashlib.sha256(LARGE).hexdigest()


def test_a_borrowed_stream_hands_on_two_reused_buffers_and_the_last_piece_as_bytes(
        http: HttpClient, here: Stub) -> None:
    """borrowed=True (issue 13): every piece but the last is one of two buffers of STREAM_PIECE bytes
    refilled in turn (no allocation per piece), each unchanged until the caller took the next; a
    pipelined hash of the pieces is the body's, and the evidence is as without it."""
    copies: list[bytes] = []
    buffers: set[int] = set()
    previous: list[bytes | bytearray] = []
    digest = hashlib.sha512()
    hashes = ParallelHashes(digest, pipelined=True)

    def on_chunk(piece: bytes | bytearray) -> None:
        if previous:  # the piece handed before is still as it was when it was handed on
            assert bytes(previous[0]) == copies[-1]
        hashes.update(piece)
        copies.append(bytes(piece))
        previous[:] = [piece]
        if isinstance(piece, bytearray):
            buffers.add(id(piece))

    response = client_of(http, here).stream("/large", on_chunk, max_bytes=len(LARGE) + 1, borrowed=True)
    hashes.wait()
    assert b"".join(copies) == LARGE and digest.digest() == hashlib.sha512(LARGE).digest()
    assert [len(c) for c in copies[:-1]] == [STREAM_PIECE] * (len(LARGE) // STREAM_PIECE)
    assert type(previous[0]) is bytes  # the last piece: bytes of its own
    assert len(buffers) == 2
    assert response.exchange.body_sha256 == hashlib.sha256(LARGE).hexdigest()
    assert response.content == LARGE[:EVIDENCE_KEEP] and response.exchange.body_bytes == len(LARGE)


def test_a_borrowed_stream_smaller_than_a_piece_is_one_bytes_piece(http: HttpClient, here: Stub) -> None:
    pieces: list[bytes | bytearray] = []
    client = client_of(http, here)
    client.stream("/ok", pieces.append, max_bytes=1 << 20, borrowed=True)
    assert len(pieces) == 1 and type(pieces[0]) is bytes and pieces[0] == client.get("/ok").content


def test_stream_reads_only_the_newest_exchanges_for_its_claims(http: HttpClient, here: Stub) -> None:
    """A view's client keeps every exchange of the run: the claims beside streamed bytes are the newest
    JSON answers, found without reading the older ones (a 50-object DRS profile spent its time
    re-reading them at every stream, issue 20)."""

    class Unread:
        @property
        def status(self) -> int:
            raise AssertionError("an exchange older than the claims was read")

    client = client_of(http, here)
    client.exchanges.append(Unread())  # type: ignore[arg-type]
    first = client.get("/ok").exchange
    second = client.get("/ok").exchange
    response = client.stream("/large", lambda chunk: None, max_bytes=len(LARGE) + 1)
    assert response.exchange.claims == [second, first]


def test_a_streaming_callers_own_cap_is_no_limit_of_the_run(make_http: Callable[..., HttpClient],
                                                            here: Stub) -> None:
    http = make_http()
    chunks: list[bytes] = []
    response = client_of(http, here).stream("/large", chunks.append, max_bytes=20_000)
    assert response.truncated and 20_000 < len(b"".join(chunks)) < len(LARGE)
    assert not http.limits.hit


def test_a_stream_without_its_own_cap_is_cut_at_max_response_bytes(make_http: Callable[..., HttpClient],
                                                                   here: Stub) -> None:
    http = make_http(max_response_bytes=20_000)
    response = client_of(http, here).stream(f"{here.url}/large", lambda chunk: None)
    assert response.truncated
    assert http.limits.hit == {"max_response_bytes"}


# -- secrets a server echoes, in evidence cut to its size -----------------------------------------------------------

LONG_TOKEN = "long-" + "Zx7" * 3000  # an opaque token of 9 KB (a passport with many visas is larger)


def test_a_long_secret_a_header_echoes_past_the_evidence_cut_is_masked_whole(http: HttpClient, here: Stub) -> None:
    """A header value is cut in the evidence after it is redacted: cut first, the head of the secret stayed."""
    http.redactor.add(LONG_TOKEN)
    service = Service(index=0, standard=Stub.standard, version="1.0.0", url=here.url)
    client = ServiceClient(http, service, Credentials(origin_of(here.url), {"Authorization": LONG_TOKEN}))
    response = client.get("/echo", params={"in": "header", "pad": 2000})
    echoed = response.exchange.response_headers["X-Echo"]
    assert LONG_TOKEN[:40] not in echoed and MASK in echoed


@pytest.mark.parametrize("status", [500, 503])
def test_a_secret_a_server_echoes_in_its_reason_phrase_is_masked(http: HttpClient, here: Stub, status: int) -> None:
    """The reason phrase is evidence (the exchange's summary, a busy answer's message) as the body is."""
    client = client_of(http, here)
    try:
        response = client.get("/echo", params={"in": "reason", "status": status}, idempotent=False)
        reason, exchange = response.reason, response.exchange
    except ServiceBusy as busy:
        assert TOKEN not in busy.message
        assert busy.exchange is not None
        reason, exchange = busy.exchange.reason, busy.exchange
    assert reason == f"refused Bearer {MASK}" and TOKEN not in exchange.summary()


@pytest.mark.parametrize("pad", [0, 3000])
def test_the_head_of_a_secret_that_ends_the_kept_evidence_is_masked(http: HttpClient, here: Stub, pad: int) -> None:
    """A body echoes a long secret three times: the third runs past what is kept of it, and once the first two are
    masked the text is short enough for its head to be shown, unless the head is masked as well."""
    http.redactor.add(LONG_TOKEN)
    service = Service(index=0, standard=Stub.standard, version="1.0.0", url=here.url)
    client = ServiceClient(http, service, Credentials(origin_of(here.url), {"Authorization": LONG_TOKEN}))
    response = client.get("/echo", params={"pad": pad, "times": 3})
    assert response.exchange.body_bytes > EVIDENCE_KEEP
    shown = response.exchange.response_body
    assert "Zx7Zx7" not in shown and shown.endswith(MASK)


# -- credentials and redirects ----------------------------------------------------------------------------------------


def test_credentials_follow_a_redirect_within_the_origin(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).get(go("/ok"))
    assert response.status == 200
    assert [r.header("Authorization") for r in here.received] == [f"Bearer {TOKEN}"] * 2
    assert response.exchange.redirected_from == [f"{here.url}{go('/ok')}"]


def test_credentials_are_never_sent_across_a_redirect_to_another_origin(http: HttpClient, here: Stub,
                                                                        there: Stub) -> None:
    client = client_of(http, here)
    response = client.get(go(f"{there.url}/ok"), headers={"Authorization": "Bearer mine-0123456789",
                                                           "X-Api-Key": "key-0123456789", "Accept": "text/plain"})
    assert response.status == 200 and response.url == f"{there.url}/ok"
    assert here.received[0].header("Authorization") == "Bearer mine-0123456789"  # the check's own wins at home
    arrived = there.seen("/ok")[0]
    assert arrived.header("Authorization") is None and arrived.header("X-Api-Key") is None
    assert arrived.header("Accept") == "text/plain"
    assert [e.url for e in client.exchanges] == [f"{here.url}{go(f'{there.url}/ok')}", f"{there.url}/ok"]


def test_the_service_credentials_are_not_sent_to_another_origin(http: HttpClient, here: Stub, there: Stub) -> None:
    client_of(http, here).get(go(f"{there.url}/ok"))
    assert here.received[0].header("Authorization") == f"Bearer {TOKEN}"
    assert there.seen("/ok")[0].header("Authorization") is None


@pytest.mark.parametrize("given", ["answer", "redirect"])
def test_a_url_naming_the_service_to_urlsplit_but_reaching_another_host_gets_no_credentials(
        http: HttpClient, here: Stub, there: Stub, given: str) -> None:
    """``http://there\\@here/`` names ``here`` to urlsplit and is requested from ``there`` (urllib3 ends the
    authority at a backslash, as browsers do): judged by urlsplit, it took the service's credentials to
    ``there``, from a URL an answer gave (an access URL, a ticket's) or a redirect."""
    target = f"http://{urlsplit(there.url).netloc}\\@{urlsplit(here.url).netloc}/ok"
    client = client_of(http, here)
    response = client.get(target if given == "answer" else go(target))
    assert response.status == 404 and there.received and here.seen("/ok") == []
    assert [r.header("Authorization") for r in there.received] == [None]


def test_a_url_reaching_a_link_local_address_behind_the_services_name_is_not_requested(http: HttpClient,
                                                                                       here: Stub) -> None:
    """The same URL shape may not pass a link-local target off as the service's own origin (never judged)."""
    client = client_of(http, here)
    with pytest.raises(RefusedTarget) as caught:
        client.get(f"http://169.254.169.254\\@{urlsplit(here.url).netloc}/latest/meta-data/")
    assert "link-local or special address, never followed" in caught.value.message
    assert here.received == []


def test_an_allowed_host_is_the_host_the_url_reaches(http: HttpClient, here: Stub, there: Stub) -> None:
    """A host of auth.allowed_hosts gets the credentials only where the request goes to it."""
    client = client_of(http, there, allowed_hosts=frozenset({"127.0.0.3"}))
    client.get(f"http://{urlsplit(here.url).netloc}\\@127.0.0.3/ok")
    assert [r.header("Authorization") for r in here.received] == [None]


def test_credentials_go_to_an_allowed_host(http: HttpClient, here: Stub, there: Stub) -> None:
    client_of(http, here, allowed_hosts=frozenset({"127.0.0.2"})).get(go(f"{there.url}/ok"))
    assert there.seen("/ok")[0].header("Authorization") == f"Bearer {TOKEN}"


def test_without_credentials_sends_none_and_shares_the_evidence(http: HttpClient, here: Stub) -> None:
    client = client_of(http, here)
    anonymous = client.without_credentials()
    anonymous.get("/ok")
    client.get("/ok")
    assert [r.header("Authorization") for r in here.seen("/ok")] == [None, f"Bearer {TOKEN}"]
    assert client.credentials is not None and anonymous.credentials is None
    assert anonymous.exchanges is client.exchanges and len(client.exchanges) == 2


def test_a_307_post_with_a_body_is_not_followed_to_another_origin(http: HttpClient, here: Stub,
                                                                  there: Stub) -> None:
    with pytest.raises(TransportError) as caught:
        client_of(http, here).post(go(f"{there.url}/ok", 307), json={"token": "t"})
    assert caught.value.message == (f"the server redirected a POST with a body to another origin ({there.url}/ok); "
                                    "not followed")
    assert caught.value.exchange is not None and caught.value.exchange.status == 307
    assert there.received == []


def test_a_307_post_is_followed_with_its_body_within_the_origin(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).post(go("/ok", 307), json={"q": 1})
    assert response.json() == {"method": "POST", "body": '{"q": 1}', "content_type": "application/json",
                               "query": {}}


@pytest.mark.parametrize("status", [302, 303])
def test_a_post_redirected_by_302_or_303_becomes_a_get_without_its_body(http: HttpClient, here: Stub, there: Stub,
                                                                       status: int) -> None:
    response = client_of(http, here).post(go(f"{there.url}/ok", status), json={"q": 1})
    assert response.json() == {"method": "GET", "body": "", "content_type": None, "query": {}}


def test_the_body_of_a_followed_redirect_is_not_streamed(make_http: Callable[..., HttpClient], here: Stub) -> None:
    """A streamed body is the one the redirect leads to: the redirect's own page (an object store's
    "Redirecting...") never reaches the caller's hash, and is evidence of the redirect only."""
    http = make_http()
    chunks: list[bytes] = []
    client = client_of(http, here)
    response = client.stream(go("/large", body=3), chunks.append, max_bytes=len(LARGE) + 1)
    assert b"".join(chunks) == LARGE
    assert response.exchange.body_bytes == len(LARGE) and response.exchange.redirected_from
    redirect = client.exchanges[-2]
    assert redirect.status == 302 and redirect.body_bytes == 3 * len(b"<html>Redirecting</html>")
    assert not http.limits.hit


def test_a_followed_redirect_larger_than_a_document_is_no_limit_of_the_run(make_http: Callable[..., HttpClient],
                                                                           here: Stub) -> None:
    """Its body is not needed: cut at the document cap, the redirect is followed, and the run does not
    report that it reached max_document_bytes."""
    http = make_http(max_document_bytes=1000)
    response = client_of(http, here).get(go("/ok", body=100))
    assert response.status == 200 and response.json()["method"] == "GET"
    assert not http.limits.hit
    unfollowed = client_of(http, here).get(go("/ok", body=100), follow_redirects=False)
    assert unfollowed.status == 302 and unfollowed.truncated and http.limits.hit == {"max_document_bytes"}


def test_a_redirect_loop_is_an_error(http: HttpClient, here: Stub) -> None:
    with pytest.raises(TransportError) as caught:
        client_of(http, here).get("/loop/a")
    assert caught.value.message == f"the server answered with a redirect loop starting at {here.url}/loop/a"
    assert len(here.received) == 2


def test_too_many_redirects_are_an_error(http: HttpClient, here: Stub) -> None:
    with pytest.raises(TransportError) as caught:
        client_of(http, here).get("/chain/0")
    assert caught.value.message == (f"the server answered with more than {MAX_REDIRECTS} redirects starting at "
                                    f"{here.url}/chain/0")
    assert len(here.received) == MAX_REDIRECTS + 1


def test_a_redirect_is_handed_over_when_not_followed(http: HttpClient, here: Stub) -> None:
    response = client_of(http, here).get(go("/ok"), follow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/ok"
    assert len(here.received) == 1


@pytest.mark.parametrize(("target", "message"), [
    ("file:///etc/passwd", "the server redirected to a non-http(s) URL (file:///etc/passwd)"),
    ("http://169.254.169.254/latest/meta-data/", "the server redirected to http://169.254.169.254/latest/meta-data/: "
                                                 "a link-local or special address, never followed"),
    ("http://[::1", "the server redirected to a URL that cannot be parsed ('http://[::1': Invalid IPv6 URL)"),
])
def test_a_redirect_to_a_forbidden_target_is_not_followed(http: HttpClient, here: Stub, target: str,
                                                          message: str) -> None:
    client = client_of(http, here)
    with pytest.raises(TransportError) as caught:
        client.get(go(target))
    assert caught.value.message == message
    assert len(client.exchanges) == 1


# -- where a host name leads: judged by the address each connection reaches -----------------------------------------


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., list[str]]]:
    """``names(where, seen_as)``: host names resolving to the given loopback addresses (``where``), and
    connections that reached a loopback address reported as another (``seen_as``: a cloud metadata address, a
    public one), as a name on the internet would lead; returns the names looked up, in order. What the harness
    remembers of declared hosts starts empty."""
    from conformance.http import redirects, transport

    real_resolve, real_peer = socket.getaddrinfo, transport._peer_address
    looked_up: list[str] = []
    monkeypatch.setattr(redirects, "_DECLARED", {})
    monkeypatch.setattr(redirects, "_SPECIAL_FIRST", set())
    redirects._resolves_inner.cache_clear()

    def install(where: dict[str, str], seen_as: dict[str, str] | None = None) -> list[str]:
        def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            looked_up.append(str(host))
            if host in where:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (where[host], port or 0))]
            return real_resolve(host, port, *args, **kwargs)

        def peer(sock: socket.socket) -> str | None:
            found = real_peer(sock)
            return (seen_as or {}).get(found or "", found)

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        monkeypatch.setattr(transport, "_peer_address", peer)
        return looked_up

    yield install
    redirects._resolves_inner.cache_clear()


def port_of(app: Stub) -> int:
    return int(urlsplit(app.url).port or 0)


def test_a_redirect_to_a_name_for_a_link_local_address_is_not_followed(http: HttpClient, here: Stub, there: Stub,
                                                                       names: Callable[..., list[str]]) -> None:
    """The name resolves (where the connection is made, once) to what the connection reports as the cloud
    metadata address: the connection is closed before anything is sent, and the check reads one line."""
    looked_up = names({"metadata.test": "127.0.0.2"}, {"127.0.0.2": "169.254.169.254"})
    target = f"http://metadata.test:{port_of(there)}/ok"
    client = client_of(http, here)
    with pytest.raises(TransportError) as caught:
        client.get(go(target))
    assert caught.value.message == (f"the server redirected to {target}, at 169.254.169.254: a link-local or special "
                                    "address, never followed")
    assert there.received == [] and looked_up.count("metadata.test") == 1  # no lookup beside the connection's
    assert [e.status for e in client.exchanges] == [302, None]
    assert caught.value.exchange is client.exchanges[-1] and client.exchanges[-1].error == caught.value.message


def test_a_url_an_answer_gives_is_judged_as_a_redirect_is(http: HttpClient, here: Stub, there: Stub,
                                                          names: Callable[..., list[str]]) -> None:
    """An absolute URL of another origin (an access URL, a ticket's, a log's) is not requested at a link-local
    address, named by its address or by a name for it; nor retried."""
    names({"metadata.test": "127.0.0.2"}, {"127.0.0.2": "169.254.169.254"})
    client = client_of(http, here)
    with pytest.raises(TransportError) as caught:
        client.get("http://169.254.169.254/latest/meta-data/")
    assert caught.value.message == ("not requested: http://169.254.169.254/latest/meta-data/ is at a link-local or "
                                    "special address, never followed")
    target = f"http://metadata.test:{port_of(there)}/ok"
    with pytest.raises(TransportError) as caught:
        client.get(target)
    assert caught.value.message == (f"not requested: {target} is at 169.254.169.254, a link-local or special "
                                    "address, never followed")
    assert there.received == [] and [e.error for e in client.exchanges] == [
        "not requested: http://169.254.169.254/latest/meta-data/ is at a link-local or special address, never "
        "followed", caught.value.message]


def test_the_declared_service_is_never_judged(http: HttpClient, here: Stub, names: Callable[..., list[str]]) -> None:
    """The profile's own service is requested wherever its name leads (a local deployment, a docker-compose
    service), and a redirect within its origin too."""
    names({"local.test": "127.0.0.1"}, {"127.0.0.1": "169.254.169.254"})
    service = Service(index=0, standard=Stub.standard, version="1.0.0", url=f"http://local.test:{port_of(here)}")
    client = ServiceClient(http, service, None)
    assert client.get(go("/ok")).status == 200
    assert len(here.seen("/ok")) == 1


def test_a_declared_name_that_moves_to_cloud_metadata_mid_run_is_not_used(
        http: HttpClient, here: Stub, names: Callable[..., list[str]]) -> None:
    """A service's own name is not judged, but one whose connections went to a public address and now lead to a
    link-local one (its name server moved it) is not used: what answers there is not the service."""
    names({"svc.test": "127.0.0.1"}, {"127.0.0.1": "93.184.216.34"})
    service = Service(index=0, standard=Stub.standard, version="1.0.0", url=f"http://svc.test:{port_of(here)}")
    client = ServiceClient(http, service, None)
    assert client.get("/ok").status == 200
    http.close()  # the next request connects anew
    names({"svc.test": "127.0.0.1"}, {"127.0.0.1": "169.254.169.254"})
    with pytest.raises(RefusedTarget, match=r"is at 169\.254\.169\.254, a link-local or special address, where "
                                            r"the service's name led elsewhere before; not used"):
        client.get("/ok")
    assert len(here.seen("/ok")) == 1


def test_a_name_for_a_private_address_is_followed_only_for_a_service_on_one(
        http: HttpClient, here: Stub, there: Stub, names: Callable[..., list[str]]) -> None:
    """A service whose connections reached a public address may not send the harness into a private network; a
    docker-compose service (its name leading to a private address) may point at its neighbours, by name too."""
    names({"public.test": "127.0.0.1", "compose.test": "127.0.0.1", "minio.test": "127.0.0.2"},
          {"127.0.0.1": "93.184.216.34"})
    target = f"http://minio.test:{port_of(there)}/ok"
    public = ServiceClient(http, Service(index=0, standard=Stub.standard, version="1.0.0",
                                         url=f"http://public.test:{port_of(here)}"), None)
    assert public.get("/ok").status == 200  # where public.test leads is what judges it
    with pytest.raises(TransportError) as caught:
        public.get(target)
    assert caught.value.message == (f"not requested: {target} is at 127.0.0.2, a loopback or private address, "
                                    "followed only for a service on such an address (a host of the deployment's "
                                    "own network is followed when the entry lists it under auth.allowed_hosts)")
    assert there.received == []

    names({"compose.test": "127.0.0.1", "minio.test": "127.0.0.2"})
    compose = ServiceClient(http, Service(index=1, standard=Stub.standard, version="1.0.0",
                                          url=f"http://compose.test:{port_of(here)}"), None)
    assert compose.get(go(target)).status == 200 and compose.get(target).status == 200
    assert len(there.seen("/ok")) == 2


def test_a_host_the_entry_lists_under_allowed_hosts_is_requested_as_declared(
        http: HttpClient, here: Stub, there: Stub, names: Callable[..., list[str]]) -> None:
    """A public service whose object store sits on the harness's own network (a private endpoint, split DNS):
    the entry vouches for that host under auth.allowed_hosts, and its URLs are followed, by a redirect too."""
    from conformance.profile import Auth

    names({"public.test": "127.0.0.1", "store.test": "127.0.0.2"}, {"127.0.0.1": "93.184.216.34"})
    target = f"http://store.test:{port_of(there)}/ok"
    service = Service(index=0, standard=Stub.standard, version="1.0.0", url=f"http://public.test:{port_of(here)}",
                      auth=Auth(allowed_hosts=("store.test",)))
    client = ServiceClient(http, service, None)
    assert client.get("/ok").status == 200
    assert client.get(target).status == 200 and client.get(go(target)).status == 200
    assert len(there.seen("/ok")) == 2


def test_a_kept_alive_connection_is_judged_for_each_request(http: HttpClient, here: Stub, there: Stub,
                                                            names: Callable[..., list[str]]) -> None:
    """A connection one service may use (its own) is not reused for a request another service's answer gave."""
    names({"public.test": "127.0.0.1", "minio.test": "127.0.0.2"}, {"127.0.0.1": "93.184.216.34"})
    neighbour = ServiceClient(http, Service(index=0, standard=Stub.standard, version="1.0.0",
                                            url=f"http://minio.test:{port_of(there)}"), None)
    assert neighbour.get("/ok").status == 200  # declared: its connection stays open in the pool
    public = ServiceClient(http, Service(index=1, standard=Stub.standard, version="1.0.0",
                                         url=f"http://public.test:{port_of(here)}"), None)
    public.get("/ok")
    with pytest.raises(TransportError) as caught:
        public.get(f"http://minio.test:{port_of(there)}/ok")
    assert "is at 127.0.0.2, a loopback or private address" in caught.value.message
    assert len(there.seen("/ok")) == 1
    assert neighbour.get("/ok").status == 200


def test_a_name_that_does_not_resolve_is_left_to_the_request(http: HttpClient, here: Stub) -> None:
    with pytest.raises(TransportError) as caught:
        client_of(http, here).get("http://no-such-host.invalid/x")
    assert caught.value.message == "host name does not resolve"


@pytest.mark.parametrize(("environ", "url", "expected"), [
    ({"HTTPS_PROXY": "http://proxy.example:3128"}, "https://drs.example.org/ga4gh/drs/v1", "HTTPS_PROXY"),
    ({"https_proxy": "http://proxy.example:3128"}, "https://drs.example.org/x", "HTTPS_PROXY"),
    ({"HTTP_PROXY": "http://proxy.example:3128"}, "https://drs.example.org/x", None),
    ({"ALL_PROXY": "socks5://proxy.example:1080"}, "http://drs.example.org/x", "ALL_PROXY"),
    ({"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": ".example.org"}, "https://drs.example.org/x", None),
    ({"HTTPS_PROXY": "http://proxy.example:3128"}, "https://127.0.0.1:8443/x", None),
    ({}, "https://drs.example.org/x", None),
])
def test_the_proxy_the_environment_names_is_reported_never_used(
        monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], url: str, expected: str | None) -> None:
    from conformance.http.client import unused_proxy

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert unused_proxy(url) == expected
