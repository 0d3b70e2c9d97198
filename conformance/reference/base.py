"""The framework of the embedded reference servers.

A reference server is a small in-process HTTP application bound to a free loopback port. Its
behaviour is conformant unless named *faults* are injected, each one a single spec violation and
each naming the checks that must catch it. The harness's own tests run every suite against every
fault and against the conformant server; ``conformance reference serve`` runs one for users.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from conformance.errors import UsageError

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Fault:
    """One injectable spec violation."""

    name: str
    description: str
    #: Ids of the checks that must fail (or warn, for a SHOULD) when this fault is injected.
    catches: tuple[str, ...]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: For misbehaving servers: write the answer by hand (stall, trickle, reset...).
    raw: Callable[[BaseHTTPRequestHandler], None] | None = None
    #: A body produced in pieces (sent with chunked transfer encoding).
    stream: Iterator[bytes] | None = None


def json_reply(data: Any, status: int = 200, headers: Mapping[str, str] | None = None,
               content_type: str = "application/json") -> Reply:
    return Reply(status, json.dumps(data).encode(), {"Content-Type": content_type, **(headers or {})})


Handler = Callable[..., Reply]


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Declare a handler for ``method`` on ``pattern`` (``{name}`` matches one path segment,
    ``{name:path}`` the rest of the path)."""

    def decorate(function: Handler) -> Handler:
        routes: list[tuple[str, str]] = getattr(function, "_routes", [])
        routes.append((method.upper(), pattern))
        function._routes = routes  # type: ignore[attr-defined]
        return function

    return decorate


def _compile(pattern: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", pattern)
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
    return re.compile(f"^{regex}$")


class ReferenceApp:
    """Base of every reference application: routing, fault bookkeeping, service-info."""

    #: The standard this server implements (the profile's ``standard:``).
    standard: ClassVar[str] = ""
    #: The spec versions this server can speak.
    versions: ClassVar[tuple[str, ...]] = ()
    #: Named faults this server can inject.
    FAULTS: ClassVar[dict[str, Fault]] = {}
    #: Path prefix of the API under the server root (``/ga4gh/drs/v1``).
    base_path: ClassVar[str] = ""

    def __init__(self, faults: Iterable[str] = (), version: str | None = None,
                 options: Mapping[str, Any] | None = None) -> None:
        self.faults = frozenset(faults)
        unknown = sorted(self.faults - set(self.FAULTS))
        if unknown:
            raise UsageError(f"unknown fault(s) for the {self.standard} reference server: {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(self.FAULTS))})")
        self.version = version or self.versions[-1]
        self.options = dict(options or {})
        self.root_url = ""  # set when the server starts
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        for name in dir(type(self)):
            function = getattr(type(self), name)
            for method, pattern in getattr(function, "_routes", []):
                self._routes.append((method, _compile(self.base_path + pattern), getattr(self, name)))

    @property
    def url(self) -> str:
        """The service URL a profile names (root plus the API's base path)."""
        return self.root_url + self.base_path

    def has(self, fault: str) -> bool:
        if fault not in self.FAULTS:
            raise KeyError(f"{type(self).__name__} has no fault {fault!r}")
        return fault in self.faults

    def handle(self, request: Request) -> Reply:
        allowed: list[str] = []
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if not match:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            request.params = {k: unquote(v) for k, v in match.groupdict().items()}
            return handler(request)
        if allowed:
            return json_reply({"msg": "method not allowed", "status_code": 405}, 405,
                              {"Allow": ", ".join(sorted(set(allowed)))})
        return self.not_found(request)

    def not_found(self, request: Request) -> Reply:
        return json_reply({"msg": f"no such endpoint: {request.path}", "status_code": 404}, 404)

    #: ``role:`` of the profile entry this server answers to, for standards with several roles.
    role: ClassVar[str | None] = None

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        """Profile entries the demo declares for this server (``reference: true`` instead of a url)."""
        return [{"standard": cls.standard, "version": cls.versions[-1], "reference": True}]

    def issued_secrets(self) -> dict[str, str]:
        """Credentials this server issued for the run, by ``auth`` key (``passport_env``, ...)."""
        return {}


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
        self._thread = threading.Thread(target=self.httpd.serve_forever, name=f"reference-{app.standard}",
                                        daemon=True)

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
