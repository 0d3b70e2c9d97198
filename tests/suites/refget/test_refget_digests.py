"""The refget suite's digests: MD5, TRUNC512 and ga4gh computed as the texts define, incrementally, agreeing
with ga4gh.core and with the values the texts print; identifier forms told apart as the texts say."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from conformance_suites.refget.digests import (
    Identifier,
    SequenceDigest,
    checksum_identifier,
    ga4gh,
    md5,
    normalise,
    same_checksum,
    trunc512,
    trunc512_to_ga4gh,
)
from ga4gh.core import sha512t24u
from hypothesis import given
from hypothesis import strategies as st

bases = st.binary(min_size=0, max_size=400).map(lambda b: bytes(b"ACGTN"[x % 5] for x in b))


def test_trunc512_and_ga4gh_of_acgt_are_the_texts_values() -> None:
    # refget 1.0.1 §TRUNC512 Algorithm Details (Python and Perl examples); refget 2.0.0 §refget Checksum
    # Algorithm: "the ga4gh digest of ACGT is the string SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2".
    assert trunc512(b"ACGT") == "68a178f7c740c5c240aa67ba41843b119d3bf9f8b0f0ac36"
    assert ga4gh(b"ACGT") == "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"
    assert trunc512_to_ga4gh(trunc512(b"ACGT")) == ga4gh(b"ACGT")  # VMC:GS_aKF4... in 1.0.1


def test_md5_of_acgt() -> None:
    assert md5(b"ACGT") == hashlib.md5(b"ACGT").hexdigest() == "f1f8f4bf413b16ad135722aa4591043e"


@given(bases)
def test_ga4gh_is_sq_and_sha512t24u(sequence: bytes) -> None:
    assert ga4gh(sequence) == "SQ." + sha512t24u(sequence)
    assert len(ga4gh(sequence)) == 35 and "=" not in ga4gh(sequence)
    assert trunc512(sequence) == hashlib.sha512(sequence).hexdigest()[:48]


@given(bases, st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_streamed_digest_equals_one_shot_for_any_chunking(sequence: bytes, cuts: list[int]) -> None:
    digest = SequenceDigest()
    positions = sorted({0, len(sequence), *(c for c in cuts if c <= len(sequence))})
    pieces = [digest.update(sequence[a:b]) for a, b in itertools.pairwise(positions)]
    assert b"".join(pieces) == sequence
    assert (digest.md5, digest.trunc512, digest.ga4gh, digest.length) == (
        md5(sequence), trunc512(sequence), ga4gh(sequence), len(sequence))


def test_normalisation_removes_non_letters_and_upper_cases() -> None:
    # refget 2.0.0 §refget Checksum Algorithm step 1; 1.0.1 §Checksum calculation.
    assert normalise(b"acg t\nN*1-") == b"ACGTN"
    digest = SequenceDigest()
    digest.update(b"ac\ngt")
    assert digest.ga4gh == ga4gh(b"ACGT") and digest.length == 4


@pytest.mark.parametrize(("ident", "namespaces", "expected"), [
    ("6aef897c3d6ff0c78aff06ac189178dd", True, Identifier("md5", "6aef897c3d6ff0c78aff06ac189178dd")),
    ("6AEF897C3D6FF0C78AFF06AC189178DD", True, Identifier("md5", "6aef897c3d6ff0c78aff06ac189178dd")),
    ("md5:6aef897c3d6ff0c78aff06ac189178dd", True, Identifier("md5", "6aef897c3d6ff0c78aff06ac189178dd", "md5")),
    ("68a178f7c740c5c240aa67ba41843b119d3bf9f8b0f0ac36", True,
     Identifier("trunc512", "68a178f7c740c5c240aa67ba41843b119d3bf9f8b0f0ac36")),
    ("SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2", True, Identifier("ga4gh", "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2")),
    ("ga4gh:SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2", True,
     Identifier("ga4gh", "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2", "ga4gh")),
    ("ga4gh:SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2", False, None),  # 1.0.x has no namespaces
    ("insdc:CM000663.2", True, None),
    ("chr1", True, None),
    ("md5:SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2", True, None),
])
def test_checksum_identifier_forms(ident: str, namespaces: bool, expected: Identifier | None) -> None:
    assert checksum_identifier(ident, namespaces=namespaces) == expected


def test_same_checksum_hex_is_case_insensitive_ga4gh_is_not() -> None:
    assert same_checksum("md5", "6AEF897C3D6FF0C78AFF06AC189178DD", "6aef897c3d6ff0c78aff06ac189178dd")
    assert same_checksum("ga4gh", "ga4gh:SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2", "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2")
    assert not same_checksum("ga4gh", "SQ.akf498dAxcJAqme6QYQ7EZ07-fiw8Kw2", "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2")


def test_the_fast_path_gives_the_same_digests() -> None:
    from conformance_suites.refget.digests import SequenceDigest, is_normalised

    chunks = [b"ACGTTGCA", b"acgt\nNN", b"GGCC", b"", b"T*A"]
    fast, slow = SequenceDigest(), SequenceDigest()
    for chunk in chunks:
        assert fast.update(chunk, normalised=is_normalised(chunk)) == slow.update(chunk)
    assert (fast.md5, fast.length) == (slow.md5, slow.length)
    assert is_normalised(b"ACGT") and not is_normalised(b"ACGt") and not is_normalised(b"AC\nGT")


@pytest.mark.parametrize("kind", [bytes, bytearray])
def test_is_normalised_scans_a_large_piece_in_slices_to_its_last_byte(kind: type) -> None:
    """A piece longer than one slice (issue 13: checked SCAN bytes at a time), as bytes or as the client's
    borrowed bytearray: a byte outside A-Z anywhere, at a slice's edges or the very end, is seen."""
    from conformance_suites.refget.digests import SCAN, is_normalised

    size = 3 * SCAN + 17
    assert is_normalised(kind(b"A" * size)) and is_normalised(kind(b""))
    for offset in (0, SCAN - 1, SCAN, 2 * SCAN + 5, size - 1):
        piece = bytearray(b"G" * size)
        piece[offset] = ord("n")
        assert not is_normalised(kind(piece)), offset
