"""Conformant variants the passports checks must not fail (precision review): a JWK Set holding a key
without kid, and credentials the profile gives that have expired since they were issued (the server's
refusal of an expired token is right, never a deviation of its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.passports import jose
from conformance_suites.passports.reference.app import PassportBrokerApp, PassportClearinghouseApp

from conformance.testing import reference_entries, run_profile, run_reference


def test_a_jwks_key_without_kid_fails_nothing(report_root: Path, specs_dir: str | None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 7517 §4.5: kid is OPTIONAL; AAI 1.2 requires a kid in the access token's header only (covered by
    # passports.broker.access-token-kid), so an extra published key without one is no deviation.
    from conformance_suites.passports.reference import app as module

    original = jose.Issuer.public_jwks
    spare = {k: v for k, v in jose.public_jwk(module._other_rsa_key(), "x", "RS256").items() if k != "kid"}

    def public_jwks(self: jose.Issuer) -> dict[str, Any]:
        document: dict[str, Any] = original(self)
        document["keys"].append(spare)
        return document

    monkeypatch.setattr(jose.Issuer, "public_jwks", public_jwks)
    result = run_reference("passports", report_root, [], role="broker", specs_dir=specs_dir)
    assert result.failed() == [], result.output
    assert result.outcome("passports.broker.jwks-is-valid-key-set") == "passed"


def _expired(token: str, app: PassportBrokerApp | None = None, issuer: jose.Issuer | None = None) -> str:
    """``token``'s claims issued two hours ago and expired an hour ago, signed anew by its issuer."""
    parts = jose.split(token)
    t = jose.now()
    payload = {**parts.payload, "iat": t - 7200, "exp": t - 3600}
    header = {k: v for k, v in parts.header.items() if k not in ("alg", "kid")}
    if app is not None:
        return str(app._sign(payload, header, str(parts.header["alg"])))
    assert issuer is not None
    return str(issuer.sign(payload, header, str(parts.header["alg"])))


