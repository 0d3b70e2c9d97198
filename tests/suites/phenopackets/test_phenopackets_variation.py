"""The VRS objects of VariationDescriptors (suites/phenopackets/variation.py, check_variation.py): the
protobuf form read as the VRS 1.2.1 JSON of the official validation data, the conformant documents clean,
each variation fault exactly one problem, and identifiers that need a sequence service not judged."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from conformance_suites.phenopackets.check_variation import _schema_problem
from conformance_suites.phenopackets.model import parse
from conformance_suites.phenopackets.reference.documents import VARIATIONS, documents, phenopacket
from conformance_suites.phenopackets.variation import stated_identifier, to_vrs, variations
from conformance_suites.vrs import identifiers
from google.protobuf import json_format
from phenopackets import VariationDescriptor

from conformance import SpecStore
from conformance.testing import run_profile, run_reference

SPECS = Path(os.environ.get("CONFORMANCE_SPECS_DIR", "/nonexistent"))
FAULTS = {"variation-wrong-id": "vrs-identifier", "variation-location-wrong-id": "vrs-identifier",
          "variation-sequence-not-curie": "vrs-schema", "variation-empty": "vrs-schema",
          "variation-allele-without-state": "vrs-schema", "haplotype-no-members": "vrs-schema",
          "copy-number-comparator": "vrs-schema"}
CHECKS = ["phenopackets.variation.vrs-schema", "phenopackets.variation.vrs-identifier"]


@pytest.fixture(scope="module")
def store() -> SpecStore:
    if not (SPECS / "vrs/1.2.1/schema/vrs.json").is_file():
        pytest.skip("CONFORMANCE_SPECS_DIR holds no VRS 1.2.1 schema")
    return SpecStore(SPECS)


def _vrs(form: dict[str, Any]) -> Any:
    descriptor = VariationDescriptor()
    json_format.ParseDict({"id": "v", "variation": form}, descriptor)
    return to_vrs(descriptor.variation)


def _without_ids(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _without_ids(v) for k, v in obj.items() if k != "_id"}
    if isinstance(obj, list):
        return [_without_ids(v) for v in obj]
    return obj


def _model(name: str) -> dict[str, Any]:
    path = SPECS / "vrs/1.2.1/validation/models.yaml"
    if not path.is_file():
        pytest.skip("CONFORMANCE_SPECS_DIR holds no VRS 1.2.1 validation data")
    found: dict[str, Any] = yaml.safe_load(path.read_text())[name][0]
    return found


@pytest.mark.parametrize(("form", "model"), [("allele", "Allele"), ("haplotype", "Haplotype"),
                                             ("copyNumber", "CopyNumber")])
def test_the_protobuf_form_is_the_official_vrs_json(form: str, model: str) -> None:
    """The reference's variations, mapped, are the objects of VRS 1.2.1 validation/models.yaml with their
    official identifiers (the file repeats the key Allele: the last, LiteralSequenceExpression one, is read)."""
    expected = _model(model)
    converted = _vrs(VARIATIONS[form])
    assert _without_ids(converted) == expected["in"]
    assert converted["_id"] == expected["out"]["ga4gh_identify"]
    assert list(identifiers.problems_1(converted, "$")) == []


def test_proto3_empty_strings_are_absent_and_numbers_kept() -> None:
    converted = _vrs({"allele": {"curie": "ga4gh:VSL.x", "literalSequenceExpression": {}}})
    # a deletion: the state's sequence is "" (required by vrs.json, and valid), never dropped
    assert converted == {"type": "Allele", "location": "ga4gh:VSL.x",
                         "state": {"type": "LiteralSequenceExpression", "sequence": ""}}
    number = _vrs({"copyNumber": {"curie": "ga4gh:VA.x", "number": {"value": "0"}}})
    assert number["copies"] == {"type": "Number", "value": 0} and number["subject"] == "ga4gh:VA.x"
    assert _vrs({}) is None


def test_conformant_documents_are_clean(store: SpecStore) -> None:
    found = [(path, obj) for data in documents(()).values() for path, obj in variations(parse(data))]
    assert {obj["type"] for _, obj in found} == {"Allele", "Haplotype", "CopyNumber"}
    for path, obj in found:
        assert _schema_problem(store, obj) is None, path
        assert stated_identifier(obj) and identifiers.foreign_reference_1(obj) is None
        assert list(identifiers.problems_1(obj, path)) == []


def _problems(store: SpecStore, fault: str) -> list[tuple[str, str]]:
    found = []
    for data in documents([fault]).values():
        for path, obj in variations(parse(data)):
            schema = _schema_problem(store, obj)
            if schema is not None:
                found.append(("vrs-schema", schema))
            else:
                found += [("vrs-identifier", p) for p in identifiers.problems_1(obj, path)]
    return found


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_variation_fault_is_one_problem(store: SpecStore, fault: str) -> None:
    found = _problems(store, fault)
    assert [kind for kind, _ in found] == [FAULTS[fault]], found


def test_a_deletion_is_schema_valid(store: SpecStore) -> None:
    """A deletion's state is the empty sequence, which proto3 cannot tell from unset: it stays "" (VRS 1.2.1
    vrs.json requires LiteralSequenceExpression.sequence, and its pattern admits ""), so no false failure."""
    deletion = _vrs({"allele": {"sequenceLocation": {"sequenceId": "ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl",
                                                     "sequenceInterval": {"startNumber": {"value": "44908821"},
                                                                          "endNumber": {"value": "44908822"}}},
                                "literalSequenceExpression": {"sequence": ""}}})
    assert deletion["state"] == {"type": "LiteralSequenceExpression", "sequence": ""}
    assert _schema_problem(store, deletion) is None


def test_schema_problems_name_the_property(store: SpecStore) -> None:
    (_, message), = _problems(store, "variation-sequence-not-curie")
    assert "location.sequence_id: 'NC_000019.10' does not match" in message
    (_, message), = _problems(store, "copy-number-comparator")
    assert "copies.comparator: '>' is not one of" in message


def _run(tmp_path: Path, report_root: Path, packet: dict[str, Any]) -> Any:
    (tmp_path / "P1.json").write_text(json.dumps(packet))
    entry = {"standard": "phenopackets", "version": "2.0", "documents": [str(tmp_path / "P1.json")]}
    return run_profile({"initiative": "variation", "services": [entry]}, report_root, specs_dir=str(SPECS),
                       checks=CHECKS)


def _outcomes(result: Any) -> dict[str, str]:
    return {check: result.outcome(check) for check in CHECKS}


def test_a_refseq_sequence_id_is_not_judged_but_skipped_with_the_reason(store: SpecStore, tmp_path: Path,
                                                                        report_root: Path) -> None:
    packet = phenopacket("P1", "P1-subject")
    location = packet["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
        "variationDescriptor"]["variation"]["allele"]["sequenceLocation"]
    location["sequenceId"] = "refseq:NC_000019.10"  # valid VRS, but the stated _id needs the ga4gh:SQ one
    result = _run(tmp_path, report_root, packet)
    assert _outcomes(result) == {CHECKS[0]: "passed", CHECKS[1]: "skipped"}
    assert "refseq:NC_000019.10" in result.check(CHECKS[1]).message


def test_descriptors_without_variation_are_a_skip(store: SpecStore, tmp_path: Path, report_root: Path) -> None:
    packet = phenopacket("P1", "P1-subject")
    del packet["interpretations"]
    result = _run(tmp_path, report_root, packet)
    assert set(_outcomes(result).values()) == {"skipped"}


def test_the_docs_example_sequence_id_is_no_curie(store: SpecStore) -> None:
    """The erratum of requirements.yaml: docs/variant.rst's VRS example names sequenceId NC_000010.11."""
    example = {"allele": {"sequenceLocation": {"sequenceId": "NC_000010.11", "sequenceInterval": _interval()},
                          "literalSequenceExpression": {"sequence": "G"}}}
    problem = _schema_problem(store, _vrs(example))
    assert problem is not None and "location.sequence_id: 'NC_000010.11' does not match" in problem
    example["allele"]["sequenceLocation"]["sequenceId"] = "refseq:NC_000010.11"
    assert _schema_problem(store, _vrs(example)) is None


