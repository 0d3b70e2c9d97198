"""GA4GH VRS 1.x (1.2, 1.3) computed identifiers, without dependencies.

``ga4gh_serialize`` → ``ga4gh_digest`` (sha512t24u) → ``ga4gh_identify`` (``ga4gh:<prefix>.<digest>``), as
VRS 1.3.0 docs/impl-guide/computed_identifiers.rst defines them (1.2.1 is the same for these classes).
Checked against every ``ga4gh_serialize``/``ga4gh_digest``/``ga4gh_identify`` value of
vrs/1.2.1 and vrs/1.3.0 ``validation/models.yaml`` (tests/suites/beacon/test_beacon_vrs1.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

#: Type prefixes (VRS 1.3.0 schema/ga4gh.yaml; CopyNumber/VCN is VRS 1.2 only).
TYPE_PREFIX = {
    "Sequence": "SQ", "Allele": "VA", "VariationSet": "VS", "Text": "VT", "Genotype": "GT", "Haplotype": "VH",
    "CopyNumberCount": "CN", "CopyNumberChange": "CX", "SequenceLocation": "VSL", "ChromosomeLocation": "VCL",
    "CopyNumber": "VCN",
}
#: Classes with an ``_id`` in vrs.json: nested ones serialise as their digest. The 1.3 validation data
#: also digests GenotypeMember inside Genotype.members, although GenotypeMember has no ``_id``.
IDENTIFIABLE = frozenset({"Allele", "ChromosomeLocation", "CopyNumber", "CopyNumberChange", "CopyNumberCount",
                          "Genotype", "Haplotype", "SequenceLocation", "Text", "VariationSet", "GenotypeMember"})
GA4GH_CURIE = re.compile(r"^ga4gh:(?P<type>[^.]+)\.(?P<digest>.+)$")


def sha512t24u(blob: bytes) -> str:
    """base64url of the first 24 bytes of SHA-512 (VRS 1.3 §Truncated digest)."""
    return base64.urlsafe_b64encode(hashlib.sha512(blob).digest()[:24]).decode("ascii")


def _dictify(value: Any, top: bool) -> Any:
    if isinstance(value, dict):
        if not top and value.get("type") in IDENTIFIABLE:
            return ga4gh_digest(value)
        return {k: _dictify(v, False) for k, v in value.items() if not k.startswith("_") and v is not None}
    if isinstance(value, list):
        items = [_dictify(x, False) for x in value]
        if items and all(isinstance(x, str) for x in items):  # arrays of digests / ids are sorted
            items = sorted(items)
        return items
    if isinstance(value, str):
        match = GA4GH_CURIE.match(value)
        return match.group("digest") if match else value
    return value


def ga4gh_serialize(obj: dict[str, Any]) -> bytes:
    """The canonical serialisation: ``_``-keys and nulls dropped, nested identifiable objects and
    ga4gh CURIEs as bare digests, keys sorted, no whitespace, UTF-8."""
    return json.dumps(_dictify(obj, True), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def ga4gh_digest(obj: dict[str, Any]) -> str:
    return sha512t24u(ga4gh_serialize(obj))


def ga4gh_identify(obj: dict[str, Any]) -> str:
    """``ga4gh:<type prefix>.<digest>``; KeyError for a type that has no computed identifier."""
    return f"ga4gh:{TYPE_PREFIX[obj['type']]}.{ga4gh_digest(obj)}"


def sequence_id(sequence: str) -> str:
    """``ga4gh:SQ.`` + sha512t24u of the upper-case sequence."""
    return "ga4gh:SQ." + sha512t24u(sequence.upper().encode("utf-8"))


def identifiable(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("type") in TYPE_PREFIX and obj.get("type") != "Sequence"
