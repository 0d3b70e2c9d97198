"""The coverage gate (issue 22): every requirement of every suite is a proven check or carries a stated
reason why no black-box client can check it; docs/coverage.md and the README's coverage table are
generated from the catalogues (tools/make_coverage_doc.py) and fail here when stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from conformance import suite as suites
from conformance.catalogue import catalogue_rows

REPO = Path(__file__).resolve().parents[2]
#: Reasons that say only that the work is not done: they are not reasons a reviewer can accept.
PLACEHOLDERS = ("no check yet", "not checked yet", "todo", "tbd")


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_coverage_doc", REPO / "tools" / "make_coverage_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_requirement_has_a_check_or_a_reason() -> None:
    missing = []
    for suite in suites.discover().values():
        implemented = {r["id"] for r in catalogue_rows([suite.standard]) if r["check"]}
        missing += [rid for rid, req in suite.requirements.items()
                    if rid not in implemented and not (req.uncovered or "").strip()]
    assert missing == [], "requirements with neither a check nor an `uncovered:` reason"


def test_no_reason_is_a_placeholder() -> None:
    placeholders = [r["id"] for r in catalogue_rows() if r["uncovered"]
                    and r["uncovered"].strip().lower().startswith(PLACEHOLDERS)]
    assert placeholders == [], "`uncovered:` must say why no black-box check is possible, not that none is written"


def test_a_covered_requirement_has_no_leftover_reason() -> None:
    leftover = [rid for suite in suites.discover().values() for rid, req in suite.requirements.items()
                if req.uncovered and rid in {r["id"] for r in catalogue_rows([suite.standard]) if r["check"]}]
    assert leftover == [], "a requirement with a check keeps an `uncovered:` reason"


def test_every_check_is_proven_by_a_fault_of_its_own_suite() -> None:
    """Or, for a cross-standard check about what another standard's service returns (the DUO terms of a
    Beacon's datasets), by a fault of that service's suite that runs beside this suite's server
    (``companions``): the violation lives in the other service's data."""
    found = suites.discover().values()
    unproven = []
    for suite in found:
        caught = {c for fault in suite.faults for c in fault.catches}
        caught |= {c for other in found for fault in other.faults if suite.standard in fault.companions
                   for c in fault.catches if c.startswith(suite.standard + ".")}
        unproven += [r["id"] for r in catalogue_rows([suite.standard]) if r["check"] and r["id"] not in caught]
    assert unproven == []


def test_coverage_doc_is_current() -> None:
    module = tool()
    page = REPO / "docs" / "coverage.md"
    assert page.read_text(encoding="utf-8") == module.render(), \
        "docs/coverage.md is stale: run `python tools/make_coverage_doc.py`"


def test_readme_table_is_current() -> None:
    module = tool()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert module.START in readme and module.END in readme
    assert readme == module.render_readme(readme, catalogue_rows()), \
        "README.md's coverage table is stale: run `python tools/make_coverage_doc.py`"


def test_coverage_doc_lists_every_requirement_with_its_checks_and_faults() -> None:
    page = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    module = tool()
    known = suites.discover()
    for suite in known.values():
        assert f"## {suite.standard}: " in page
        for rid in suite.requirements:
            assert f"| `{rid}` |" in page, rid
        for fault in suite.faults:
            owners = {other.standard for other in known.values() if set(fault.catches) & set(other.requirements)}
            for owner in owners:
                assert f"`{module.fault_label(suite, fault, known[owner])}`" in page, fault.name


def test_the_tool_reports_staleness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    module = tool()
    page, readme = tmp_path / "coverage.md", tmp_path / "README.md"
    page.write_text("old\n", encoding="utf-8")
    readme.write_text(f"# R\n\n{module.START}\n| old |\n{module.END}\n\nafter\n", encoding="utf-8")
    monkeypatch.setattr(module, "PAGE", page)
    monkeypatch.setattr(module, "README", readme)
    monkeypatch.setattr(module, "REPO", tmp_path)
    assert module.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "coverage.md is stale" in err and "README.md is stale" in err
    assert module.main([]) == 0 and module.main(["--check"]) == 0
    assert readme.read_text(encoding="utf-8").endswith(f"{module.END}\n\nafter\n")
