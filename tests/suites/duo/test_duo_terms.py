"""The DUO suite's domain code: the release read from the official duo.owl, and statements found in
documents of the shapes hosts use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conformance_suites.duo import ontology
from conformance_suites.duo.statements import NotADocument, find, parse

from conformance.specs import SpecStore


@pytest.fixture(scope="module")
def release(specs_dir: str | None) -> ontology.Release:
    store = SpecStore(None if specs_dir is None else Path(specs_dir))
    if not store.has(ontology.RELEASES["2021-02-23"]):
        pytest.skip("the official DUO release is not in the specs directory")
    return ontology.release(store, "2021-02-23")


def test_the_release_has_its_terms_by_curie(release: ontology.Release) -> None:
    # the class of DUO:0000044 has the IRI DUO_00000044 (an erratum): found by its oboInOwl:id
    assert release.terms["DUO:0000044"].label == "population origins or ancestry research prohibited"
    assert release.is_permission("DUO:0000042") and release.is_permission("DUO:0000007")
    assert release.is_modifier("DUO:0000046") and not release.is_permission("DUO:0000046")
    gru_cc = release.terms["DUO:0000005"]
    assert gru_cc.obsolete and gru_cc.replaced_by == ("DUO:0000042", "DUO:0000043")
    assert release.terms["DUO:0000002"].obsolete and not release.terms["DUO:0000042"].obsolete


def test_labels_match_by_label_synonym_or_shorthand(release: ontology.Release) -> None:
    gru = release.terms["DUO:0000042"]
    assert ontology.same_name("General  Research Use", gru) and ontology.same_name("GRU", gru)
    assert not ontology.same_name("health or medical or biomedical research", gru)
    assert ontology.same_name("general research use and clinical care", release.terms["DUO:0000005"])


def test_statements_are_found_in_beacon_datasets_and_lists() -> None:
    datasets = [{"id": "d1", "dataUseConditions": {"duoDataUse": [
        {"id": "DUO:0000007", "version": "17-07-2016",
         "modifiers": [{"id": "MONDO:0005148"}, {"id": "DUO:0000021", "label": "IRB"}]}]}},
        {"id": "d2", "info": {"note": {"id": "DUO:0000004"}}}]
    found = find(datasets)
    [statement] = found.statements
    assert statement.path == "/0/dataUseConditions/duoDataUse/0" and statement.other_terms == ("MONDO:0005148",)
    assert statement.has_version and statement.version == "17-07-2016"
    assert [m.id for m in found.mentions] == ["DUO:0000007", "DUO:0000021", "DUO:0000004"]
    listed = find(parse(b"- id: DUO:0000042\n  modifiers: [{id: DUO:0000019}]\n"))
    assert [s.permission.id for s in listed.statements] == ["DUO:0000042"]
    with pytest.raises(NotADocument):
        parse(b"\xff\xfe{")
    with pytest.raises(NotADocument):
        parse(b"just text")


def test_a_document_read_from_a_file_fails_without_http_evidence(tmp_path: Path, specs_dir: str | None) -> None:
    """A failure about a file has no HTTP answer: it is reported with no evidence, in every report."""
    from conformance.testing import run_profile

    if specs_dir is None:
        pytest.skip("the official DUO release is not in the specs directory")
    document = tmp_path / "data-use.json"
    document.write_text('[{"id": "DUO:0009999", "label": "nothing"}, {"id": "DUO:0000042"}]')
    result = run_profile({"initiative": "files", "services": [
        {"standard": "duo", "version": "2021-02-23", "documents": [str(document)]}]},
        tmp_path / "reports", specs_dir=specs_dir)
    assert result.exit_code == 1, result.output
    [failed] = [c for s in result.scorecard.services for c in s.checks if c.outcome == "failed"]
    assert failed.id == "duo.term.exists" and "DUO:0009999 is not a term of DUO 2021-02-23" in failed.message
    # an id past the release's last term may be a later release's: the message says how to name it
    assert "(its terms end at DUO:0000046: for a term a later release minted, name that release's duo.owl as " \
           "newer_release)" in failed.message
    assert failed.cases[0].evidence == []


@pytest.mark.parametrize("content", ["{}", '{"name": "a dataset"}', "[1, 2, 3]"])
def test_documents_with_no_statement_and_no_term_leave_the_service_incomplete(
        tmp_path: Path, specs_dir: str | None, content: str) -> None:
    """Nothing a DUO check could judge: "conformant" would claim the checks of statements and terms."""
    from conformance.testing import run_profile

    path = tmp_path / "dataset.json"
    path.write_text(content)
    document = {"initiative": "no DUO", "services": [
        {"standard": "duo", "version": "2021-02-23", "documents": [str(path)]}]}
    result = run_profile(document, tmp_path / "r", specs_dir=specs_dir)
    service = result.scorecard.services[0]
    assert service.verdict() == "incomplete" and result.exit_code == 2, result.output
    assert service.untested is not None and "hold no data-use statement and no DUO term" in service.untested
    # a run of the format check alone asks for no statement: not marked
    only_format = run_profile(document, tmp_path / "format", specs_dir=specs_dir, checks=["duo.document.format"])
    assert only_format.scorecard.services[0].untested is None


def test_dataset_ids_that_only_begin_with_duo_are_no_duo_terms(tmp_path: Path, specs_dir: str | None) -> None:
    """A dataset id of the Data Use Oversight System (DUOS-000123) or a name such as "Duodenum biopsies"
    claims no DUO term: only "DUO" not followed by a letter does (DUO:0000042, DUO_0000042, duo:0000004)."""
    from conformance.testing import run_profile

    if specs_dir is None:
        pytest.skip("the official DUO release is not in the specs directory")
    datasets = [{"id": f"DUOS-00012{n}", "name": name, "info": {"organ": {"id": "Duodenum", "label": "duodenum"}},
                 "dataUseConditions": {"duoDataUse": [
                     {"id": "DUO:0000042", "label": "general research use", "version": "2021-02-23",
                      "modifiers": [{"id": "DUO:0000019", "label": "publication required"}]}]}}
                for n, name in enumerate(("Duodenum biopsies", "Duodenal organoids"))]
    found = find(datasets)
    assert [s.path for s in found.statements] == ["/0/dataUseConditions/duoDataUse/0",
                                                  "/1/dataUseConditions/duoDataUse/0"]
    assert {m.id for m in found.mentions} == {"DUO:0000042", "DUO:0000019"}
    assert [m.id for m in find([{"id": "DUO_0000042"}, {"id": "duo:0000004"}]).mentions] == [
        "DUO_0000042", "duo:0000004"]
    document = tmp_path / "datasets.json"
    document.write_text(json.dumps(datasets))
    result = run_profile({"initiative": "DUOS", "services": [
        {"standard": "duo", "version": "2021-02-23", "documents": [str(document)]}]},
        tmp_path / "reports", specs_dir=specs_dir)
    assert result.exit_code == 0, result.output


def test_an_unquoted_yaml_release_date_names_the_release() -> None:
    """``version: 2021-02-23`` unquoted in YAML is the release's date as text (YAML 1.2 has no implicit
    timestamp), not a value that names no release."""
    from conformance_suites.duo import rules

    [statement] = find(parse(b"- id: DUO:0000042\n  version: 2021-02-23\n")).statements
    assert statement.version == "2021-02-23" and rules.version(statement) is None
    [future] = find(parse(b"- id: DUO:0000042\n  version: 2999-01-01\n")).statements
    assert rules.version(future) is not None


def test_yaml_aliases_are_walked_once_not_expanded() -> None:
    """A few hundred bytes of YAML aliases stand for 9^9 values, and an alias may name its own parent: such a
    document is refused with the reason when it is read (conformance/yaml_data.py); data that shares objects
    all the same (loaded otherwise) is walked one object and array at a time, never expanded."""
    import signal

    import yaml

    lines = ['a: &a [{id: "DUO:0000042"}, x, x, x, x, x, x, x, x]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(lines)
    loop = "- &d {id: ds-1, dataUseConditions: {duoDataUse: [{id: 'DUO:0000042'}]}, same: *d}\n"
    for text, said in ((bomb, "aliases expand"), (loop, "no end")):
        with pytest.raises(NotADocument, match=said):
            parse(text.encode())
    previous_handler = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("hangs")))
    signal.alarm(10)
    try:
        found = find(yaml.safe_load(bomb))
        looped = find(yaml.safe_load(loop))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous_handler)
    assert [m.id for m in found.mentions] == ["DUO:0000042"]
    assert [s.path for s in looped.statements] == ["/0/dataUseConditions/duoDataUse/0"]


def test_only_ids_written_as_duo_identifiers_claim_a_duo_term() -> None:
    """A cohort named "DUO-2" or "DUO cohort" is no DUO term written wrongly; DUO:GRU (a shorthand) is."""
    mentions = find([{"id": i} for i in ("DUO-2", "DUO cohort", "duo", "DUO:GRU", "DUO0000042", "DUO_0000042",
                                         "duo:0000004")]).mentions
    assert [m.id for m in mentions] == ["DUO:GRU", "DUO0000042", "DUO_0000042", "duo:0000004"]
