"""A corpus of misbehaving servers for the harness's robustness tests (issue 8).

Each is a few lines on the reference-server framework: a :class:`CorpusApp` answers ``/service-info``
the way its behaviour says (stalls, floods, lies about its encoding, redirects away...), on loopback
only. Large bodies are produced lazily, so neither this process nor the harness ever holds them whole.

    python tests/integration/corpus.py list
    python tests/integration/corpus.py serve gzip-bomb --port 8123      # until SIGTERM / Ctrl-C
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import socket
import ssl
import struct
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

from conformance.reference.app import ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.reference.service_info import service_info_document

MiB = 1024 * 1024
#: The 500 MB JSON document (exactly 500,000,000 bytes, announced in Content-Length).
BIG_JSON_BYTES = 500_000_000
#: The gzip bomb: 10 GiB of inflated body.
BOMB_INFLATED = 10 * 1024 * MiB
DEEP_LEVELS = 100_000


def conformant_document() -> dict[str, Any]:
    return service_info_document("service-info", "1.0.0", name="Corpus server")


def _document_bytes() -> bytes:
    return json.dumps(conformant_document()).encode()


@dataclass(frozen=True)
class Behaviour:
    name: str
    description: str
    #: Reply to GET /service-info; receives the app (for its stop event and options) and the request.
    reply: Callable[[CorpusApp, Request], Reply]
    #: The corpus server floods the client with a large body (the memory-bound cases).
    heavy: bool = False


class CorpusApp(ReferenceApp):
    """A service-info server that misbehaves in one named way."""

    standard: ClassVar[str] = "service-info"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)

    def __init__(self, behaviour: str = "conformant", **options: Any) -> None:
        super().__init__(options=options)
        if behaviour not in BEHAVIOURS:
            raise KeyError(f"no corpus server {behaviour!r} (known: {', '.join(BEHAVIOURS)})")
        self.behaviour = BEHAVIOURS[behaviour]
        self.stopping = threading.Event()
        #: Every request this server received: (method, path, headers).
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        self.seen.append((request.method, request.path, dict(request.headers)))
        return self.behaviour.reply(self, request)

    @route("GET", "/elsewhere")
    def elsewhere(self, request: Request) -> Reply:
        self.seen.append((request.method, request.path, dict(request.headers)))
        return Reply(302, headers={"Location": "/service-info", "Content-Length": "0"})

    def not_found(self, request: Request) -> Reply:
        """With ``everywhere=True`` the server misbehaves on every path, so that any standard's
        checks (a DRS, an htsget and a Beacon service at the same server) meet the behaviour."""
        if not self.options.get("everywhere"):
            return super().not_found(request)
        self.seen.append((request.method, request.path, dict(request.headers)))
        return self.behaviour.reply(self, request)

    def wait(self, seconds: float) -> None:
        """Hold a handler thread until the server stops (a stalled server)."""
        self.stopping.wait(seconds)


# -- socket-level helpers ---------------------------------------------------------------------------------


def _write(handler: BaseHTTPRequestHandler, data: bytes) -> bool:
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
        return True
    except OSError:
        return False


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *[f"{k}: {v}" for k, v in headers.items()], "", ""]
    return "\r\n".join(lines).encode()


def _raw(function: Callable[[CorpusApp, BaseHTTPRequestHandler], None]) -> Callable[[CorpusApp, Request], Reply]:
    def reply(app: CorpusApp, request: Request) -> Reply:
        return Reply(raw=lambda handler: function(app, handler))
    return reply


# -- the behaviours ---------------------------------------------------------------------------------------


def _silent(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    app.wait(600)


def _stall_after_headers(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    _write(handler, _head("200 OK", {"Content-Type": "application/json", "Content-Length": "1000"}) + b'{"id": ')
    app.wait(600)


def _trickle(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    """The whole answer, status line included, one byte a second."""
    body = _document_bytes()
    answer = _head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))}) + body
    for index in range(len(answer)):
        if not _write(handler, answer[index:index + 1]) or app.stopping.wait(1.0):
            return


def _trickle_body(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    body = _document_bytes()
    if not _write(handler, _head("200 OK", {"Content-Type": "application/json",
                                            "Content-Length": str(len(body))})):
        return
    for index in range(len(body)):
        if not _write(handler, body[index:index + 1]) or app.stopping.wait(1.0):
            return


def _endless(app: CorpusApp, request: Request) -> Reply:
    def pieces() -> Iterator[bytes]:
        yield b'{"id": "endless", "padding": "'
        block = b"a" * (64 * 1024)
        while not app.stopping.is_set():
            yield block
    return Reply(200, headers={"Content-Type": "application/json"}, stream=pieces())


def gzip_bomb_pieces(inflated: int = BOMB_INFLATED, stopping: threading.Event | None = None) -> Iterator[bytes]:
    """A gzip stream of ``inflated`` bytes of JSON whitespace, made as it is sent (about 1 KB a MiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * MiB
    yield compressor.compress(b"[")
    for _ in range(inflated // MiB):
        if stopping is not None and stopping.is_set():
            return
        yield compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
    yield compressor.compress(b"]") + compressor.flush()


def _gzip_bomb(app: CorpusApp, request: Request) -> Reply:
    return Reply(200, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
                 stream=gzip_bomb_pieces(stopping=app.stopping))


def _big_json(app: CorpusApp, handler: BaseHTTPRequestHandler, size: int = BIG_JSON_BYTES) -> None:
    prefix, suffix = b'{"id": "big", "padding": "', b'"}'
    if not _write(handler, _head("200 OK", {"Content-Type": "application/json",
                                            "Content-Length": str(size)}) + prefix):
        return
    left = size - len(prefix) - len(suffix)
    block = b"a" * MiB
    while left > 0 and not app.stopping.is_set():
        piece = block[:left]
        if not _write(handler, piece):
            return
        left -= len(piece)
    _write(handler, suffix)


def _deep_json(app: CorpusApp, request: Request) -> Reply:
    return Reply(200, b"[" * DEEP_LEVELS + b"]" * DEEP_LEVELS, {"Content-Type": "application/json"})


def _invalid_utf8(app: CorpusApp, request: Request) -> Reply:
    body = _document_bytes().replace(b'"Corpus server"', b'"Corpus \xff\xfe server"')
    return Reply(200, body, {"Content-Type": "application/json"})


def _length_too_long(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    body = _document_bytes()
    _write(handler, _head("200 OK", {"Content-Type": "application/json",
                                     "Content-Length": str(len(body) + 1000)}) + body)
    # and close: the connection ends 1000 bytes short of what Content-Length announced


def _length_too_short(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    body = _document_bytes()
    _write(handler, _head("200 OK", {"Content-Type": "application/json",
                                     "Content-Length": str(len(body) // 2)}) + body)


def _reset_mid_body(app: CorpusApp, handler: BaseHTTPRequestHandler) -> None:
    body = _document_bytes()
    _write(handler, _head("200 OK", {"Content-Type": "application/json",
                                     "Content-Length": str(len(body))}) + body[: len(body) // 3])
    # SO_LINGER with a zero timeout: close() sends a RST instead of a FIN
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def _redirect(location: str | Callable[[CorpusApp], str]) -> Callable[[CorpusApp, Request], Reply]:
    def reply(app: CorpusApp, request: Request) -> Reply:
        target = location(app) if callable(location) else location
        return Reply(302, headers={"Location": target, "Content-Length": "0"})
    return reply


def _retry_after_a_day(app: CorpusApp, request: Request) -> Reply:
    return json_reply({"msg": "slow down", "status_code": 429}, 429, {"Retry-After": "86400"})


def _unavailable(app: CorpusApp, request: Request) -> Reply:
    return json_reply({"msg": "maintenance", "status_code": 503}, 503)


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Something went wrong</h1>"
             b"<p>Please try again later.</p></body></html>")


def _html_200(app: CorpusApp, request: Request) -> Reply:
    return Reply(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})


def _html_500(app: CorpusApp, request: Request) -> Reply:
    return Reply(500, HTML_PAGE, {"Content-Type": "text/html"})


def _gzip_lie(app: CorpusApp, request: Request) -> Reply:
    return Reply(200, _document_bytes(), {"Content-Type": "application/json", "Content-Encoding": "gzip"})


def _conformant(app: CorpusApp, request: Request) -> Reply:
    return json_reply(conformant_document())


def _echo_secrets(app: CorpusApp, request: Request) -> Reply:
    """For the redaction test: redirect once with the secrets in the query string, then answer 500
    with every secret (and the Authorization header received) in the body."""
    secrets: dict[str, str] = app.options.get("secrets", {})
    if not request.query:
        query = "&".join(f"{k}={v}" for k, v in secrets.items())
        return Reply(302, headers={"Location": f"/service-info?{query}", "Content-Length": "0"})
    body = {"msg": "echo", "authorization": request.header("Authorization"), **secrets,
            "link": f"https://example.org/next?access_token={secrets.get('token', '')}"}
    return json_reply(body, 500)


BEHAVIOURS: dict[str, Behaviour] = {b.name: b for b in [
    Behaviour("conformant", "a conformant service-info server (the control)", _conformant),
    Behaviour("silent", "accepts the connection and never answers", _raw(_silent)),
    Behaviour("stall-after-headers", "answers its headers, then stalls", _raw(_stall_after_headers)),
    Behaviour("trickle", "trickles its whole answer, status line included, one byte a second", _raw(_trickle)),
    Behaviour("trickle-body", "answers its headers, then trickles the body one byte a second",
              _raw(_trickle_body)),
    Behaviour("endless-body", "streams an endless body", _endless, heavy=True),
    Behaviour("gzip-bomb", "Content-Encoding: gzip, 10 MB that inflate to 10 GiB", _gzip_bomb, heavy=True),
    Behaviour("json-500mb", "a 500 MB JSON document", _raw(_big_json), heavy=True),
    Behaviour("json-200mb", "a 200 MB JSON document", _raw(lambda app, handler: _big_json(app, handler, 200_000_000)),
              heavy=True),
    Behaviour("deep-json", f"JSON nested {DEEP_LEVELS:,} levels deep", _deep_json),
    Behaviour("invalid-utf8", "invalid UTF-8 in a JSON body", _invalid_utf8),
    Behaviour("gzip-lie", "Content-Encoding: gzip on a body that is not gzip", _gzip_lie),
    Behaviour("length-too-long", "Content-Length larger than the body (then the connection closes)",
              _raw(_length_too_long)),
    Behaviour("length-too-short", "Content-Length smaller than the body", _raw(_length_too_short)),
    Behaviour("reset-mid-body", "resets the connection in the middle of the body", _raw(_reset_mid_body)),
    Behaviour("redirect-loop", "redirects /service-info → /elsewhere → /service-info", _redirect("/elsewhere")),
    Behaviour("redirect-other-host", "redirects to another loopback host (options: target)",
              _redirect(lambda app: str(app.options["target"]))),
    Behaviour("redirect-file", "redirects to a non-http scheme (file:)", _redirect("file:///etc/passwd")),
    Behaviour("retry-after-day", "429 with Retry-After: 86400", _retry_after_a_day),
    Behaviour("unavailable", "503 on every request", _unavailable),
    Behaviour("html-200", "an HTML error page with 200 where JSON is expected", _html_200),
    Behaviour("html-500", "an HTML error page with 500 where JSON is expected", _html_500),
    Behaviour("echo-secrets", "echoes credentials into a redirect's query string and a 500 body",
              _echo_secrets),
]}


# -- running them -------------------------------------------------------------------------------------------


class CorpusServer:
    """A running corpus server (a :class:`ReferenceServer` that also releases its stalled handlers)."""

    def __init__(self, behaviour: str, *, host: str = "127.0.0.1", port: int = 0,
                 tls: ssl.SSLContext | None = None, **options: Any) -> None:
        self.app = CorpusApp(behaviour, **options)
        self.server = ReferenceServer(self.app, port=port, host=host)
        if tls is not None:
            self.server.httpd.socket = tls.wrap_socket(self.server.httpd.socket, server_side=True)
            self.app.root_url = self.app.root_url.replace("http://", "https://", 1)
            if host == "127.0.0.1":
                self.app.root_url = self.app.root_url.replace("127.0.0.1", "localhost", 1)

    @property
    def url(self) -> str:
        return self.app.url

    def start(self) -> CorpusServer:
        self.server.start()
        return self

    def stop(self) -> None:
        self.app.stopping.set()
        self.server.stop()

    def __enter__(self) -> CorpusServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def self_signed(directory: Path, host: str = "localhost") -> tuple[Path, Path, Path]:
    """A CA, and a certificate it signed for ``host`` (and 127.0.0.1): (ca.pem, cert.pem, key.pem)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("corpus test CA")).issuer_name(name("corpus test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name(host)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corpus", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list")
    serve = sub.add_parser("serve")
    serve.add_argument("name", choices=sorted(BEHAVIOURS))
    serve.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "list":
        for behaviour in BEHAVIOURS.values():
            print(f"{behaviour.name:<22} {behaviour.description}")
        return 0
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with CorpusServer(args.name, port=args.port) as server:
        print(server.url, flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
