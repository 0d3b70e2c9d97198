"""VRS identifiers and schemas on the reference documents of both versions and on the official
validation data of VRS 2.0.0-connect.2024-09.1 (every object ga4gh-vrs can build recomputes to the
expected identifier; the one it cannot is the CopyNumberChange erratum of requirements.yaml)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from conformance_suites.vrs import identifiers, schema
from conformance_suites.vrs.objects import find, parse
from conformance_suites.vrs.reference.documents import documents, location_2
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import SpecStore

SPECS = Path(os.environ.get("CONFORMANCE_SPECS_DIR", "/nonexistent"))
needs_specs = pytest.mark.skipif(not (SPECS / "vrs").is_dir(), reason="CONFORMANCE_SPECS_DIR holds no VRS specs")


def objects(version: str) -> list[tuple[str, dict[str, Any]]]:
    return [found for data in documents(version, ()).values() for found in find(parse(data), version)]


@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_reference_identifiers_recompute(version: str) -> None:
    for path, obj in objects(version):
        if version == "1.3":
            assert list(identifiers.problems_1(obj, path)) == []
        else:
            assert list(identifiers.problems_2(obj, path, "id")) == []
            assert list(identifiers.problems_2(obj, path, "digest")) == []


@needs_specs
@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_reference_objects_valid(version: str) -> None:
    store = SpecStore(SPECS)
    for _, obj in objects(version):
        validator = schema.validator(store, version, obj["type"])
        assert validator is not None and schema.first_error(validator, obj) is None


def test_wrong_vrs1_identifier_found() -> None:
    path, obj = objects("1.3")[0]
    obj = dict(obj, _id="ga4gh:VA.0000000000000000000000000000AAAA")
    assert len(list(identifiers.problems_1(obj, path))) == 1


@needs_specs
def test_official_validation_data_2() -> None:
    models = yaml.safe_load((SPECS / "vrs/2.0.0-connect.2024-09.1/validation/models.yaml").read_text())
    built = uncomputable = 0
    for cases in models.values():
        for case in cases:
            expected = case["out"].get("ga4gh_identify")
            if not expected:
                continue
            stated = dict(case["in"], id=expected, digest=case["out"]["ga4gh_digest"])
            try:
                assert list(identifiers.problems_2(stated, "$", "id")) == []
                assert list(identifiers.problems_2(stated, "$", "digest")) == []
                built += 1
            except identifiers.Uncomputable:
                uncomputable += 1
    assert built >= 10 and uncomputable <= 1


@settings(max_examples=50, deadline=None)
@given(start=st.integers(0, 10**8), length=st.integers(0, 100), sequence=st.text("ACGT", min_size=0, max_size=20))
def test_digest_changes_with_any_field(start: int, length: int, sequence: str) -> None:
    """Equal objects give equal digests; a change of any field changes the digest."""
    allele = {"type": "Allele", "location": location_2("SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul", start, start + length),
              "state": {"type": "LiteralSequenceExpression", "sequence": sequence}}
    same = identifiers.computed_2(allele).digest
    assert identifiers.computed_2(dict(allele)).digest == same
    moved = dict(allele, location=location_2("SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul", start + 1, start + length + 1))
    changed = dict(allele, state={"type": "LiteralSequenceExpression", "sequence": sequence + "A"})
    assert identifiers.computed_2(moved).digest != same
    assert identifiers.computed_2(changed).digest != same


def test_vrs1_identifier_over_a_foreign_sequence_id_not_judged() -> None:
    """VRS 1.3 computed_identifiers.rst: sequence accessions are first translated to ga4gh:SQ ones, so an
    ``_id`` stated on an object whose sequence_id is ``refseq:`` cannot be recomputed from the object alone:
    no problem is reported for it (a false failure before)."""
    path, obj = next((p, o) for p, o in objects("1.3") if o.get("type") == "Allele")
    location = dict(obj["location"], sequence_id="refseq:NC_000019.10")
    location.pop("_id", None)
    foreign = dict(obj, location=location)
    assert identifiers.foreign_reference_1(foreign) == "sequence_id refseq:NC_000019.10"
    assert list(identifiers.problems_1(foreign, path)) == []
    assert identifiers.foreign_reference_1(obj) is None


def _enref(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as ga4gh-vrs's object store writes it (``vrs_enref``): nested identifiable objects replaced by
    their ga4gh: identifiers, the object's own id and digest kept."""
    from ga4gh.vrs import models, vrs_enref

    model = getattr(models, obj["type"])(**obj)
    stored: dict[str, Any] = vrs_enref(model, {})
    return {**obj, **{k: v for k, v in stored.model_dump(exclude_none=True, mode="json", warnings=False).items()
                      if k == "location"}}


