"""The passports suite against a third-party OpenID provider used as a Passport broker: oidc-provider-mock 0.3.4
(PyPI, MIT; 0.3.4 is its newest release for Python 3.11), started as its README shows
(``oidc-provider-mock -H 127.0.0.1 -p PORT``), with a profile that gives a refresh token.

It offers the authorization code and refresh token grants only (no client_credentials, no token exchange) and
accepts any client without registration: the test signs a researcher in as a person would (the authorization
form, posted with a ``sub``), trades the code for tokens, and hands the harness the refresh token
(``refresh_token_env``), from which the harness obtains its access token (RFC 6749 §6). It is a generic
OpenID provider, not a Passport broker: the failures below are genuine deviations from AAI 1.2 that a broker
deployed this way would have.

The server is found through ``CONFORMANCE_OIDC_PROVIDER_MOCK``, the path of an ``oidc-provider-mock``
executable (``pip install oidc-provider-mock==0.3.4`` into a virtual environment of its own, ~10 s).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from third_party_server import executable_from, serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

CLIENT_ID = "harness-client"
CLIENT_SECRET = "harness-secret"
REDIRECT_URI = "http://127.0.0.1/callback"

# Failed checks observed against oidc-provider-mock 0.3.4 (a refresh token of an authorization code grant), each
# a genuine deviation.
EXPECTED_FAILURES = {
    # AAI 1.2 §Conformance for Brokers 4: "Access tokens MUST be in JWS format"; its access tokens are opaque.
    "passports.broker.access-token-is-jws": "the access token is opaque",
    # AAI 1.2 §Conformance for Brokers 3: "A Broker MUST issue Passport-Scoped Access Tokens" (scope including
    # ga4gh_passport_v1, §Terminology); asked "openid ga4gh_passport_v1", it grants "openid".
    "passports.broker.access-token-scope-has-openid-and-passport": "the granted scope is 'openid'",
    # OIDC Core 1.0 §5.3.3 (UserInfo errors as RFC 6750 §3) and RFC 6750 §3.1 invalid_token: "The resource SHOULD
    # respond with the HTTP 401 (Unauthorized) status code" (a warning); it answers 400 access_denied.
    "passports.broker.userinfo-invalid-token-is-401": "a forged access token answers 400",
    # AAI 1.2 §Conformance for Brokers: a Broker MAY support Token Exchange (a warning); it offers none.
    "passports.broker.token-exchange-supported": "no token exchange",
}


class _Keep(urllib.request.HTTPRedirectHandler):
    """Hands a redirect back as it is: the authorization response is a redirect to the client."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _refresh_token(issuer: str) -> str:
    """A refresh token of a researcher signed in through the authorization form (any ``sub`` is a user)."""
    query = urllib.parse.urlencode({"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
                                    "scope": "openid ga4gh_passport_v1", "state": "conformance"})
    form = urllib.parse.urlencode({"sub": "researcher@example.org"}).encode()
    try:
        urllib.request.build_opener(_Keep).open(
            urllib.request.Request(f"{issuer}/oauth2/authorize?{query}", data=form), timeout=30)
    except urllib.error.HTTPError as redirect:
        location = redirect.headers.get("Location", "")
    else:
        pytest.fail("the authorization form did not redirect to the client")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                                   "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{issuer}/oauth2/token", data=body), timeout=30) as answer:
        return str(json.loads(answer.read())["refresh_token"])


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    """The issuer URL of a running oidc-provider-mock; stopped by its PID."""
    server = executable_from("CONFORMANCE_OIDC_PROVIDER_MOCK", "pip install oidc-provider-mock==0.3.4")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    with serving("oidc-provider-mock", [server, "-H", "127.0.0.1", "-p", str(port)],
                 f"{issuer}/.well-known/openid-configuration", tmp_path):
        yield issuer


def test_oidc_provider_mock_fails_exactly_its_deviations(broker: str, report_root: Path) -> None:
    document = {"initiative": "oidc-provider-mock 0.3.4", "services": [{
        "standard": "passports", "version": "1.2", "role": "broker", "url": broker,
        "trusted_jku": [f"{broker}/jwks"],
        "auth": {"client_id_env": "OPM_CLIENT_ID", "client_secret_env": "OPM_CLIENT_SECRET",
                 "refresh_token_env": "OPM_REFRESH_TOKEN"},
    }]}
    refresh_token = _refresh_token(broker)
    result = run_profile(document, report_root, standards=["passports"], seed=13, environ={
        "OPM_CLIENT_ID": CLIENT_ID, "OPM_CLIENT_SECRET": CLIENT_SECRET, "OPM_REFRESH_TOKEN": refresh_token})
    failed = {c.id for s in result.scorecard.services for c in s.checks if c.outcome == "failed"}
    assert failed == set(EXPECTED_FAILURES), result.failed()
    assert result.errors() == [], result.output
    assert result.exit_code == 1
    # the harness obtained its access token with the refresh token: UserInfo answered for the researcher
    for check_id in ("passports.broker.discovery-required-metadata", "passports.broker.jwks-is-valid-key-set",
                     "passports.broker.userinfo-has-sub", "passports.broker.userinfo-refuses-missing-token",
                     "passports.broker.userinfo-refuses-forged-token"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
    # an opaque token is not judged as a JWT: its header and claims checks skip, naming the failure
    assert result.outcome("passports.broker.access-token-required-claims") == "skipped"
    for secret in (CLIENT_SECRET, refresh_token):
        assert secret not in result.output