def test_an_expired_access_token_of_the_profile_is_not_the_brokers_refusal(
        report_root: Path, specs_dir: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # the profile's access token expired since it was issued: UserInfo and token exchange rightly refuse it
    original = PassportBrokerApp.issued_secrets

    def issued_secrets(self: PassportBrokerApp) -> dict[str, str]:
        return {**original(self), "bearer_token_env": _expired(self.access_token(), app=self)}

    monkeypatch.setattr(PassportBrokerApp, "issued_secrets", issued_secrets)
    result = run_reference("passports", report_root, [], role="broker", specs_dir=specs_dir)
    assert result.failed() == [], result.output
    skipped = result.check("passports.broker.userinfo-returns-passport-claim")
    assert skipped.outcome == "skipped" and "expired" in (skipped.message or ""), result.output
    assert result.outcome("passports.broker.token-exchange-supported") == "skipped", result.output
    assert result.outcome("passports.broker.access-token-signature-verifies") == "passed", result.output


def test_an_expired_passport_of_the_profile_is_not_expired_on_delivery(
        report_root: Path, specs_dir: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # a Passport the profile gives was delivered when the user obtained it: its expiry since is no deviation
    original = PassportBrokerApp.issued_secrets

    def issued_secrets(self: PassportBrokerApp) -> dict[str, str]:
        parts = jose.split(self.passport())
        visas = [_expired(visa, app=self) for visa in parts.payload["ga4gh_passport_v1"]]
        passport = _expired(jose.assemble(parts.header, {**parts.payload, "ga4gh_passport_v1": visas}), app=self)
        return {**original(self), "passport_env": passport}

    monkeypatch.setattr(PassportBrokerApp, "issued_secrets", issued_secrets)
    result = run_reference("passports", report_root, [], role="broker", specs_dir=specs_dir)
    assert result.failed() == [], result.output
    assert result.outcome("passports.passport.lifetime-consistent") == "skipped", result.output
    assert result.outcome("passports.visa.lifetime-consistent") == "passed", result.output


def test_an_expired_passport_of_the_profile_is_no_refused_grant(
        report_root: Path, specs_dir: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # the clearinghouse rightly refuses the profile's passport once it has expired: the control cannot decide
    original = PassportClearinghouseApp.issued_secrets

    def issued_secrets(self: PassportClearinghouseApp) -> dict[str, str]:
        return {"passport_env": _expired(original(self)["passport_env"], issuer=self.trusted)}

    monkeypatch.setattr(PassportClearinghouseApp, "issued_secrets", issued_secrets)
    entries = reference_entries("passports", role="clearinghouse")
    for entry in entries:
        entry.pop("trusts_test_issuer", None)
    result = run_profile({"initiative": "self-test passports", "services": entries}, report_root,
                         specs_dir=specs_dir)
    assert result.failed() == [], result.output
    control = result.check("passports.clearinghouse.grants-valid-passport")
    assert control.outcome == "skipped" and "expired" in (control.message or ""), result.output


@pytest.mark.parametrize(("fault", "root"), [
    ("skips-passport-signature", "passports.clearinghouse.rejects-bad-passport-signature"),
    ("ignores-conditions", "passports.clearinghouse.enforces-conditions"),
    ("accepts-expired-visa", "passports.clearinghouse.ignores-expired-visa"),
    ("accepts-untrusted-visa-issuer", "passports.clearinghouse.ignores-untrusted-visa-issuer"),
    ("accepts-untrusted-jku", "passports.clearinghouse.rejects-untrusted-jku"),
])
def test_one_clearinghouse_defect_is_one_root_failure(fault: str, root: str, report_root: Path,
                                                      specs_dir: str | None) -> None:
    # a clearinghouse that verifies no passport signature also takes alg none and HS256; one that ignores
    # conditions meets every condition check's mutation; one that uses a visa's untrusted jku fetched it first:
    # the others fail as consequences of the one cause
    result = run_reference("passports", report_root, [fault], role="clearinghouse", specs_dir=specs_dir)
    causes = result.causes()
    assert [c for c, cause in causes.items() if cause is None] == [root], result.output
    assert all(cause == root for c, cause in causes.items() if c != root), causes


@pytest.mark.parametrize(("fault", "root"), [
    ("discovery-404", "passports.broker.discovery-document-served"),
    ("discovery-issuer-mismatch", "passports.broker.discovery-issuer-matches"),
    ("discovery-missing-jwks-uri", "passports.broker.discovery-required-metadata"),
    ("access-token-rs512", "passports.broker.access-token-alg"),
    ("access-token-missing-passport-scope", "passports.broker.access-token-scope-has-openid-and-passport"),
    ("userinfo-as-text", "passports.broker.userinfo-content-type"),
    ("visa-es384", "passports.visa.alg-is-rs256-or-es256"),
    ("visa-tampered-after-signing", "passports.visa.signature-verifies"),
    ("visa-unpublished-key", "passports.broker.own-visas-signed-by-broker"),
    ("visa-value-not-string", "passports.visa.object-value"),
])
def test_one_broker_defect_is_one_root_failure(fault: str, root: str, report_root: Path,
                                               specs_dir: str | None) -> None:
    # a broker without discovery also fails its token's iss lookup; an RS512 token verifies with no RS256 key;
    # a token exchange of a token without the passport scope is rightly refused; an ES384 visa is signed with a
    # P-384 key; a visa that does not verify is no visa of the broker's keys; a key the broker does not publish
    # is not in its visa's jku either; a value that is no string is no <role>@<affiliation>
    result = run_reference("passports", report_root, [fault], role="broker", specs_dir=specs_dir)
    causes = result.causes()
    assert [c for c, cause in causes.items() if cause is None] == [root], result.output


def test_a_given_token_of_another_client_is_not_judged_by_the_profiles_client_id(
        report_root: Path, specs_dir: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # AAI 1.2 §Passport-Scoped Access Token: aud "MUST contain the OAuth Client ID of the relying party". A token
    # the profile gives (auth.bearer_token_env) may have been issued to another client than auth.client_id_env
    # (the initiative's portal, say): whom it names cannot be judged; a token the harness obtained with its client
    # (a refresh here) can, and the fault's broker is caught that way
    original = PassportBrokerApp.issued_secrets

    def issued_secrets(self: PassportBrokerApp) -> dict[str, str]:
        t = jose.now()
        token = self._sign({"iss": self.url, "sub": "u", "aud": ["portal-client"], "iat": t, "exp": t + 3600,
                            "jti": "j", "scope": "openid ga4gh_passport_v1"}, {"typ": "at+jwt"}, "RS256")
        return {**original(self), "bearer_token_env": token}

    monkeypatch.setattr(PassportBrokerApp, "issued_secrets", issued_secrets)
    result = run_reference("passports", report_root, [], role="broker", specs_dir=specs_dir,
                           checks=["passports.broker.access-token-aud-contains-client-id"])
    check = result.check("passports.broker.access-token-aud-contains-client-id")
    assert check.outcome == "skipped" and "auth.bearer_token_env" in (check.message or ""), result.output


def test_an_encrypted_userinfo_answer_is_undecided_not_failed(
        report_root: Path, specs_dir: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # OIDC Core 1.0 §5.3.2: a UserInfo response may be signed and/or encrypted (application/jwt); AAI 1.2 allows
    # application/jwt and refers to OIDC Core. The harness holds no decryption key of the client: it cannot tell
    # whether the encrypted claims hold ga4gh_passport_v1
    from conformance import Reply, route

    jwe = ".".join([jose.b64json({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}),
                    "a2V5", "aXY", "Y2lwaGVydGV4dA", "dGFn"])

    def userinfo(self: PassportBrokerApp, request: Any) -> Reply:
        if not self._bearer_valid(request):
            return Reply(401, b"", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return Reply(200, jwe.encode(), {"Content-Type": "application/jwt", "Cache-Control": "no-store"})

    monkeypatch.setattr(PassportBrokerApp, "userinfo", route("GET", "/userinfo")(userinfo))
    result = run_reference("passports", report_root, [], role="broker", specs_dir=specs_dir)
    musts = [line for line in result.failed() if "userinfo" in line and "json-when-token-exchange" not in line]
    assert musts == [], result.output
    check = result.check("passports.broker.userinfo-returns-passport-claim")
    assert check.outcome == "skipped" and "encrypted" in (check.message or ""), result.output


def test_a_passport_issued_whatever_the_subject_token_type_is_a_warning(report_root: Path,
                                                                      specs_dir: str | None) -> None:
    # AAI 1.2 §Conformance for Passport Issuers 3.5: "The subject_token_type parameter value MUST be
    # urn:ietf:params:oauth:token-type:access_token" binds the request; no text makes the Token Endpoint refuse a
    # request with another type for a valid Passport-Scoped Access Token: the refusal is derived, a SHOULD (as
    # passports.clearinghouse.rejects-disallowed-alg is for a Passport breaking a rule on Passports)
    result = run_reference("passports", report_root, ["token-exchange-ignores-subject-token-type"], role="broker",
                           specs_dir=specs_dir)
    check = result.check("passports.broker.token-exchange-checks-subject-token-type")
    assert check.outcome == "failed" and check.level == "SHOULD", result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("role", ["broker", "clearinghouse"])
def test_a_profile_declaring_passport_1_2_1_is_checked_as_1_2(role: str, report_root: Path,
                                                              specs_dir: str | None) -> None:
    # Passport 1.2.1 and AAI 1.2.1 are patches of 1.2 with no new requirement (CHANGES_1.2.1.md: the Passport
    # text moved beside AAI, a table of versions): a profile declaring 1.2.1 gets the 1.2 checks, citing 1.2.1
    result = run_reference("passports", report_root, [], version="1.2.1", role=role, specs_dir=specs_dir)
    assert result.exit_code == 0, result.output
    assert result.failed() == [], result.output
    control = ("passports.broker.access-token-alg" if role == "broker"
               else "passports.clearinghouse.grants-valid-passport")
    check = result.check(control)
    assert check.outcome == "passed" and "1.2.1" in check.citation, (check.citation, result.output)


def test_visa_checks_without_a_discovery_document_say_why_no_visa_was_read(report_root: Path) -> None:
    from conformance.testing import run_reference

    result = run_reference("passports", report_root, ["discovery-404"], role="broker",
                           checks=["passports.visa.has-iss"])
    check = result.check("passports.visa.has-iss")
    assert check.outcome == "skipped" and "no discovery document" in check.message, check
