"""GA4GH computed identifiers: every identifier a document states is the one computed from the object
(VRS 1.3 docs/impl-guide/computed_identifiers.rst; VRS 2.0 docs/conventions/computed_identifiers.rst)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import check

from . import identifiers
from .view import Vrs


@check("vrs.identifier.computed-id")
def test_identifiers_are_computed(vrs: Vrs) -> None:
    """A stated GA4GH computed identifier (1.3: ``_id``; 2.0: an ``id`` beginning ``ga4gh:``) equals the
    one computed by ga4gh_serialize, sha512t24u and the type prefix, nested objects included ("MUST use
    the normalization, serialization, and digest mechanisms described in this section", VRS 2.0
    docs/conventions/computed_identifiers.rst, Requirements; VRS 1.3 docs/impl-guide/computed_identifiers.rst)."""
    stated = ("_id" if vrs.version.startswith("1.") else "id", "ga4gh:")
    if not any(_states(obj, *stated) for _, _, obj in vrs.objects()):
        pytest.skip("does not apply: no object states a GA4GH computed identifier (an optional property)")
    uncomputable: list[str] = []
    for document, path, obj in vrs.objects():
        if vrs.version.startswith("1."):
            foreign = identifiers.foreign_reference_1(obj)
            if foreign is not None:
                uncomputable.append(f"{document.ref}: {path} references {foreign}, which must first be translated "
                                    "to a ga4gh:SQ identifier (VRS 1.3 computed_identifiers.rst)")
            found = list(identifiers.problems_1(obj, path))
        else:
            try:
                found = vrs.identifier_problems(document, path, obj, "id")
            except identifiers.Uncomputable as exc:
                uncomputable.append(str(exc))
                continue
        if found:
            raise vrs.failure(document, found[0])
    if uncomputable and len(uncomputable) == len(vrs.objects()):
        pytest.skip(f"no identifier could be recomputed: {uncomputable[0]}")


@check("vrs.identifier.computed-digest")
def test_digests_are_computed(vrs: Vrs) -> None:
    """A stated ``digest`` equals the sha512t24u digest of the object's GA4GH serialization, nested
    objects included (VRS 2.0 docs/conventions/computed_identifiers.rst; the ``digest`` property of
    Ga4ghIdentifiableObject)."""
    if vrs.version.startswith("1."):
        pytest.skip("does not apply: VRS 1.x objects have no digest property")
    if not any(_states(obj, "digest", None) for _, _, obj in vrs.objects()):
        pytest.skip("does not apply: no object states a digest (an optional property)")
    uncomputable: list[str] = []
    for document, path, obj in vrs.objects():
        try:
            found = vrs.identifier_problems(document, path, obj, "digest")
        except identifiers.Uncomputable as exc:
            uncomputable.append(str(exc))
            continue
        if found:
            raise vrs.failure(document, found[0])
    if uncomputable and len(uncomputable) == len(vrs.objects()):
        pytest.skip(f"no digest could be recomputed: {uncomputable[0]}")


def _states(value: Any, key: str, prefix: str | None) -> bool:
    """Whether ``value`` or an object nested in it states ``key`` as a string (starting with ``prefix``)."""
    if isinstance(value, dict):
        stated = value.get(key)
        if isinstance(stated, str) and (prefix is None or stated.startswith(prefix)):
            return True
        return any(_states(item, key, prefix) for item in value.values())
    if isinstance(value, list):
        return any(_states(item, key, prefix) for item in value)
    return False
