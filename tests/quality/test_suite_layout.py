"""A standard is one self-contained folder: every suite declares its catalogue, its faults and its
reference server there, and the fault matrix covers every check and every fault."""

from __future__ import annotations

import pytest

from conformance import suite as suites
from conformance.catalogue import catalogue_rows

SUITES = sorted(suites.discover().values(), key=lambda s: s.standard)


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.standard)
def test_suite_folder_holds_catalogue_faults_and_reference(suite: suites.Suite) -> None:
    assert (suite.path / "requirements.yaml").is_file()
    assert (suite.path / "faults.yaml").is_file()
    assert (suite.path / "reference" / "__init__.py").is_file()
    assert (suite.path / "view.py").is_file()
    assert suite.reference, "SUITE.reference names the reference servers"


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.standard)
def test_every_fault_has_a_server_that_injects_it(suite: suites.Suite) -> None:
    roles = {app.role for app in suite.reference_apps()}
    assert [f.name for f in suite.faults if f.role not in roles] == []
    for app in suite.reference_apps():
        assert app.FAULTS, f"{app.__name__} has no faults in {suite.path / 'faults.yaml'}"


def test_every_fault_names_known_checks() -> None:
    for suite in SUITES:
        suite.faults  # noqa: B018 - validates the ids against every catalogue


def test_every_check_is_caught_by_some_fault() -> None:
    caught = {check for suite in SUITES for fault in suite.faults for check in fault.catches}
    implemented = {row["id"] for row in catalogue_rows() if row["check"]}
    assert sorted(implemented - caught) == []
