"""suites/vrs/schema.py: the typed ``oneOf`` of the 2.0 validator gives exactly the verdicts and errors of
the plain Draft 2020-12 ``oneOf`` — on valid alleles, on a wrong alternative, on type-less and unknown-type
objects, and on every reference document (faults included)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.vrs import schema
from conformance_suites.vrs.objects import find, parse
from conformance_suites.vrs.reference.documents import CHR7, FAULTS, documents, location_2
from jsonschema import Draft202012Validator

from conformance import FORMAT_CHECKER, SpecStore

SPECS = Path(os.environ.get("CONFORMANCE_SPECS_DIR", "/nonexistent"))
pytestmark = pytest.mark.skipif(not (SPECS / "vrs").is_dir(), reason="CONFORMANCE_SPECS_DIR holds no VRS specs")


def errors(validator: Any, obj: Any) -> list[tuple[str, str]]:
    return sorted((error.json_path, error.message) for error in validator.iter_errors(obj))


def both(cls: str) -> tuple[Any, Any]:
    store = SpecStore(SPECS)
    typed = schema.validator(store, "2.0", cls)
    plain = Draft202012Validator(typed.schema, registry=schema.registry_2(store), format_checker=FORMAT_CHECKER)
    return typed, plain


def allele(state: Any) -> dict[str, Any]:
    return {"type": "Allele", "location": location_2(CHR7, 10, 11), "state": state}


@pytest.mark.parametrize("state", [
    {"type": "LiteralSequenceExpression", "sequence": "A"},
    {"type": "ReferenceLengthExpression", "length": 2, "repeatSubunitLength": 1},
    {"type": "LiteralSequenceExpression"},  # the named alternative is invalid
    {"type": "ReferenceLengthExpression", "sequence": "A"},  # invalid as named
    {"sequence": "A"},  # type-less
    {"type": "NoSuchExpression", "sequence": "A"},  # unknown type
    {"type": 5, "sequence": "A"},
    "A", 3, None, [],
])
def test_typed_one_of_equals_plain(state: Any) -> None:
    typed, plain = both("Allele")
    assert errors(typed, allele(state)) == errors(plain, allele(state))


@pytest.mark.parametrize("location", ["not an iri", "https://example.org/loc", {"sequenceReference": {}},
                                      {"type": "Allele"}, {"type": "SequenceLocation", "start": "x"}])
def test_typed_one_of_equals_plain_on_locations(location: Any) -> None:
    typed, plain = both("Allele")
    obj = allele({"type": "LiteralSequenceExpression", "sequence": "A"})
    obj["location"] = copy.deepcopy(location)
    assert errors(typed, obj) == errors(plain, obj)


def test_typed_one_of_equals_plain_on_reference_documents_and_faults() -> None:
    sets = [documents("2.0", ())] + [documents("2.0", (fault,)) for fault in FAULTS if not fault.startswith("v1-")]
    checked = 0
    for data in (d for docs in sets for d in docs.values()):
        try:
            document = parse(data)
        except Exception:  # a fault that breaks the document's syntax has no objects to validate
            continue
        for _, obj in find(document, "2.0"):
            typed, plain = both(obj["type"])
            assert errors(typed, obj) == errors(plain, obj)
            checked += 1
    assert checked


def test_an_object_whose_type_is_an_object_is_no_vrs_object() -> None:
    # a service-info document's type is an object: it names no VRS class (a TypeError erred five checks)
    document = {"id": "x", "type": {"group": "org.ga4gh", "artifact": "vrs"}, "items": [
        {"type": ["Allele"]}, {"type": "Allele", "location": {}, "state": {}}]}
    assert [path for path, _ in find(document, "2.0")] == ["$.items[1]"]


def test_an_object_of_vrs_2_0_final_is_not_failed_by_the_pre_release_schema(report_root: Path, tmp_path: Path,
                                                                            requires_specs: str) -> None:
    # the 2.0 schema the harness holds is the 2024-09 Connect pre-release; an Allele named as VRS 2.0 final
    # names it ("name", which the pre-release does not define) is what ga4gh-vrs 2.x writes: not a failure
    from conformance.testing import run_profile

    allele = {"type": "Allele", "name": "rs7412 T", "location": {
        "type": "SequenceLocation", "sequenceReference": {
            "type": "SequenceReference", "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"},
        "start": 44908821, "end": 44908822}, "state": {"type": "LiteralSequenceExpression", "sequence": "T"}}
    unknown = {**allele, "nickname": "no VRS property"}
    check_id = "vrs.schema.valid"
    outcomes = []
    for name, content in (("final.json", [allele]), ("unknown.json", [unknown])):
        (tmp_path / name).write_text(json.dumps(content))
        result = run_profile({"initiative": "vrs final", "services": [
            {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / name)]}]}, report_root,
            checks=[check_id], specs_dir=requires_specs)
        outcomes.append((result.outcome(check_id), result.check(check_id).message))
    assert outcomes[0][0] == "skipped" and "VRS 2.0 final as ga4gh-vrs models it" in outcomes[0][1], outcomes
    assert outcomes[1][0] == "failed", outcomes  # a property neither defines is still a failure


@pytest.mark.parametrize("start", [5, 5.0, 5.5, True, "5", None, [1, 2], [None, 2], [1.0, 2], {}])
def test_typed_one_of_equals_plain_on_coordinates(start: Any) -> None:
    # an integer or a Range (VRS 2.0 SequenceLocation start/end): the fast path now tells a number from an array
    typed, plain = both("Allele")
    obj = allele({"type": "LiteralSequenceExpression", "sequence": "A"})
    obj["location"]["start"] = start
    assert errors(typed, obj) == errors(plain, obj)


def test_the_typed_one_of_holds_below_a_reference_to_another_class() -> None:
    # every VRS 2.0 file declares the 2020-12 $schema: jsonschema's evolve, met at each $ref to another class
    # (an Allele's SequenceLocation), gave the plain validator there, so its oneOf took the slow path
    typed, _ = both("Allele")
    location = SpecStore(SPECS).load("vrs/2.0.0-connect.2024-09.1/schema/vrs/json/SequenceLocation")
    assert location["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert type(typed.evolve(schema=location)) is type(typed)


def plain_1(store: SpecStore, cls: str) -> Any:
    """The 1.3 validator as the SpecStore makes it (the plain oneOf, over a retrieving registry)."""
    return store.validator(schema.SCHEMA_1, f"/definitions/{cls}")


def objects_1() -> list[dict[str, Any]]:
    """Every 1.3 object of the reference documents (faults included) and of the official validation data."""
    import yaml

    sets = [documents("1.3", ())] + [documents("1.3", (fault,)) for fault in FAULTS if fault.startswith("v1-")]
    found: list[dict[str, Any]] = []
    for data in (d for docs in sets for d in docs.values()):
        found.extend(obj for _, obj in find(parse(data), "1.3"))
    models = yaml.safe_load((SPECS / "vrs/1.3.0/validation/models.yaml").read_text())
    found.extend(case["in"] for cases in models.values() for case in cases if isinstance(case.get("in"), dict))
    return found


def test_the_1_3_validator_equals_the_plain_one() -> None:
    store = SpecStore(SPECS)
    checked = 0
    for obj in objects_1():
        for variant in (obj, {**obj, "type": "Allele"}, {**obj, "extra": 1}):
            typed = schema.validator(store, "1.3", str(variant.get("type")))
            if typed is None:
                continue
            assert errors(typed, variant) == errors(plain_1(store, str(variant["type"])), variant), variant
            checked += 1
    assert checked > 50


def test_the_1_3_validator_reads_the_schema_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a registry that retrieves schema/vrs.json on a $ref did so again for every object validated
    store = SpecStore(SPECS)
    validator = schema.validator(store, "1.3", "Allele")
    obj = next(obj for obj in objects_1() if obj.get("type") == "Allele")
    reads: list[Any] = []
    original = SpecStore.local_path

    def counted(*args: Any) -> Any:
        reads.append(args)
        return original(*args)

    monkeypatch.setattr(SpecStore, "local_path", staticmethod(counted))
    for _ in range(3):
        assert schema.first_error(validator, obj) is None
    assert reads == []


def test_typed_one_of_equals_plain_on_the_official_examples() -> None:
    checked = 0
    for path in sorted((SPECS / "vrs/2.0.0-connect.2024-09.1/examples").glob("*.yaml")):
        for _, obj in find(parse(path.read_bytes()), "2.0"):
            typed, plain = both(obj["type"])
            assert errors(typed, obj) == errors(plain, obj), path.name
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("copy_change", ["loss", "high-level gain"])
def test_a_copy_number_change_of_vrs_2_0_final_is_not_failed(copy_change: str, report_root: Path, tmp_path: Path,
                                                             requires_specs: str) -> None:
    # VRS 2.0 final's copyChange is a string of its CopyChange enumeration (what ga4gh-vrs 2.x writes), a Coding in
    # the pre-release schema the harness holds: the erratum of requirements.yaml; a value final lacks still fails
    from conformance.testing import run_profile

    change = {"type": "CopyNumberChange", "location": location_2(CHR7, 10, 20), "copyChange": copy_change}
    check_id = "vrs.schema.valid"
    outcomes = []
    for name, content in (("final.json", [change]), ("unknown.json", [{**change, "copyChange": "lost"}])):
        (tmp_path / name).write_text(json.dumps(content))
        result = run_profile({"initiative": "vrs final", "services": [
            {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / name)]}]}, report_root / name,
            checks=[check_id], specs_dir=requires_specs)
        outcomes.append((result.outcome(check_id), result.check(check_id).message))
    assert outcomes[0][0] == "skipped" and "VRS 2.0 final as ga4gh-vrs models it" in outcomes[0][1], outcomes
    assert outcomes[1][0] == "failed", outcomes


def test_an_expression_with_extensions_of_vrs_2_0_final_is_not_failed(report_root: Path, tmp_path: Path,
                                                                      requires_specs: str) -> None:
    # VRS 2.0 final's Expression and Extension are Elements (id, extensions), which the pre-release does not define
    from conformance.testing import run_profile

    allele = {"type": "Allele", "location": location_2(CHR7, 10, 11),
              "state": {"type": "LiteralSequenceExpression", "sequence": "T"},
              "expressions": [{"syntax": "hgvs.g", "value": "NC_000007.14:g.11A>T",
                               "extensions": [{"name": "source", "value": "ClinVar"}]}]}
    check_id = "vrs.schema.valid"
    (tmp_path / "final.json").write_text(json.dumps([allele]))
    result = run_profile({"initiative": "vrs final", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "final.json")]}]}, report_root,
        checks=[check_id], specs_dir=requires_specs)
    assert result.outcome(check_id) == "skipped", result.check(check_id).message


def test_start_or_end_with_no_sequence_location_is_a_skip(report_root: Path, tmp_path: Path) -> None:
    # an Allele whose location is given by its identifier holds no SequenceLocation: nothing judged, no pass
    from conformance.testing import run_profile

    allele = {"type": "Allele", "location": "ga4gh:SL.0000000000000000000000000000AAAA",
              "state": {"type": "LiteralSequenceExpression", "sequence": "T"}}
    (tmp_path / "a.json").write_text(json.dumps([allele]))
    check_id = "vrs.location.start-or-end"
    result = run_profile({"initiative": "no location", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "a.json")]}]}, report_root,
        checks=[check_id])
    assert result.outcome(check_id) == "skipped" and result.check(check_id).skip_kind == "not-applicable"


def test_a_truncated_json_document_says_where_it_breaks() -> None:
    # a text that opens as JSON is judged by the JSON parser's word (with its position), not YAML's
    from conformance_suites.vrs.objects import NotADocument

    with pytest.raises(NotADocument) as refused:
        parse(b'[{"type": "Allele", "location": {"type": "Seq')
    assert "JSON: Unterminated string" in str(refused.value) and "column" in str(refused.value), refused.value


def test_an_empty_document_says_it_is_empty(report_root: Path, tmp_path: Path) -> None:
    from conformance.testing import run_profile

    (tmp_path / "empty.json").write_text("")
    result = run_profile({"initiative": "empty", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "empty.json")]}]}, report_root,
        checks=["vrs.document.objects"])
    assert "is empty" in result.check("vrs.document.objects").message