def _interval() -> dict[str, Any]:
    return {"startNumber": {"value": "121496700"}, "endNumber": {"value": "121496701"}}


def test_an_identifier_failure_names_the_object_and_both_identifiers(store: SpecStore, report_root: Path) -> None:
    result = run_reference("phenopackets", report_root, ["variation-location-wrong-id"], specs_dir=str(SPECS),
                           checks=CHECKS)
    assert result.outcome(CHECKS[0]) == "passed" and result.outcome(CHECKS[1]) == "failed"
    assert result.check(CHECKS[1]).message == (
        "documents/C1.yaml: members[0].interpretations[0].diagnosis.genomicInterpretations[0].variantInterpretation"
        ".variationDescriptor.variation (VRS Allele).location._id is ga4gh:VSL.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl, "
        "but the object's computed identifier is ga4gh:VSL.QrRSuBj-VScAGV_gEdxNgsnh41jYH1Kg.")


def test_an_identifier_on_an_invalid_variation_skips_naming_the_schema_check(store: SpecStore, tmp_path: Path,
                                                                              report_root: Path) -> None:
    # the stated _id of a variation the schema refuses is not recomputed: one root cause, and the skip says which
    # check judged it rather than that no identifier was stated
    packet = phenopacket("P1", "P1-subject")
    location = packet["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
        "variationDescriptor"]["variation"]["allele"]["sequenceLocation"]
    location["sequenceId"] = "NC_000019.10"  # no CURIE
    result = _run(tmp_path, report_root, packet)
    assert _outcomes(result) == {CHECKS[0]: "failed", CHECKS[1]: "skipped"}
    assert CHECKS[0] in result.check(CHECKS[1]).message, result.check(CHECKS[1]).message


