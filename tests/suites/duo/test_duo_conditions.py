"""How a data object's data-use conditions may be written: Beacon v2's duoDataUse lists "Data Use Ontology
codes", so a modifier may be an item of its own beside the permission (as Beacon implementations write
them); only conditions made of modifiers alone are warned about (DUO:0000017: "additional conditions")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.testing import run_profile

CHECKS = ["duo.statement.permission", "duo.statement.modifiers", "duo.term.curie", "duo.term.exists"]


def _outcomes(tmp_path: Path, specs_dir: str | None, datasets: Any) -> dict[str, tuple[str, str]]:
    if specs_dir is None:
        pytest.skip("the official DUO release is not in the specs directory")
    document = tmp_path / "datasets.json"
    document.write_text(json.dumps(datasets))
    result = run_profile({"initiative": "conditions", "services": [
        {"standard": "duo", "version": "2021-02-23", "documents": [str(document)]}]},
        tmp_path / "reports", specs_dir=specs_dir, checks=CHECKS)
    return {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}


def _dataset(*items: dict[str, Any]) -> dict[str, Any]:
    return {"id": "ds-1", "dataUseConditions": {"duoDataUse": [{**item, "version": "2021-02-23"} for item in items]}}


def test_modifiers_listed_beside_the_permission_are_conformant(tmp_path: Path, specs_dir: str | None) -> None:
    """GRU, then NCU and NMDS (with the disease its exception names) as items of their own, as Beacon v2
    implementations list a dataset's DUO codes."""
    datasets = [_dataset({"id": "DUO:0000042", "label": "general research use"},
                         {"id": "DUO:0000046", "label": "non-commercial use only"},
                         {"id": "DUO:0000015", "label": "no general methods research",
                          "modifiers": [{"id": "MONDO:0005148", "label": "type 2 diabetes mellitus"}]})]
    outcomes = _outcomes(tmp_path, specs_dir, datasets)
    assert {check: outcome for check, (outcome, _) in outcomes.items()} == dict.fromkeys(CHECKS, "passed")


def test_conditions_of_modifiers_alone_are_warned_about(tmp_path: Path, specs_dir: str | None) -> None:
    datasets = [_dataset({"id": "DUO:0000042"}),
                _dataset({"id": "DUO:0000046", "label": "non-commercial use only"}, {"id": "DUO:0000019"})]
    outcome, message = _outcomes(tmp_path, specs_dir, datasets)["duo.statement.permission"]
    assert outcome == "failed" and "/1/dataUseConditions/duoDataUse" in message
    assert "no data use permission, only DUO:0000046 (non-commercial use only, a data use modifier)" in message
