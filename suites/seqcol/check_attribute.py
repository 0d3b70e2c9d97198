"""/attribute/collection/{attribute}/{digest}: the level-2 value of an attribute by its level-1
digest (Sequence Collections 1.0.0 §3.5, §4.4, §4.5; decision record 2024-08-08, 2024-10-02,
2024-11-13)."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .check_collection import same_json
from .view import Seqcol, attribute_path, unknown_digest

#: Collections whose attributes are fetched one by one.
MAX_ATTRIBUTE_COLLECTIONS = 2


@check("seqcol.attribute.retrieves-value")
def test_attribute_endpoint_returns_the_level_2_value(seqcol: Seqcol) -> None:
    """GET /attribute/collection/{attribute}/{level-1 digest} answers 200 with the attribute's level-2
    value, for every attribute but transient and passthru ones ("The attribute endpoint MUST be
    functional for any attribute defined in the schema, except those marked as transient or
    passthru"; the result corresponds "to the value of the attribute in the canonical structure",
    Sequence Collections 1.0.0 §3.5)."""
    excluded = seqcol.transient() | seqcol.passthru()
    checked = False
    for digest, level2, level1, _ in seqcol.both_levels()[:MAX_ATTRIBUTE_COLLECTIONS]:
        for name in sorted(set(level1) & set(level2) - excluded):
            checked = True
            path = attribute_path(name, level1[name])
            response = seqcol.attribute_response(name, level1[name])
            if response.status != 200:
                raise fail(f"GET {path} ({name} of {digest}) answered {response.status}, not 200", response)
            if not same_json(response.json(), level2[name]):
                raise fail(f"GET {path} answered a value other than {digest}'s level-2 {name}", response)
    if not checked:
        pytest.skip("no collection read has an attribute the endpoint must serve")


@check("seqcol.attribute.transient-not-served")
def test_attribute_endpoint_does_not_serve_transient_or_passthru(seqcol: Seqcol) -> None:
    """GET /attribute/collection/{attribute}/{digest} of a transient attribute (by its level-1 digest)
    or a passthru one (by its value) does not answer a value ("The endpoint SHOULD NOT respond to
    requests for attributes marked as passthru OR transient", Sequence Collections 1.0.0 §3.5, §4.4,
    §4.5)."""
    excluded = seqcol.transient() | seqcol.passthru()
    if not excluded:
        pytest.skip("does not apply: the schema declares no transient or passthru attribute")
    asked = False
    for digest, _, level1, _ in seqcol.both_levels()[:MAX_ATTRIBUTE_COLLECTIONS]:
        for name in sorted(excluded & set(level1)):
            if not isinstance(level1[name], str) or not level1[name] or "/" in level1[name]:
                continue
            asked = True
            response = seqcol.attribute_response(name, level1[name])
            if 200 <= response.status < 300:
                kind = "transient" if name in seqcol.transient() else "passthru"
                raise fail(f"GET {attribute_path(name, level1[name])} answered {response.status} for the {kind} "
                           f"attribute {name} of {digest}", response)
    if not asked:
        pytest.skip("no collection read has a transient or passthru attribute to ask for")


@check("seqcol.attribute.unknown-digest-is-404")
def test_unknown_attribute_digest_is_404(seqcol: Seqcol) -> None:
    """GET /attribute/collection/{attribute}/{digest} of a digest no collection has answers 404, never
    200 or 5xx (the spec names no status code: RFC 9110 §15.5.5 404 Not Found; Sequence Collections
    1.0.0 §3.5)."""
    excluded = seqcol.transient() | seqcol.passthru()
    _, level2, level1, _ = seqcol.both_levels()[0]
    names = sorted(set(level1) & set(level2) - excluded)
    name = "names" if "names" in names else (names[0] if names else "names")
    missing = unknown_digest()
    response = seqcol.attribute_response(name, missing)
    if response.status != 404:
        raise fail(f"GET {attribute_path(name, missing)} of a digest no collection has answered {response.status}, "
                   "not 404", response)