def test_a_location_given_by_its_ga4gh_identifier_keeps_the_allele_identifier() -> None:
    """VRS 2.0 computed_identifiers.rst, Digest Serialization: objects are "referenced with identifiers in the
    ga4gh namespace" and each nested identifiable object is replaced "with their corresponding digests", so an
    Allele whose location is given as ``ga4gh:SL.<digest>`` (as ``vrs_enref`` stores it) has the identifier
    of the same Allele with the location inline. ga4gh-vrs serialises the IRI whole: the check failed it."""
    for path, obj in objects("2.0"):
        if obj["type"] not in ("Allele", "CopyNumberCount"):
            continue
        stored = _enref(obj)
        assert stored["location"] == "ga4gh:SL." + obj["location"]["digest"], stored
        assert list(identifiers.problems_2(stored, path, "id")) == []
        assert list(identifiers.problems_2(stored, path, "digest")) == []
        # a wrong identifier is still found
        wrong = dict(stored, id="ga4gh:VA.0000000000000000000000000000AAAA")
        assert len(list(identifiers.problems_2(wrong, path, "id"))) == 1


def test_a_reference_outside_the_ga4gh_namespace_is_not_judged() -> None:
    """The identifier is computed over the referenced object's digest ("ensure that objects are referenced
    with identifiers in the ga4gh namespace"): a location given by another IRI (or a sequenceReference given
    by an IRI) cannot be recomputed from the document, so its stated identifier is not judged."""
    path, obj = next((p, o) for p, o in objects("2.0") if o["type"] == "Allele")
    by_iri = dict(obj["location"], sequenceReference="ga4gh:SQ.0000000000000000000000000000AAAA")
    for other in (dict(obj, location="https://example.org/locations/17"), dict(obj, location=by_iri)):
        with pytest.raises(identifiers.Uncomputable, match="reference to an object not given"):
            list(identifiers.problems_2(other, path, "id"))


def test_a_document_of_stored_alleles_passes_the_identifier_checks(report_root: Path) -> None:
    """End to end: a VRS 2.0 document of Alleles and a CopyNumberCount whose locations are ga4gh: identifiers
    (ga4gh-vrs ``vrs_enref``) passes vrs.identifier.computed-id and vrs.identifier.computed-digest."""
    from conformance.testing import run_profile, serving

    stored = [_enref(obj) for _, obj in objects("2.0")]
    checks = ["vrs.identifier.computed-id", "vrs.identifier.computed-digest"]
    with serving(json.dumps(stored).encode(), "/stored.json") as url:
        result = run_profile({"initiative": "stored alleles", "services": [
            {"standard": "vrs", "version": "2.0", "documents": [url]}]}, report_root, checks=checks)
    assert [result.outcome(c) for c in checks] == ["passed", "passed"], result.output


def test_identifier_checks_skip_when_no_object_states_one(report_root: Path, tmp_path: Path) -> None:
    # a stated identifier is optional: an Allele without id or digest is not "passed" by checks that judged nothing
    allele = {"type": "Allele", "location": {"type": "SequenceLocation", "sequenceReference": {
        "type": "SequenceReference", "refgetAccession": "SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul"}, "start": 44908821,
        "end": 44908822}, "state": {"type": "LiteralSequenceExpression", "sequence": "T"}}
    from conformance.testing import run_profile

    (tmp_path / "a.json").write_text(json.dumps(allele))
    checks = ["vrs.identifier.computed-id", "vrs.identifier.computed-digest"]
    result = run_profile({"initiative": "no ids", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "a.json")]}]}, report_root, checks=checks)
    for check_id in checks:
        assert result.outcome(check_id) == "skipped", result.check(check_id).message
        assert result.check(check_id).message.startswith("does not apply: no object states")


