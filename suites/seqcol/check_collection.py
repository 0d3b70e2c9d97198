"""/collection/{digest} at level 1 and level 2: answers, shapes, the schema, qualifiers, unknown
digests (Sequence Collections 1.0.0 §1, §2 Terminology, §3.2, §4.2 - §4.6; decision record
2023-06-28, 2024-01-10, 2024-11-20)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conformance import SpecStore, check, fail, json_type, schema_errors

from . import schema as seqcol_schema
from .digests import BASE_COLLATED, DIGEST, REFGET_ID, SPEC_ATTRIBUTES, CanonicalizationError, canonical
from .view import Seqcol, collection_path

#: Discovered collections asked for at /collection (the deep checks read fewer, see view.MAX_COLLECTIONS).
MAX_RESOLVE = 10


def same_json(first: Any, second: Any) -> bool:
    """Equal as JSON values (object member order aside; 1 and true apart)."""
    try:
        return canonical(first) == canonical(second)
    except CanonicalizationError:
        return bool(first == second)


@check("seqcol.collection.known-digest-answers-200")
def test_known_collections_answer_200(seqcol: Seqcol) -> None:
    """GET /collection/{digest}?level=2 answers 200 with a JSON object for every collection the profile
    names or /list/collection lists (Sequence Collections 1.0.0 §3.2, REQUIRED; §3.4 "a way to
    discover what sequence collections a service provides")."""
    digests = seqcol.discovered()[:MAX_RESOLVE]
    if not digests:
        pytest.skip("the profile lists no collections and /list/collection listed none "
                    "(see seqcol.list.answers-paged)")
    for digest in digests:
        response = seqcol.collection_response(digest, 2)
        source = "the profile names" if digest in seqcol.option("collections") else "/list/collection lists"
        if response.status != 200:
            raise fail(f"GET {collection_path(digest)}?level=2 answered {response.status} for a collection "
                       f"{source}, not 200", response)
        body = response.json()
        if not isinstance(body, dict):
            raise fail(f"GET {collection_path(digest)}?level=2 answered a JSON {json_type(body)}, not a "
                       "collection object", response)


@check("seqcol.collection.default-level-is-2")
def test_default_level_is_level_2(seqcol: Seqcol) -> None:
    """GET /collection/{digest} without ``level`` answers the level-2 representation ("The default is
    ?level=2", Sequence Collections 1.0.0 §3.2; decision record 2023-06-28 "when not provided, level=2
    is assumed")."""
    for digest, level2, _ in seqcol.collections():
        response = seqcol.collection_response(digest, None)
        if response.status != 200:
            raise fail(f"GET {collection_path(digest)} answered {response.status}, but with ?level=2 it answered "
                       "200", response)
        if not same_json(response.json(), level2):
            raise fail(f"GET {collection_path(digest)} without ?level answered something other than its level-2 "
                       "representation", response)


@check("seqcol.collection.level1-is-digests")
def test_level_1_is_made_of_digests(seqcol: Seqcol) -> None:
    """GET /collection/{digest}?level=1 answers the level-1 representation: every attribute but the
    passthru ones is a digest string, a sha512t24u digest (32 base64url characters) for the attributes
    the spec defines ("?level=1 returns the collection with digested attributes", "The structure of the
    data MUST be modulated by the :level query parameter", Sequence Collections 1.0.0 §3.2, §2
    Terminology, Footnote F3)."""
    passthru = seqcol.passthru()
    for digest, _, _ in seqcol.collections():
        response = seqcol.collection_response(digest, 1)
        what = f"GET {collection_path(digest)}?level=1"
        if response.status != 200:
            raise fail(f"{what} answered {response.status}, not 200", response)
        body = response.json()
        if not isinstance(body, dict):
            raise fail(f"{what} answered a JSON {json_type(body)}, not a collection object", response)
        for name, value in body.items():
            if name in passthru:
                continue
            if not isinstance(value, str):
                raise fail(f"{what}: {name} is a JSON {json_type(value)}, not a digest: level 1 digests every "
                           "attribute but passthru ones", response)
            if name in SPEC_ATTRIBUTES and not DIGEST.match(value):
                raise fail(f"{what}: {name} is {value!r}, not a sha512t24u digest (32 base64url characters)",
                           response)


@check("seqcol.collection.levels-same-attributes")
def test_levels_show_the_same_attributes(seqcol: Seqcol) -> None:
    """Level 1 and level 2 of a collection show the same attributes, but for transient ones, which have
    no level-2 value ("Non-inherent attributes MUST be stored and returned by the collection endpoint
    alongside inherent attributes", §3.2; qualifier table §4.6: level 2 is the full content, or the
    level-1 value for passthru, or absent for transient, Sequence Collections 1.0.0)."""
    transient = seqcol.transient()
    for digest, level2, level1, response in seqcol.both_levels():
        only2 = sorted(set(level2) - set(level1))
        if only2:
            raise fail(f"{digest}: attribute(s) {', '.join(only2)} appear at level 2 but not at level 1", response)
        only1 = sorted(set(level1) - set(level2) - transient)
        if only1:
            raise fail(f"{digest}: attribute(s) {', '.join(only1)} appear at level 1 but have no level-2 value, "
                       "and the schema does not mark them transient", response)


@check("seqcol.collection.level2-omits-transient")
def test_level_2_leaves_out_transient_attributes(seqcol: Seqcol) -> None:
    """The level-2 representation leaves transient attributes out ("the sequence collection SHOULD
    leave this attribute out of the level 2 representation", Sequence Collections 1.0.0 §4.5; decision
    record 2024-11-20)."""
    transient = seqcol.transient()
    if not transient:
        pytest.skip("does not apply: the schema declares no transient attribute")
    for digest, level2, response in seqcol.collections():
        shown = sorted(transient & set(level2))
        if shown:
            raise fail(f"{digest}: level 2 shows the transient attribute(s) {', '.join(shown)}", response)


@check("seqcol.collection.passthru-same-at-both-levels")
def test_passthru_attributes_are_not_digested(seqcol: Seqcol) -> None:
    """A passthru attribute has the same value at level 1 as at level 2 ("At both level 1 and level 2,
    the collection object includes the same passthru attribute representation", Sequence Collections
    1.0.0 §4.4, §4.6)."""
    passthru = seqcol.passthru()
    if not passthru:
        pytest.skip("does not apply: the schema declares no passthru attribute")
    checked = False
    for digest, level2, level1, response in seqcol.both_levels():
        for name in sorted(passthru & set(level1) & set(level2)):
            checked = True
            if not same_json(level1[name], level2[name]):
                raise fail(f"{digest}: the passthru attribute {name} is {level1[name]!r} at level 1 but "
                           f"{level2[name]!r} at level 2", response)
    if not checked:
        pytest.skip("no collection read has a passthru attribute")


@check("seqcol.collection.attributes-in-schema")
def test_every_attribute_is_defined_in_the_schema(seqcol: Seqcol) -> None:
    """Every attribute of a collection is defined in the schema that service-info publishes ("this MUST
    include all possible attributes your service may provide ... you cannot have a collection with an
    attribute that is not defined in your schema", Sequence Collections 1.0.0 §3.1)."""
    document, _ = seqcol.schema()
    if not isinstance(document.get("properties"), dict):
        pytest.skip("the served schema defines its attributes under no top-level properties object")
    defined = set(seqcol_schema.properties(document))
    for digest, level2, response in seqcol.collections():
        shown = set(level2)
        level1 = seqcol.level1(digest)
        if level1 is not None:
            shown |= set(level1[0])
        unknown = sorted(shown - defined)
        if unknown:
            raise fail(f"{digest} has attribute(s) {', '.join(unknown)} that the service-info schema does not "
                       "define", response)


@check("seqcol.collection.level2-matches-schema")
def test_level_2_matches_the_served_schema(seqcol: Seqcol, schemas: SpecStore) -> None:
    """Each level-2 collection validates against the schema service-info publishes, transient attributes
    not required; a ``$ref`` to a base term uses the approved definition, other remote references are
    not fetched ("The sequence collection object MUST first be structured according to the schema
    definition for the implementation", Sequence Collections 1.0.0 §2 Step 1, §3.1)."""
    document, _ = seqcol.usable_schema()
    validator = seqcol_schema.collection_validator(document, seqcol.terms(schemas), seqcol.transient())
    for digest, level2, response in seqcol.collections():
        errors = schema_errors(validator, level2)
        if errors:
            raise fail(f"{digest} (level 2) does not match the service-info schema: {'; '.join(errors)}", response)


@check("seqcol.collection.schema.base-attributes-valid")
def test_base_attributes_match_the_approved_definitions(seqcol: Seqcol, schemas: SpecStore) -> None:
    """names, lengths and sequences, where a collection has them, match their definitions in the approved
    minimal schema (arrays of strings, of integers, of strings): "for any terms defined by the central,
    approved seqcol schema, any implementations MUST use definitions provided" (Sequence Collections
    1.0.0 decision record 2024-01-10; schemas/seqcol_minimal_v1.0.0.json)."""
    document = schemas.load(seqcol_schema.MINIMAL)
    terms = document.get("properties") if isinstance(document, dict) else None
    if not isinstance(terms, dict):
        pytest.skip(f"{seqcol_schema.MINIMAL} has no properties object")
    for digest, level2, response in seqcol.collections():
        for name in ("names", "lengths", "sequences"):
            if name not in level2 or not isinstance(terms.get(name), dict):
                continue
            errors = schema_errors(Draft202012Validator(terms[name]), level2[name])
            if errors:
                raise fail(f"{digest}: {name} does not match the approved definition: {'; '.join(errors)}", response)


def _collated(seqcol: Seqcol, schemas: SpecStore) -> set[str]:
    """The attributes the served schema marks collated, with the base ones (collated by definition)."""
    found = set(BASE_COLLATED)
    try:
        document, _ = seqcol.schema()
    except pytest.skip.Exception:
        return found
    terms = seqcol.terms(schemas)
    return found | {name for name in seqcol_schema.properties(document)
                    if seqcol_schema.is_collated(document, terms, name)}


@check("seqcol.collection.collated-same-length")
def test_collated_arrays_have_one_element_per_sequence(seqcol: Seqcol, schemas: SpecStore) -> None:
    """The collated arrays of a level-2 collection (names, lengths, sequences and those the schema
    marks ``collated: true``) have the same number of elements ("A collated attribute by definition has
    the same number of elements as the number of sequences in the collection", Sequence Collections
    1.0.0 §4.2; §2 Step 1 "a series of arrays with matching length")."""
    collated = _collated(seqcol, schemas)
    for digest, level2, response in seqcol.collections():
        sizes = {name: len(value) for name, value in sorted(level2.items())
                 if name in collated and isinstance(value, list)}
        if len(set(sizes.values())) > 1:
            shown = ", ".join(f"{name} {size}" for name, size in sizes.items())
            raise fail(f"{digest}: the collated arrays differ in length ({shown})", response)


@check("seqcol.collection.sequences-are-refget-ids")
def test_sequences_are_refget_identifiers(seqcol: Seqcol) -> None:
    """The ``sequences`` items are refget sequences v2 identifiers, ``SQ.`` and a sha512t24u digest,
    without the ``ga4gh:`` prefix (Sequence Collections 1.0.0 schemas: "Refget sequences v2 identifiers
    for sequences"; decision record 2023-06-14 "the seqcol specification should RECOMMEND using refget
    identifiers ... would include the SQ. but not the ga4gh:")."""
    judged = 0
    for digest, level2, response in seqcol.collections():
        values = level2.get("sequences")
        if not isinstance(values, list):
            continue
        judged += 1
        others = [v for v in values if not isinstance(v, str) or not REFGET_ID.match(v)]
        if others:
            raise fail(f"{digest}: sequences has {len(others)} item(s) that are not refget identifiers "
                       f"(SQ.<sha512t24u>), e.g. {others[0]!r}", response)
    if not judged:
        pytest.skip("does not apply: no collection read has a sequences array at level 2")


_WELL_FORMED = st.binary(min_size=24, max_size=24).map(lambda b: base64.urlsafe_b64encode(b).decode())
_MALFORMED = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="./\x00"), min_size=1,
                     max_size=64).filter(lambda s: DIGEST.match(s) is None)


@check("seqcol.collection.unknown-digest-is-404")
@given(digest=_WELL_FORMED, other=_MALFORMED)
def test_unknown_collection_digests_are_404(seqcol: Seqcol, digest: str, other: str) -> None:
    """GET /collection/{digest} of a well-formed digest the server does not hold answers 404, and of a
    malformed one a 4xx, never 200 or 5xx (the spec names no status code: RFC 9110 §15.5.5 404 Not
    Found; Sequence Collections 1.0.0 §3.2 returns "the sequence collection identified by the :digest")."""
    response = seqcol.client.get(collection_path(digest))
    if response.status != 404:
        raise fail(f"GET {collection_path(digest)} of an unknown digest answered {response.status}, not 404",
                   response)
    response = seqcol.client.get(collection_path(other))
    if not 400 <= response.status < 500:
        raise fail(f"GET {collection_path(other)} of a malformed digest answered {response.status}, not a 4xx",
                   response)
