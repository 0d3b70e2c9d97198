"""The Phenopackets rules on the reference documents (clean), each fault (exactly its problem) and the
official example documents (clean but for the prefix erratum of requirements.yaml)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.phenopackets import rules
from conformance_suites.phenopackets.model import Unreadable, parse
from conformance_suites.phenopackets.reference.documents import FAULTS, documents

RULES = {
    "phenopackets.document.required-fields": rules.problem_required,
    "phenopackets.metadata.schema-version": rules.problem_schema_version,
    "phenopackets.metadata.resource-fields": rules.problem_resources,
    "phenopackets.ontology.curie": rules.problem_curie,
    "phenopackets.ontology.prefix-declared": rules.problem_prefix_declared,
    "phenopackets.time.age-present": rules.problem_age_present,
    "phenopackets.time.age-iso8601": rules.problem_age,
    "phenopackets.time.onset-not-after-resolution": rules.problem_onset_after_resolution,
    "phenopackets.family.pedigree-members": rules.problem_pedigree,
    "phenopackets.file.uri": rules.problem_file_uri,
    "phenopackets.file.individual-identifiers": rules.problem_file_identifiers,
}
PARSE_KINDS = {"is-message": "invalid", "known-fields": "unknown-field", "one-of": "one-of", "enums": "enum"}


def problems(served: dict[str, bytes]) -> set[str]:
    found: set[str] = set()
    for data in served.values():
        try:
            parsed = parse(data)
        except Unreadable as exc:
            found |= {f"phenopackets.document.{name}" for name, kind in PARSE_KINDS.items() if kind == exc.kind}
            continue
        found |= {rid for rid, rule in RULES.items() if rule(parsed) is not None}
    return found


def test_conformant_documents_are_clean() -> None:
    assert problems(documents(())) == set()


#: faults of terms looked up in an ontology file (tests/suites/phenopackets/test_phenopackets_ontologies.py)
ONTOLOGY_FAULTS = {"term-unknown", "term-label-mismatch"}
#: faults of the VRS variations (tests/suites/phenopackets/test_phenopackets_variation.py)
VARIATION_FAULTS = {"variation-wrong-id", "variation-location-wrong-id", "variation-sequence-not-curie",
                    "variation-empty", "variation-allele-without-state", "haplotype-no-members",
                    "copy-number-comparator", "variation-descriptor-id-shared"}


@pytest.mark.parametrize("fault", sorted(set(FAULTS) - ONTOLOGY_FAULTS - VARIATION_FAULTS))
def test_each_fault_is_one_problem(fault: str) -> None:
    assert len(problems(documents([fault]))) == 1


@pytest.mark.parametrize("fault", sorted(VARIATION_FAULTS))
def test_a_variation_fault_breaks_none_of_these_rules(fault: str) -> None:
    assert problems(documents([fault])) == set()


def test_binary_protobuf_is_read() -> None:
    served = documents(())
    parsed = parse(served["P1.json"])
    binary = parse(parsed.message.SerializeToString())
    assert binary.kind == "Phenopacket" and rules.problem_prefix_declared(binary) is None


def test_official_examples_only_miss_declared_prefixes() -> None:
    root = Path(os.environ.get("CONFORMANCE_SPECS_DIR", "/nonexistent")) / "phenopackets/2.0.0/src/test/python"
    if not root.is_dir():
        pytest.skip("CONFORMANCE_SPECS_DIR holds no phenopackets examples")
    for name in ("mcahs1.json", "covid19.json"):
        parsed = parse((root / name).read_bytes())
        failing = {rid for rid, rule in RULES.items() if rule(parsed) is not None}
        assert failing == {"phenopackets.ontology.prefix-declared"}, name  # the erratum of requirements.yaml


def test_durations() -> None:
    assert rules.days("P1Y6M") == (365 + 6 * 28, 366 + 6 * 31)
    assert rules.days("P2W") == (14, 14)
    assert rules.days("6 years") is None and rules.days("P") is None and rules.days("PT") is None


def test_yaml_timestamps_unquoted_are_rfc3339_strings() -> None:
    """A YAML document may write created and a TimeElement's timestamp unquoted: in YAML 1.2 (and to the
    Phenopackets tools' YAML readers) they are strings, the RFC 3339 form the protobuf JSON mapping reads."""
    text = documents(())["C1.yaml"].decode()
    assert "'2021-05-14T10:35:00Z'" in text and "'2017-03-01T00:00:00Z'" in text
    unquoted = text.replace("'2021-05-14T10:35:00Z'", "2021-05-14T10:35:00Z").replace(
        "'2017-03-01T00:00:00Z'", "2017-03-01T00:00:00Z")
    parsed = parse(unquoted.encode())
    assert parsed.kind == "Cohort" and parsed.message.meta_data.created.seconds == 1620988500
    assert problems({"C1.yaml": unquoted.encode()}) == set()
    with pytest.raises(Unreadable) as refused:  # a date without a time is no RFC 3339 timestamp
        parse(unquoted.replace("created: 2021-05-14T10:35:00Z", "created: 2021-05-14").encode())
    assert refused.value.kind == "invalid"


