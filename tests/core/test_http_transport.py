"""The transport (conformance/http/transport.py): one line for what a server or the network did, the
body read in bounded chunks within the request's wall clock, the watch that shuts a socket, and the
bookkeeping of large bodies."""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from types import SimpleNamespace

import pytest
import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from conformance.errors import BudgetExceeded, ResponseError
from conformance.exchange import Exchange
from conformance.http.models import Response
from conformance.http.transport import (
    CHUNK,
    Allowed,
    LargeBodies,
    Watch,
    allowed,
    describe_transport_error,
    read_chunks,
)
from conformance.reference.server import free_port

# -- describe_transport_error -------------------------------------------------------------------------------


def test_a_timeout_cut_by_the_runs_deadline_names_max_seconds() -> None:
    """A request given less than request_timeout_seconds (what remained of max_seconds) says so, and names
    max_seconds as the limit reached: "no answer within request_timeout_seconds=14.8" sent a user looking at a
    setting of 30."""
    assert allowed(30.0, 30.0, 900.0) == Allowed("request_timeout_seconds=30", "request_timeout_seconds")
    assert allowed(14.8088, 30.0, 15.0) == Allowed("14.8 s (what remained of max_seconds=15)", "max_seconds")
    error = requests.exceptions.ReadTimeout("Read timed out. (read timeout=14.8)")
    assert describe_transport_error(error, 14.8088, allowed(14.8088, 30.0, 15.0)) == \
        "no answer within 14.8 s (what remained of max_seconds=15) (the server accepted the connection)"


REFUSED = ("HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /service-info (Caused by "
           "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new "
           "connection: [Errno 111] Connection refused'))")


TLS_UNTRUSTED = ("TLS certificate not trusted (self-signed or unknown CA); name the CA file with ca_bundle: in the "
                 "profile")
NOT_HTTP = "the server's answer is not HTTP (a malformed status line or headers)"
ConnError = requests.exceptions.ConnectionError


@pytest.mark.parametrize(("exc", "line"), [
    pytest.param(requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                              "self-signed certificate (_ssl.c:1006)"), TLS_UNTRUSTED,
                 id="self-signed"),
    pytest.param(requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to "
                                              "get local issuer certificate"), TLS_UNTRUSTED, id="unknown-ca"),
    pytest.param(requests.exceptions.SSLError("hostname 'a.example' doesn't match 'b.example'"),
                 "TLS certificate does not name this host", id="other-host"),
    pytest.param(requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number"),
                 "TLS handshake failed (SSLError)", id="handshake"),
    pytest.param(requests.exceptions.ReadTimeout("HTTPConnectionPool(host='h', port=80): Read timed out. "
                                                 "(read timeout=2.5)"),
                 "no answer within request_timeout_seconds=2.5 (the server accepted the connection)",
                 id="read-timeout"),
    pytest.param(ConnError(REFUSED), "connection refused", id="refused"),
    pytest.param(ConnError("Failed to resolve 'nowhere.invalid' ([Errno -2] Name or service not known)"),
                 "host name does not resolve", id="no-such-host"),
    pytest.param(ConnError("[Errno -3] Temporary failure in name resolution"), "host name does not resolve",
                 id="dns-down"),
    pytest.param(ConnError(ConnectionResetError(104, "Connection reset by peer")), "connection reset by the server",
                 id="reset"),
    pytest.param(requests.exceptions.ChunkedEncodingError(
        "('Connection broken: IncompleteRead(10 bytes read, 5 more expected)', IncompleteRead(10 bytes read, 5 more "
        "expected))"), "the server closed the connection before the body was complete (Content-Length mismatch?)",
        id="incomplete"),
    pytest.param(ConnError("('Connection aborted.', RemoteDisconnected('Remote end closed connection without "
                           "response'))"), "the server closed the connection without answering", id="no-answer"),
    pytest.param(ConnError("('Connection aborted.', BadStatusLine('HELLO\\r\\n'))"), NOT_HTTP, id="bad-status-line"),
    pytest.param(ConnError("('Connection aborted.', LineTooLong('got more than 65536 bytes when reading header "
                           "line'))"), NOT_HTTP, id="line-too-long"),
    pytest.param(requests.exceptions.ContentDecodingError("Received response with content-encoding: gzip, but failed "
                                                          "to decode it."),
                 "the body could not be decoded as its Content-Encoding says", id="gzip"),
    pytest.param(requests.exceptions.InvalidURL("Failed to parse: http://[::1"),
                 "invalid URL (Failed to parse: http://[::1)", id="invalid-url"),
    pytest.param(ValueError("first line\nsecond line"), "ValueError: first line", id="other"),
])
def test_describe_transport_error_names_what_happened(exc: BaseException, line: str) -> None:
    assert describe_transport_error(exc, 2.5) == line


