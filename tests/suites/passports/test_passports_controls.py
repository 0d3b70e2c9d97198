"""A "must refuse" check passes only when its positive control is granted (issue 21 item 1): a standalone
clearinghouse that refuses everything from an issuer it does not trust proves nothing about alg none.
The harness then says it cannot decide (a skip with the true reason); given the issuer the clearinghouse
trusts (test_issuer_keys) or a passport it grants (auth.passport_env), the same checks decide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conformance_suites.passports import jose

from conformance import reference
from conformance.cli import main
from conformance.reference import ReferenceServer
from conformance.testing import RunResult, run_profile

NEGATIVE = ("passports.clearinghouse.rejects-alg-none", "passports.clearinghouse.rejects-untrusted-broker",
            "passports.clearinghouse.denial-status")
FAULTS = {"passports.clearinghouse.rejects-alg-none": "accepts-alg-none",
          "passports.clearinghouse.rejects-untrusted-broker": "accepts-untrusted-issuer",
          "passports.clearinghouse.denial-status": "denies-with-500"}


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "issuer.json"
    jose.write_keys_file(jose.session_issuer("controls-test-issuer"), path)
    return path


@pytest.fixture
def standalone() -> Iterator[Any]:
    """Start a clearinghouse as `conformance reference serve passports --role clearinghouse` does."""
    servers: list[ReferenceServer] = []

    def start(faults: list[str], **options: Any) -> ReferenceServer:
        server = reference.start("passports", faults, options={"role": "clearinghouse", **options})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _run(server: ReferenceServer, report_root: Path, checks: list[str], environ: dict[str, str] | None = None,
         **entry: Any) -> RunResult:
    service = {"standard": "passports", "version": "1.2", "role": "clearinghouse", "url": server.url.rstrip("/"),
               "protected_objects": ["controlled-object-1"], "access_id": "https",
               "dataset": "https://datasets.conformance.invalid/ds-710", **entry}
    return run_profile({"initiative": "controls", "services": [service]}, report_root, checks=checks,
                       environ=environ)


@pytest.mark.parametrize("check_id", NEGATIVE)
def test_without_a_granted_control_the_refusal_decides_nothing(check_id: str, standalone: Any,
                                                               report_root: Path) -> None:
    """The reproduction of issue 21 item 1: trusts_test_issuer without test_issuer_keys, no passport."""
    server = standalone([FAULTS[check_id]])
    result = _run(server, report_root, [check_id], trusts_test_issuer=True)
    finding = result.check(check_id)
    assert finding.outcome == "skipped", result.output
    assert "test_issuer_keys" in finding.message, finding.message
    assert result.exit_code != 0, result.output  # not "conformant"
    assert result.scorecard.notices[0].startswith("passports-clearinghouse-0: 1 check not run: no passport the "
                                                  "clearinghouse grants"), result.scorecard.notices


@pytest.mark.parametrize("check_id", NEGATIVE)
def test_with_the_trusted_issuer_the_fault_is_caught(check_id: str, standalone: Any, report_root: Path,
                                                     keys_file: Path) -> None:
    server = standalone([FAULTS[check_id]], test_issuer_keys=str(keys_file))
    result = _run(server, report_root, [check_id], trusts_test_issuer=True, test_issuer_keys=str(keys_file))
    assert result.outcome(check_id) == "failed", result.output


@pytest.mark.parametrize("check_id", NEGATIVE)
def test_with_a_granted_passport_the_fault_is_caught(check_id: str, standalone: Any, report_root: Path,
                                                     keys_file: Path) -> None:
    """No trust declared: the passport the profile gives is the control, its mutations the probes."""
    server = standalone([FAULTS[check_id]], test_issuer_keys=str(keys_file))
    passport = server.app.issued_secrets()["passport_env"]
    result = _run(server, report_root, [check_id], environ={"CH_PASSPORT": passport},
                  auth={"passport_env": "CH_PASSPORT"})
    assert result.outcome(check_id) == "failed", result.output


@pytest.mark.parametrize("check_id", NEGATIVE)
def test_the_conformant_clearinghouse_passes_with_a_granted_passport(check_id: str, standalone: Any,
                                                                     report_root: Path, keys_file: Path) -> None:
    server = standalone([], test_issuer_keys=str(keys_file))
    passport = server.app.issued_secrets()["passport_env"]
    result = _run(server, report_root, [check_id], environ={"CH_PASSPORT": passport},
                  auth={"passport_env": "CH_PASSPORT"})
    assert result.outcome(check_id) == "passed", result.output


def test_a_refused_control_is_not_a_pass(standalone: Any, report_root: Path, keys_file: Path) -> None:
    """A clearinghouse that refuses everything passes no refusal check: the control fails once, the
    refusals say why they cannot decide."""
    server = standalone(["denies-everything"], test_issuer_keys=str(keys_file))
    checks = ["passports.clearinghouse.grants-valid-passport", *NEGATIVE]
    result = _run(server, report_root, checks, trusts_test_issuer=True, test_issuer_keys=str(keys_file))
    assert result.outcome("passports.clearinghouse.grants-valid-passport") == "failed", result.output
    for check_id in NEGATIVE:
        finding = result.check(check_id)
        assert finding.outcome == "skipped", result.output
        assert "valid passport was refused" in finding.message


def test_a_served_clearinghouse_shows_its_passport_and_trusts_the_named_test_issuer(tmp_path: Path,
                                                                                      keys_file: Path) -> None:
    """`conformance reference serve passports --role clearinghouse --option test_issuer_keys=FILE` prints the
    passport it grants; a profile naming it and the key file decides every refusal check (issue 21, small
    ones)."""
    server = subprocess.Popen([sys.executable, "-m", "conformance.cli", "reference", "serve", "passports", "--role",
                               "clearinghouse", "--option", f"test_issuer_keys={keys_file}"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" at ", 1)[1].split(" ", 1)[0]
        lines = [server.stdout.readline(), server.stdout.readline()]
        assert "issued for this server" in lines[0]
        assert lines[1].strip().startswith("auth.passport_env: ")
        passport = lines[1].split(": ", 1)[1].strip()
        assert jose.split(passport).payload["iss"] == jose.session_issuer("controls-test-issuer").iss
        entry = {"standard": "passports", "version": "1.2", "role": "clearinghouse", "url": url.rstrip("/"),
                 "protected_objects": ["controlled-object-1"], "access_id": "https",
                 "dataset": "https://datasets.conformance.invalid/ds-710", "trusts_test_issuer": True,
                 "test_issuer_keys": str(keys_file), "auth": {"passport_env": "CH_PASSPORT"}}
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "served", "services": [entry],
                                           "budget": {"requests_per_second": 500}}))
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile),
                               "--report-dir", str(tmp_path / "r"), "--quiet"], capture_output=True, text=True,
                              timeout=300, env={**os.environ, "CH_PASSPORT": passport})
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stdout + done.stderr
    scorecard = next((tmp_path / "r").rglob("scorecard.json")).read_text()
    checks = {c["id"]: c["outcome"] for c in json.loads(scorecard)["services"][0]["checks"]}
    assert {checks[c] for c in NEGATIVE} == {"passed"}, checks
    assert checks["passports.clearinghouse.rejects-hs256-with-public-key"] == "passed"


def test_serve_with_a_bad_key_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "nope.json"
    bad.write_text("{}")
    assert main(["reference", "serve", "passports", "--role", "clearinghouse", "--option",
                 f"test_issuer_keys={bad}"]) == 4
    err = capsys.readouterr().err
    assert "test_issuer_keys" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