@pytest.mark.parametrize("age", ["P0.5Y", "P1Y6.5M", "P1,5D", "PT36.5H", "P2W", "P40Y10M05D"])
def test_an_age_with_a_decimal_fraction_is_an_iso8601_duration(age: str) -> None:
    """docs/age.rst links ISO 8601 durations, whose lowest order component may have a decimal fraction
    ("P0.5Y"), with a full stop or a comma."""
    document = json.loads(documents(())["P1.json"])
    document["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"] = age
    document["phenotypicFeatures"][0]["resolution"]["age"]["iso8601duration"] = "P40Y"
    assert problems({"P1.json": json.dumps(document).encode()}) == set()


@pytest.mark.parametrize("age", ["P0.5Y1M", "P1.5", "PT", "P.5Y", "P1Y2W"])
def test_a_fraction_before_the_last_component_is_no_duration(age: str) -> None:
    document = json.loads(documents(())["P1.json"])
    document["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"] = age
    assert problems({"P1.json": json.dumps(document).encode()}) == {"phenopackets.time.age-iso8601"}


def _family(**changes: object) -> bytes:
    family = json.loads(documents(())["F1.json"])
    family.update(changes)
    return json.dumps(family).encode()


def test_a_relative_outside_the_pedigree_is_no_problem() -> None:
    # relatives "may be genetically related or may be members of a cohort" (family.rst, relatives): a relative
    # whose subject the pedigree does not hold is not failed, the proband is
    family = json.loads(_family())
    relative = {"id": "F1-cohort-member", "subject": {"id": "C-17", "sex": "MALE"}}
    assert rules.problem_pedigree(parse(_family(relatives=[*family["relatives"], relative]))) is None
    proband = {**family["proband"], "subject": {**family["proband"]["subject"], "id": "F1-II-9"}}
    assert "the proband's subject 'F1-II-9'" in str(rules.problem_pedigree(parse(_family(proband=proband))))


#: A conformant Phenopacket holding only what a phenopacket must, and one term: no Age, no onset with a
#: resolution, no File, no Family.
MINIMAL: dict[str, Any] = {"id": "M1", "subject": {"id": "M1-subject", "sex": "MALE"},
           "phenotypicFeatures": [{"type": {"id": "HP:0001250", "label": "Seizure"}}],
           "metaData": {"created": "2024-03-28T12:45:32.089Z", "createdBy": "ORCID:0000-0002-0736-9199",
                        "phenopacketSchemaVersion": "2.0",
                        "resources": [{"id": "hp", "name": "human phenotype ontology", "namespacePrefix": "HP",
                                       "url": "http://purl.obolibrary.org/obo/hp.owl", "version": "2024-04-26",
                                       "iriPrefix": "http://purl.obolibrary.org/obo/HP_"}]}}


def _run(tmp_path: Path, report_root: Path, *documents: dict[str, Any]) -> dict[str, tuple[str, str]]:
    from conformance.testing import run_profile

    paths = []
    for index, document in enumerate(documents):
        paths.append(tmp_path / f"d{index}.json")
        paths[-1].write_text(json.dumps(document))
    result = run_profile({"initiative": "judged", "services": [
        {"standard": "phenopackets", "version": "2.0", "documents": [str(p) for p in paths]}]}, report_root)
    return {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}


#: The checks a minimal phenopacket gives nothing to judge, and what their skip names.
NOTHING_TO_JUDGE = {"phenopackets.time.age-iso8601": "an Age", "phenopackets.time.age-present": "an Age",
                    "phenopackets.time.onset-not-after-resolution": "both ages or both timestamps",
                    "phenopackets.family.pedigree-members": "no document is a Family",
                    "phenopackets.file.uri": "a File",
                    "phenopackets.file.individual-identifiers": "individualToFileIdentifiers"}


