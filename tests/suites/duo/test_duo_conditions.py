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


def _outcomes(tmp_path: Path, specs_dir: str | None, datasets: Any,
              checks: list[str] = CHECKS) -> dict[str, tuple[str, str]]:
    if specs_dir is None:
        pytest.skip("the official DUO release is not in the specs directory")
    tmp_path.mkdir(exist_ok=True)
    document = tmp_path / "datasets.json"
    document.write_text(json.dumps(datasets))
    result = run_profile({"initiative": "conditions", "services": [
        {"standard": "duo", "version": "2021-02-23", "documents": [str(document)]}]},
        tmp_path / "reports", specs_dir=specs_dir, checks=checks)
    return {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}


def _dataset(*items: dict[str, Any]) -> dict[str, Any]:
    return {"id": "ds-1", "dataUseConditions": {"duoDataUse": [{**item, "version": "2021-02-23"} for item in items]}}


def test_modifiers_listed_beside_the_permission_are_conformant(tmp_path: Path, specs_dir: str | None) -> None:
    """GRU, then NCU and NMDS (with the disease its exception names) as items of their own, as Beacon v2
    implementations list a dataset's DUO codes."""
    datasets = [_dataset({"id": "DUO:0000042", "label": "general research use",
                          "modifiers": [{"id": "DUO:0000019", "label": "publication required"}]},
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


def test_terms_named_by_their_obo_iri_are_the_terms(tmp_path: Path, specs_dir: str | None) -> None:
    """duo.owl names each class by its OBO PURL (http://purl.obolibrary.org/obo/DUO_0000042), as the README
    links terms; a document naming a term so names that term, and a release by its owl:versionIRI."""
    obo = "http://purl.obolibrary.org/obo/"
    statement: dict[str, Any] = {
        "id": f"{obo}DUO_0000007", "label": "disease specific research",
        "version": f"{obo}duo/releases/2021-02-23/duo.owl",
        "modifiers": [{"id": "MONDO:0005148"}, {"id": f"{obo}DUO_0000046", "label": "NCU"}]}
    datasets = [{"id": "ds-1", "dataUseConditions": {"duoDataUse": [statement]}}]
    checks = [*CHECKS, "duo.term.label", "duo.term.not-obsolete", "duo.statement.disease", "duo.statement.version"]
    outcomes = _outcomes(tmp_path, specs_dir, datasets, checks)
    assert {check: outcome for check, (outcome, _) in outcomes.items()} == dict.fromkeys(checks, "passed")
    statement["id"] = f"{obo}DUO_0000005"  # obsolete GRU-CC
    statement["modifiers"][1]["id"] = f"{obo}DUO_0009999"
    outcomes = _outcomes(tmp_path / "2", specs_dir, datasets, checks)
    assert outcomes["duo.term.not-obsolete"][0] == outcomes["duo.term.exists"][0] == "failed"
    assert f"{obo}DUO_0009999 is not a term of DUO 2021-02-23" in outcomes["duo.term.exists"][1]
    assert outcomes["duo.term.curie"][0] == "passed"


def test_an_iri_of_another_form_is_no_duo_curie() -> None:
    from conformance_suites.duo import ontology

    assert ontology.curie_of("https://purl.obolibrary.org/obo/DUO_0000042") == "DUO:0000042"
    for other in ("http://purl.obolibrary.org/obo/DUO_000042", "http://example.org/DUO_0000042", "DUO_0000042", 42):
        assert ontology.curie_of(other) is None


def test_checks_of_terms_skip_naming_the_check_that_judged_an_unreadable_document(
        tmp_path: Path, specs_dir: str | None) -> None:
    if specs_dir is None:
        pytest.skip("the official DUO release is not in the specs directory")
    document = tmp_path / "datasets.json"
    document.write_text('[{"id": "DUO:0000042"')
    result = run_profile({"initiative": "unreadable", "services": [
        {"standard": "duo", "version": "2021-02-23", "documents": [str(document)]}]},
        tmp_path / "reports", specs_dir=specs_dir, checks=["duo.document.format", "duo.term.curie"])
    outcomes = {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}
    assert outcomes["duo.document.format"][0] == "failed"
    assert outcomes["duo.term.curie"] == (
        "skipped", f"the documents name no DUO term: none could be read ({document} fails duo.document.format)")


def test_checks_with_nothing_to_judge_say_so_instead_of_passing(tmp_path: Path, specs_dir: str | None) -> None:
    """GRU alone, with no label, modifier or version: the checks of labels, modifiers, diseases and versions
    judge nothing, and say that they do not apply."""
    checks = ["duo.term.label", "duo.statement.modifiers", "duo.statement.disease", "duo.statement.version",
              "duo.term.exists"]
    outcomes = _outcomes(tmp_path, specs_dir, [{"id": "ds-1", "dataUseConditions": {"duoDataUse": [
        {"id": "DUO:0000042"}]}}], checks)
    assert outcomes == {
        "duo.term.label": ("skipped", "does not apply: no DUO term is given a label beside it"),
        "duo.statement.modifiers": ("skipped", "does not apply: no statement has a DUO term among its modifiers"),
        "duo.statement.disease": ("skipped", "does not apply: no statement is of disease-specific research "
                                             "(DUO:0000007 or a term under it)"),
        "duo.statement.version": ("skipped", "does not apply: no statement gives a version"),
        "duo.term.exists": ("passed", "1 DUO terms from DUO release 2021-02-23")}


def test_beacon_datasets_without_duo_terms_leave_the_cross_check_not_applicable(
        monkeypatch: pytest.MonkeyPatch, specs_dir: str | None) -> None:
    """A beacon whose datasets give no dataUseConditions: duo.services.* judge nothing, and say so."""
    from conformance_suites.duo import check_services, ontology
    from conformance_suites.duo.statements import find

    from conformance.specs import SpecStore

    store = SpecStore(None if specs_dir is None else Path(specs_dir))
    if not store.has(ontology.RELEASES["2021-02-23"]):
        pytest.skip("the official DUO release is not in the specs directory")

    class Stand:
        version = "2021-02-23"

        def release(self, schemas: SpecStore) -> ontology.Release:
            return ontology.release(schemas, self.version)

    monkeypatch.setattr(check_services, "_sources", lambda duo: iter(
        [("beacon-0 GET /datasets", find([{"id": "ds-1", "name": "no conditions"}]), None)]))
    for test in (check_services.test_terms_other_services_return,
                 check_services.test_terms_other_services_return_are_current):
        with pytest.raises(pytest.skip.Exception, match="does not apply: no dataset of the profile's Beacon v2"):
            test(Stand(), store)


def test_a_research_purpose_qualifying_a_modifier_is_no_misplaced_permission(tmp_path: Path,
                                                                            specs_dir: str | None) -> None:
    """Research specific restrictions (DUO:0000012, "limited to studies of a certain research type") qualified
    by the research type, DUO:0000038 genetic research (a research purpose: neither permission nor modifier),
    as DS is qualified by a disease; a permission among modifiers still fails."""
    datasets = [_dataset({"id": "DUO:0000042", "label": "general research use"},
                         {"id": "DUO:0000012", "label": "research specific restrictions",
                          "modifiers": [{"id": "DUO:0000038", "label": "genetic research"}]})]
    assert _outcomes(tmp_path, specs_dir, datasets)["duo.statement.modifiers"][0] == "passed"
    datasets[0]["dataUseConditions"]["duoDataUse"][1]["modifiers"].append({"id": "DUO:0000006"})
    outcome, message = _outcomes(tmp_path / "2", specs_dir, datasets)["duo.statement.modifiers"]
    assert outcome == "failed" and "the modifier DUO:0000006 (health or medical or biomedical research) is a " \
                                   "data use permission" in message
