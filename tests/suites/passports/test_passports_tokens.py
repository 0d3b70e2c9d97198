"""The broker's access token obtained the standard ways its discovery document offers (issue 21 item 4):
with only `auth: {client_id_env, client_secret_env}` a broker profile tests the broker, not 77 skips; and
when no way works, the run says first, among its notices, how many checks did not run for want of a token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.passports import jose

from conformance import reference
from conformance.reference import ReferenceServer
from conformance.testing import RunResult, run_profile

NEEDS_TOKEN = ["passports.broker.access-token-is-jws", "passports.broker.userinfo-returns-passport-claim",
               "passports.visa.has-exp", "passports.broker.userinfo-refuses-forged-token"]
TOKEN_GRANT = jose.TOKEN_EXCHANGE_GRANT


@pytest.fixture
def broker() -> Iterator[Any]:
    servers: list[ReferenceServer] = []

    def start(grant_types: list[str] | None = None, **more: Any) -> ReferenceServer:
        options: dict[str, Any] = {"role": "broker", **more}
        if grant_types is not None:
            options["grant_types"] = grant_types
        server = reference.start("passports", [], options=options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _run(server: ReferenceServer, report_root: Path, keys: list[str], checks: list[str] | None = None) -> RunResult:
    """A broker profile naming the auth ``keys`` (each set in the environment to what the server issued)."""
    issued = server.app.issued_secrets()
    names = {key: key.removesuffix("_env").upper() for key in keys}
    service = {"standard": "passports", "version": "1.2", "role": "broker", "url": server.url.rstrip("/"),
               "auth": names}
    return run_profile({"initiative": "tokens", "services": [service]}, report_root,
                       checks=checks or NEEDS_TOKEN, environ={names[k]: issued[k] for k in keys})


def _decided(result: RunResult) -> None:
    for check_id in NEEDS_TOKEN:
        assert result.outcome(check_id) == "passed", result.output
    assert not any("no access token" in n for n in result.scorecard.notices), result.scorecard.notices


def test_client_credentials_grant(broker: Any, report_root: Path) -> None:
    """The broker profile of the design: client credentials only."""
    _decided(_run(broker(), report_root, ["client_id_env", "client_secret_env"]))


def test_refresh_token_from_the_environment(broker: Any, report_root: Path) -> None:
    server = broker(["authorization_code", "refresh_token", TOKEN_GRANT])
    _decided(_run(server, report_root, ["client_id_env", "client_secret_env", "refresh_token_env"]))


def test_token_exchange_of_a_subject_token(broker: Any, report_root: Path) -> None:
    server = broker(["authorization_code", TOKEN_GRANT])
    _decided(_run(server, report_root, ["client_id_env", "client_secret_env", "subject_token_env"]))


def test_an_authorization_code_only_broker_says_how_many_checks_did_not_run(broker: Any,
                                                                           report_root: Path) -> None:
    server = broker(["authorization_code"])
    result = _run(server, report_root, ["client_id_env", "client_secret_env"])
    for check_id in NEEDS_TOKEN:
        finding = result.check(check_id)
        assert finding.outcome == "skipped", result.output
        assert finding.message.startswith("no access token"), finding.message
    assert "authorization-code-only" in result.check(NEEDS_TOKEN[0]).message
    notice = result.scorecard.notices[0]
    assert notice.startswith(f"passports-broker-0: {len(NEEDS_TOKEN)} checks not run: no access token"), notice
    assert notice in result.output  # on the console too
    assert server.app.client_secret not in result.output


def test_a_refused_grant_is_named_in_the_skip(broker: Any, report_root: Path) -> None:
    server = broker(["authorization_code", "refresh_token"])
    issued = server.app.issued_secrets()
    service = {"standard": "passports", "version": "1.2", "role": "broker", "url": server.url.rstrip("/"),
               "auth": {"client_id_env": "CID", "client_secret_env": "CSECRET", "refresh_token_env": "RT"}}
    result = run_profile({"initiative": "tokens", "services": [service]}, report_root, checks=NEEDS_TOKEN[:1],
                         environ={"CID": issued["client_id_env"], "CSECRET": issued["client_secret_env"],
                                  "RT": "refresh-expired"})
    message = result.check(NEEDS_TOKEN[0]).message
    assert "the refresh_token grant answered 400 invalid_grant" in message, message
    assert "refresh-expired" not in result.output


def test_userinfo_refusing_the_client_credentials_token_is_no_failure(broker: Any, report_root: Path) -> None:
    """oidc-provider 9.13 (issue 19): the client_credentials grant hands out the client's own token, and UserInfo
    answers 401 to it, rightly (no End-User: OIDC Core 1.0 §5.3). Skipped with the reason, not failed."""
    server = broker(client_credentials_token="client")
    checks = [*NEEDS_TOKEN, "passports.broker.userinfo-refuses-missing-token"]
    result = _run(server, report_root, ["client_id_env", "client_secret_env"], checks=checks)
    assert result.failed() == [], result.output
    finding = result.check("passports.broker.userinfo-returns-passport-claim")
    assert finding.outcome == "skipped", result.output
    assert "client_credentials grant, which authenticates no End-User" in finding.message, finding.message
    assert result.outcome("passports.broker.access-token-is-jws") == "passed", result.output
    assert result.outcome("passports.visa.has-exp") == "passed", result.output
    # the same broker answers the test user's token
    server = broker(client_credentials_token="client")
    result = _run(server, report_root, ["bearer_token_env"], checks=checks[1:2])
    assert result.outcome("passports.broker.userinfo-returns-passport-claim") == "passed", result.output


def test_a_token_granted_without_the_passport_scope_is_one_failure(broker: Any, report_root: Path) -> None:
    """oidc-provider-mock 0.4.8 (issue 19): the refresh grant answers an opaque token with the scope "openid"
    only, and UserInfo answers it without visas. The scope is the one failure; UserInfo owes visas only for a
    Passport-Scoped Access Token, so its check skips saying why."""
    server = broker(["authorization_code", "refresh_token"], grants_openid_only=True)
    checks = ["passports.broker.access-token-scope-has-openid-and-passport",
              "passports.broker.userinfo-returns-passport-claim", "passports.broker.access-token-is-jws",
              "passports.broker.jwks-keys-fit-allowed-algs"]
    result = _run(server, report_root, ["client_id_env", "client_secret_env", "refresh_token_env"], checks=checks)
    failed = {line.split(":")[1] for line in result.failed()}
    assert failed == {checks[0], checks[2]}, result.output
    assert "granted the scope 'openid', without ga4gh_passport_v1" in result.check(checks[0]).message
    finding = result.check(checks[1])
    assert finding.outcome == "skipped" and "not passport-scoped" in finding.message, result.output
    assert server.app.openid_token not in result.output
    # no JWS at all (oidc-provider too): the skip says so, not that a signature failed to verify
    assert "handed out no JWS token" in result.check(checks[3]).message, result.output
