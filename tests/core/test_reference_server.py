"""conformance/reference/server.py: a client that goes away is no error of the reference server."""

from __future__ import annotations

import socket
import struct
import time
from typing import Any, ClassVar

import pytest

from conformance.reference.app import ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer


class Tiny(ReferenceApp):
    standard = "tiny"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)

    @route("GET", "/hello")
    def hello(self, request: Request) -> Reply:
        return json_reply({"hello": "world"})

    @route("GET", "/raw")
    def raw(self, request: Request) -> Reply:
        def write(handler: Any) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"ok")

        return Reply(raw=write, keep_alive=request.arg("keep") == "1")


@pytest.mark.parametrize(("keep", "open_after"), [("1", True), ("0", False)])
def test_a_raw_answer_closes_its_connection_unless_it_keeps_it_alive(keep: str, open_after: bool) -> None:
    with ReferenceServer(Tiny()) as server, socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(f"GET /raw?keep={keep} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        answer = b""
        while not answer.endswith(b"\r\n\r\nok"):
            answer += conn.recv(4096)
        try:  # a second request on the connection is answered only if it stayed open
            conn.sendall(f"GET /raw?keep={keep} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            again = conn.recv(4096)
        except ConnectionError:  # the closed connection's reset came first
            again = b""
        assert again.startswith(b"HTTP/1.1 200") if open_after else again == b""


def test_a_client_resetting_its_connection_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with ReferenceServer(Tiny()) as server:
        client = socket.create_connection(("127.0.0.1", server.port))
        client.sendall(b"GET /hel")  # half a request line, then a reset (SO_LINGER 0: RST, not FIN)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        time.sleep(0.3)
    assert "Traceback" not in capsys.readouterr().err
