"""Every failure of the passports suite shows the exchange it is about: an access-token finding the
broker's userinfo answer to that token, a visa finding the answer that handed out the visas. A Passport
the profile gives is judged too, with the broker's discovery document (its issuer) as the evidence."""

from __future__ import annotations

from pathlib import Path

from conformance_suites.passports import jose

from conformance.testing import reference_entries, run_profile, run_reference


def test_access_token_and_visa_findings_carry_the_brokers_answer(report_root: Path,
                                                                 specs_dir: str | None) -> None:
    checks = ["passports.broker.access-token-has-jti", "passports.visa.by-in-vocabulary"]
    result = run_reference("passports", report_root, ["access-token-no-jti", "visa-bad-by-value"], role="broker",
                           specs_dir=specs_dir, checks=checks)
    for check_id, path in zip(checks, ("/userinfo", "/token")):
        finding = result.check(check_id)
        assert finding.outcome == "failed", result.output
        evidence = [e for case in finding.cases for e in case.evidence]
        assert evidence and evidence[0]["url"].endswith(path) and evidence[0]["status"] == 200


def test_a_passport_the_profile_gives_is_judged_with_the_brokers_discovery_as_evidence(
        report_root: Path, specs_dir: str | None) -> None:
    issuer = jose.session_issuer("evidence-test")
    t = jose.now()
    given = issuer.sign({"iss": issuer.iss, "sub": "u", "iat": t, "exp": t + 600}, {"typ": jose.PASSPORT_TYP})
    entry = {**reference_entries("passports", role="broker")[0], "auth": {"passport_env": "GIVEN_PASSPORT"}}
    result = run_profile({"initiative": "given passport", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["passports.passport.has-jti"], environ={"GIVEN_PASSPORT": given})
    finding = result.check("passports.passport.has-jti")
    assert finding.outcome == "failed", result.output  # the given Passport has no jti
    evidence = [e for case in finding.cases for e in case.evidence]
    assert evidence and evidence[0]["url"].endswith("/.well-known/openid-configuration")
