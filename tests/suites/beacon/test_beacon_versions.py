"""The reference Beacon is conformant at every version the suite supports (the fault tests run the
newest only), and without the official schemas the suite's own checks still decide the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.testing import run_reference


@pytest.mark.parametrize("version", ["2.0.0", "2.1.0"])
def test_conformant_reference_at_older_versions(version: str, report_root: Path, specs_dir: str | None) -> None:
    result = run_reference("beacon", report_root, version=version, specs_dir=specs_dir)
    assert result.failed() == []
    assert result.errors() == []
    assert result.exit_code == 0, result.output


def test_faults_are_caught_without_official_schemas(report_root: Path, no_specs: None) -> None:
    result = run_reference("beacon", report_root, ["skip-counts-records", "vrs-id-wrong"],
                           checks=["beacon.pagination.skip-counts-pages", "beacon.vrs.computed-id-correct",
                                   "beacon.records.schema.valid"])
    assert result.outcome("beacon.pagination.skip-counts-pages") == "failed"
    assert result.outcome("beacon.vrs.computed-id-correct") == "failed"
    assert result.outcome("beacon.records.schema.valid") == "skipped"
    assert result.exit_code == 1