def test_a_connect_timeout_is_at_most_ten_seconds_or_the_request_timeout() -> None:
    exc = requests.exceptions.ConnectTimeout("Connection to 10.255.255.1 timed out. (connect timeout=10)")
    assert describe_transport_error(exc, 30) == "connection not accepted within 10 s"
    assert describe_transport_error(exc, 2.5) == "connection not accepted within 2.5 s"


def test_an_unknown_error_is_one_line_of_at_most_200_characters() -> None:
    line = describe_transport_error(RuntimeError("x" * 500), 1)
    assert line == ("RuntimeError: " + "x" * 500)[:200]


def test_a_real_refused_connection_is_named() -> None:
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        requests.get(f"http://127.0.0.1:{free_port()}/", timeout=2)
    assert describe_transport_error(caught.value, 2) == "connection refused"


def test_a_host_name_is_not_taken_for_a_tls_problem() -> None:
    exc = requests.exceptions.ConnectionError(REFUSED.replace("HTTPConnectionPool(host='127.0.0.1', port=9)",
                                                              "HTTPSConnectionPool(host='ssl.example.org', port=443)"))
    assert describe_transport_error(exc, 2) == "connection refused"


# -- read_chunks --------------------------------------------------------------------------------------------


class FakeBody:
    """A stand-in for urllib3's response: ``read1`` hands out the given pieces (or raises them)."""

    def __init__(self, *pieces: bytes | BaseException, headers: Mapping[str, str] | None = None,
                 bytes_read: int | None = None) -> None:
        self.pieces = list(pieces)
        self.headers = dict(headers or {})
        self.calls: list[tuple[int, bool]] = []
        if bytes_read is not None:
            self._fp_bytes_read = bytes_read

    def read1(self, amt: int, decode_content: bool = True) -> bytes:
        self.calls.append((amt, decode_content))
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if isinstance(piece, BaseException):
            raise piece
        return piece