def test_the_identifier_checks_keep_no_model_per_object(tmp_path: Path) -> None:
    """Both identifier checks over a document of many Alleles keep, per object, only its problems: a ga4gh-vrs
    model (about 4 KB an Allele) kept for the run made a 25 MB document of 60,000 Alleles peak at 460 MB."""
    import gc
    import tracemalloc

    from conformance_suites.vrs.check_identifiers import test_digests_are_computed, test_identifiers_are_computed
    from conformance_suites.vrs.reference.documents import identify_2
    from conformance_suites.vrs.view import Vrs
    from pydantic import BaseModel

    from conformance.profile import load_profile
    from conformance.run import prepare
    from conformance.suite import discover

    count = 400
    alleles = [identify_2({"type": "Allele", "location": location_2("SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul", i, i + 1),
                           "state": {"type": "LiteralSequenceExpression", "sequence": "ACGT"[i % 4]}})
               for i in range(count)]
    (tmp_path / "alleles.json").write_text(json.dumps(alleles))
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump({"initiative": "memory", "services": [
        {"standard": "vrs", "version": "2.0", "documents": ["alleles.json"]}]}))
    run = prepare(load_profile(tmp_path / "profile.yaml", standards=discover()), report_root=tmp_path / "reports")
    try:
        vrs = Vrs.of(run.profile.services[0], run)
        assert len(vrs.objects()) == count
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            test_identifiers_are_computed(vrs, SpecStore(SPECS))
            test_digests_are_computed(vrs, SpecStore(SPECS))
            gc.collect()
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    finally:
        run.close()

    def models(value: Any) -> int:
        if isinstance(value, BaseModel):
            return 1
        if isinstance(value, dict):
            return sum(models(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return sum(models(v) for v in value)
        return 0

    assert models(list(vrs._memo.values())) == 0
    assert kept < 1000 * count, f"{kept / count:.0f} bytes kept per Allele"


def _allele_1(sequence_id: str, **stated: str) -> dict[str, Any]:
    return {**stated, "type": "Allele", "location": {
        "type": "SequenceLocation", "sequence_id": sequence_id, "interval": {
            "type": "SequenceInterval", "start": {"type": "Number", "value": 44908821},
            "end": {"type": "Number", "value": 44908822}}},
        "state": {"type": "LiteralSequenceExpression", "sequence": "T"}}


def _allele_2(reference: Any, **stated: str) -> dict[str, Any]:
    return {**stated, "type": "Allele", "location": {
        "type": "SequenceLocation", "sequenceReference": reference, "start": 10, "end": 11},
        "state": {"type": "LiteralSequenceExpression", "sequence": "T"}}


@pytest.mark.parametrize(("version", "document"), [
    ("1.3", [_allele_1("refseq:NC_000019.10", _id="ga4gh:VA.0000000000000000000000000000AAAA"),
             _allele_1("ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl")]),
    ("2.0", [_allele_2("https://example.org/sequences/1", id="ga4gh:VA.0000000000000000000000000000AAAA",
                       digest="0000000000000000000000000000AAAA"),
             _allele_2({"type": "SequenceReference", "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"})]),
])
def test_identifier_checks_that_recompute_no_stated_identifier_skip(version: str, document: list[Any],
                                                                     report_root: Path, tmp_path: Path) -> None:
    # the only stated identifier cannot be recomputed (a foreign reference); the other object states none: the
    # checks judged nothing, so they say why instead of passing
    from conformance.testing import run_profile

    (tmp_path / "a.json").write_text(json.dumps(document))
    checks = ["vrs.identifier.computed-id"] + (["vrs.identifier.computed-digest"] if version == "2.0" else [])
    result = run_profile({"initiative": "unjudged ids", "services": [
        {"standard": "vrs", "version": version, "documents": [str(tmp_path / "a.json")]}]}, report_root, checks=checks)
    for check_id in checks:
        assert result.outcome(check_id) == "skipped", (check_id, result.check(check_id).message)
        assert "could be recomputed" in result.check(check_id).message
        assert "$[0]" in result.check(check_id).message or "references" in result.check(check_id).message


@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_an_object_nested_deeply_is_no_error_of_the_identifier_checks(version: str, report_root: Path,
                                                                       tmp_path: Path) -> None:
    # an Extension's value may be any JSON (2.0); below the kit's nesting limit the walk over an object must not
    # end in a RecursionError (an error of the check, the verdict incomplete): the identifier is not recomputed
    from conformance.testing import run_profile

    if version == "2.0":
        obj = _allele_2({"type": "SequenceReference", "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"},
                        id="ga4gh:VA.0000000000000000000000000000AAAA")
        obj["extensions"] = [{"name": "deep", "value": "@"}]
    else:
        obj = _allele_1("ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl", _id="ga4gh:VA.0000000000000000000000000000AAAA")
        obj["state"]["sequence"] = "@"
    (tmp_path / "a.json").write_text(json.dumps(obj).replace('"@"', "[" * 490 + "]" * 490))
    result = run_profile({"initiative": "deep", "services": [
        {"standard": "vrs", "version": version, "documents": [str(tmp_path / "a.json")]}]}, report_root)
    assert result.errors() == [], result.errors()
    message = result.check("vrs.identifier.computed-id").message
    assert result.outcome("vrs.identifier.computed-id") == "skipped" and "levels deep" in message, message


def test_a_ga4gh_id_of_a_sequence_reference_is_no_judged_identifier(report_root: Path, tmp_path: Path) -> None:
    # a SequenceReference is no identifiable object (its id is a logical one, whatever it reads): an Allele stating
    # no identifier of its own gives the check nothing to compare, so it does not pass
    from conformance.testing import run_profile

    allele = _allele_2({"type": "SequenceReference", "id": "ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl",
                        "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"})
    (tmp_path / "a.json").write_text(json.dumps([allele]))
    result = run_profile({"initiative": "sequence reference id", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "a.json")]}]}, report_root,
        checks=["vrs.identifier.computed-id"])
    assert result.outcome("vrs.identifier.computed-id") == "skipped", result.check("vrs.identifier.computed-id")


