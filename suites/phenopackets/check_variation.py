"""The VRS object of each VariationDescriptor (Interpretation → GenomicInterpretation →
VariantInterpretation → VariationDescriptor.variation), turned into VRS JSON (:mod:`.variation`, which
documents the mapping and why VRS 1.2.1) and checked with the VRS suite's code: schema validity against
the official VRS 1.2.1 schema and, where an object states a ``ga4gh:`` identifier, the computed one
(Phenopackets 2.0 docs/variant.rst, "variation ... The VRS Variation object"; docs/variant-interpretation.rst)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from jsonschema import ValidationError

from conformance import Document, SpecStore, check, fail

from ..vrs import identifiers
from ..vrs.schema import first_error
from .model import of_type
from .variation import SCHEMA, VRS_VERSION, stated_identifier, variations
from .view import Phenopackets

NO_VARIATION = ("does not apply: no VariationDescriptor of the documents carries a VRS variation (0..1, "
                "docs/variant.rst)")


@dataclass
class Findings:
    """What the two checks need of every variation of the documents, found in one reading of them (a
    Cohort read member by member is read once for both): the first of each kind of problem, and how many
    stated identifiers could be recomputed."""

    variations: int = 0
    #: (document, message) of the first variation that is no valid VRS object
    schema: tuple[Document, str] | None = None
    #: (document, message) of the first stated identifier that is not the computed one
    identifier: tuple[Document, str] | None = None
    judged: int = 0
    #: variations stating a ga4gh identifier (an optional _id), judged or not
    stating: int = 0
    #: why a variation stating an identifier was not judged (the first reason is the one a skip names)
    unjudged: list[str] = field(default_factory=list)


def _findings(phenopackets: Phenopackets, schemas: SpecStore) -> Findings:
    return phenopackets.memo("variation-findings", lambda: _find(phenopackets, schemas))


def _find(phenopackets: Phenopackets, schemas: SpecStore) -> Findings:
    found = Findings()
    validators: dict[str, Any] = {}
    for document, parsed in phenopackets.units():
        for path, obj in variations(parsed):
            found.variations += 1
            found.stating += stated_identifier(obj)
            problem = _schema_problem(schemas, obj, validators)
            if problem is not None:
                found.schema = found.schema or (document, f"{document.ref}: {path}: {problem}.")
                if stated_identifier(obj) and not found.unjudged:
                    found.unjudged.append(f"{path} is no valid VRS object (phenopackets.variation.vrs-schema "
                                          "judged it), so its stated identifier is not recomputed")
                continue
            foreign = identifiers.foreign_reference_1(obj)
            if foreign is not None:
                if stated_identifier(obj) and not found.unjudged:
                    found.unjudged.append(f"{path} references {foreign}, not a ga4gh identifier")
                continue
            if not stated_identifier(obj):
                continue
            found.judged += 1
            if found.identifier is None:
                # the path inside the object in VRS's property names (location, not sequenceLocation)
                problem = next(identifiers.problems_1(obj, f"{path} (VRS {obj['type']})"), None)
                if problem is not None:
                    found.identifier = (document, f"{document.ref}: {problem}.")
    return found


def _schema_problem(schemas: SpecStore, obj: Any, validators: dict[str, Any] | None = None) -> str | None:
    """Why ``obj`` is no valid VRS 1.2.1 object of its class (None when it is one); ``validators`` keeps
    each class's validator for the next object."""
    if not isinstance(obj, dict):
        return ("it sets none of allele, haplotype, copyNumber, text or variationSet, so it holds no VRS "
                "Variation")
    cls = str(obj["type"])
    validators = {} if validators is None else validators
    if cls not in validators:
        validators[cls] = schemas.validator(SCHEMA, f"/definitions/{cls}")
    validator = validators[cls]
    if first_error(validator, obj) is None:
        return None
    error = _inner(next(iter(validator.iter_errors(obj))))
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    return (f"its VRS {VRS_VERSION} {cls} is not valid against the official schema: "
            f"{where or '(the object)'}: {error.message[:200]}")


def _mismatch(error: ValidationError) -> bool:
    """An error saying the instance is of another class than the alternative: a JSON type or a ``type``
    const of its own."""
    own = not error.relative_path or list(error.relative_path) == ["type"]
    return own and error.validator in ("type", "const")


