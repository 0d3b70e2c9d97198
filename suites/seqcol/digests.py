"""The seqcol encoding (Sequence Collections 1.0.0 §2 Encoding, Footnote F3) and the recommended
ancillary attributes (§5.1 - §5.3), written once: the checks recompute digests with it and the
reference server builds its collections with it. tests/suites/seqcol/ pins it to the worked examples
of the spec text.

Canonical JSON is RFC 8785 (JCS) through the ``rfc8785`` package, never hand-written.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import rfc8785

#: A sha512t24u digest: 24 bytes as unpadded base64url, 32 characters (F3).
DIGEST = re.compile(r"^[A-Za-z0-9_-]{32}$")
#: A refget sequences v2 identifier as the seqcol schema describes ``sequences`` items: ``SQ.`` and a
#: sha512t24u digest, without the ``ga4gh:`` namespace (decision record 2023-06-14).
REFGET_ID = re.compile(r"^SQ\.[A-Za-z0-9_-]{32}$")
#: The inherent attributes of the RECOMMENDED base schema (§1).
BASE_INHERENT = ("names", "sequences")
#: The attributes the spec defines itself; every other attribute is custom and MAY define its own
#: encoding (Footnote F6), so only these are recomputed with the default encoding.
SPEC_ATTRIBUTES = ("names", "lengths", "sequences", "name_length_pairs", "sorted_name_length_pairs",
                   "sorted_sequences")
#: The collated attributes of the base schema (§1: ``collated: true``).
BASE_COLLATED = ("names", "lengths", "sequences")

CanonicalizationError = rfc8785.CanonicalizationError


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON of ``value`` (§2 Steps 2 and 4)."""
    return rfc8785.dumps(value)


def sha512t24u(data: bytes) -> str:
    """The GA4GH digest: SHA-512, truncated to 24 bytes, base64url (Footnote F3)."""
    return base64.urlsafe_b64encode(hashlib.sha512(data).digest()[:24]).decode("ascii")


def attribute_digest(value: Any) -> str:
    """The level-1 representation of a level-2 attribute value by the default encoding (§2 Steps 2-3)."""
    return sha512t24u(canonical(value))


def level1(collection: Mapping[str, Any], passthru: Iterable[str] = ()) -> dict[str, Any]:
    """The level-1 representation of a level-2 collection: every attribute digested, passthru ones
    passed through unchanged (§2, "Exception for passthru attributes"; §4.4)."""
    skip = set(passthru)
    return {name: value if name in skip else attribute_digest(value) for name, value in collection.items()}


def top_level_digest(level1_collection: Mapping[str, Any], inherent: Iterable[str]) -> str:
    """The level-0 digest: the level-1 object filtered to the inherent attributes, canonicalized and
    digested (§2 Steps 3-5: non-inherent attributes MUST NOT contribute)."""
    keep = set(inherent)
    return sha512t24u(canonical({k: v for k, v in level1_collection.items() if k in keep}))


def digest_collection(collection: Mapping[str, Any], inherent: Iterable[str] = BASE_INHERENT,
                      passthru: Iterable[str] = ()) -> str:
    """The seqcol digest of a level-2 collection (§2, all five steps)."""
    return top_level_digest(level1(collection, passthru), inherent)


def name_length_pairs(names: Sequence[Any], lengths: Sequence[Any]) -> list[dict[str, Any]]:
    """The ``name_length_pairs`` level-2 array (§5.1): one ``{"name", "length"}`` object per collated pair."""
    return [{"name": name, "length": length} for name, length in zip(names, lengths)]


def sorted_name_length_pairs(names: Sequence[Any], lengths: Sequence[Any]) -> list[str]:
    """The ``sorted_name_length_pairs`` level-2 array (§5.2): each pair canonicalized and digested on its
    own, the digests sorted lexicographically."""
    return sorted(attribute_digest(pair) for pair in name_length_pairs(names, lengths))


def sorted_sequences(sequences: Sequence[str]) -> list[str]:
    """The ``sorted_sequences`` level-2 array (§5.3): the sequence digests sorted lexicographically."""
    return sorted(sequences)


def is_digest(value: object) -> bool:
    return isinstance(value, str) and DIGEST.match(value) is not None
