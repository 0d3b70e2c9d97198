"""GA4GH computed identifiers: every identifier a document states is the one computed from the object
(VRS 1.3 docs/impl-guide/computed_identifiers.rst; VRS 2.0 docs/conventions/computed_identifiers.rst)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance import SpecStore, check

from . import identifiers
from .view import Vrs


@check("vrs.identifier.computed-id")
def test_identifiers_are_computed(vrs: Vrs, schemas: SpecStore) -> None:
    """A stated GA4GH computed identifier (1.3: ``_id``; 2.0: an ``id`` beginning ``ga4gh:``) equals the
    one computed by ga4gh_serialize, sha512t24u and the type prefix, nested objects included ("MUST use
    the normalization, serialization, and digest mechanisms described in this section", VRS 2.0
    docs/conventions/computed_identifiers.rst, Requirements; VRS 1.3 docs/impl-guide/computed_identifiers.rst)."""
    key = "_id" if vrs.version.startswith("1.") else "id"
    if not any(_states(obj, key, "ga4gh:") for _, _, obj in vrs.objects()):
        pytest.skip("does not apply: no object states a GA4GH computed identifier (an optional property)")
    judged, uncomputable = 0, []
    for document, path, obj in vrs.objects():
        if (deep := identifiers.too_deep(obj)) is not None:
            if _states(obj, key, "ga4gh:"):
                uncomputable.append(f"{document.ref}: {path}: {deep}")
            continue
        if vrs.version.startswith("1."):
            compared = list(identifiers.compared_1(obj, path))
            judged += len(compared)
            foreign = identifiers.foreign_reference_1(obj)
            if foreign is not None and _states(obj, key, "ga4gh:") and not compared:
                uncomputable.append(f"{document.ref}: {path} references {foreign}, which must first be translated "
                                    "to a ga4gh:SQ identifier (VRS 1.3 computed_identifiers.rst)")
            found = [f"{where}._id is {stated}, but the object's computed identifier is {computed}"
                     for where, stated, computed in compared if stated != computed]
        else:
            try:
                found = vrs.identifier_problems(document, path, obj, "id")
            except identifiers.Uncomputable as exc:
                if _states(obj, key, "ga4gh:"):
                    uncomputable.append(f"{document.ref}: {path}: {exc}")
                continue
            judged += vrs.identifiers_compared(document, path, obj, "id")
        if found:
            # an object the schema refuses (a digest that is no digest): its identifier finding is a consequence
            raise vrs.failure(document, found[0], vrs.schema_cause(schemas, document, path, obj))
    _skip_unjudged(judged, uncomputable, "identifier")


@check("vrs.identifier.computed-digest")
def test_digests_are_computed(vrs: Vrs, schemas: SpecStore) -> None:
    """A stated ``digest`` equals the sha512t24u digest of the object's GA4GH serialization, nested
    objects included (VRS 2.0 docs/conventions/computed_identifiers.rst; the ``digest`` property of
    Ga4ghIdentifiableObject)."""
    if vrs.version.startswith("1."):
        pytest.skip("does not apply: VRS 1.x objects have no digest property")
    if not any(_states(obj, "digest", None) for _, _, obj in vrs.objects()):
        pytest.skip("does not apply: no object states a digest (an optional property)")
    judged, uncomputable = 0, []
    for document, path, obj in vrs.objects():
        if (deep := identifiers.too_deep(obj)) is not None:
            if _states(obj, "digest", None):
                uncomputable.append(f"{document.ref}: {path}: {deep}")
            continue
        try:
            found = vrs.identifier_problems(document, path, obj, "digest")
        except identifiers.Uncomputable as exc:
            if _states(obj, "digest", None):
                uncomputable.append(f"{document.ref}: {path}: {exc}")
            continue
        judged += vrs.identifiers_compared(document, path, obj, "digest")
        if found:
            # an object the schema refuses (a digest that is no digest): its identifier finding is a consequence
            raise vrs.failure(document, found[0], vrs.schema_cause(schemas, document, path, obj))
    _skip_unjudged(judged, uncomputable, "digest")


def _skip_unjudged(judged: int, uncomputable: list[str], what: str) -> None:
    """Skips, saying why, when no stated ``what`` was recomputed (a check that compared nothing passes nothing)."""
    if judged:
        return
    if uncomputable:
        pytest.skip(f"no stated {what} could be recomputed: {uncomputable[0]}")
    pytest.skip(f"does not apply: no stated {what} is one of an object that has a computed {what} (a "
                "SequenceReference's id, for one, is a logical id)")


def _states(value: Any, key: str, prefix: str | None) -> bool:
    """Whether ``value`` or an object nested in it states ``key`` as a string (starting with ``prefix``); read
    without recursion (a document may nest as deep as the kit allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            stated = item.get(key)
            if isinstance(stated, str) and (prefix is None or stated.startswith(prefix)):
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@check("vrs.identifier.unique-in-document")
def test_ids_are_unique_within_a_document(vrs: Vrs) -> None:
    """Two different objects of one document never state the same ``_id`` (VRS 1.3 schema/vrs.json, every
    ``_id``: "MUST be unique within document"). One object written twice (the same content) is one object
    under its id; a shared ga4gh: identifier is a consequence of vrs.identifier.computed-id."""
    compared = False
    for read in vrs.documents():
        seen: dict[str, tuple[str, dict[str, Any]]] = {}  # _id → (path, object) of its first statement
        for where, obj in _stating_ids(read.objects):
            compared = compared or bool(seen)
            first = seen.setdefault(obj["_id"], (where, obj))
            if first[0] != where and first[1] != obj:
                stated = obj["_id"]
                raise vrs.failure(read.document, f"{where} and {first[0]} are different objects with the one _id "
                                  f"{stated!r}, which must be unique within the document",
                                  "vrs.identifier.computed-id" if stated.startswith("ga4gh:") else None)
    if not compared:
        pytest.skip("does not apply: no document holds two objects stating an _id (an optional property)")


def _stating_ids(objects: list[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object (nested ones too) that states a string ``_id``, with its JSON path, in document order."""
    stack: list[tuple[str, Any]] = list(reversed(objects))
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("_id"), str):
                yield path, node
            stack.extend(reversed([(f"{path}.{key}", value) for key, value in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{path}[{index}]", item) for index, item in enumerate(node)]))
