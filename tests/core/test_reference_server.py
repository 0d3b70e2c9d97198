"""conformance/reference/server.py: a client that goes away is no error of the reference server."""

from __future__ import annotations

import socket
import struct
import time
from typing import ClassVar

import pytest

from conformance.reference.app import ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer


class Tiny(ReferenceApp):
    standard = "tiny"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)

    @route("GET", "/hello")
    def hello(self, request: Request) -> Reply:
        return json_reply({"hello": "world"})


def test_a_client_resetting_its_connection_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with ReferenceServer(Tiny()) as server:
        client = socket.create_connection(("127.0.0.1", server.port))
        client.sendall(b"GET /hel")  # half a request line, then a reset (SO_LINGER 0: RST, not FIN)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        time.sleep(0.3)
    assert "Traceback" not in capsys.readouterr().err