def test_optional_variations_and_identifiers_left_out_are_not_applicable(store: SpecStore, tmp_path: Path,
                                                                          report_root: Path) -> None:
    # VariationDescriptor.variation is 0..1 (docs/variant.rst) and a VRS _id optional: a document leaving them out
    # gives the checks nothing to judge, which is no missing test data (not-applicable, not undecided)
    packet = phenopacket("P1", "P1-subject")
    descriptor = packet["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
        "variationDescriptor"]
    without = json.loads(json.dumps(packet))
    del without["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
        "variationDescriptor"]["variation"]
    result = _run(tmp_path, report_root, without)
    assert {result.check(c).skip_kind for c in CHECKS} == {"not-applicable"}
    descriptor["variation"] = _without_ids(descriptor["variation"])
    result = _run(tmp_path, report_root / "no-ids", packet)
    assert result.outcome(CHECKS[0]) == "passed" and result.check(CHECKS[1]).skip_kind == "not-applicable"


UNIQUE = "phenopackets.variation.descriptor-id-unique"


def _descriptor_ids(tmp_path: Path, report_root: Path, document: dict[str, Any]) -> tuple[str, str]:
    (tmp_path / "d.json").write_text(json.dumps(document))
    entry = {"standard": "phenopackets", "version": "2.0", "documents": [str(tmp_path / "d.json")]}
    result = run_profile({"initiative": "descriptor ids", "services": [entry]}, report_root, checks=[UNIQUE])
    return result.outcome(UNIQUE), result.check(UNIQUE).message


def _with_second_interpretation(packet: dict[str, Any], expression: str | None, descriptor_id: str) -> dict[str, Any]:
    """``packet`` with its genomic interpretation given again, its descriptor's id and (when given) its HGVS
    expression changed."""
    found = packet["interpretations"][0]["diagnosis"]["genomicInterpretations"]
    second = json.loads(json.dumps(found[0]))
    descriptor = second["variantInterpretation"]["variationDescriptor"]
    descriptor["id"] = descriptor_id
    if expression is not None:
        descriptor["expressions"] = [{"syntax": "hgvs", "value": expression}]
    found.append(second)
    return packet


def test_descriptor_ids_are_unique_within_a_phenopacket(tmp_path: Path, report_root: Path) -> None:
    """docs/variant.rst: "Descriptor ID; MUST be unique within document". Two different descriptors under one id
    fail (the fault variation-descriptor-id-shared); one descriptor written twice, two members of a Cohort
    describing one variant under one id, and distinct ids do not; a Phenopacket with one descriptor gives the
    check nothing to judge."""
    other = "NM_001848.2:c.878G>A"
    outcome, message = _descriptor_ids(tmp_path, report_root,
                                       _with_second_interpretation(phenopacket("P1", "s1"), other, "P1-variant"))
    assert outcome == "failed" and "'P1-variant'" in message and "genomicInterpretations[1]" in message, message
    assert _descriptor_ids(tmp_path, report_root, _with_second_interpretation(phenopacket("P1", "s1"), None,
                                                                              "P1-variant"))[0] == "passed"
    assert _descriptor_ids(tmp_path, report_root, _with_second_interpretation(phenopacket("P1", "s1"), other,
                                                                              "P1-other"))[0] == "passed"
    members = [phenopacket("M1", "m1"), phenopacket("M2", "m2")]
    for member in members:
        member["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
            "variationDescriptor"]["id"] = "clinvar:12345"
    members[1]["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
        "variationDescriptor"]["allelicState"] = {"id": "GENO:0000136", "label": "homozygous"}
    cohort = {"id": "C1", "members": members, "metaData": members[0].pop("metaData")}
    members[1].pop("metaData")
    outcome, message = _descriptor_ids(tmp_path, report_root, cohort)
    assert outcome == "skipped" and message.startswith("does not apply: "), message
    outcome, message = _descriptor_ids(tmp_path, report_root, phenopacket("P1", "s1"))
    assert outcome == "skipped" and message.startswith("does not apply: "), message
