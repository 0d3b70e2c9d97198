"""The refget service that holds a seqcol service's sequences, and the look-ups of its digests there.

A profile may declare refget services beside a seqcol service; a refget service holds *this* service's
collection set when one of the sequences its profile entry names (``sequences``) is a sequence of a
collection read here. Only such a refget service is asked, and only for the collections it shares a
sequence with: another initiative's refget, or one for another assembly, never fails a collection it
does not hold. Look-ups read the refget metadata (``/sequence/{id}/metadata``: a small JSON document),
never a whole sequence (where a length disagrees, one base tells which side is right), and at most
:data:`MAX_LOOKUPS` distinct digests are asked per run.

The refget answers come through the refget suite's own view (one cache per service per run, so a
metadata document both suites need is fetched once), over the refget service's own client and
credentials: nothing is sent to a host the profile did not name for that service.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance import Response, Service, ServiceView

from ..refget.view import Refget, is_int, metadata_of, trunc512_value

#: Distinct sequence digests looked up on the refget service(s), in collection order.
MAX_LOOKUPS = 20
#: A refget sequences 2.0.0 ``ga4gh`` identifier (``SQ.`` + 32 base64url characters: sha512t24u).
SQ = re.compile(r"^SQ\.[A-Za-z0-9_-]{32}$")
TRUNC512 = re.compile(r"^[0-9A-Fa-f]{48}$")
_SKIP = pytest.skip.Exception


def sq_form(value: object) -> str | None:
    """The ``SQ.`` identifier a collection's sequence value is, or None. A ``ga4gh:`` namespace prefix is
    dropped (refget 2.0.0 §Namespace of the checksums: both name the same sequence; that a collection
    should not carry it is another check's concern)."""
    if not isinstance(value, str):
        return None
    bare = value[len("ga4gh:"):] if value.startswith("ga4gh:") else value
    return bare if SQ.match(bare) else None


def to_trunc512(sq: str) -> str:
    """The TRUNC512 (refget 1.0.x, 48 hex digits) form of a ``SQ.`` identifier: the same 24 bytes of the
    SHA-512 digest, in hex ("It is possible to translate between the ga4gh and TRUNC512 systems",
    refget 2.0.0 §Checksum calculation)."""
    return base64.urlsafe_b64decode(sq[3:]).hex()


def from_trunc512(value: str) -> str | None:
    if not TRUNC512.match(value):
        return None
    try:
        raw = binascii.unhexlify(value)
    except binascii.Error:  # pragma: no cover - the pattern admits only hex
        return None
    return "SQ." + base64.urlsafe_b64encode(raw).decode("ascii")


def lookup_id(sq: str, refget: Refget) -> str:
    """The id a refget service of the declared version is asked for ``sq`` by."""
    return to_trunc512(sq) if refget.v1 else sq


@dataclass
class Holder:
    """A refget service of the profile, with the ``SQ.`` forms of the sequences its entry names."""

    service: Service
    view: Refget
    #: SQ. form → the profile id it came from
    named: dict[str, str] = field(default_factory=dict)


def reachable_refgets(view: ServiceView, to: str, so: str) -> list[Service]:
    """The profile's refget services that answered, for a check of ``view``'s service that reads them; skips
    with the reason when the profile declares none ("... refget service to <to>") or none answered ("...,
    so <so>")."""
    run = view.run
    declared = [s for s in run.profile.services if s.standard == "refget"]
    if not declared:
        pytest.skip(f"the profile declares no refget service to {to}")
    reachable = [s for s in declared if run.probe(s) is None]
    if not reachable:
        pytest.skip(f"no refget service of the profile answered, so {so}")
    return reachable


def refget_holders(view: ServiceView, services: list[Service]) -> list[Holder]:
    """Each refget service with the sequences its profile entry names (:func:`named_sequences`)."""
    return [Holder(s, refget, named_sequences(refget)) for s in services for refget in [Refget.of(s, view.run)]]


def named_sequences(view: Refget) -> dict[str, str]:
    """SQ. form → profile id of each sequence the refget entry names: as written when it is one, else from
    its metadata (``ga4gh`` in 2.0.0, ``trunc512`` converted in 1.0.x). An id whose metadata cannot be read
    names nothing (the refget suite reports that)."""
    found: dict[str, str] = {}
    for ident in view.option("sequences"):
        sq = sq_form(ident)
        if sq is None:
            try:
                inner, _ = view.metadata(ident)
            except _SKIP:
                continue
            listed = trunc512_value(inner) if view.v1 else inner.get("ga4gh")
            sq = (from_trunc512(listed) if view.v1 else sq_form(listed)) if isinstance(listed, str) else None
        if sq is not None:
            found.setdefault(sq, ident)
    return found


def metadata_answer(holder: Holder, sq: str) -> tuple[dict[str, Any] | None, Response]:
    """The metadata object of ``sq`` on the holder (None when it did not answer one) and the response."""
    response = holder.view.metadata_response(lookup_id(sq, holder.view))
    return metadata_of(response), response


def length_of(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("length")
    return value if is_int(value) else None
