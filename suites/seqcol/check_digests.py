"""The digests, recomputed: level 1 from level 2, the top-level digest from the inherent level-1
attributes, and the recommended ancillary attributes from names, lengths and sequences (Sequence
Collections 1.0.0 §2 Encoding, §5.1 - §5.3, Footnotes F3 and F6). Canonical JSON is RFC 8785 through
``rfc8785``; the digest is sha512t24u."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance import Response, check, fail

from .check_collection import same_json
from .digests import (
    SPEC_ATTRIBUTES,
    CanonicalizationError,
    attribute_digest,
    name_length_pairs,
    sorted_name_length_pairs,
    sorted_sequences,
    top_level_digest,
)
from .view import Seqcol


def _digest(value: Any) -> str | None:
    try:
        return attribute_digest(value)
    except CanonicalizationError:
        return None


@check("seqcol.digest.level1-matches-level2")
def test_level_1_digests_are_the_level_2_values_digested(seqcol: Seqcol) -> None:
    """Each level-1 attribute the spec defines (names, lengths, sequences, name_length_pairs,
    sorted_sequences, sorted_name_length_pairs where it has a level-2 value) is the sha512t24u digest of
    the RFC 8785 canonical JSON of its level-2 value (Sequence Collections 1.0.0 §2 Steps 2-3, Footnote
    F3). Custom attributes MAY define their own encoding (Footnote F6) and are not recomputed."""
    passthru = seqcol.passthru()
    checked = 0
    for digest, level2, level1, response in seqcol.both_levels():
        for name in SPEC_ATTRIBUTES:
            if name in passthru or name not in level1 or name not in level2:
                continue
            expected = _digest(level2[name])
            if expected is None:
                continue
            checked += 1
            if level1[name] != expected:
                raise fail(f"{digest}: level-1 {name} is {level1[name]!r}, but the RFC 8785 canonical JSON of its "
                           f"level-2 value digests to {expected!r}", response)
    if not checked:
        pytest.skip("no collection read has an attribute the spec defines at both levels")


@check("seqcol.digest.top-level-from-inherent")
def test_top_level_digest_is_the_inherent_level_1_digested(seqcol: Seqcol) -> None:
    """A collection's digest is the sha512t24u digest of the RFC 8785 canonical JSON of its level-1
    object filtered to the inherent attributes of the schema; non-inherent attributes "MUST NOT
    contribute to the digest" (Sequence Collections 1.0.0 §2 Steps 3-5; decision record 2023-03-22,
    2023-08-25: the API provides digests without prefixes)."""
    inherent = seqcol.inherent()
    for digest, _, level1, response in seqcol.both_levels():
        expected = top_level_digest(level1, inherent)
        if digest == expected:
            continue
        hint = ""
        extra = [[name] for name in sorted(set(level1) - set(inherent))] + [sorted(set(level1) - set(inherent))]
        for names in extra:
            if names and digest == top_level_digest(level1, [*inherent, *names]):
                hint = f" (it is the digest with the non-inherent {', '.join(names)} contributing)"
                break
        raise fail(f"the collection answered at {digest!r} digests to {expected!r} from its inherent level-1 "
                   f"attributes {sorted(set(inherent) & set(level1))}{hint}", response)


def _names_lengths(level2: dict[str, Any]) -> tuple[list[Any], list[Any]] | None:
    names, lengths = level2.get("names"), level2.get("lengths")
    if isinstance(names, list) and isinstance(lengths, list) and len(names) == len(lengths):
        return names, lengths
    return None  # seqcol.collection.collated-same-length reports unequal arrays


def _digests_sound(level2: dict[str, Any], level1: dict[str, Any], passthru: set[str]) -> bool:
    """Whether the collection's level-1 digests of the attributes the spec defines are right (else a
    level-1 value cannot tell an attribute's own error from the digest's: see
    seqcol.digest.level1-matches-level2)."""
    return all(level1[n] == _digest(level2[n]) for n in SPEC_ATTRIBUTES
               if n in level1 and n in level2 and n not in passthru)


def _ancillary(seqcol: Seqcol, name: str, expected_of: Callable[[dict[str, Any]], Any]) -> None:
    """Check attribute ``name`` of every collection read against ``expected_of(level2)`` (None when its
    inputs are missing): its level-2 value where it has one, else its level-1 digest (transient), the
    latter only where the collection's other level-1 digests are right."""
    checked = served = unsound = False
    passthru = seqcol.passthru()
    for digest, level2, level1, response in seqcol.both_levels():
        if name not in level1 and name not in level2:
            continue
        served = True
        expected = expected_of(level2)
        if expected is None:
            continue
        if name not in level2 and not _digests_sound(level2, level1, passthru):
            unsound = True
            continue
        checked = True
        if name in level2:
            if not same_json(level2[name], expected):
                raise fail(f"{digest}: level-2 {name} is {_short(level2[name])}, but the collection's "
                           f"arrays give {_short(expected)}", _evidence(seqcol, digest, response))
        elif level1.get(name) != _digest(expected):
            raise fail(f"{digest}: level-1 {name} is {level1.get(name)!r}, but the collection's arrays give "
                       f"{_digest(expected)!r}", response)
    if not served:  # RECOMMENDED or OPTIONAL (§5): the algorithm binds a server that serves the attribute
        pytest.skip(f"does not apply: no collection read serves {name}")
    if unsound:
        pytest.skip(f"no collection read has {name} with the arrays it is computed from and sound level-1 digests "
                    "(see seqcol.digest.level1-matches-level2)")
    if not checked:
        pytest.skip(f"no collection read that serves {name} has usable level-2 arrays to compute it from (names and "
                    "lengths of equal length; sequences, strings)")


