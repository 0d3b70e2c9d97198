"""Suites as the core sees them (conformance/suite.py): discovery, lazy reference servers and the
fingerprint that says whether two runs are comparable."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from conformance.suite import discover, for_standard, shared_suite


def _copy(tmp_path: Path, standard: str) -> Path:
    source = for_standard(standard).path
    target = tmp_path / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_fingerprint_ignores_the_reference_server_and_its_faults(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "service-info")
    suite = replace(for_standard("service-info"), path=folder)
    before = suite.fingerprint()
    (folder / "reference" / "app.py").write_text((folder / "reference" / "app.py").read_text() + "\n# changed\n")
    (folder / "faults.yaml").write_text((folder / "faults.yaml").read_text() + "\n# changed\n")
    assert suite.fingerprint() == before


def test_fingerprint_follows_checks_and_catalogue(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "service-info")
    suite = replace(for_standard("service-info"), path=folder)
    before = suite.fingerprint()
    (folder / "requirements.yaml").write_text((folder / "requirements.yaml").read_text() + "\n# changed\n")
    changed = suite.fingerprint()
    assert changed != before
    check = next(folder.glob("check_*.py"))
    check.write_text(check.read_text() + "\n# changed\n")
    assert suite.fingerprint() != changed


def test_reference_apps_load_on_demand_and_serve_their_standard() -> None:
    for suite in discover().values():
        assert suite.reference_apps(), suite.standard
        assert {app.standard for app in suite.reference_apps()} == {suite.standard}


def test_the_shared_suite_is_the_one_every_service_gets() -> None:
    shared = shared_suite()
    assert shared is not None and shared.shared


def test_artifact_aliases_are_allowed_spellings() -> None:
    suite = replace(for_standard("drs"), service_info_artifact_aliases=("drs-alias",))
    assert suite.service_info_artifacts() == ("drs", "drs-alias")
    assert replace(for_standard("drs"), service_info_artifact=None).service_info_artifacts() == ()


def test_a_shared_requirement_is_no_stronger_than_its_standard_adopts_it() -> None:
    # issue 19: htsget 1.3.0 makes its service-info endpoints a SHOULD; 1.2.0 has none (no cap), and a
    # standard without service_info_levels keeps the shared requirement's own level.
    from conformance.checks import Level
    from conformance.suite import level_at

    shared = shared_suite()
    assert shared is not None
    requirement = shared.requirements["service-info.endpoint.answers-200"]
    assert requirement.level is Level.MUST
    assert level_at(requirement, "htsget", "1.3.0") is Level.SHOULD
    assert level_at(requirement, "drs", "1.4.0") is Level.MUST
    assert level_at(requirement, shared.standard, "1.0.0") is Level.MUST
    own = for_standard("htsget").requirements["htsget.response.success-200-json"]
    assert level_at(own, "htsget", "1.3.0") is own.level
