"""A DRS service that declares protected objects is attacked as a Passport Clearinghouse (issue 22): the
reference DRS server verifies passports for real (it grants the harness's test issuer and refuses every
forgery), the attacks run under the DRS service without a `passports` entry, trust comes from the DRS
entry's own `trusts_test_issuer` / `test_issuer_keys`, the checks that need a trusted issuer skip saying
so, and no minted passport or key reaches a report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.drs import check_passports
from conformance_suites.drs.reference.app import DATASET, DrsApp
from conformance_suites.passports import jose

from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile, run_reference

#: every check of check_passports.py: the ids the DRS service reports as a clearinghouse
CLEARINGHOUSE = sorted(m.args[0] for f in vars(check_passports).values()
                       for m in getattr(f, "pytestmark", []) if m.name == "conformance_check")
#: the attacks that mutate the profile's own passport, so need no trusted test issuer
WITHOUT_ISSUER = ["drs.passport.rejects-alg-none", "drs.passport.rejects-untrusted-issuer",
                  "drs.passport.refusal-reveals-nothing"]
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")


def _minted(issuer: jose.Issuer, dataset: str = DATASET, **claims: Any) -> str:
    t = jose.now()
    visa = issuer.sign({"iss": issuer.iss, "sub": "u", "iat": t, "exp": t + 600, "jti": "v1",
                        "ga4gh_visa_v1": {"type": "ControlledAccessGrants", "value": dataset,
                                          "source": "https://dac.example.org", "by": "dac", "asserted": t}},
                       {"typ": jose.VISA_TYP, "jku": issuer.jku}, "ES256")
    return issuer.sign({"iss": issuer.iss, "sub": "u", "iat": t, "exp": t + 600, "jti": "p1",
                        "ga4gh_passport_v1": [visa], **claims}, {"typ": jose.PASSPORT_TYP}, "RS256")


def test_reference_drs_grants_a_run_made_passport_and_refuses_forgeries() -> None:
    app = DrsApp()
    trusted = jose.session_issuer(jose.DEMO_TEST_ISSUER)
    valid = _minted(trusted)
    assert app.passport_ok({"passports": [valid]})
    assert app.passport_ok({"passports": [app.passport]})
    t = jose.now()
    for forged in (jose.alg_none(valid), _minted(jose.session_issuer("someone-else")),
                   _minted(trusted, exp=t - 600), _minted(trusted, dataset=DATASET + "/other"),
                   "ref-passport." + "0" * 64):
        assert not app.passport_ok({"passports": [forged]}), forged[:40]


def test_reference_drs_lists_the_issuer_it_trusts() -> None:
    app = DrsApp()
    issuers = app.authorizations("blob-protected")["passport_auth_issuers"]
    assert issuers == [jose.session_issuer(jose.DEMO_TEST_ISSUER).iss]


def test_conformant_reference_passes_every_clearinghouse_check(report_root: Path) -> None:
    result = run_reference("drs", report_root, checks=CLEARINGHOUSE)
    assert result.exit_code == 0, result.output
    assert {c.id: c.outcome for s in result.scorecard.services for c in s.checks} == \
        dict.fromkeys(CLEARINGHOUSE, "passed")
    assert not [p for p in result.run_dir.rglob("*") if p.is_file()
                and JWT.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert not JWT.search(result.output)


def _run(app: DrsApp, report_root: Path, passport: str, **options: Any) -> RunResult:
    with ReferenceServer(app) as server:
        entry = {"standard": "drs", "version": "1.4.0", "url": server.url, "protected_objects": ["blob-protected"],
                 "auth": {"passport_env": "DRS_PASSPORT"}, **options}
        return run_profile({"initiative": "drs clearinghouse", "services": [entry]}, report_root,
                           checks=CLEARINGHOUSE, environ={"DRS_PASSPORT": passport})


def test_without_a_test_issuer_only_mutations_of_the_profile_passport_run(report_root: Path) -> None:
    app = DrsApp()
    result = _run(app, report_root, app.passport)
    assert result.failed() == [] and result.errors() == [], result.output
    for check_id in CLEARINGHOUSE:
        check = result.check(check_id)
        if check_id in WITHOUT_ISSUER:
            assert check.outcome == "passed", check
        else:
            assert check.outcome == "skipped", check
            assert "trusts the harness's test issuer" in check.message or "dataset" in check.message, check


def test_without_a_test_issuer_a_granted_forgery_still_fails(report_root: Path) -> None:
    app = DrsApp(faults=["alg-none-passport-granted"])
    result = _run(app, report_root, app.passport)
    assert result.outcome("drs.passport.rejects-alg-none") == "failed"
    assert result.outcome("drs.passport.rejects-untrusted-issuer") == "passed"


def test_trust_declared_without_keys_skips_with_the_reason(report_root: Path) -> None:
    app = DrsApp()
    result = _run(app, report_root, app.passport, trusts_test_issuer=True, dataset=DATASET)
    check = result.check("drs.passport.rejects-expired-passport")
    assert check.outcome == "skipped"
    assert "no test_issuer_keys" in check.message


def test_test_issuer_keys_on_the_drs_entry_apply_with_open_metadata(tmp_path: Path, report_root: Path) -> None:
    """trusts_test_issuer + test_issuer_keys on the DRS entry; the metadata of the protected object is
    open, so the attacks go to POST /objects/{id}/access/{access_id}, the route that guards it."""
    keys = tmp_path / "issuer.json"
    jose.write_keys_file(jose.new_issuer("https://issuer.conformance.invalid/drs-test"), keys)
    app = DrsApp(options={"variants": ["metadata-open"], "test_issuer_keys": str(keys), "dataset": DATASET})
    result = _run(app, report_root, app.passport, trusts_test_issuer=True, test_issuer_keys=str(keys),
                  dataset=DATASET)
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("drs.passport.grants-valid-passport") == "passed"
    assert result.outcome("drs.passport.rejects-expired-passport") == "passed"
    exchanges = (result.run_dir / "scorecard.json").read_text(encoding="utf-8")
    assert not JWT.search(exchanges)
    faulty = DrsApp(faults=["expired-visa-granted"], options={
        "variants": ["metadata-open"], "test_issuer_keys": str(keys), "dataset": DATASET})
    caught = _run(faulty, report_root, faulty.passport, trusts_test_issuer=True, test_issuer_keys=str(keys),
                  dataset=DATASET)
    assert caught.outcome("drs.passport.ignores-expired-visa") == "failed"
    assert "/access/" in caught.check("drs.passport.ignores-expired-visa").message or caught.failed()


def test_a_drs_service_without_protected_objects_is_not_a_clearinghouse(report_root: Path) -> None:
    app = DrsApp()
    with ReferenceServer(app) as server:
        entry = {"standard": "drs", "version": "1.4.0", "url": server.url, "objects": ["blob-1"]}
        result = run_profile({"initiative": "open drs", "services": [entry]}, report_root,
                             checks=["drs.passport.rejects-alg-none", "drs.object.get-known-id-returns-200"])
    check = result.check("drs.passport.rejects-alg-none")
    assert (check.outcome, check.skip_kind) == ("skipped", "not-applicable"), check


@pytest.mark.parametrize("fault", ["options-reveals-object"])
def test_options_of_a_protected_object_never_carries_it(fault: str, report_root: Path) -> None:
    clean = run_reference("drs", report_root, checks=["drs.auth.options-does-not-reveal-object"])
    assert clean.outcome("drs.auth.options-does-not-reveal-object") == "passed"
    leaky = run_reference("drs", report_root, [fault], checks=["drs.auth.options-does-not-reveal-object"])
    assert leaky.outcome("drs.auth.options-does-not-reveal-object") == "failed"


def test_a_valid_passport_without_the_grant_is_403(report_root: Path) -> None:
    """drs.auth.insufficient-credentials-is-403 was uncovered (it needs a valid passport lacking the grant):
    the trusted test issuer signs one."""
    check_id = "drs.auth.insufficient-credentials-is-403"
    assert run_reference("drs", report_root, checks=[check_id]).outcome(check_id) == "passed"
    faulty = run_reference("drs", report_root, ["passport-without-grant-401"], checks=[check_id])
    assert faulty.outcome(check_id) == "failed"
    assert faulty.exit_code != 1  # a SHOULD: a warning, never non-conformance


def test_an_expanded_bundle_never_carries_its_protected_member(report_root: Path) -> None:
    """drs.auth.bundle-does-not-reveal-protected-object was uncovered: the reference bundle-controlled
    holds the protected object, read without credentials with and without expand=true."""
    check_id = "drs.auth.bundle-does-not-reveal-protected-object"
    assert run_reference("drs", report_root, checks=[check_id]).outcome(check_id) == "passed"
    leaky = run_reference("drs", report_root, ["expand-reveals-protected-object"], checks=[check_id])
    assert leaky.outcome(check_id) == "failed"
    assert "expand=true" in leaky.check(check_id).message


@pytest.mark.parametrize(("faults", "outcome"), [([], "skipped"), (["bad-passport-accepted"], "failed")])
def test_without_any_passport_a_granted_forgery_fails_and_a_refusal_decides_nothing(
        faults: list[str], outcome: str, report_root: Path) -> None:
    """No passport_env and no trusted test issuer: the forgeries that need no key are made of a passport
    the harness signs with its untrusted issuer; a server that grants them fails, one that refuses them is
    undecided (no positive control)."""
    app = DrsApp(faults=faults)
    with ReferenceServer(app) as server:
        entry = {"standard": "drs", "version": "1.4.0", "url": server.url, "protected_objects": ["blob-protected"]}
        result = run_profile({"initiative": "drs without passport", "services": [entry]}, report_root,
                             checks=WITHOUT_ISSUER)
    for check_id in ("drs.passport.rejects-alg-none", "drs.passport.rejects-untrusted-issuer"):
        check = result.check(check_id)
        assert check.outcome == outcome, check
        if outcome == "skipped":
            assert check.message.startswith("cannot decide") and check.skip_kind == "undecided", check
    assert result.outcome("drs.passport.refusal-reveals-nothing") == "skipped"
    assert not [p for p in result.run_dir.rglob("*") if p.is_file()
                and JWT.search(p.read_text(encoding="utf-8", errors="replace"))]
