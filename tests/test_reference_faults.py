"""Every check is proven by a fault: against its reference server with exactly that fault injected the
check fails (a MUST makes the run exit 1, a SHOULD shows as a warning), and against the conformant
server no check fails. These tests are generated from the fault registries of all reference servers,
so a new server's faults are tested by existing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import reference
from conformance import suite as suites
from conformance.testing import reference_entries, run_profile

CATALOGUE = {rid: req for s in suites.discover().values() for rid, req in s.requirements.items()}
FAULTS = [(app, fault) for app in reference.apps() for fault in app.FAULTS.values()]


def _id(app: type[reference.ReferenceApp], name: str) -> str:
    return f"{app.standard}{'-' + app.role if app.role else ''}:{name}"


def _needs_specs(check_ids: tuple[str, ...]) -> bool:
    return any(".schema." in check_id for check_id in check_ids)


@pytest.mark.parametrize(("app", "fault"), FAULTS, ids=[_id(a, f.name) for a, f in FAULTS])
def test_fault_is_caught_by_the_checks_it_names(app: type[reference.ReferenceApp], fault: reference.Fault,
                                                report_root: Path, specs_dir: str | None) -> None:
    if _needs_specs(fault.catches) and specs_dir is None:
        pytest.skip("a schema fault is caught only with the official schemas")
    document = {"initiative": f"fault {fault.name}",
                "services": reference_entries(app.standard, [fault.name], role=app.role)}
    result = run_profile(document, report_root, specs_dir=specs_dir, checks=fault.catches)
    for check_id in fault.catches:
        outcomes = [c.outcome for s in result.scorecard.services for c in s.checks if c.id == check_id]
        assert "failed" in outcomes, f"{fault.name}: {check_id} did not fail ({outcomes}); output:\n{result.output}"
    levels = {CATALOGUE[c].level.value for c in fault.catches}
    summary = result.summary()
    if "MUST" in levels:
        assert result.exit_code == 1, result.output
    else:
        # A warning, never non-conformance (run alone, the SHOULD checks decide no MUST, hence incomplete;
        # test_should_fault_never_fails_a_must_check runs the whole suite and expects exit 0).
        assert result.exit_code != 1, result.output
        assert "Warnings" in summary
    for check_id in fault.catches:
        assert check_id in summary


STANDARDS = sorted({app.standard for app in reference.apps()})


@pytest.mark.parametrize("standard", STANDARDS)
def test_conformant_reference_gets_no_failed_check(standard: str, report_root: Path,
                                                   specs_dir: str | None) -> None:
    document = {"initiative": f"conformant {standard}", "services": reference_entries(standard)}
    result = run_profile(document, report_root, specs_dir=specs_dir)
    assert result.failed() == []
    assert result.errors() == []
    assert result.exit_code == 0, result.output


def test_every_check_is_caught_by_some_fault() -> None:
    from conformance.catalogue import catalogue_rows

    caught = {check for _, fault in FAULTS for check in fault.catches}
    implemented = {row["id"] for row in catalogue_rows() if row["check"]}
    assert sorted(implemented - caught) == []


def test_every_fault_names_known_checks() -> None:
    unknown = [(fault.name, c) for _, fault in FAULTS for c in fault.catches if c not in CATALOGUE]
    assert unknown == []


SHOULD_ONLY = [(app, fault) for app, fault in FAULTS
               if all(CATALOGUE[c].level.value != "MUST" for c in fault.catches)]


@pytest.mark.parametrize(("app", "fault"), SHOULD_ONLY, ids=[_id(a, f.name) for a, f in SHOULD_ONLY])
def test_should_fault_never_fails_a_must_check(app: type[reference.ReferenceApp], fault: reference.Fault,
                                               report_root: Path, specs_dir: str | None) -> None:
    """A SHOULD violation is a warning: against the whole suite it must not make a MUST check fail as a
    side effect (that would be a false failure of a server that is conformant but for a SHOULD)."""
    document = {"initiative": f"should {fault.name}",
                "services": reference_entries(app.standard, [fault.name], role=app.role)}
    result = run_profile(document, report_root, specs_dir=specs_dir, standards=[app.standard])
    musts = [f for f in result.failed() if CATALOGUE[f.split(":", 2)[1]].level.value == "MUST"]
    assert musts == [], result.output
    assert result.exit_code == 0, result.output
