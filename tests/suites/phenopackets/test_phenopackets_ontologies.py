"""Terms looked up in the ontology files a profile names (suites/phenopackets/ontologies.py): ids judged
against the declared release or a newer one, labels only against the declared release (ontologyclass.rst:
maintainers change labels), synonyms accepted, no file named: skipped with the reason, a file that is no
ontology: an error naming it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.phenopackets.ontologies import release_order
from conformance_suites.phenopackets.reference.documents import RESOURCES, documents

from conformance.testing import run_profile

CHECKS = ["phenopackets.ontology.term-exists", "phenopackets.ontology.label-matches"]
HP_VERSION = next(r["version"] for r in RESOURCES if r["namespacePrefix"] == "HP")


def _obo(version: str | None, terms: dict[str, tuple[str, list[str]]]) -> str:
    lines = ["format-version: 1.2", *([f"data-version: hp/releases/{version}"] if version else []), ""]
    for term_id, (name, synonyms) in terms.items():
        lines += ["[Term]", f"id: {term_id}", f"name: {name}", *(f'synonym: "{s}" EXACT []' for s in synonyms), ""]
    return "\n".join(lines)


def _run(tmp_path: Path, report_root: Path, ontology: str | None, **options: Any) -> Any:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "P1.json").write_bytes(documents(())["P1.json"])
    entry: dict[str, Any] = {"standard": "phenopackets", "version": "2.0",
                             "documents": [str(tmp_path / "P1.json")], **options}
    if ontology is not None:
        (tmp_path / "hp.obo").write_text(ontology)
        entry["ontologies"] = {"HP": str(tmp_path / "hp.obo")}
    return run_profile({"initiative": "ontologies", "services": [entry]}, report_root, checks=CHECKS)


BOTH = {"HP:0001250": ("Seizure", []), "HP:0001263": ("Global developmental delay", [])}


def test_release_order() -> None:
    assert release_order("hp/releases/2021-08-02", "2021-08-02") == "same"
    assert release_order("hp/releases/2023-01-27", "2021-08-02") == "newer"
    assert release_order("hp/releases/2020-01-01", "2021-08-02") == "older"
    assert release_order(None, "2021-08-02") == "unknown"
    assert release_order("hp/releases/2021-08-02", "") == "unknown"
    assert release_order("v1.2", "2021-08-02") == "unknown"
    assert release_order("24.04e", "24.04e") == "same" and release_order("ncit/releases/24.04e", "24.04e") == "same"


@pytest.mark.parametrize(("file_release", "declared"), [
    ("hp/releases/2024-04-26", "2024-04"), ("hp/releases/2024-04-26", "2024"), ("so/releases/2.6", "2"),
    ("hp/releases/2021-01-01", "1")])
def test_a_declared_version_inside_another_release_name_is_not_that_release(file_release: str,
                                                                             declared: str) -> None:
    # a label is judged only against the release the document declares: a version that is only a part of the
    # file's release name (a month, a year, a digit) does not show the file is that release
    assert release_order(file_release, declared) == "unknown"


def test_the_declared_release_with_its_labels_passes(tmp_path: Path, report_root: Path) -> None:
    result = _run(tmp_path, report_root, _obo(HP_VERSION, BOTH))
    assert [result.outcome(c) for c in CHECKS] == ["passed", "passed"], result.output


def test_an_obsolete_term_exists_and_is_noted_with_its_replacement(tmp_path: Path, report_root: Path) -> None:
    # No sentence of docs/ontologyclass.rst forbids an obsolete class: it passes, and the scorecard says so.
    obo = _obo(HP_VERSION, BOTH).replace("name: Seizure\n", "name: Seizure\nis_obsolete: true\n"
                                                             "replaced_by: HP:0001251\n")
    replacement = _obo(None, {"HP:0001251": ("Atonic seizure", [])}).removeprefix("format-version: 1.2\n\n")
    result = _run(tmp_path, report_root, obo + replacement)
    check = result.check("phenopackets.ontology.term-exists")
    assert check.outcome == "passed", result.output
    assert check.message.startswith("1 obsolete term(s): HP:0001250 (replaced by HP:0001251) in "), check.message
    # a replacement the file does not hold is named all the same
    result = _run(tmp_path / "partial", report_root, obo)
    check = result.check("phenopackets.ontology.term-exists")
    assert check.outcome == "passed", result.output
    assert "replaced by HP:0001251, which the file does not hold" in check.message


def test_a_synonym_and_another_case_match(tmp_path: Path, report_root: Path) -> None:
    terms = {"HP:0001250": ("Seizures (disorder)", ["seizure"]), "HP:0001263": ("GLOBAL developmental  delay", [])}
    result = _run(tmp_path, report_root, _obo(HP_VERSION, terms))
    assert [result.outcome(c) for c in CHECKS] == ["passed", "passed"], result.output


def test_a_missing_term_fails_in_the_declared_and_a_newer_release(tmp_path: Path, report_root: Path) -> None:
    for version in (HP_VERSION, "2030-01-01"):
        result = _run(tmp_path / version, report_root / version, _obo(version, {"HP:0001250": ("Seizure", [])}))
        assert result.outcome(CHECKS[0]) == "failed", result.output
        assert "HP:0001263 is no class of HP release" in result.check(CHECKS[0]).message


def test_an_older_or_unversioned_file_does_not_judge_a_missing_term(tmp_path: Path, report_root: Path) -> None:
    for version in ("2001-01-01", None):
        result = _run(tmp_path / str(version), report_root / str(version),
                      _obo(version, {"HP:0001250": ("Seizure", [])}))
        assert result.outcome(CHECKS[0]) == "passed", result.output  # the term it holds is judged, passes


def test_a_label_from_another_release_is_not_judged(tmp_path: Path, report_root: Path) -> None:
    renamed = {**BOTH, "HP:0001250": ("Seizure, renamed", [])}
    result = _run(tmp_path / "same", report_root / "same", _obo(HP_VERSION, renamed))
    assert result.outcome(CHECKS[1]) == "failed" and "'Seizure, renamed'" in result.check(CHECKS[1]).message
    result = _run(tmp_path / "newer", report_root / "newer", _obo("2030-01-01", renamed))
    assert result.outcome(CHECKS[1]) == "passed", result.output  # the other label is judged and matches


def test_no_ontology_named_is_a_skip_with_the_reason(tmp_path: Path, report_root: Path) -> None:
    result = _run(tmp_path, report_root, None)
    for check_id in CHECKS:
        assert result.outcome(check_id) == "skipped"
        assert "names no ontology file" in result.check(check_id).message


def test_a_file_that_is_no_ontology_is_an_error_naming_it(tmp_path: Path, report_root: Path) -> None:
    result = _run(tmp_path, report_root, "\x00\x01 not an ontology {")
    check = result.check(CHECKS[0])
    assert check.outcome == "error" and "hp.obo" in check.message, result.output


def test_a_page_named_as_an_ontology_is_one_error_text_naming_no_address(tmp_path: Path, report_root: Path) -> None:
    # pronto's message names the object it was given ("<_io.BytesIO object at 0x7f...>"): one cause read as two
    result = _run(tmp_path, report_root, "<!DOCTYPE html><html><body>Not found</body></html>")
    messages = {result.check(check_id).message for check_id in CHECKS if result.outcome(check_id) == "error"}
    assert len(messages) == 1 and " at 0x" not in next(iter(messages)), messages


@pytest.mark.parametrize("fault", ["term-unknown", "term-label-mismatch"])
def test_reference_faults_name_the_term(fault: str, report_root: Path) -> None:
    from conformance.testing import run_reference

    result = run_reference("phenopackets", report_root, [fault], checks=CHECKS)
    failed = [c for c in CHECKS if result.outcome(c) == "failed"]
    assert len(failed) == 1, result.output
    assert ("HP:9999999" if fault == "term-unknown" else "'Fever'") in result.check(failed[0]).message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_an_ontology_named_by_a_fifo_is_an_error_naming_it(tmp_path: Path, report_root: Path) -> None:
    """Opening a FIFO would block the run past --max-seconds: it is named, and the run ends."""
    os.mkfifo(tmp_path / "hp.fifo")
    result = _run(tmp_path, report_root, None, ontologies={"HP": str(tmp_path / "hp.fifo")})
    check = result.check(CHECKS[0])
    assert check.outcome == "error", result.output
    assert "hp.fifo: not a regular file (a FIFO), so not read" in check.message


def test_a_term_merged_into_another_in_a_newer_release_exists(tmp_path: Path, report_root: Path) -> None:
    """OBO practice keeps a merged term's id as the survivor's alt_id: in a newer release HP:0001263 may be
    an alternative id of another class, and it still names a class (noted, never failed)."""
    newer = {"HP:0001250": ("Seizure", []), "HP:0012758": ("Neurodevelopmental delay", [])}
    obo = _obo("2030-01-01", newer).replace("name: Neurodevelopmental delay\n",
                                            "name: Neurodevelopmental delay\nalt_id: HP:0001263\n")
    result = _run(tmp_path, report_root, obo)
    check = result.check(CHECKS[0])
    assert check.outcome == "passed", result.output
    assert "1 merged term(s): HP:0001263 (an alternative id of HP:0012758) in HP release" in check.message
    assert result.outcome(CHECKS[1]) == "passed", result.output  # the label of a merged id is not judged
