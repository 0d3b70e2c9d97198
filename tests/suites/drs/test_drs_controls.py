"""DRS refusal checks need a granted positive control (issue 21 item 1): with a passport the server does
not grant, the refusal of its tampered copy, or of a request without credentials, proves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import reference
from conformance.reference import ReferenceServer
from conformance.testing import RunResult, run_profile

CHECKS = ["drs.passport.invalid-passport-rejected", "drs.auth.protected-object-requires-credentials"]


@pytest.fixture
def drs_server() -> Iterator[ReferenceServer]:
    server = reference.start("drs")
    yield server
    server.stop()


def _run(server: ReferenceServer, report_root: Path, passport: str) -> RunResult:
    entry = {"standard": "drs", "version": "1.5.0", "url": server.url.rstrip("/"), "objects": ["blob-1"],
             "protected_objects": ["blob-protected"], "auth": {"passport_env": "DRS_PASSPORT"}}
    return run_profile({"initiative": "drs controls", "services": [entry]}, report_root, checks=CHECKS,
                       environ={"DRS_PASSPORT": passport})


@pytest.mark.parametrize("check_id", CHECKS)
def test_a_passport_the_server_refuses_decides_no_refusal(check_id: str, drs_server: ReferenceServer,
                                                          report_root: Path) -> None:
    result = _run(drs_server, report_root, "ref-passport." + "0" * 64)  # well formed, not the server's
    finding = result.check(check_id)
    assert finding.outcome == "skipped", result.output
    assert finding.message.startswith("cannot decide"), finding.message


@pytest.mark.parametrize("check_id", CHECKS)
def test_a_granted_passport_decides(check_id: str, drs_server: ReferenceServer, report_root: Path) -> None:
    result = _run(drs_server, report_root, drs_server.app.issued_secrets()["passport_env"])
    assert result.outcome(check_id) == "passed", result.output


def test_a_listed_sha256_is_the_clients_evidence_digest_not_hashed_twice(
        drs_server: ReferenceServer, report_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client hashes every streamed body with sha-256 for the evidence: the object's sha-256 is read
    from there (issue 20: sha-256 + md5 near hashlib's throughput), and still verified (blob-1 lists
    sha-256 and md5)."""
    from typing import Any

    from conformance_suites.drs import view

    real = view.hasher

    class Unused:
        def update(self, data: bytes, /) -> None:
            raise AssertionError("the listed sha-256 was hashed a second time")

    def hasher(kind: str) -> tuple[Any, int | None] | str:
        return (Unused(), None) if kind.lower() == "sha-256" else real(kind)

    monkeypatch.setattr(view, "hasher", hasher)
    entry = {"standard": "drs", "version": "1.5.0", "url": drs_server.url.rstrip("/"), "objects": ["blob-1"]}
    result = run_profile({"initiative": "drs sha-256 once", "services": [entry]}, report_root,
                         checks=["drs.object.checksum-matches-bytes"])
    assert result.outcome("drs.object.checksum-matches-bytes") == "passed", result.output