def _evidence(seqcol: Seqcol, digest: str, fallback: Response) -> Response:
    got = seqcol.level2(digest)
    return got[1] if got is not None else fallback


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:160] + "…"


@check("seqcol.ancillary.name-length-pairs-correct")
def test_name_length_pairs_follow_names_and_lengths(seqcol: Seqcol) -> None:
    """``name_length_pairs``, where served, is one ``{"name", "length"}`` object per collated name and
    length, in collection order (Sequence Collections 1.0.0 §5.1 Algorithm)."""
    def expected(level2: dict[str, Any]) -> list[dict[str, Any]] | None:
        found = _names_lengths(level2)
        return name_length_pairs(*found) if found else None
    _ancillary(seqcol, "name_length_pairs", expected)


@check("seqcol.ancillary.sorted-name-length-pairs-correct")
def test_sorted_name_length_pairs_follow_the_algorithm(seqcol: Seqcol) -> None:
    """``sorted_name_length_pairs``, where served, is the lexicographically sorted array of the digests of
    each canonical ``{"length", "name"}`` object, and its level-1 value that array digested (Sequence
    Collections 1.0.0 §5.2 Algorithm; decision record 2023-07-12)."""
    def expected(level2: dict[str, Any]) -> list[str] | None:
        found = _names_lengths(level2)
        if not found:
            return None
        try:
            return sorted_name_length_pairs(*found)
        except CanonicalizationError:
            return None
    _ancillary(seqcol, "sorted_name_length_pairs", expected)


@check("seqcol.ancillary.sorted-sequences-correct")
def test_sorted_sequences_are_the_sequences_sorted(seqcol: Seqcol) -> None:
    """``sorted_sequences``, where served, is the ``sequences`` array sorted lexicographically (Sequence
    Collections 1.0.0 §5.3 Algorithm)."""
    def expected(level2: dict[str, Any]) -> list[str] | None:
        values = level2.get("sequences")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None
        return sorted_sequences(values)
    _ancillary(seqcol, "sorted_sequences", expected)


@check("seqcol.ancillary.recommended-attributes-provided")
def test_recommended_ancillary_attributes_are_provided(seqcol: Seqcol) -> None:
    """Collections carry the RECOMMENDED ancillary attributes ``name_length_pairs`` and
    ``sorted_name_length_pairs`` (Sequence Collections 1.0.0 §5.1, §5.2; decision record 2023-07-12
    "Implementations SHOULD provide sorted_name_length_pairs")."""
    for digest, _, level1, response in seqcol.both_levels():
        missing = [name for name in ("name_length_pairs", "sorted_name_length_pairs") if name not in level1]
        if missing:
            raise fail(f"{digest} has no {' and no '.join(missing)} (RECOMMENDED ancillary attributes)", response)
