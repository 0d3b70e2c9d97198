"""A suite's faults.yaml is validated when it is read (conformance/reference/faults.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.reference.faults import Fault, FaultsError, load_faults


def _load(tmp_path: Path, text: str) -> tuple[Fault, ...]:
    path = tmp_path / "faults.yaml"
    path.write_text(text, encoding="utf-8")
    load_faults.cache_clear()
    return load_faults(path)


def test_valid_file(tmp_path: Path) -> None:
    faults = _load(tmp_path, "faults:\n- name: a\n  description: one  thing\n  catches: [x.y]\n"
                             "- name: a\n  role: broker\n  description: d\n  catches: [x.z, x.w]\n")
    assert faults == (Fault("a", "one thing", ("x.y",)), Fault("a", "d", ("x.z", "x.w"), "broker"))


def test_companions_name_the_standards_a_fault_runs_beside(tmp_path: Path) -> None:
    faults = _load(tmp_path, "faults:\n- name: a\n  description: d\n  catches: [x.y]\n  companions: [other]\n")
    assert faults == (Fault("a", "d", ("x.y",), None, ("other",)),)


def test_a_fault_may_name_the_version_its_server_speaks(tmp_path: Path) -> None:
    # a member only older versions have (e.g. Beacon v2.0.0's filteringTermsUrl) is proven at that version
    faults = _load(tmp_path, "faults:\n- name: a\n  description: d\n  catches: [x.y]\n  version: '2.0.0'\n")
    assert faults == (Fault("a", "d", ("x.y",), version="2.0.0"),)


def test_absent_file_is_no_faults(tmp_path: Path) -> None:
    load_faults.cache_clear()
    assert load_faults(tmp_path / "faults.yaml") == ()


@pytest.mark.parametrize(("text", "problem"), [
    ("- a\n", "expected a mapping with one key"),
    ("faults: []\nextra: 1\n", "expected a mapping with one key"),
    ("faults: [x]\n", r"faults\[0\]: expected a mapping"),
    ("faults:\n- name: a\n  description: d\n  catches: [x]\n  level: MUST\n", "unknown key.*level"),
    ("faults:\n- description: d\n  catches: [x]\n", r"faults\[0\]\.name"),
    ("faults:\n- name: a\n  description: ''\n  catches: [x]\n", r"faults\[0\]\.description"),
    ("faults:\n- name: a\n  description: d\n  catches: []\n", r"faults\[0\]\.catches"),
    ("faults:\n- name: a\n  description: d\n  catches: x\n", r"faults\[0\]\.catches"),
    ("faults:\n- name: a\n  description: d\n  catches: [x]\n  role: 3\n", r"faults\[0\]\.role"),
    ("faults:\n- name: a\n  description: d\n  catches: [x]\n  companions: other\n", r"faults\[0\]\.companions"),
    ("faults:\n- name: a\n  description: d\n  catches: [x]\n  companions: ['']\n", r"faults\[0\]\.companions"),
    ("faults:\n- name: a\n  description: d\n  catches: [x]\n  version: 2.0\n", r"faults\[0\]\.version"),
    ("faults:\n- {name: a, description: d, catches: [x]}\n- {name: a, description: e, catches: [y]}\n",
     "listed twice"),
    ("faults: [\n", "faults.yaml"),
])
def test_malformed_file_is_one_line_naming_the_entry(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(FaultsError, match=problem) as caught:
        _load(tmp_path, text)
    assert str(tmp_path / "faults.yaml") in str(caught.value)


def test_unknown_check_id_is_refused_by_the_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from conformance.suite import for_standard

    suite = replace(for_standard("service-info"), path=tmp_path)
    (tmp_path / "faults.yaml").write_text("faults:\n- {name: a, description: d, catches: [no.such.check]}\n")
    load_faults.cache_clear()
    with pytest.raises(FaultsError, match=r"no\.such\.check"):
        suite.faults  # noqa: B018
