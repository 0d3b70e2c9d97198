"""The profile's ``proxy`` (conformance/http/client.py ``HttpClient.proxies_for``, transport.py's proxy pools):
requests to a service off this machine go through the proxy named (a URL, or the environment's), a service
on this machine never does, a proxy's credentials are redacted, and a request off the declared origin is
judged by where its host resolves (its connection reaches only the proxy).

The proxy here is a small forward proxy on loopback that maps the test host names to 127.0.0.1: the client
never resolves a proxied http URL's host itself, so ``svc.test`` reaches the reference server through it."""

from __future__ import annotations

import base64
import http.client
import select
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from conformance.errors import TransportError
from conformance.http.client import HttpClient, RefusedTarget
from conformance.http.policy import RunLimits
from conformance.limits import Budget
from conformance.redact import Redactor
from conformance.reference import start
from conformance.testing import run_profile

#: Host names the proxy knows; nothing else resolves them.
TEST_HOSTS = ("svc.test", "elsewhere.test")


class _Proxy(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str]]] = []  # (method, target, Proxy-Authorization)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _note(self) -> None:
        type(self).seen.append((self.command, self.path, self.headers.get("Proxy-Authorization", "")))

    def _forward(self) -> None:
        self._note()
        parts = urlsplit(self.path)
        host = "127.0.0.1" if parts.hostname in TEST_HOSTS else str(parts.hostname)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization",
                                                                              "proxy-connection")}
        upstream = http.client.HTTPConnection(host, parts.port or 80, timeout=10)
        try:
            upstream.request(self.command, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _forward

    def do_CONNECT(self) -> None:
        self._note()
        name, _, port = self.path.rpartition(":")
        host = "127.0.0.1" if name in TEST_HOSTS else name
        with socket.create_connection((host, int(port)), timeout=10) as upstream:
            self.send_response(200, "Connection established")
            self.end_headers()
            sockets = [self.connection, upstream]
            while True:
                ready, _, _ = select.select(sockets, [], [], 10)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)


@pytest.fixture
def proxy() -> Iterator[str]:
    _Proxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def service() -> Iterator[int]:
    server = start("service-info")
    try:
        yield int(urlsplit(server.url).port or 0)
    finally:
        server.stop()


def _client(proxy: str | None, redactor: Redactor | None = None) -> HttpClient:
    return HttpClient(RunLimits(Budget(requests_per_second=1000)), redactor or Redactor(), proxy=proxy)


def test_a_service_off_this_machine_is_reached_through_the_proxy(proxy: str, service: int) -> None:
    client = _client(proxy)
    try:
        response = client.request("GET", f"http://svc.test:{service}/service-info")
    finally:
        client.close()
    assert response.status == 200 and b'"type"' in response.content
    assert [(m, t) for m, t, _ in _Proxy.seen] == [("GET", f"http://svc.test:{service}/service-info")]


def test_without_a_proxy_the_name_is_not_reached_and_a_loopback_service_is_never_proxied(
        proxy: str, service: int) -> None:
    direct = _client(None)
    proxied = _client(proxy)
    try:
        with pytest.raises(TransportError):
            direct.request("GET", f"http://svc.test:{service}/service-info")
        assert proxied.request("GET", f"http://127.0.0.1:{service}/service-info").status == 200
        assert proxied.request("GET", f"http://localhost:{service}/service-info").status == 200
    finally:
        direct.close()
        proxied.close()
    assert _Proxy.seen == []


def test_the_environments_proxy_heeds_no_proxy_and_its_credentials_are_redacted(
        proxy: str, service: int, monkeypatch: pytest.MonkeyPatch) -> None:
    address = urlsplit(proxy).netloc
    monkeypatch.setenv("HTTP_PROXY", f"http://alice:pr0xy-s3cret@{address}")
    monkeypatch.setenv("NO_PROXY", "elsewhere.test")
    redactor = Redactor()
    client = _client("environment", redactor)
    try:
        response = client.request("GET", f"http://svc.test:{service}/service-info")
        with pytest.raises(TransportError):  # NO_PROXY: asked directly, where the name does not resolve
            client.request("GET", f"http://elsewhere.test:{service}/service-info")
    finally:
        client.close()
    assert response.status == 200
    [(method, _, authorization)] = _Proxy.seen
    assert method == "GET"
    assert authorization == "Basic " + base64.b64encode(b"alice:pr0xy-s3cret").decode()
    assert "pr0xy-s3cret" not in redactor.text("the proxy at alice:pr0xy-s3cret@proxy said no")
    assert "pr0xy-s3cret" not in str(response.exchange.to_dict())


def test_a_request_off_the_origin_is_judged_where_its_host_resolves(
        proxy: str, service: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the proxy the connection reaches the proxy: the URL's host is judged by its addresses here."""
    real = socket.getaddrinfo

    def resolving(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "metadata.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    client = _client(proxy)
    try:
        with pytest.raises(RefusedTarget, match=r"metadata\.test/latest is at a link-local or special address"):
            client.request("GET", "http://metadata.test/latest", declared=f"http://svc.test:{service}/")
        # a name that does not resolve here is left to the proxy
        assert client.request("GET", f"http://svc.test:{service}/service-info",
                              declared="http://other.example.org/").status == 200
    finally:
        client.close()
    assert [t for _, t, _ in _Proxy.seen] == [f"http://svc.test:{service}/service-info"]


def test_an_https_service_is_reached_through_a_tunnel(proxy: str, service: int) -> None:
    """CONNECT: the proxy relays bytes and sees the host and port only (the server here speaks plain http, so
    the TLS handshake fails: what matters is the tunnel asked for)."""
    client = _client(proxy)
    try:
        with pytest.raises(TransportError):
            client.request("GET", f"https://svc.test:{service}/service-info")
    finally:
        client.close()
    assert [(m, t) for m, t, _ in _Proxy.seen][:1] == [("CONNECT", f"svc.test:{service}")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_checks_services_through_the_profiles_proxy(proxy: str, service: int, tmp_path: Path,
                                                          jobs: int) -> None:
    """In one process and in workers alike (each worker's client takes the profile's proxy)."""
    entry = {"standard": "service-info", "version": "1.0.0", "artifact": "service-info"}
    result = run_profile({"initiative": "Behind a proxy", "proxy": proxy, "services": [
        {**entry, "url": f"http://svc.test:{service}"}, {**entry, "url": f"http://svc.test:{service}/"}]},
        tmp_path, jobs=jobs)
    assert {s.verdict() for s in result.scorecard.services} == {"conformant"}, result.output
    assert _Proxy.seen and all(t.startswith(f"http://svc.test:{service}/") for _, t, _ in _Proxy.seen)
