"""The ~40 ms stall on kept-alive connections to ``http.server``-based servers (issue 20): such a
server sends an answer's headers and body in two segments with Nagle's algorithm on, and the body
waits for the client's (delayed) ACK of the headers. The client asks for an immediate ACK after each
request goes out. No timing is asserted here (benchmarks/keepalive.py measures it); these tests prove
the mechanism on a real server of that kind."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from conformance.http import transport
from conformance.http.client import HttpClient
from conformance.http.policy import RunLimits
from conformance.limits import Budget
from conformance.redact import Redactor

BODY = b'{"ok": true}'


class _Plain(BaseHTTPRequestHandler):
    """As small deployments write it: HTTP/1.1 keep-alive, Nagle on, headers and body in two writes."""

    protocol_version = "HTTP/1.1"
    connections: ClassVar[list[int]] = []

    def setup(self) -> None:
        super().setup()
        self.connections.append(self.client_address[1])

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def plain_server() -> Iterator[str]:
    _Plain.connections = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Plain)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _client() -> HttpClient:
    return HttpClient(RunLimits(Budget(requests_per_second=1e6)), Redactor())


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="does not apply: TCP_QUICKACK is Linux-only")
def test_each_answer_on_a_reused_connection_is_acknowledged_at_once(plain_server: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    armed: list[tuple[int, int]] = []
    original = transport._quick_ack

    def spy(conn: Any) -> None:
        original(conn)
        sock = conn.sock
        armed.append((sock.fileno(), sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))

    monkeypatch.setattr(transport, "_quick_ack", spy)
    client = _client()
    try:
        answers = [client.request("GET", plain_server) for _ in range(5)]
    finally:
        client.close()
    assert [a.status for a in answers] == [200] * 5 and all(a.content == BODY for a in answers)
    assert len(_Plain.connections) == 1, "the five requests share one kept-alive connection"
    assert len(armed) == 5, "quick-ACK is armed before every answer is read, not only the first"
    assert len({fileno for fileno, _ in armed}) == 1
    assert all(nodelay for _, nodelay in armed), "the client's own segments go out without Nagle too"


def test_without_the_option_the_client_still_works(plain_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_TCP_QUICKACK", None)  # a platform without TCP_QUICKACK
    client = _client()
    try:
        assert [client.request("GET", plain_server).status for _ in range(3)] == [200] * 3
    finally:
        client.close()
