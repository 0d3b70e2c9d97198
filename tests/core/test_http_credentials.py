"""A bearer token given through the environment appears in no report file, and is not sent to a
second loopback host that a redirect points to."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from conformance.reference.app import Fault, ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.reference.service_info import service_info_document
from conformance.testing import run_profile

TOKEN = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


class Recorder(ReferenceApp):
    """Records the Authorization header of every request it receives."""

    standard: ClassVar[str] = "recorder"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)
    FAULTS: ClassVar[dict[str, Fault]] = {}

    def __init__(self, redirect_to: str | None = None) -> None:
        super().__init__()
        self.redirect_to = redirect_to
        self.authorizations: list[str | None] = []

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        self.authorizations.append(request.header("Authorization"))
        if self.redirect_to:
            return Reply(302, b"", {"Location": f"{self.redirect_to}/service-info", "Content-Length": "0"})
        document: dict[str, Any] = service_info_document("service-info", "1.0.0")
        document["description"] = f"echo: {request.header('Authorization')}"  # a server that reflects it
        return json_reply(document)


def test_token_is_not_sent_across_a_redirect_and_is_in_no_report(monkeypatch: pytest.MonkeyPatch,
                                                                  report_root: Path) -> None:
    monkeypatch.setenv("SI_TOKEN", TOKEN)
    elsewhere = Recorder()
    with ReferenceServer(elsewhere, host="127.0.0.2") as other:
        origin = Recorder(redirect_to=other.app.root_url)
        with ReferenceServer(origin) as server:
            result = run_profile({"initiative": "Secrets", "services": [
                {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": server.url,
                 "auth": {"bearer_token_env": "SI_TOKEN"}}]}, report_root)
    assert origin.authorizations and all(a == f"Bearer {TOKEN}" for a in origin.authorizations)
    assert elsewhere.authorizations and all(a is None for a in elsewhere.authorizations)
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    files = [p for p in report_root.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"scorecard.json", "testbed-report.json", "report.html", "junit.xml",
                                       "summary.md"}
    for path in files:
        assert TOKEN not in path.read_text(errors="replace"), path


def test_token_reflected_by_a_failing_server_is_redacted_in_evidence(monkeypatch: pytest.MonkeyPatch,
                                                                     report_root: Path) -> None:
    monkeypatch.setenv("SI_TOKEN", TOKEN)

    class Reflecting(Recorder):
        @route("GET", "/service-info")
        def service_info(self, request: Request) -> Reply:
            return json_reply({"error": f"bad token {request.header('Authorization')}"}, 500)

    with ReferenceServer(Reflecting()) as server:
        result = run_profile({"initiative": "Reflect", "services": [
            {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": server.url,
             "auth": {"bearer_token_env": "SI_TOKEN"}}]}, report_root)
    assert result.exit_code == 1
    evidence = result.check("service-info.endpoint.answers-200").cases[0].evidence
    assert evidence and "[REDACTED]" in evidence[0]["curl"]
    for path in report_root.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path


def test_headers_a_check_sets_do_not_follow_a_redirect_to_another_origin(report_root: Path) -> None:
    from conformance.http import HttpClient, RunLimits
    from conformance.limits import Budget
    from conformance.redact import Redactor

    elsewhere = Recorder()
    with ReferenceServer(elsewhere, host="127.0.0.2") as other, \
            ReferenceServer(Recorder(redirect_to=other.app.root_url)) as server:
        client = HttpClient(RunLimits(Budget()), Redactor())
        response = client.request("GET", f"{server.url}/service-info", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    assert elsewhere.authorizations == [None]


class CookieSetter(Recorder):
    @route("GET", "/login")
    def login(self, request: Request) -> Reply:
        return Reply(200, b"{}", {"Set-Cookie": "sid=session-cookie-123; Path=/", "Content-Type": "application/json"})

    @route("GET", "/whoami")
    def whoami(self, request: Request) -> Reply:
        return json_reply({"cookie": request.header("Cookie")})


def test_no_cookie_makes_an_anonymous_request_authenticated() -> None:
    from conformance.http import HttpClient, RunLimits
    from conformance.limits import Budget
    from conformance.redact import Redactor

    with ReferenceServer(CookieSetter()) as server:
        client = HttpClient(RunLimits(Budget()), Redactor())
        client.request("GET", f"{server.url}/login")
        assert client.request("GET", f"{server.url}/whoami").json() == {"cookie": None}


def test_a_redirect_to_a_link_local_address_is_not_followed(report_root: Path) -> None:
    with ReferenceServer(Recorder(redirect_to="http://169.254.169.254")) as server:
        result = run_profile({"initiative": "Metadata", "services": [
            {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": server.url}]},
            report_root)
    service = result.scorecard.services[0]
    assert service.verdict() == "unreachable" and "link-local" in (service.unreachable or "")


def test_short_secrets_never_corrupt_the_json_reports(monkeypatch: pytest.MonkeyPatch, report_root: Path) -> None:
    import json

    monkeypatch.setenv("SI_USER", "user")
    monkeypatch.setenv("SI_PASSWORD", "null")  # a bad password, and a JSON literal
    with ReferenceServer(Recorder()) as server:
        result = run_profile({"initiative": "Short", "contact": None, "services": [
            {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": server.url,
             "auth": {"basic_username_env": "SI_USER", "basic_password_env": "SI_PASSWORD"}}]}, report_root)
    for name in ("scorecard.json", "testbed-report.json"):
        document = json.loads((result.run_dir / name).read_text())
        assert "passed" in json.dumps(document)
    assert json.loads((result.run_dir / "scorecard.json").read_text())["contact"] is None