def test_a_rule_with_nothing_to_judge_skips_instead_of_passing(tmp_path: Path, report_root: Path) -> None:
    outcomes = _run(tmp_path, report_root, MINIMAL)
    for check_id, named in NOTHING_TO_JUDGE.items():
        outcome, message = outcomes[check_id]
        assert outcome == "skipped" and message.startswith("does not apply: ") and named in message, check_id
    judged = ["phenopackets.document.required-fields", "phenopackets.metadata.schema-version",
              "phenopackets.metadata.resource-fields", "phenopackets.ontology.curie",
              "phenopackets.ontology.prefix-declared"]
    assert {outcomes[c][0] for c in judged} == {"passed"}, outcomes


def test_without_meta_data_its_checks_skip_naming_required_fields(tmp_path: Path, report_root: Path) -> None:
    # one root cause (no metaData) is one failure: the checks of what metaData holds name the check that judged it
    outcomes = _run(tmp_path, report_root, {k: v for k, v in MINIMAL.items() if k != "metaData"})
    assert outcomes["phenopackets.document.required-fields"][0] == "failed"
    for check_id in ("phenopackets.metadata.schema-version", "phenopackets.metadata.resource-fields",
                     "phenopackets.ontology.prefix-declared"):
        outcome, message = outcomes[check_id]
        assert outcome == "skipped" and "phenopackets.document.required-fields" in message, (check_id, message)


def test_a_resource_without_its_prefix_is_one_failure(tmp_path: Path, report_root: Path) -> None:
    # the HP Resource lacks its namespacePrefix: resource-fields fails; the HP terms then have no declared prefix,
    # a consequence of that one cause, not a second root cause
    resources = [{k: v for k, v in MINIMAL["metaData"]["resources"][0].items() if k != "namespacePrefix"}]
    document = {**MINIMAL, "metaData": {**MINIMAL["metaData"], "resources": resources}}
    from conformance.testing import run_profile

    (tmp_path / "d.json").write_text(json.dumps(document))
    result = run_profile({"initiative": "cause", "services": [
        {"standard": "phenopackets", "version": "2.0", "documents": [str(tmp_path / "d.json")]}]}, report_root)
    assert result.causes() == {"phenopackets.metadata.resource-fields": None,
                               "phenopackets.ontology.prefix-declared": "phenopackets.metadata.resource-fields"}


def test_a_refusal_over_a_long_value_keeps_the_path_in_a_short_message() -> None:
    # the parser quotes the value it refuses: a long one is cut in its middle, so the message still names where
    document = json.loads(documents(())["P1.json"])
    document["subject"]["sex"] = "X" * 100_000
    with pytest.raises(Unreadable) as refused:
        parse(json.dumps(document).encode())
    assert refused.value.kind == "enum" and len(refused.value.reason) < 800
    assert refused.value.reason.endswith("at Phenopacket.subject.sex."), refused.value.reason[-200:]


def test_an_age_not_in_iso8601_is_a_should_warning_and_an_empty_one_a_must(tmp_path: Path, report_root: Path) -> None:
    # docs/age.rst: the value "must be present", and is "a string that should be formatted according to ISO8601
    # Duration": "6 years" is a warning, never non-conformance; an Age without its value fails the MUST
    from conformance.testing import run_profile

    document = json.loads(documents(())["P1.json"])
    document["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"] = "6 years"
    (tmp_path / "d.json").write_text(json.dumps(document))
    entry = {"standard": "phenopackets", "version": "2.0", "documents": [str(tmp_path / "d.json")]}
    result = run_profile({"initiative": "age", "services": [entry]}, report_root / "text")
    check = result.check("phenopackets.time.age-iso8601")
    assert (check.outcome, check.level) == ("failed", "SHOULD") and result.failed() == [result.failed()[0]]
    assert result.scorecard.services[0].verdict != "non-conformant"
    document["subject"]["timeAtLastEncounter"]["age"] = {}
    (tmp_path / "d.json").write_text(json.dumps(document))
    result = run_profile({"initiative": "age", "services": [entry]}, report_root / "empty")
    assert [c.split(": ")[0].split(":", 1)[1] for c in result.failed()] == ["phenopackets.time.age-present"]


def test_a_truncated_document_says_where_it_breaks() -> None:
    # a corrupt document: one line that says what the parser met, not only that it is no phenopacket
    data = documents(())["P1.json"][:60]
    with pytest.raises(Unreadable) as refused:
        parse(data)
    assert refused.value.kind == "invalid" and "(JSON: " in refused.value.reason and " column " in refused.value.reason
    assert "\n" not in refused.value.reason
