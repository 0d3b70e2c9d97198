"""The VRS documents against the reference sequences they name, read on the profile's refget service.

A refget service of the profile holds *a document's* sequences when its profile entry names
(``sequences``) one of the sequences the document's SequenceLocations name (as the seqcol suite ties a
collection to refget: :mod:`..seqcol.on_refget`, whose look-ups this module shares). Only such a service is
asked, and only about the documents it is tied to: a refget service of another assembly or another
initiative never fails a document it does not hold. Every read is bounded: at most :data:`MAX_LOOKUPS`
distinct sequences are looked up (their refget metadata, a small JSON document), sub-sequences are read in
windows of :data:`WINDOW` bases (never a whole sequence), at most :data:`MAX_WINDOWS` of them per run.
The answers come through the refget suite's view, over the refget service's own client and credentials:
nothing goes to a host the profile did not name for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest

from conformance import Document, Response

from ..refget.view import is_int, sequence_path
from ..seqcol.on_refget import (
    Holder,
    length_of,
    lookup_id,
    metadata_answer,
    reachable_refgets,
    refget_holders,
    sq_form,
)
from .objects import of_type
from .view import Vrs

#: Distinct sequences looked up on the refget service(s), in document order.
MAX_LOOKUPS = 20
#: Bases of one sub-sequence request (below every subsequence limit a refget server is likely to set).
WINDOW = 512
#: Sub-sequence requests of the whole run (reference states and normalization together).
MAX_WINDOWS = 200


class Undecided(Exception):
    """The refget answers cannot tell (a 5xx, a bound reached, a malformed answer)."""


@dataclass(frozen=True)
class Site:
    """One SequenceLocation of a document that names a refget sequence."""

    document: Document
    #: JSON path of the SequenceLocation
    where: str
    location: dict[str, Any]
    #: the ``SQ.`` accession it names
    sq: str

    def bounds(self, v1: bool) -> list[int]:
        """Every integer coordinate the location gives (1.3: the interval's Number values and range ends, or a
        SimpleInterval's integers; 2.0: ``start`` and ``end``, integers or the ends of a Range)."""
        found: list[int] = []
        if v1:
            interval = self.location.get("interval")
            values = [interval.get("start"), interval.get("end")] if isinstance(interval, dict) else []
            for value in values:
                if is_int(value):  # a SimpleInterval (deprecated in 1.3, still in its schema)
                    found.append(value)
                elif isinstance(value, dict):
                    found.extend(v for k in ("value", "min", "max") for v in [value.get(k)] if is_int(v))
        else:
            for value in (self.location.get("start"), self.location.get("end")):
                if is_int(value):
                    found.append(value)
                elif isinstance(value, list):
                    found.extend(v for v in value if is_int(v))
        return found

    def span(self) -> tuple[int, int] | None:
        """(start, end) of a 2.0 location with integer coordinates, start <= end; else None."""
        start, end = self.location.get("start"), self.location.get("end")
        if is_int(start) and is_int(end) and 0 <= start <= end:
            return start, end
        return None


@dataclass
class Held:
    """A sequence as the refget service that holds it answers: its length and where to read it."""

    sq: str
    holder: Holder
    length: int
    response: Response


@dataclass
class Lookup:
    """The answer about one sequence: held, unknown (404 on every holder asked) or undecided."""

    sq: str
    held: Held | None = None
    #: the 404 (unknown) or the undecided answer
    response: Response | None = None
    unknown: bool = False


@dataclass
class OnRefget:
    """The run's look-ups of one VRS entry's sequences on its refget services."""

    vrs: Vrs
    #: sites of every document tied to a refget service, with the holders it is tied to
    sites: list[tuple[Site, list[Holder]]]
    lookups: dict[str, Lookup] = field(default_factory=dict)
    #: sequences not looked up (past MAX_LOOKUPS)
    left_out: set[str] = field(default_factory=set)
    windows: int = 0
    _cache: dict[tuple[str, int, bool], str] = field(default_factory=dict)

    def lookup(self, sq: str, holders: list[Holder]) -> Lookup | None:
        """The look-up of ``sq`` (once per run); None past :data:`MAX_LOOKUPS` distinct sequences."""
        if sq not in self.lookups:
            if len(self.lookups) >= MAX_LOOKUPS:
                self.left_out.add(sq)
                return None
            self.lookups[sq] = _look_up(sq, holders)
        return self.lookups[sq]

    def held(self) -> list[tuple[Site, Held]]:
        """Every tied site whose sequence a refget service holds (unknown, undecided and left-out ones are
        judged by no check: vrs.location.sequence-on-refget is uncovered); skips with the reason when there is
        none."""
        found = []
        for site, holders in self.sites:
            lookup = self.lookup(site.sq, holders)
            if lookup is not None and lookup.held is not None:
                found.append((site, lookup.held))
        if not found:
            unknown = sum(1 for lookup in self.lookups.values() if lookup.held is None and lookup.unknown)
            undecided = sum(1 for lookup in self.lookups.values() if lookup.held is None and not lookup.unknown)
            pytest.skip(f"no sequence the documents name could be read on the refget service: {unknown} unknown to "
                        f"it (a 404; no text requires this service to hold them), {undecided} undecided (an answer "
                        f"that cannot tell), {len(self.left_out)} not looked up (at most {MAX_LOOKUPS} are)")
        return found

    def bases(self, held: Held, start: int, end: int, *, ranged: bool = False) -> str:
        """Bases ``start..end-1`` of a held sequence, read in aligned windows (with start/end, or with a Range
        header when ``ranged``); raises Undecided."""
        if not 0 <= start <= end <= held.length:
            raise Undecided(f"{start}..{end} is not inside the sequence {held.sq} of {held.length} bases")
        pieces = []
        for first in range(start - start % WINDOW, end, WINDOW):
            window = self._window(held, first, ranged)
            pieces.append(window[max(0, start - first):end - first])
        return "".join(pieces)

    def by_range(self) -> ByRange:
        """The same reads made with a Range header: a second way of asking refget for the same bases, to
        confirm a finding (a refget whose start/end answers are wrong must not fail the documents)."""
        return ByRange(self)

    def _window(self, held: Held, first: int, ranged: bool) -> str:
        key = (held.sq, first, ranged)
        if key not in self._cache:
            if self.windows >= MAX_WINDOWS:
                raise Undecided(f"the harness reads at most {MAX_WINDOWS} windows of {WINDOW} bases a run")
            self.windows += 1
            last = min(first + WINDOW, held.length)
            view = held.holder.view
            ident = lookup_id(held.sq, view)
            if ranged:
                response = view.client.get(sequence_path(ident), headers={"Range": f"bytes={first}-{last - 1}"},
                                           max_bytes=2 * WINDOW + 4096)
                wanted: tuple[int, ...] = (206,)
            else:
                response = view.query(ident, first, last)
                wanted = (200, 206)
            text = response.content.decode("ascii", "replace") if response.status in wanted else ""
            if len(text) != last - first or not text.isalpha():
                how = "a Range header" if ranged else "start and end"
                raise Undecided(f"the refget service answered {response.status} with {len(response.content)} "
                                f"bytes for bases {first}..{last} of {held.sq} asked with {how} (see the refget "
                                f"suite's checks)")
            self._cache[key] = text.upper()
        return self._cache[key]


@dataclass
class ByRange:
    """:meth:`OnRefget.bases` through Range headers (the same bounds and count of windows)."""

    ctx: OnRefget

    def bases(self, held: Held, start: int, end: int) -> str:
        return self.ctx.bases(held, start, end, ranged=True)


class Reader(Protocol):
    """What reads bases: :class:`OnRefget` (start/end) or :class:`ByRange`."""

    def bases(self, held: Held, start: int, end: int) -> str: ...


def _look_up(sq: str, holders: list[Holder]) -> Lookup:
    answers = [(h, *metadata_answer(h, sq)) for h in holders]
    for holder, metadata, response in answers:
        length = length_of(metadata) if metadata is not None else None
        if length is not None:
            return Lookup(sq, Held(sq, holder, length, response), response)
    if answers and all(r.status == 404 for _, _, r in answers):
        return Lookup(sq, None, answers[0][2], unknown=True)
    return Lookup(sq, None, answers[0][2] if answers else None)


def sites(obj: Any, path: str, document: Document, v1: bool) -> Iterator[Site]:
    """Every SequenceLocation inside ``obj`` that names a refget sequence (1.3 ``sequence_id``
    ``ga4gh:SQ.``; 2.0 ``sequenceReference.refgetAccession``)."""
    if isinstance(obj, dict):
        if obj.get("type") == "SequenceLocation":
            if v1:
                named = obj.get("sequence_id")
            else:
                reference = obj.get("sequenceReference")
                named = reference.get("refgetAccession") if isinstance(reference, dict) else None
            sq = sq_form(named)
            if sq is not None:
                yield Site(document, path, obj, sq)
        for key, value in obj.items():
            yield from sites(value, f"{path}.{key}", document, v1)
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from sites(item, f"{path}[{index}]", document, v1)


def alleles(obj: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Allele inside ``obj``, with its JSON path."""
    return of_type(obj, path, "Allele")


def on_refget(vrs: Vrs) -> OnRefget:
    """The look-ups of this entry's sequences; skips with the reason when no refget service of the profile
    is tied to its documents."""
    return vrs.memo("on-refget", lambda: _tie(vrs))


def _tie(vrs: Vrs) -> OnRefget:
    reachable = reachable_refgets(vrs, to="read the documents' reference sequences on",
                                  so="the reference sequences cannot be read")
    v1 = vrs.version.startswith("1.")
    by_document: dict[str, list[Site]] = {}
    for document, path, obj in vrs.objects():
        by_document.setdefault(document.ref, []).extend(sites(obj, path, document, v1))
    if not any(by_document.values()):
        pytest.skip("no SequenceLocation of the documents names a refget sequence (ga4gh SQ. accession)")
    holders = refget_holders(vrs, reachable)
    named = {site.sq for found in by_document.values() for site in found}
    holders = [h for h in holders if named & set(h.named)]
    if not holders:
        pytest.skip("no refget service of the profile names (under `sequences`) a sequence of the documents' "
                    "SequenceLocations, so none is known to hold their reference sequences (name one there to "
                    "check them)")
    # A control: a holder must answer a sequence its own entry names by the id the look-ups use (refget
    # 2.0.0 SQ., 1.0.x TRUNC512), else its 404 for another says nothing.
    usable: list[Holder] = []
    reason = ""
    for holder in holders:
        own = sorted(named & set(holder.named))[0]
        metadata, response = metadata_answer(holder, own)
        if metadata is None or length_of(metadata) is None:
            reason = reason or (f"the refget service {holder.service.label} does not answer the metadata of its "
                                f"own sequence {holder.named[own]} by the id {lookup_id(own, holder.view)} "
                                f"({response.status}), so its other answers say nothing")
            continue
        usable.append(holder)
    if not usable:
        pytest.skip(reason)
    tied: list[tuple[Site, list[Holder]]] = []
    for found in by_document.values():
        sqs = {site.sq for site in found}
        sharing = [h for h in usable if sqs & set(h.named)]
        tied.extend((site, sharing) for site in found if sharing)
    if not tied:
        pytest.skip(reason)
    return OnRefget(vrs, tied)
