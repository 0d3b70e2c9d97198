"""The server side of a reference server: a :class:`~conformance.reference.app.ReferenceApp` served
over HTTP/1.1 on a loopback port, in a background thread of the process."""

from __future__ import annotations

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.errors import UsageError
from conformance.reference.app import ReferenceApp, Request, json_reply

LOOPBACK = "127.0.0.1"
#: Seconds between the serving loop's looks at a stop request: a stop waits up to this long (socketserver's
#: default half second made the demo's end wait for it; a tenth costs a few wake-ups a second per server).
POLL_INTERVAL = 0.1


class _Handler(BaseHTTPRequestHandler):
    app: ReferenceApp
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and the
        # peer's delayed ACK hold the body back ~40 ms per answer on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # reference servers are quiet; the harness records every exchange itself

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          dict(self.headers.items()), body)
        try:
            reply = self.app.handle(request)
        except Exception as exc:  # a bug in a reference server answers 500, like a real one would
            reply = json_reply({"msg": f"internal error: {type(exc).__name__}: {exc}", "status_code": 500}, 500)
        if reply.raw is not None:
            reply.raw(self)
            if not reply.keep_alive:
                self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for piece in reply.stream:
                    if piece:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            return
        if not any(k.lower() == "content-length" for k in reply.headers):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_PATCH = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away (a check cut at its deadline, a run stopped by Ctrl-C) is no error of
        the server's: only other failures print socketserver's traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class ReferenceServer:
    """Runs a :class:`ReferenceApp` on 127.0.0.1 in a background thread."""

    def __init__(self, app: ReferenceApp, port: int = 0, host: str = LOOPBACK) -> None:
        if host not in (LOOPBACK, "localhost", "::1") and not host.startswith("127."):
            raise UsageError("reference servers bind loopback addresses only")
        handler = type("Handler", (_Handler,), {"app": app})
        try:
            self.httpd = _Server((host, port), handler)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.app = app
        self.host = host
        self.port = int(self.httpd.server_address[1])
        app.root_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(POLL_INTERVAL,),
                                        name=f"reference-{app.standard}", daemon=True)

    @property
    def url(self) -> str:
        return self.app.url

    def start(self) -> ReferenceServer:
        if not self._thread.is_alive():
            self._thread.start()
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            self.httpd.server_close()
            return
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
