"""The passports suite against a third-party OpenID provider used as a Passport broker: oauth2-mock-server
8.2 (npm, MIT), started as its README shows (``oauth2-mock-server -a 127.0.0.1 -p PORT``), with a profile
that gives only client credentials (the harness obtains the access token with the client_credentials grant).

It is a generic OAuth 2.0 / OIDC mock, not a Passport broker: the failures below are genuine deviations
from AAI 1.2 and OIDC Core that a broker deployed this way would have.

CI installs with pip only; this test needs Node.js and the npm package, and skips saying so without them.
Install: ``npm install oauth2-mock-server@8.2`` in a directory, then set ``CONFORMANCE_NODE_MODULES`` to its
``node_modules`` (or ``npm install -g oauth2-mock-server@8.2``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import node_broker
import pytest

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

PACKAGE = "oauth2-mock-server"
VERSION = "8.2"

# Failed checks observed against oauth2-mock-server 8.2.3 (client_credentials token), each a genuine deviation.
EXPECTED_FAILURES = {
    # AAI 1.2 §Passport-Scoped Access Token: "sub: REQUIRED. Authenticated user unique identifier". Its token
    # (scope "openid ga4gh_passport_v1") carries iss, iat, exp, nbf and scope only.
    "passports.broker.access-token-required-claims": "the access token has no sub",
    # AAI 1.2 §Passport-Scoped Access Token: "jti: RECOMMENDED" (a SHOULD: a warning).
    "passports.broker.access-token-has-jti": "the access token has no jti",
    # AAI 1.2 §Visas provided by a Broker via UserInfo Endpoint: "The UserInfo response MUST include a
    # ga4gh_passport_v1 Claim with a list of Visas if a Passport-Scoped Access Token was used"; it answers
    # {"sub": "johndoe"} to the passport-scoped token.
    "passports.broker.userinfo-returns-passport-claim": "userinfo has no ga4gh_passport_v1",
    # OIDC Core 1.0 §5.3 (the Access Token MUST be sent as a Bearer Token; UserInfo is a Protected Resource)
    # and AAI 1.2 §Conformance for Brokers 1.1 (a Broker MUST conform to OIDC Core): userinfo answers 200 to a
    # request without any token ...
    "passports.broker.userinfo-refuses-missing-token": "userinfo answers 200 without a token",
    # ... and to a token signed by a key the broker does not hold (OIDC Core 1.0 §5.3.3, RFC 6750 §3.1).
    "passports.broker.userinfo-refuses-forged-token": "userinfo answers 200 to a forged token",
    # AAI 1.2 §Conformance for Brokers 4: "Broker MAY support Token Exchange"; it offers none (a MAY: a warning).
    "passports.broker.token-exchange-supported": "no token exchange",
}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    """The issuer URL of a running oauth2-mock-server; stopped by its handle."""
    package = node_broker.package_dir(PACKAGE, VERSION)
    cli = json.loads((package / "package.json").read_text(encoding="utf-8"))["bin"][PACKAGE]
    port = free_port()
    command = ["node", str(package / cli), "-a", "127.0.0.1", "-p", str(port)]
    with node_broker.running(command, PACKAGE, port, tmp_path):
        yield f"http://localhost:{port}"  # the issuer it names, whatever address it listens on


def test_oauth2_mock_server_deviations_are_reported(broker: str, tmp_path: Path) -> None:
    document = {"initiative": "oauth2-mock-server 8.2", "services": [{
        "standard": "passports", "version": "1.2", "role": "broker", "url": broker,
        "trusted_jku": [f"{broker}/jwks"],
        "auth": {"client_id_env": "O2M_CLIENT_ID", "client_secret_env": "O2M_CLIENT_SECRET"},
    }]}
    result = run_profile(document, tmp_path / "reports", standards=["passports"], seed=13,
                         environ={"O2M_CLIENT_ID": "harness-client", "O2M_CLIENT_SECRET": "harness-secret"})
    assert "Traceback" not in result.output, result.output
    failed = {c.id for s in result.scorecard.services for c in s.checks if c.outcome == "failed"}
    print(f"{PACKAGE} failed checks:", *sorted(failed), sep="\n  ")
    skipped = [f"{c.id}: {c.message}" for s in result.scorecard.services for c in s.checks if c.outcome == "skipped"]
    print("skipped:", *skipped, sep="\n  ")
    assert result.errors() == [], result.errors()
    # the discovery document, key set and the token's signature are a broker's and are right
    for check_id in ("passports.broker.discovery-required-metadata", "passports.broker.jwks-is-valid-key-set",
                     "passports.broker.access-token-signature-verifies",
                     "passports.broker.access-token-scope-has-openid-and-passport"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
    assert failed == set(EXPECTED_FAILURES), (
        f"unexpected: {sorted(failed - set(EXPECTED_FAILURES))}; "
        f"missing: {sorted(set(EXPECTED_FAILURES) - failed)}")
    assert "harness-secret" not in result.output
    assert result.exit_code == 1, result.output
