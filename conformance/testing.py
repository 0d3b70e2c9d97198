"""Helpers for the harness's own tests (and for anyone writing a suite): run checks against an
embedded reference server with named faults, in-process, and read the outcome of each check.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from conformance import reference
from conformance.profile import parse_profile
from conformance.run import prepare
from conformance.scorecard import CheckResult, Scorecard
from conformance.suite import discover as discover_suites

LOOPBACK_BUDGET = {"requests_per_second": 500, "max_requests": 50000, "max_seconds": 600}


@dataclass
class RunResult:
    exit_code: int
    scorecard: Scorecard
    run_dir: Path
    output: str

    def check(self, check_id: str, service_key: str | None = None) -> CheckResult:
        for service in self.scorecard.services:
            if service_key is not None and service.key != service_key:
                continue
            for check in service.checks:
                if check.id == check_id:
                    return check
        raise KeyError(f"{check_id} did not run (services: {[s.key for s in self.scorecard.services]})")

    def outcome(self, check_id: str, service_key: str | None = None) -> str:
        return self.check(check_id, service_key).outcome

    def failed(self) -> list[str]:
        return [f"{s.key}:{c.id}: {c.message}" for s in self.scorecard.services for c in s.checks
                if c.outcome == "failed"]

    def causes(self) -> dict[str, str | None]:
        """Check id → the cause it names (None: a root cause), of every failed check."""
        return {c.id: c.caused_by for s in self.scorecard.services for c in s.checks if c.outcome == "failed"}

    def errors(self) -> list[str]:
        return [f"{s.key}:{c.id}: {c.message}" for s in self.scorecard.services for c in s.checks
                if c.outcome == "error"]

    def summary(self) -> str:
        return (self.run_dir / "summary.md").read_text(encoding="utf-8")

    def outcomes(self) -> list[tuple[str, str, str]]:
        """(check id, outcome, message) of every check, loopback ports left out: what two runs of one profile
        against servers started anew must agree on."""
        return [(check.id, check.outcome, re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", check.message or ""))
                for service in self.scorecard.services for check in service.checks]


def run_profile(document: Mapping[str, Any], report_root: Path, *, specs_dir: str | None = None,
                checks: Iterable[str] | None = None, standards: Iterable[str] | None = None,
                seed: int | None = None, environ: Mapping[str, str] | None = None, jobs: int | None = 1) -> RunResult:
    """Run a profile given as a mapping, in-process (``jobs`` above 1: in forked worker processes,
    :mod:`conformance.parallel`), capturing the progress output."""
    from conformance.cli import execute

    document = dict(document)
    # Embedded servers on loopback: the production rate limit would only slow the self-tests down.
    document.setdefault("budget", LOOPBACK_BUDGET)
    # ``environ`` is the run's environment: secrets named by the profile are read from it.
    with mock.patch.dict(os.environ, dict(environ or {})):
        profile = parse_profile(document, source="<test profile>", standards=discover_suites())
        run = prepare(profile, report_root=report_root, specs_dir=specs_dir, seed=seed,
                      checks=list(checks) if checks else None, standards=list(standards) if standards else None)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = execute(run, progress=True, jobs=jobs)
    assert run.scorecard is not None
    return RunResult(code, run.scorecard, run.run_dir, buffer.getvalue())


def reference_entries(standard: str, faults: Iterable[str] = (), version: str | None = None,
                      role: str | None = None) -> list[dict[str, Any]]:
    """The fault entries (``fault_entries``: the demo's, unless a server opts in to more) of a standard's
    reference server(s), with ``faults`` injected into the one that has them."""
    faults = list(faults)
    entries = []
    for app in reference.apps():
        if app.standard != standard or (role is not None and app.role != role):
            continue
        for entry in app.fault_entries():
            entry = dict(entry)
            if version is not None:
                entry["version"] = version
            mine = [f for f in faults if f in app.FAULTS]
            entry["reference"] = {"faults": mine}
            entries.append(entry)
    if not entries:
        raise KeyError(f"no reference server for {standard}")
    return entries


def run_reference(standard: str, report_root: Path, faults: Iterable[str] = (), *, version: str | None = None,
                  role: str | None = None, **kwargs: Any) -> RunResult:
    """Run the suites of ``standard`` against its reference server with ``faults`` injected."""
    document = {"initiative": f"self-test {standard}", "services": reference_entries(standard, faults, version, role)}
    return run_profile(document, report_root, **kwargs)


@contextlib.contextmanager
def serving(body: bytes, path: str = "/", content_type: str = "application/json") -> Iterator[str]:
    """A loopback http server answering every GET with ``body`` (a JWKS, a document) for as long as the block
    runs; yields the URL of ``path`` on it."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with _loopback(Handler) as base:
        yield base + path


@contextlib.contextmanager
def _loopback(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threading http server of ``handler`` on a free loopback port for as long as the block runs; yields its
    base URL (``http://127.0.0.1:PORT``). Stopped, and its thread joined, at the end."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Proxied:
    """What :func:`forward_proxy` yields: its URL, and each request it relayed as (method, target, the
    Proxy-Authorization header it carried)."""

    url: str
    seen: list[tuple[str, str, str]]


@contextlib.contextmanager
def forward_proxy(hosts: Iterable[str] = ()) -> Iterator[Proxied]:
    """A loopback forward proxy for as long as the block runs: it relays an http request in absolute form and
    tunnels an https one (CONNECT), sending each of ``hosts`` (names nothing else resolves) to 127.0.0.1, so
    that a test's server on loopback stands for a service off this machine."""
    import http.client
    import select
    import socket
    from urllib.parse import urlsplit

    names = frozenset(hosts)
    seen: list[tuple[str, str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _host(self, name: str | None) -> str:
            return "127.0.0.1" if name in names else str(name)

        def _relay(self) -> None:
            seen.append((self.command, self.path, self.headers.get("Proxy-Authorization", "")))
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("proxy-authorization", "proxy-connection")}
            upstream = http.client.HTTPConnection(self._host(parts.hostname), parts.port or 80, timeout=10)
            try:
                upstream.request(self.command, parts.path + (f"?{parts.query}" if parts.query else ""), body,
                                 headers)
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

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _relay

        def do_CONNECT(self) -> None:
            seen.append((self.command, self.path, self.headers.get("Proxy-Authorization", "")))
            name, _, port = self.path.rpartition(":")
            with socket.create_connection((self._host(name), int(port)), timeout=10) as upstream:
                self.send_response(200, "Connection established")
                self.end_headers()
                ends = [self.connection, upstream]
                while True:
                    ready, _, _ = select.select(ends, [], [], 10)
                    if not ready:
                        return
                    for end in ready:
                        data = end.recv(65536)
                        if not data:
                            return
                        (upstream if end is self.connection else self.connection).sendall(data)

    with _loopback(Handler) as url:
        yield Proxied(url, seen)