def _inner(error: ValidationError) -> ValidationError:
    """For a oneOf that no alternative matched, the error of the one alternative of the instance's class
    (a SequenceLocation's bad sequence_id rather than "not valid under any of the given schemas")."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        alternatives: dict[Any, list[ValidationError]] = {}
        for inner in error.context:
            alternatives.setdefault(inner.relative_schema_path[0], []).append(inner)
        fitting = [errors for errors in alternatives.values() if not any(_mismatch(e) for e in errors)]
        if len(fitting) != 1:
            break
        error = fitting[0][0]
    return error


@check("phenopackets.variation.vrs-schema")
def test_variation_is_a_valid_vrs_object(phenopackets: Phenopackets, schemas: SpecStore) -> None:
    """A VariationDescriptor's variation is "The VRS Variation object" (Phenopackets 2.0 docs/variant.rst,
    data model and section Variation): read as VRS JSON, it is valid against the official schema of the
    VRS release its messages encode, VRS 1.2.1 schema/vrs.json (``definitions/<class>``: required
    properties, CURIEs, Haplotype members, CopyNumber copies not negative...)."""
    found = _findings(phenopackets, schemas)
    if not found.variations:
        pytest.skip(NO_VARIATION)
    if found.schema is not None:
        raise fail(found.schema[1], found.schema[0].response)


@check("phenopackets.variation.vrs-identifier")
def test_variation_identifiers_are_computed(phenopackets: Phenopackets, schemas: SpecStore) -> None:
    """Where a VariationDescriptor's VRS object (or an object nested in it) states a ``ga4gh:`` ``_id``,
    it is the GA4GH computed identifier of the object: "Implementations MUST use the normalization,
    serialization, and digest mechanisms described in this section when generating GA4GH Computed
    Identifiers" (VRS 1.3 docs/impl-guide/computed_identifiers.rst, Requirements; the same algorithm as
    VRS 1.2.1, whose validation/models.yaml the project's 1.x digest code reproduces). Judged only on
    objects valid against the schema (phenopackets.variation.vrs-schema reports the others) whose
    references are ga4gh identifiers ("MUST first translate sequence accessions to GA4GH SQ accessions":
    without a sequence service the identifier cannot be computed)."""
    found = _findings(phenopackets, schemas)
    if not found.variations:
        pytest.skip(NO_VARIATION)
    if found.identifier is not None:
        raise fail(found.identifier[1], found.identifier[0].response)
    if not found.stating:
        pytest.skip("does not apply: no VRS variation states a ga4gh identifier (_id is optional)")
    if not found.judged:
        pytest.skip("no VRS variation states a ga4gh identifier that could be recomputed"
                    + (f": {found.unjudged[0]}" if found.unjudged else ""))


@check("phenopackets.variation.descriptor-id-unique")
def test_descriptor_ids_are_unique(phenopackets: Phenopackets) -> None:
    """Within a Phenopacket, no two different VariationDescriptors share an id (Phenopackets 2.0
    docs/variant.rst, VariationDescriptor.id: "Descriptor ID; MUST be unique within document"). One
    descriptor written twice is not failed, and the phenopackets of a Family or Cohort are judged each apart:
    the narrowest reading of "document" (requirements.yaml)."""
    compared = False
    for document, parsed in phenopackets.units():
        for where, packet in parsed.of_type("Phenopacket"):
            seen: dict[str, tuple[str, bytes]] = {}  # id → (path, digest of the descriptor's content)
            for inner, descriptor in of_type(packet, "VariationDescriptor"):
                path = inner if where == packet.DESCRIPTOR.name else f"{where}.{inner}"
                content = hashlib.sha256(descriptor.SerializeToString(deterministic=True)).digest()
                compared = compared or bool(seen)  # a second descriptor of this Phenopacket: ids compared
                first = seen.setdefault(descriptor.id, (path, content))
                if first[0] != path and first[1] != content:
                    raise fail(f"{document.ref}: {path} and {first[0]} are different VariationDescriptors with the "
                               f"one id {descriptor.id!r}, which must be unique within the document",
                               document.response)
    if not compared:
        pytest.skip("does not apply: no Phenopacket holds two VariationDescriptors whose ids could clash")
