"""Every check is proven by a fault: against its reference server with exactly that fault injected the
check fails (a MUST makes the run exit 1, a SHOULD shows as a warning), and against the conformant
server no check fails. The matrix is generated from every suite's ``faults.yaml``, so a new standard's
faults are tested by existing. Marked ``fault_matrix``: ``-m "not fault_matrix"`` leaves it out of a
quick local run, ``-m fault_matrix`` runs only it (CI runs it on every worker, in parallel).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from conformance import reference
from conformance import suite as suites
from conformance.catalogue import checks_of
from conformance.reference.faults import Fault
from conformance.testing import reference_entries, run_profile

pytestmark = pytest.mark.fault_matrix

SUITES = sorted(suites.discover().values(), key=lambda s: s.standard)
CATALOGUE = {rid: req for s in SUITES for rid, req in s.requirements.items()}
#: (standard, fault) of every fault of every suite's faults.yaml
FAULTS = [(suite.standard, fault) for suite in SUITES for fault in suite.faults]


def _companions(standard: str, fault: Fault | None = None) -> list[dict[str, Any]]:
    """Entries of the servers a fault runs beside (its ``companions``, from the faulty server's
    ``companion_entries``); for the conformant run, those of every fault of the standard: the conformant
    pair passes too."""
    wanted = set(fault.companions) if fault is not None else {
        c for s, f in FAULTS if s == standard for c in f.companions}
    return [dict(entry) for app in reference.apps()
            if app.standard == standard and (fault is None or fault.role is None or app.role == fault.role)
            for entry in app.companion_entries() if entry["standard"] in wanted]


def _id(standard: str, fault: Fault) -> str:
    return f"{standard}{'-' + fault.role if fault.role else ''}:{fault.name}"


def _check_functions() -> dict[str, Any]:
    functions: dict[str, Any] = {}
    for suite in SUITES:
        for check_id, where in checks_of(suite).items():
            module, _, name = where.rpartition(".")
            functions[check_id] = getattr(importlib.import_module(f"{suite.package}.{module}"), name)
    return functions


CHECK_FUNCTIONS = _check_functions()


def _needs_specs(check_id: str) -> bool:
    """Whether a check reads the official schemas: it declares so by taking the ``schemas`` fixture (the
    check's declaration, not its name, tells)."""
    return "schemas" in inspect.signature(CHECK_FUNCTIONS[check_id]).parameters


def _should_only(fault: Fault) -> bool:
    return all(CATALOGUE[c].level.value != "MUST" for c in fault.catches)


#: A fault that breaks a MUST runs with only the checks it names; a SHOULD-only fault runs the whole suite
#: once (test_should_fault_is_a_warning_that_fails_no_must_check), which proves both that its checks warn
#: and that no MUST check fails as a side effect.
MUST_FAULTS = [(standard, fault) for standard, fault in FAULTS if not _should_only(fault)]


@pytest.mark.parametrize(("standard", "fault"), MUST_FAULTS, ids=[_id(s, f) for s, f in MUST_FAULTS])
def test_fault_is_caught_by_the_checks_it_names(standard: str, fault: Fault, report_root: Path,
                                                specs_dir: str | None) -> None:
    # without the official schemas a check that reads them skips: the fault is proven by the others
    expected = [c for c in fault.catches if specs_dir is not None or not _needs_specs(c)]
    if not expected:
        pytest.skip("caught only by checks that read the official schemas, which are not available")
    document = {"initiative": f"fault {fault.name}",
                "services": reference_entries(standard, [fault.name], fault.version, role=fault.role)
                + _companions(standard, fault)}
    result = run_profile(document, report_root, specs_dir=specs_dir, checks=fault.catches)
    for check_id in expected:
        outcomes = [c.outcome for s in result.scorecard.services for c in s.checks if c.id == check_id]
        assert "failed" in outcomes, f"{fault.name}: {check_id} did not fail ({outcomes}); output:\n{result.output}"
    levels = {CATALOGUE[c].level.value for c in expected}
    summary = result.summary()
    if "MUST" in levels:
        assert result.exit_code == 1, result.output
    else:  # without the schemas only the fault's SHOULD checks may be left: a warning, never non-conformance
        assert result.exit_code != 1, result.output
        assert "Warnings" in summary
    for check_id in expected:
        assert check_id in summary


STANDARDS = [s.standard for s in SUITES if s.reference]


@pytest.mark.parametrize("standard", STANDARDS)
def test_conformant_reference_gets_no_failed_check(standard: str, report_root: Path,
                                                   specs_dir: str | None) -> None:
    document = {"initiative": f"conformant {standard}",
                "services": reference_entries(standard) + _companions(standard)}
    result = run_profile(document, report_root, specs_dir=specs_dir)
    assert result.failed() == []
    assert result.errors() == []
    assert result.exit_code == 0, result.output


SHOULD_ONLY = [(standard, fault) for standard, fault in FAULTS if _should_only(fault)]


@pytest.mark.parametrize(("standard", "fault"), SHOULD_ONLY, ids=[_id(s, f) for s, f in SHOULD_ONLY])
def test_should_fault_is_a_warning_that_fails_no_must_check(standard: str, fault: Fault, report_root: Path,
                                                            specs_dir: str | None) -> None:
    """A SHOULD violation is a warning: its checks fail (shown as warnings), and against the whole suite
    it must not make a MUST check fail as a side effect (that would be a false failure of a server that
    is conformant but for a SHOULD)."""
    document = {"initiative": f"should {fault.name}",
                "services": reference_entries(standard, [fault.name], fault.version, role=fault.role)
                + _companions(standard, fault)}
    # a companion's suite runs too: a cross-standard check of the companion may be the one that warns
    result = run_profile(document, report_root, specs_dir=specs_dir, standards=[standard, *fault.companions])
    expected = [c for c in fault.catches if specs_dir is not None or not _needs_specs(c)]
    for check_id in expected:
        outcomes = [c.outcome for s in result.scorecard.services for c in s.checks if c.id == check_id]
        assert "failed" in outcomes, f"{fault.name}: {check_id} did not fail ({outcomes}); output:\n{result.output}"
    musts = [f for f in result.failed() if CATALOGUE[f.split(":", 2)[1]].level.value == "MUST"]
    assert musts == [], result.output
    assert result.exit_code == 0, result.output
    summary = result.summary()
    if expected:
        assert "Warnings" in summary
    for check_id in expected:
        assert check_id in summary