def raw(body: FakeBody, headers: Mapping[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.raw = body
    response.headers = CaseInsensitiveDict(dict(headers or {}))
    return response


def test_read_chunks_yields_the_body_in_bounded_reads_until_it_ends() -> None:
    body = FakeBody(b"ab", b"cd", b"e")
    assert list(read_chunks(raw(body), time.monotonic(), 5, Watch())) == [b"ab", b"cd", b"e"]
    assert body.calls == [(CHUNK, True)] * 4


def test_read_chunks_without_decoding_asks_for_the_stored_bytes() -> None:
    body = FakeBody(b"\x1f\x8b")
    assert list(read_chunks(raw(body), time.monotonic(), 5, Watch(), decode=False)) == [b"\x1f\x8b"]
    assert {decode for _, decode in body.calls} == {False}


READ_TIMEOUT = urllib3.exceptions.ReadTimeoutError(None, "/x", "Read timed out.")  # type: ignore[arg-type]  # no pool


@pytest.mark.parametrize("exc", [TimeoutError("timed out"), READ_TIMEOUT,
                                 urllib3.exceptions.ProtocolError("Read timed out.")],
                         ids=["TimeoutError", "ReadTimeoutError", "read-timed-out"])
def test_a_body_that_does_not_come_is_the_request_timeout(exc: BaseException) -> None:
    chunks = read_chunks(raw(FakeBody(exc)), time.monotonic(), 2, Watch())
    with pytest.raises(BudgetExceeded) as caught:
        next(chunks)
    assert caught.value.limit == "request_timeout_seconds"
    assert caught.value.message == ("the server sent its headers, then nothing of its body within "
                                    "request_timeout_seconds=2")


def test_a_body_stalled_when_the_run_had_less_time_left_names_max_seconds() -> None:
    chunks = read_chunks(raw(FakeBody(TimeoutError("timed out"))), time.monotonic(), 1.9, Watch(),
                         named=allowed(1.99958, 30.0, 2.0))
    with pytest.raises(BudgetExceeded) as caught:
        next(chunks)
    assert caught.value.limit == "max_seconds"
    assert caught.value.message == ("the server sent its headers, then nothing of its body within 2.0 s (what "
                                    "remained of max_seconds=2)")


def test_a_body_that_outlasts_the_wall_clock_is_too_slow() -> None:
    chunks = read_chunks(raw(FakeBody(b"a", b"b"), {"Content-Length": "10"}), time.monotonic() - 10, 1.5, Watch())
    assert next(chunks) == b"a"  # what has arrived is handed over, then the clock is checked
    with pytest.raises(BudgetExceeded) as caught:
        next(chunks)
    assert caught.value.limit == "request_timeout_seconds"
    assert caught.value.message == ("response body not complete within request_timeout_seconds=1.5 (the server "
                                    "sent 1 of the 10 bytes its Content-Length announced: it sends its body too "
                                    "slowly)")


def test_a_body_without_a_length_that_outlasts_the_wall_clock_is_not_called_slow() -> None:
    """An endless body (or a gzip bomb) comes as fast as the network goes: what the clock cut short is a body
    that did not end, not a slow server."""
    piece = b"a" * 65536
    chunks = read_chunks(raw(FakeBody(piece, piece, bytes_read=3000)), time.monotonic() - 10, 1, Watch())
    assert next(chunks) == piece
    with pytest.raises(BudgetExceeded) as caught:
        next(chunks)
    assert caught.value.limit == "request_timeout_seconds"
    assert caught.value.message == ("response body not complete within request_timeout_seconds=1 (the server had "
                                    "sent 3,000 bytes, inflating to 65,536, without ending its body)")
    assert "slowly" not in caught.value.message
    chunks = read_chunks(raw(FakeBody(piece, piece)), time.monotonic() - 10, 1, Watch())
    next(chunks)
    with pytest.raises(BudgetExceeded, match=r"\(the server had sent 65,536 bytes without ending its body\)$"):
        next(chunks)


def test_a_socket_the_watch_shut_is_too_slow_not_the_end_of_the_body() -> None:
    watch = Watch()
    watch.kill()
    with pytest.raises(BudgetExceeded, match=r"not complete within .*\(the server had sent nothing of its body\)"):
        list(read_chunks(raw(FakeBody()), time.monotonic(), 5, watch))
    with pytest.raises(BudgetExceeded, match="sends its body too slowly"):
        list(read_chunks(raw(FakeBody(), {"Content-Length": "5"}), time.monotonic(), 5, watch))


def test_an_error_after_the_watch_fired_is_too_slow() -> None:
    watch = Watch()
    watch.kill()
    with pytest.raises(BudgetExceeded, match="sends its body too slowly"):
        list(read_chunks(raw(FakeBody(OSError("Bad file descriptor")), {"Content-Length": "5"}), time.monotonic(), 5,
                         watch))


def test_a_reset_in_the_middle_of_the_body_is_transient() -> None:
    chunks = read_chunks(raw(FakeBody(b"{", ConnectionResetError(104, "Connection reset by peer"))),
                         time.monotonic(), 5, Watch())
    assert next(chunks) == b"{"
    with pytest.raises(ResponseError) as caught:
        next(chunks)
    assert caught.value.message == "the server reset the connection in the middle of the body"
    assert caught.value.transient is True


def test_a_body_shorter_than_its_content_length_says_how_much_came() -> None:
    broken = urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead(10 bytes read, 90 more expected)")
    body = FakeBody(b"0123456789", broken, bytes_read=10)
    with pytest.raises(ResponseError) as caught:
        list(read_chunks(raw(body, {"Content-Length": "100"}), time.monotonic(), 5, Watch()))
    assert caught.value.message == ("the server closed the connection after 10 of the 100 bytes its Content-Length "
                                    "announced")
    assert caught.value.transient is False


def test_a_broken_body_without_a_length_says_it_was_not_complete() -> None:
    broken = urllib3.exceptions.ProtocolError("Response ended prematurely")
    with pytest.raises(ResponseError) as caught:
        list(read_chunks(raw(FakeBody(broken)), time.monotonic(), 5, Watch()))
    assert caught.value.message == "the server closed the connection before the body was complete"


def test_a_body_that_does_not_inflate_names_its_content_encoding() -> None:
    broken = urllib3.exceptions.DecodeError("Received response with content-encoding: gzip, but failed to decode it.")
    body = FakeBody(broken, headers={"Content-Encoding": "gzip"})
    with pytest.raises(ResponseError) as caught:
        list(read_chunks(raw(body), time.monotonic(), 5, Watch()))
    assert caught.value.message == "the body could not be decoded as its Content-Encoding (gzip) says"


def test_any_other_broken_body_names_the_kind_of_error() -> None:
    with pytest.raises(ResponseError) as caught:
        list(read_chunks(raw(FakeBody(KeyError("x"))), time.monotonic(), 5, Watch()))
    assert caught.value.message == "the body could not be read (KeyError)"


# -- Watch, LargeBodies -------------------------------------------------------------------------------------


def test_the_watch_shuts_the_socket_of_its_connection() -> None:
    ours, theirs = socket.socketpair()
    try:
        watch = Watch()
        watch.conn = SimpleNamespace(sock=ours)
        watch.kill()
        assert watch.fired
        assert ours.recv(1) == b""  # a read blocked on this socket ends
        assert theirs.recv(1) == b""  # and the peer sees the end
    finally:
        ours.close()
        theirs.close()


def test_the_watch_without_a_connection_only_records_that_it_fired() -> None:
    watch = Watch()
    watch.kill()
    assert watch.fired
    watch.conn = SimpleNamespace(sock=None)
    watch.kill()


def _response(size: int) -> Response:
    exchange = Exchange(method="GET", url="http://h/x")
    return Response(200, "OK", CaseInsensitiveDict(), b"x" * size, "http://h/x", exchange, False, size)


def test_large_bodies_counts_the_large_ones_while_they_live() -> None:
    large = LargeBodies()
    small = _response(1024)
    large.track(small)
    assert large.alive_bytes == 0
    big = _response(LargeBodies.LARGE)
    large.track(big)
    assert large.alive_bytes == LargeBodies.LARGE
    del big
    assert large.alive_bytes == 0
    large.reclaim()  # nothing alive: nothing to collect
    large.reclaim()


def test_a_certificate_for_another_host_is_not_called_untrusted() -> None:
    exc = requests.exceptions.SSLError("HTTPSConnectionPool(host='127.0.0.1', port=8443): Max retries exceeded with "
                                       "url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
                                       "CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, "
                                       "certificate is not valid for '127.0.0.1'. (_ssl.c:1006)')))")
    assert describe_transport_error(exc, 2) == "TLS certificate does not name this host"


def test_the_watchdog_runs_due_actions_in_order_and_never_a_cancelled_one() -> None:
    import threading

    from conformance.http.transport import Watchdog

    dog = Watchdog()
    fired: list[str] = []
    done = threading.Event()
    dog.after(0.15, lambda: (fired.append("late"), done.set()))
    dog.after(0.05, lambda: fired.append("early"))
    dog.after(0.10, lambda: fired.append("cancelled")).cancel()
    dog.after(0.02, lambda: 1 / 0)  # an action that raises stops none of the others
    assert done.wait(5)
    assert fired == ["early", "late"]


def test_the_watchdog_thread_is_woken_only_for_an_earlier_deadline_and_keeps_few_cancelled_ones() -> None:
    """Requests with one timeout each set a deadline later than the one the thread waits for: none of them
    wakes it, and the deadlines they cancelled do not pile up; an earlier deadline still wakes it in time."""
    import threading

    from conformance.http.transport import Watchdog

    dog = Watchdog()
    first = dog.after(30, lambda: None)  # starts the thread, which waits for this deadline
    waited = time.monotonic() + 5
    while dog._wakes_at == float("inf") and time.monotonic() < waited:  # the thread has begun to wait
        time.sleep(0.005)
    wakes = 0
    notify = dog._ready.notify

    def counted(n: int = 1) -> None:
        nonlocal wakes
        wakes += 1
        notify(n)

    dog._ready.notify = counted  # type: ignore[method-assign]
    for _ in range(1000):
        dog.after(30, lambda: None).cancel()
    first.cancel()
    for _ in range(1000):
        dog.after(30, lambda: None).cancel()
    assert wakes == 0
    assert len(dog._due) <= 2
    fired = threading.Event()
    dog.after(0.02, fired.set)
    assert wakes == 1 and fired.wait(5)


def test_a_forked_process_gets_a_watchdog_thread_of_its_own() -> None:
    import os

    from conformance.http.transport import Watchdog

    dog = Watchdog()
    dog.after(0.01, lambda: None)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's thread is not here; its first deadline starts one
        code = 1
        try:
            os.close(read)
            fired = []
            dog.after(0.01, lambda: fired.append(True))
            deadline = time.monotonic() + 5
            while not fired and time.monotonic() < deadline:
                time.sleep(0.01)
            os.write(write, b"fired" if fired else b"never")
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    assert answer == b"fired"
