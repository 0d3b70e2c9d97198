"""Conformant variants of a broker get no failed MUST check (review findings 3 and 5): a Passport or visa
without kid, two keys sharing a kid, and visas of other issuers a broker relays as is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from conformance_suites.passports import check_visas, jose

from conformance import Exchange
from conformance.errors import CheckFailure
from conformance.testing import run_reference


@pytest.mark.parametrize(("faults", "should"), [
    (["passport-no-kid", "visa-no-kid"], {"passports.passport.header-has-kid", "passports.visa.header-has-kid"}),
    (["jwks-duplicate-kid"], {"passports.broker.jwks-kids-distinct"}),
], ids=["no-kid", "shared-kid"])
def test_only_the_should_check_fails(faults: list[str], should: set[str], report_root: Path,
                                     specs_dir: str | None) -> None:
    result = run_reference("passports", report_root, faults, role="broker", specs_dir=specs_dir)
    failed = {line.split(":")[1] for line in result.failed()}
    assert failed == should, result.output
    for check_id in ("passports.passport.signature-verifies-with-broker-jwks",
                     "passports.broker.access-token-signature-verifies", "passports.visa.signature-verifies",
                     "passports.visa.document-token-jku-serves-key"):
        assert result.outcome(check_id) == "passed", result.output


def test_signature_tries_every_key_sharing_a_kid_and_all_keys_without_kid() -> None:
    issuer, other = jose.session_issuer("variants-a"), jose.session_issuer("variants-b")
    keys = jose.public_keys({"keys": [
        {**other.public_jwks()["keys"][0], "kid": issuer.rsa_kid},  # same kid, another key, listed first
        *issuer.public_jwks()["keys"]]})
    claims = {"iss": issuer.iss, "sub": "u", "iat": jose.now(), "exp": jose.now() + 60}
    assert jose.signature_problem(issuer.sign(claims), keys) is None
    without_kid = jwt.encode(claims, issuer.ec_key, algorithm="ES256")
    assert "kid" not in jose.split(without_kid).header
    assert jose.signature_problem(without_kid, keys) is None
    assert jose.signature_problem(jwt.encode(claims, other.ec_key, algorithm="ES256"), keys)


class _Relaying:
    """A broker stub that hands out its own visa and a faulty one of another issuer."""

    issuer_url = "https://broker.example.org"

    def __init__(self, visas: list[str]) -> None:
        self._visas = visas

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        return make()

    def visas(self) -> tuple[list[str], Exchange]:
        return self._visas, Exchange("GET", self.issuer_url + "/userinfo", status=200)

    def visas_from_given_passport(self) -> bool:
        return False


def _visa(iss: str, obj: dict[str, Any], jku: str) -> str:
    t = jose.now()
    payload = {"iss": iss, "sub": "u", "iat": t, "exp": t + 600, "jti": "j",
               "ga4gh_visa_v1": {"type": "ControlledAccessGrants", "value": "https://d.example.org/1",
                                 "source": "https://dac.example.org", "by": "dac", "asserted": t - 60, **obj}}
    return jose.session_issuer("variants-c").sign(payload, {"typ": jose.VISA_TYP, "jku": jku}, "ES256")


def test_other_issuers_visas_are_not_the_brokers_findings() -> None:
    own = _visa(_Relaying.issuer_url, {}, _Relaying.issuer_url + "/jwks")
    foreign = _visa("https://other.example.org", {"source": "http://dac.example.org/x?secret=1", "by": "admin"},
                    "https://other.example.org/jwks")
    broker: Any = _Relaying([own, foreign])
    with pytest.raises(pytest.skip.Exception, match="another issuer") as skipped:
        check_visas._verdict(broker, "by-in-vocabulary")
    assert "secret" not in str(skipped.value)
    with pytest.raises(pytest.skip.Exception, match="another issuer"):
        check_visas._verdict(broker, "url-claims-use-https")
    faulty_own: Any = _Relaying([_visa(_Relaying.issuer_url, {"by": "admin"}, _Relaying.issuer_url + "/jwks")])
    with pytest.raises(CheckFailure, match="visa 0"):
        check_visas._verdict(faulty_own, "by-in-vocabulary")


def test_a_clearinghouse_refusing_with_an_html_page_and_200_grants_nothing(
        report_root: Path, specs_dir: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # a 200 without an AccessURL grants no access (DRS 1.4.0 §PostAccessURL): the mutation checks failed
    # "granted access to ... (200)" for a clearinghouse answering its refusals with an "access denied" page
    from conformance_suites.passports.reference.app import PassportClearinghouseApp

    from conformance import Reply

    def deny(self: PassportClearinghouseApp, status: int, reason: str) -> Reply:
        return Reply(200, f"<html><body>Access denied: {reason}</body></html>".encode(),
                     {"Content-Type": "text/html"})

    monkeypatch.setattr(PassportClearinghouseApp, "_deny", deny)
    result = run_reference("passports", report_root, [], role="clearinghouse", specs_dir=specs_dir)
    granting = [line for line in result.failed() if "granted access" in line]
    assert granting == [], result.output
    assert result.outcome("passports.clearinghouse.rejects-alg-none") == "passed"
    assert result.outcome("passports.clearinghouse.grants-valid-passport") == "passed"


class _Unfetched(_Relaying):
    """A broker whose visa's jku is off its origin and not under trusted_jku: the harness fetches no key set."""

    def may_fetch(self, url: str) -> bool:
        return url.startswith(self.issuer_url + "/")

    def key_set(self, url: str) -> dict[str, Any] | None:
        return None

    def signing_keys(self) -> list[jose.PublicKey]:
        return []


def test_a_visa_whose_key_set_is_not_fetched_is_not_judged_unverified() -> None:
    # a broker's own visa without kid whose jku the harness may not fetch: no key set was read, so "no published
    # key fits ES256" would be the harness's ignorance, not the broker's deviation
    visa = _visa(_Relaying.issuer_url, {}, "https://keys.elsewhere.example.org/jwks")
    parts = jose.split(visa)
    unkeyed = jwt.encode(parts.payload, jose.session_issuer("variants-c").ec_key, algorithm="ES256",
                         headers={"typ": jose.VISA_TYP, "jku": parts.header["jku"]})
    assert "kid" not in jose.split(unkeyed).header
    broker: Any = _Unfetched([unkeyed])
    with pytest.raises(pytest.skip.Exception, match="no visa whose key set"):
        check_visas.test_visa_signature_verifies(broker)