def test_a_digest_the_schema_refuses_is_one_root_cause(report_root: Path, tmp_path: Path) -> None:
    # a digest that is no sha512t24u digest at all ("x", against the schema's pattern) fails vrs.schema.valid; that
    # it is not the computed digest follows from it: computed-digest fails as its consequence, not a second cause
    from conformance.testing import run_profile

    allele = _allele_2({"type": "SequenceReference", "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"},
                       digest="x")
    (tmp_path / "a.json").write_text(json.dumps([allele]))
    result = run_profile({"initiative": "one cause", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "a.json")]}]}, report_root,
        specs_dir=str(SPECS))
    assert result.causes() == {"vrs.schema.valid": None, "vrs.identifier.computed-digest": "vrs.schema.valid"}


@needs_specs
def test_a_schema_error_beside_a_wrong_digest_leaves_the_digest_a_root_cause(report_root: Path,
                                                                            tmp_path: Path) -> None:
    # the schema refuses the SequenceReference's circular ("yes", no boolean), which ga4gh-vrs reads and no
    # digest is computed from; the stated digest is well formed but not the computed one: two causes, two failures
    from conformance.testing import run_profile

    reference = {"type": "SequenceReference", "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl",
                 "circular": "yes"}
    allele = _allele_2(reference, digest="0000000000000000000000000000AAAA")
    (tmp_path / "a.json").write_text(json.dumps([allele]))
    result = run_profile({"initiative": "two causes", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(tmp_path / "a.json")]}]}, report_root,
        specs_dir=str(SPECS), checks=["vrs.schema.valid", "vrs.identifier.computed-digest"])
    assert result.causes() == {"vrs.schema.valid": None, "vrs.identifier.computed-digest": None}


UNIQUE = "vrs.identifier.unique-in-document"


def _unique_outcome(tmp_path: Path, report_root: Path, document: Any, version: str = "1.3") -> tuple[str, str]:
    from conformance.testing import run_profile

    (tmp_path / "d.json").write_text(json.dumps(document))
    result = run_profile({"initiative": "unique ids", "services": [
        {"standard": "vrs", "version": version, "documents": [str(tmp_path / "d.json")]}]}, report_root,
        checks=[UNIQUE])
    check = result.check(UNIQUE)
    return check.outcome, check.message


def test_ids_are_unique_within_a_1_3_document(tmp_path: Path, report_root: Path) -> None:
    """VRS 1.3 schema/vrs.json: every _id "MUST be unique within document". Two different objects under one _id
    fail (the fault v1-id-shared); one object written twice, here a location two alleles share, does not; a
    document with one object stating an _id gives the check nothing to judge."""
    from conformance_suites.vrs.reference.documents import location_1

    location = {"_id": "example:location-1", **location_1("SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul", 100, 101)}

    def allele(ident: str, base: str) -> dict[str, Any]:
        return {"_id": ident, "type": "Allele", "location": location,
                "state": {"type": "LiteralSequenceExpression", "sequence": base}}

    outcome, message = _unique_outcome(tmp_path, report_root, [allele("example:v1", "A"), allele("example:v1", "T")])
    assert outcome == "failed" and "'example:v1'" in message and "$[1] and $[0]" in message, message
    assert _unique_outcome(tmp_path, report_root, [allele("example:v1", "A"), allele("example:v2", "T")])[0] == \
        "passed"
    assert _unique_outcome(tmp_path, report_root, [allele("example:v1", "A"), allele("example:v1", "A")])[0] == \
        "passed"
    outcome, message = _unique_outcome(tmp_path, report_root, {"type": "Allele", "location": location_1(
        "SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul", 1, 2), "state": {"type": "LiteralSequenceExpression", "sequence": "A"}})
    assert outcome == "skipped" and message.startswith("does not apply: "), message
