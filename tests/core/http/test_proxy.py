"""The profile's ``proxy`` (conformance/http/client.py ``HttpClient.proxies_for``, transport.py's proxy pools):
requests to a service off this machine go through the proxy named (a URL, or the environment's), a service
on this machine never does, a proxy's credentials are redacted, and a request off the declared origin is
judged by where its host resolves (its connection reaches only the proxy).

The proxy is ``conformance.testing.forward_proxy``, which sends the test host names to 127.0.0.1: the client
never resolves a proxied URL's host itself, so ``svc.test`` reaches the reference server through it."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.errors import TransportError
from conformance.http.client import HttpClient, RefusedTarget
from conformance.http.policy import RunLimits
from conformance.limits import Budget
from conformance.redact import Redactor
from conformance.reference import start
from conformance.testing import Proxied, forward_proxy, run_profile

#: Host names the proxy knows; nothing else resolves them.
TEST_HOSTS = ("svc.test", "elsewhere.test")


@pytest.fixture
def relay() -> Iterator[Proxied]:
    with forward_proxy(TEST_HOSTS) as proxied:
        yield proxied


@pytest.fixture
def service() -> Iterator[int]:
    server = start("service-info")
    try:
        yield int(urlsplit(server.url).port or 0)
    finally:
        server.stop()


def _resolving(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    """``name`` resolves here to ``address``; every other name as it does."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def _client(proxy: str | None, redactor: Redactor | None = None) -> HttpClient:
    return HttpClient(RunLimits(Budget(requests_per_second=1000)), redactor or Redactor(), proxy=proxy)


def test_a_service_off_this_machine_is_reached_through_the_proxy(relay: Proxied, service: int) -> None:
    client = _client(relay.url)
    try:
        response = client.request("GET", f"http://svc.test:{service}/service-info")
    finally:
        client.close()
    assert response.status == 200 and b'"type"' in response.content
    assert [(m, t) for m, t, _ in relay.seen] == [("GET", f"http://svc.test:{service}/service-info")]


def test_without_a_proxy_the_name_is_not_reached_and_a_loopback_service_is_never_proxied(
        relay: Proxied, service: int) -> None:
    direct = _client(None)
    proxied = _client(relay.url)
    try:
        with pytest.raises(TransportError):
            direct.request("GET", f"http://svc.test:{service}/service-info")
        assert proxied.request("GET", f"http://127.0.0.1:{service}/service-info").status == 200
        assert proxied.request("GET", f"http://localhost:{service}/service-info").status == 200
    finally:
        direct.close()
        proxied.close()
    assert relay.seen == []


def test_the_environments_proxy_heeds_no_proxy_and_its_credentials_are_redacted(
        relay: Proxied, service: int, monkeypatch: pytest.MonkeyPatch) -> None:
    address = urlsplit(relay.url).netloc
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
    [(method, _, authorization)] = relay.seen
    assert method == "GET"
    assert authorization == "Basic " + base64.b64encode(b"alice:pr0xy-s3cret").decode()
    assert "pr0xy-s3cret" not in redactor.text("the proxy at alice:pr0xy-s3cret@proxy said no")
    assert "pr0xy-s3cret" not in str(response.exchange.to_dict())


def test_a_request_off_the_origin_is_judged_where_its_host_resolves(
        relay: Proxied, service: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the proxy the connection reaches the proxy: the URL's host is judged by its addresses here."""
    _resolving(monkeypatch, "metadata.test", "169.254.169.254")
    client = _client(relay.url)
    try:
        with pytest.raises(RefusedTarget, match=r"metadata\.test/latest is at a link-local or special address"):
            client.request("GET", "http://metadata.test/latest", declared=f"http://svc.test:{service}/")
        # a name that does not resolve here is left to the proxy
        assert client.request("GET", f"http://svc.test:{service}/service-info",
                              declared="http://other.example.org/").status == 200
    finally:
        client.close()
    assert [t for _, t, _ in relay.seen] == [f"http://svc.test:{service}/service-info"]


def test_an_https_service_is_reached_through_a_tunnel(relay: Proxied, service: int) -> None:
    """CONNECT: the proxy relays bytes and sees the host and port only (the server here speaks plain http, so
    the TLS handshake fails: what matters is the tunnel asked for)."""
    client = _client(relay.url)
    try:
        with pytest.raises(TransportError):
            client.request("GET", f"https://svc.test:{service}/service-info")
    finally:
        client.close()
    assert [(m, t) for m, t, _ in relay.seen][:1] == [("CONNECT", f"svc.test:{service}")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_checks_services_through_the_profiles_proxy(relay: Proxied, service: int, tmp_path: Path,
                                                          jobs: int) -> None:
    """In one process and in workers alike (each worker's client takes the profile's proxy)."""
    entry = {"standard": "service-info", "version": "1.0.0", "artifact": "service-info"}
    result = run_profile({"initiative": "Behind a proxy", "proxy": relay.url, "services": [
        {**entry, "url": f"http://svc.test:{service}"}, {**entry, "url": f"http://svc.test:{service}/"}]},
        tmp_path, jobs=jobs)
    assert {s.verdict() for s in result.scorecard.services} == {"conformant"}, result.output
    assert relay.seen and all(t.startswith(f"http://svc.test:{service}/") for _, t, _ in relay.seen)


def test_a_service_behind_the_proxy_is_not_placed_on_this_machine_by_its_name(
        relay: Proxied, service: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reached through the proxy, a service whose name resolves here to loopback (DNS its operator controls)
    cannot have the harness fetch this machine's own addresses as the URLs its answers give."""
    _resolving(monkeypatch, "svc.test", "127.0.0.1")
    client = _client(relay.url)
    try:
        assert client.request("GET", f"http://svc.test:{service}/service-info").status == 200
        with pytest.raises(RefusedTarget, match="a loopback or private address"):
            client.request("GET", f"http://127.0.0.1:{service}/service-info", declared=f"http://svc.test:{service}/")
    finally:
        client.close()


def test_a_socks_proxy_in_the_environment_is_named_not_a_harness_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5h://127.0.0.1:9")
    client = _client("environment")
    try:
        with pytest.raises(TransportError, match=r"names a socks5h proxy for http://svc\.test/x .*http\(s\) proxies "
                                                 "only"):
            client.request("GET", "http://svc.test/x")
    finally:
        client.close()

