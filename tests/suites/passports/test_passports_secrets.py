"""No passport, visa, token or key material reaches anything a passports run writes; the test issuer
key file of `conformance passports keys` is private and is what a clearinghouse run signs with."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.passports import jose, view
from conformance_suites.passports.reference import app as ref
from cryptography.hazmat.primitives import serialization

from conformance.cli import main
from conformance.testing import reference_entries, run_profile


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every token the reference broker issues and every token the harness mints during the test."""
    seen: list[str] = []

    def recording(cls: Any, name: str) -> None:
        original = getattr(cls, name)

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            value = original(self, *args, **kwargs)
            if isinstance(value, str):
                seen.append(value)
            elif isinstance(value, dict):
                seen.extend(v for v in value.values() if isinstance(v, str))
            elif isinstance(value, list):
                seen.extend(v for v in value if isinstance(v, str))
            return value
        monkeypatch.setattr(cls, name, wrapper)

    for name in ("issued_secrets", "passport", "visas", "access_token"):
        recording(ref.PassportBrokerApp, name)
    for name in ("passport", "visa"):
        recording(view.Clearinghouse, name)
    recording(jose.Issuer, "sign")  # everything signed, the userinfo JWT (userinfo-as-jwt) included
    yield seen


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The tokens the harness minted for a clearinghouse whose reports may show them (issue 21.10)."""
    found: list[str] = []
    original = view.Clearinghouse.minted

    def minted(self: view.Clearinghouse, token: str) -> str:
        if self.tokens_are_evidence:
            found.append(token)
        return original(self, token)
    monkeypatch.setattr(view.Clearinghouse, "minted", minted)
    yield found


def _key_material() -> list[str]:
    found: list[str] = []
    for name in (jose.DEMO_TEST_ISSUER, "harness-untrusted-issuer"):
        found.extend(jose.session_issuer(name).sensitive_strings())
    rsa_key, ec_key = ref._broker_keys()
    found.extend(jose.Issuer("x", rsa_key, ec_key, "a", "b").sensitive_strings())
    return found


def _leaks(run_dir: Path, output: str, needles: list[str]) -> list[str]:
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"scorecard.json", "testbed-report.json", "report.html", "junit.xml",
                                       "summary.md"}
    assert any(p.name.startswith("badge") for p in files)
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files}
    texts["<console>"] = output
    leaks = []
    for needle in needles:
        probes = {needle, needle.replace("\n", "\\n")}
        if needle.count(".") == 2:
            probes |= {part for part in needle.split(".")[1:] if len(part) >= 16}  # payload, signature
        for where, text in texts.items():
            if any(probe and probe in text for probe in probes):
                leaks.append(f"{where}: {needle[:24]}...")
    return leaks


@pytest.mark.parametrize("faults", [[], ["jwks-leaks-private-key", "unsigned-passport", "accepts-alg-none",
                                         "accepts-hs256-with-public-key", "skips-visa-signature", "userinfo-as-jwt"]],
                         ids=["conformant", "faulty"])
def test_no_passport_visa_token_or_key_in_any_written_file(faults: list[str], recorded: list[str], shown: list[str],
                                                         report_root: Path, specs_dir: str | None) -> None:
    """Nothing the broker issued, no passport the profile's services hold, no key; the only tokens a report
    may hold are the forgeries and test passports the harness made for the run's own embedded
    clearinghouse, which trusts nothing beyond the run (issue 21.10: they are evidence)."""
    document = {"initiative": "passports secrets", "services": reference_entries("passports", faults)}
    result = run_profile(document, report_root, specs_dir=specs_dir)
    assert result.exit_code == (1 if faults else 0), result.output
    tokens = [t for t in recorded if len(t) >= 16]
    assert any(t.count(".") == 2 for t in tokens)  # passports and visas were issued and minted
    assert len(tokens) > 20
    assert any(len(t) > 4000 for t in tokens)  # a passport longer than the evidence cut (many visas)
    needles = [t for t in tokens if t not in set(shown)] + _key_material()
    assert _leaks(result.run_dir, result.output, needles) == []


def test_the_forgery_a_clearinghouse_granted_is_shown_as_evidence(shown: list[str], report_root: Path,
                                                                  specs_dir: str | None) -> None:
    """Issue 21.10: the alg-none passport the faulty clearinghouse granted stands in the failure's curl
    line, which stays valid JSON and replays the request."""
    entries = reference_entries("passports", ["accepts-alg-none"], role="clearinghouse")
    result = run_profile({"initiative": "forgery shown", "services": entries}, report_root, specs_dir=specs_dir)
    failure = result.check("passports.clearinghouse.rejects-alg-none")
    assert failure.outcome == "failed"
    evidence = failure.cases[0].evidence[-1]
    body = json.loads(evidence["curl"].split("--data-raw '", 1)[1].split("'", 1)[0])
    forged = body["passports"][0]
    assert forged in shown and jose.split(forged).header["alg"].lower() == "none"


def test_a_clearinghouse_with_test_issuer_keys_shows_no_token(tmp_path: Path, shown: list[str], report_root: Path,
                                                            specs_dir: str | None) -> None:
    """Signed with an initiative's test issuer keys, a harness passport is a credential wherever those keys are
    trusted: every token stays redacted, the forgeries included."""
    keys = tmp_path / "issuer.json"
    jose.write_keys_file(jose.new_issuer("https://test-issuer.example.org/h"), keys)
    entry = {**reference_entries("passports", ["accepts-alg-none"], role="clearinghouse")[0],
             "test_issuer_keys": str(keys)}
    result = run_profile({"initiative": "keys", "services": [entry]}, report_root, specs_dir=specs_dir)
    assert result.outcome("passports.clearinghouse.rejects-alg-none") == "failed", result.output
    assert shown == []
    assert "[REDACTED]" in json.dumps(result.check("passports.clearinghouse.rejects-alg-none").cases[0].evidence)


def test_keys_command_writes_a_private_file_and_a_public_jwks(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              report_root: Path, specs_dir: str | None) -> None:
    keys = tmp_path / "issuer.json"
    public = tmp_path / "public.json"
    assert main(["passports", "keys", "--out", str(keys), "--public-out", str(public),
                 "--issuer", "https://test-issuer.example.org/harness"]) == 0
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    issuer = jose.read_keys_file(keys)
    assert issuer.iss == "https://test-issuer.example.org/harness"
    printed = capsys.readouterr().out
    published = json.loads(public.read_text())
    for secret in issuer.sensitive_strings():
        assert secret not in printed and secret not in public.read_text()
    assert all(not set(jose.PRIVATE_JWK_MEMBERS) & set(k) for k in published["jwks"]["keys"])
    assert main(["passports", "keys", "--out", str(keys)]) == 4  # never overwrites without --force

    # A clearinghouse that trusts the key file grants the harness's passports and refuses the mutations.
    entry = {**reference_entries("passports", role="clearinghouse")[0], "test_issuer_keys": str(keys)}
    result = run_profile({"initiative": "keys file", "services": [entry]}, report_root, specs_dir=specs_dir)
    assert result.outcome("passports.clearinghouse.grants-valid-passport") == "passed", result.output
    assert result.failed() == [] and result.exit_code == 0, result.output
    pem = issuer.rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode()
    assert _leaks(result.run_dir, result.output, [pem, *issuer.sensitive_strings()]) == []


def test_untrusting_clearinghouse_runs_only_the_refusals_that_need_no_trust(report_root: Path,
                                                                              specs_dir: str | None) -> None:
    entry = {**reference_entries("passports", role="clearinghouse")[0], "trusts_test_issuer": False}
    result = run_profile({"initiative": "no trust", "services": [entry]}, report_root, specs_dir=specs_dir)
    # Only the refusals that mean something without trust ran (and passed); the rest are skipped.
    assert result.exit_code == 0, result.output
    for check_id in ("rejects-alg-none", "rejects-untrusted-broker", "denial-status"):
        assert result.outcome("passports.clearinghouse." + check_id) == "passed", result.output
    for check_id in ("ignores-expired-visa", "rejects-hs256-with-public-key", "rejects-untrusted-jku"):
        skipped = result.check("passports.clearinghouse." + check_id)
        assert skipped.outcome == "skipped" and "trusts the harness's test issuer" in skipped.message
    assert result.failed() == []


@pytest.mark.parametrize(("url", "sent"), [
    ("https://broker.example.org/token", True), ("https://idp.example.org/token", True),
    ("http://idp.example.org/token", False), ("https://evil.example.net\\@idp.example.org/token", False),
    ("https://evil.example.net\\@broker.example.org/token", False), ("https://other.example.org/token", False),
])
def test_credentials_go_where_the_request_reaches_an_allowed_host(url: str, sent: bool) -> None:
    """The issuer's origin or a host of auth.allowed_hosts, read as the transport reads the URL (urllib3 ends the
    authority at a backslash), and over https only for an https issuer."""
    from conformance_suites.passports.view import Broker

    from conformance.profile import Auth, Service

    broker = Broker.__new__(Broker)
    broker.issuer_url = "https://broker.example.org"
    broker.service = Service(index=0, standard="passports", version="1.2", url="https://broker.example.org",
                             auth=Auth(allowed_hosts=("IDP.example.org",)))
    assert broker.may_send_credentials(url) is sent
