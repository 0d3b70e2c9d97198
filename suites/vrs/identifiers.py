"""GA4GH computed identifiers recomputed: VRS 1.3 with the project's tested 1.x code
(``suites/beacon/vrs1.py``), VRS 2.0 with ``ga4gh-vrs``'s models, ``ga4gh_identify`` and ``ga4gh_digest``.

Each gives the problems of one object: the identifiers it states that differ from the computed ones,
nested objects included (VRS 2.0: "each nested Ga4ghIdentifiableObject is referenced with a GA4GH Computed
Identifier")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ..beacon import vrs1
from .objects import CLASSES_2


class Uncomputable(Exception):
    """``ga4gh-vrs`` cannot build this object (its model differs from the declared version's)."""


#: The deepest nesting of arrays and objects inside one VRS object that the identifier code reads (it walks an
#: object recursively): a VRS object is a few levels deep, but an Extension's value may be any JSON, as deep as
#: the kit lets a document be (conformance.documents: 512), which a recursive walk cannot follow.
MAX_DEPTH = 64


def too_deep(obj: Any) -> str | None:
    """Why the identifier code does not read ``obj`` (nested deeper than :data:`MAX_DEPTH`), or None."""
    level, deepest = [(obj, 1)], 0
    while level:
        value, depth = level.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return (f"it is nested more than {MAX_DEPTH} levels deep (arrays and objects), deeper than the "
                        "identifier code reads; no VRS class nests so deep but through an Extension's value")
            level.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return None


def _walk(obj: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(obj, dict):
        yield path, obj
        for key, value in obj.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from _walk(item, f"{path}[{index}]")


#: The VRS 1.3 properties that reference another object or a sequence by identifier.
REFERENCES_1 = frozenset({"sequence_id", "location", "subject", "members"})


def foreign_reference_1(obj: Any) -> str | None:
    """The first reference inside ``obj`` that is no ``ga4gh:`` identifier (``sequence_id:
    refseq:NC_000019.10``), or None. VRS 1.3 docs/impl-guide/computed_identifiers.rst: an implementation
    "MUST first translate sequence accessions to GA4GH SQ accessions" before computing, which needs a
    sequence service; so such an object's stated ``_id`` cannot be recomputed from the object alone."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            for item in value if isinstance(value, list) else [value]:
                if key in REFERENCES_1 and isinstance(item, str) and not item.startswith("ga4gh:"):
                    return f"{key} {item}"
                found = foreign_reference_1(item)
                if found is not None:
                    return found
    return None


def compared_1(obj: dict[str, Any], path: str) -> Iterator[tuple[str, str, str]]:
    """VRS 1.3: (path, stated ``_id``, computed identifier) of every identifiable object inside ``obj`` (itself
    included) that states a ``ga4gh:`` ``_id`` and can be recomputed. An object that references a sequence or
    object by a foreign CURIE is not (:func:`foreign_reference_1`), nor one the digest code cannot read."""
    for where, found in _walk(obj, path):
        if foreign_reference_1(found) is not None:
            continue
        stated = found.get("_id")
        if not isinstance(stated, str) or not stated.startswith("ga4gh:") or not vrs1.identifiable(found):
            continue
        try:
            computed = vrs1.ga4gh_identify(found)
        except (KeyError, TypeError, ValueError):
            continue  # not a well-formed object: the schema check says so
        yield where, stated, computed


def problems_1(obj: dict[str, Any], path: str) -> Iterator[str]:
    """VRS 1.3: every identifiable object's ``_id``, where given, is its computed identifier
    (:func:`compared_1`: what is not recomputed is not judged)."""
    for where, stated, computed in compared_1(obj, path):
        if stated != computed:
            yield f"{where}._id is {stated}, but the object's computed identifier is {computed}"


def _without_digests(obj: Any) -> Any:
    """The object with every stated ``digest`` and ``id`` dropped, so that nothing stated is reused."""
    if isinstance(obj, dict):
        return {k: _without_digests(v) for k, v in obj.items() if k not in ("digest", "id")}
    if isinstance(obj, list):
        return [_without_digests(v) for v in obj]
    return obj


#: VRS 2.0 (2.0.0-connect.2024-09.1 schema/vrs/json) properties whose object may be given by an IRI instead:
#: Allele, CopyNumberCount, CopyNumberChange and Terminus ``location``, CisPhasedBlock ``members``, Adjacency
#: ``adjoinedSequences``, DerivativeMolecule ``components`` (identifiable objects) and SequenceLocation
#: ``sequenceReference`` (a SequenceReference, a value object with no digest).
REFERENCES_2 = frozenset({"location", "members", "adjoinedSequences", "components", "sequenceReference"})


def _references_2(obj: Any, digests: bool) -> Any:
    """``obj`` with each IRI that stands for a nested identifiable object handled as VRS 2.0
    docs/conventions/computed_identifiers.rst, Digest Serialization, says: "ensure that objects are referenced
    with identifiers in the ga4gh namespace" and "replace each nested identifiable object with their
    corresponding digests". A ``ga4gh:<prefix>.<digest>`` reference (what ga4gh-vrs's own ``vrs_enref``
    writes) becomes its digest when ``digests`` (ga4gh-vrs 2.x serialises an IRI reference whole, although its
    ``iriReference.ga4gh_serialize`` gives the digest: a bare digest is what it then serialises); any other
    IRI there names an object the identifier cannot be computed without, so Uncomputable."""
    from ga4gh.core import GA4GH_IR_REGEXP

    def digest_of(item: Any) -> Any:
        match = GA4GH_IR_REGEXP.match(item) if digests and isinstance(item, str) else None
        return match["digest"] if match is not None else item

    if isinstance(obj, list):
        return [_references_2(item, digests) for item in obj]
    if not isinstance(obj, dict):
        return obj
    found = {}
    for key, value in obj.items():
        if key in REFERENCES_2 and obj.get("type") in CLASSES_2:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and (key == "sequenceReference" or not GA4GH_IR_REGEXP.match(item)):
                    raise Uncomputable(f"its {key} {item} is a reference to an object not given, from which the "
                                       "identifier is computed (VRS 2.0 computed_identifiers.rst: objects are "
                                       "referenced with identifiers in the ga4gh namespace)")
            value = [digest_of(item) for item in value] if isinstance(value, list) else digest_of(value)
        found[key] = _references_2(value, digests)
    return found


def references_ga4gh_iri(obj: Any) -> bool:
    """Whether a nested identifiable object of ``obj`` is given by its ``ga4gh:`` identifier."""
    if isinstance(obj, list):
        return any(references_ga4gh_iri(item) for item in obj)
    if not isinstance(obj, dict):
        return False
    for key, value in obj.items():
        items = value if isinstance(value, list) else [value]
        if key in REFERENCES_2 and obj.get("type") in CLASSES_2 and any(isinstance(item, str) for item in items):
            return True
        if references_ga4gh_iri(value):
            return True
    return False


def computed_2(obj: dict[str, Any], *, digests: bool = True) -> Any:
    """The ``ga4gh-vrs`` model of a VRS 2.0 object, its identifiers computed; raises Uncomputable. A nested
    object given by its ``ga4gh:`` identifier is serialised as its digest (:func:`_references_2`), or, with
    ``digests`` false, as ga4gh-vrs serialises the IRI (the identifier such a library user states)."""
    from ga4gh.core import ga4gh_identify
    from ga4gh.vrs import models
    from pydantic import ValidationError

    cls = getattr(models, str(obj.get("type")), None)
    if cls is None:
        raise Uncomputable(f"ga4gh-vrs has no class {obj.get('type')}")
    try:
        content = _references_2(_without_digests(obj), digests)
    except Uncomputable as exc:
        raise Uncomputable(f"this {obj.get('type')} cannot be recomputed: {exc}") from None
    try:
        model = cls(**content)
    except (ValidationError, TypeError, ValueError) as exc:
        raise Uncomputable(f"ga4gh-vrs cannot build this {obj.get('type')}: {str(exc).splitlines()[0]}") from None
    ga4gh_identify(model, in_place="always")
    return model


def _pairs(stated: Any, model: Any, path: str) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(path, stated object, model) of the object and its nested identifiable objects."""
    yield path, stated, model
    for key, value in stated.items():
        child = getattr(model, key, None) if not key.startswith("_") else None
        if isinstance(value, dict) and child is not None and isinstance(child, BaseModel):
            yield from _pairs(value, child, f"{path}.{key}")
        elif isinstance(value, list) and isinstance(child, list):
            for index, (item, part) in enumerate(zip(value, child, strict=False)):
                if isinstance(item, dict) and isinstance(part, BaseModel):
                    yield from _pairs(item, part, f"{path}.{key}[{index}]")


def problems_2(obj: dict[str, Any], path: str, field: str, model: Any = None) -> Iterator[str]:
    """VRS 2.0: ``field`` ("id" where it is a ga4gh: identifier, or "digest") of the object and of its
    nested identifiable objects is the computed one (``model``: the object from :func:`computed_2`, computed
    now when not given)."""
    yield from problems_2_of(obj, path, (field,), model)[field]


def problems_2_of(obj: dict[str, Any], path: str, fields: tuple[str, ...] = ("id", "digest"),
                  model: Any = None) -> dict[str, list[str]]:
    """:func:`problems_2` of each of ``fields``, from one model of the object (built once for all of them:
    a caller keeps these few strings, never the model)."""
    return compared_2_of(obj, path, fields, model)[0]


def compared_2_of(obj: dict[str, Any], path: str, fields: tuple[str, ...] = ("id", "digest"),
                  model: Any = None) -> tuple[dict[str, list[str]], dict[str, int]]:
    """:func:`problems_2_of`, and how many stated values of each field were compared with a computed one (a
    ``ga4gh:`` id on an object that has no computed identifier, such as a SequenceReference, is none)."""
    model = computed_2(obj) if model is None else model
    # an object that gives a nested one by its ga4gh: identifier: the text's serialization (the digest) is
    # judged, and the one ga4gh-vrs makes of the IRI is accepted too, never failed (see _references_2)
    library = computed_2(obj, digests=False) if references_ga4gh_iri(obj) else None
    found: dict[str, list[str]] = {}
    compared: dict[str, int] = {}
    for field in fields:
        also: dict[str, Any] = {}
        if library is not None:
            also = {where: _value(part, field) for where, _, part in _pairs(obj, library, path)}
        found[field], compared[field] = [], 0
        for where, stated, part in _pairs(obj, model, path):
            value = stated.get(field)
            computed = _value(part, field)
            if value is None or computed is None:
                continue
            if field == "id" and not (isinstance(value, str) and value.startswith("ga4gh:")):
                continue  # a logical id of the system of record, not a computed identifier
            compared[field] += 1
            if value != computed and value != also.get(where):
                found[field].append(f"{where}.{field} is {value}, but the computed {field} is {computed}")
    return found, compared


def _value(part: Any, field: str) -> Any:
    return getattr(part, field, None) if field == "digest" else _identifier(part)


def _identifier(model: Any) -> str | None:
    from ga4gh.core import ga4gh_identify

    try:
        found: str | None = ga4gh_identify(model, in_place="never")
        return found
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
