"""Cross-standard: the SequenceLocations of the documents against the reference sequences they name, read on
the profile's refget service that holds them (VRS 1.3 docs/terms_and_model.rst, SequenceLocation and Allele;
VRS 2.0 docs/concepts/LocationAndReference/SequenceLocation.rst, docs/conventions/normalization.rst).
Bounded and tied to the documents: see :mod:`.on_refget`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance import HarnessError, check, fail

from ..seqcol.on_refget import lookup_id
from .identifiers import _without_digests, too_deep
from .on_refget import Held, OnRefget, Reader, Site, Undecided, alleles, on_refget
from .view import Vrs

#: Problems named in a failure message (all are counted).
SHOWN = 3
#: The longest stated reference sequence compared (bases read on refget).
MAX_STATED = 4096


def _shown(problems: list[str]) -> str:
    return "; ".join(problems[:SHOWN]) + ("; ..." if len(problems) > SHOWN else "")


@dataclass
class _Tally:
    """What a comparison with the refget bases found, and its verdict (:meth:`conclude`)."""

    problems: list[tuple[str, Held]] = field(default_factory=list)
    compared: int = 0
    #: why some object could not be judged (the skip's reason when none was)
    undecided: str = ""
    #: why a finding made with start/end could not be confirmed (the check then cannot pass)
    unconfirmed: str = ""

    def undecide(self, why: str) -> None:
        self.undecided = self.undecided or why

    def unconfirm(self, why: str) -> None:
        self.unconfirmed = self.unconfirmed or why

    def finding(self, ctx: OnRefget, implied: Callable[[Reader], Any], agrees: Callable[[Any], bool], *,
                unsure: str, differs: str) -> Any:
        """What ``implied`` reads from the refget bases, when the document disagrees with it (``agrees`` is
        false) and the same bases asked with a Range header confirm it: a refget whose start/end answers are
        wrong must not fail the documents. None otherwise, counted: undecided (:class:`Undecided`), nothing
        to compare (``implied`` gave None), compared and agreeing, or unconfirmed (``unsure``: the second
        reading failed, ``differs``: it read other bases)."""
        try:
            found = implied(ctx)
        except Undecided as exc:
            self.undecide(str(exc))
            return None
        if found is None:
            return None
        self.compared += 1
        if agrees(found):
            return None
        try:
            again = implied(ctx.by_range())
        except Undecided as exc:
            self.unconfirm(f"{unsure}: {exc}")
            return None
        if again != found:
            self.unconfirm(differs)
            return None
        return found

    def conclude(self, ctx: OnRefget, headline: str, nothing: str) -> None:
        """Fail with the problems (``headline`` formatted with ``n``, ``compared`` and ``where``), else err on
        an unconfirmed finding, else skip with ``nothing`` (or why) when nothing was compared."""
        if self.problems:
            held = self.problems[0][1]
            where = _where(ctx, held)
            raise fail(f"{headline.format(n=len(self.problems), compared=self.compared, where=where)}: "
                       f"{_shown([text for text, _ in self.problems])}", held.response)
        if self.unconfirmed:
            raise HarnessError(self.unconfirmed)
        if not self.compared:
            pytest.skip(self.undecided or nothing)


def _where(ctx: OnRefget, held: Held) -> str:
    return f"the refget service {held.holder.service.label} ({ctx.vrs.run.redactor.url(held.holder.service.url)})"


@check("vrs.location.inside-sequence")
def test_location_inside_its_sequence(vrs: Vrs) -> None:
    """VRS 1.3: every coordinate of a SequenceLocation's interval is at most the length of its sequence, as
    the refget metadata gives it: "Implementations MUST enforce values interval.end ≤ sequence_length when
    the Sequence length is known" and "0 ≤ interval.start ≤ interval.end ≤ n", "Coordinates MUST refer to a
    valid Sequence. VRS does not support ... extrapolations beyond the ends of sequences" (VRS 1.3
    docs/terms_and_model.rst, Allele and SequenceLocation). The order of start and end is not checked here."""
    _inside_sequence(vrs)


@check("vrs.location.inside-sequence-expected")
def test_location_inside_its_sequence_2(vrs: Vrs) -> None:
    """VRS 2.0: every coordinate of a SequenceLocation (start, end, the ends of a Range) is at most the length
    of its sequence, as the refget metadata gives it: "it is expected that for a Sequence of length n,
    0 ≤ start ≤ end ≤ n" (circular: "0 ≤ end ≤ start ≤ n"; VRS 2.0
    docs/concepts/LocationAndReference/SequenceLocation.rst, Linear and Circular Sequence Coordinates): an
    expectation without an RFC 2119 keyword, so a SHOULD, where 1.3 had a MUST."""
    _inside_sequence(vrs)


def _inside_sequence(vrs: Vrs) -> None:
    """Coordinates past the length the metadata gives are confirmed by the sequence's bases (at most
    MAX_CONFIRMED distinct ones); one past that bound is left unjudged, as a bounded check does."""
    ctx = on_refget(vrs)
    v1 = vrs.version.startswith("1.")
    problems: list[tuple[str, Held]] = []
    undecided: list[Any] = []
    confirmed: dict[tuple[str, int], bool | None] = {}
    for site, held in ctx.held():
        beyond = [value for value in site.bounds(v1) if value > held.length]
        if not beyond:
            continue
        coordinate = max(beyond)
        key = (site.sq, coordinate)
        if key not in confirmed and len(confirmed) >= MAX_CONFIRMED:
            continue  # past the bound: never judged by the metadata's word alone
        if key not in confirmed:
            confirmed[key] = _past_the_end(held, coordinate)
        if confirmed[key] is None:
            undecided.append(held)
        elif confirmed[key]:
            problems.append((f"{site.document.ref} {site.where} gives coordinate {coordinate} on {site.sq}, "
                             f"which has {held.length} bases", held))
    if problems:
        held = problems[0][1]
        raise fail(f"{len(problems)} SequenceLocation(s) lie outside their sequence on {_where(ctx, held)}: "
                   f"{_shown([text for text, _ in problems])}", held.response)
    if undecided:
        raise HarnessError(f"the refget service answered 5xx for the base before a coordinate past the length its "
                           f"metadata gives, so whether {len(undecided)} location(s) lie outside the sequence is "
                           f"unknown", undecided[0].response.exchange)


#: Coordinates past a sequence's metadata length confirmed by its bases (one base asked each).
MAX_CONFIRMED = 20


def _past_the_end(held: Held, coordinate: int) -> bool | None:
    """Whether the sequence really ends before ``coordinate``, judged by its bases rather than the metadata's
    word: the base just before it is asked (one base). True: no such base (the location is outside); False:
    refget serves it (its metadata length is wrong, the refget suite's concern); None: a 5xx."""
    view = held.holder.view
    response = view.query(lookup_id(held.sq, view), coordinate - 1, coordinate)
    if response.status >= 500:
        return None
    return not (response.status in (200, 206) and len(response.content) == 1)


def _rle_sequence(ctx: Reader, held: Held, span: tuple[int, int], state: dict[str, Any]) -> str | None:
    """The sequence a ReferenceLengthExpression state implies at a location: the first repeatSubunitLength
    reference bases there, repeated to ``length`` (VRS 2.0 normalization.rst, step 5; ga4gh-vrs
    ``denormalize_reference_length_expression``); None when it cannot be derived."""
    length, unit = state.get("length"), state.get("repeatSubunitLength")
    if length == 0:
        return ""
    if not (isinstance(length, int) and isinstance(unit, int)) or unit < 1 or unit > span[1] - span[0]:
        return None
    subunit = ctx.bases(held, span[0], span[0] + unit)
    return (subunit * (length // unit + 1))[:length]


@check("vrs.location.reference-state-matches")
def test_stated_reference_sequence_matches_refget(vrs: Vrs) -> None:
    """Where a document states the reference sequence at a location, it is the refget sequence's bases
    there: SequenceLocation ``sequence`` is "The literal sequence encoded by the sequenceReference at these
    coordinates" ("the ref sequence (derived from the SequenceReference at the location)", VRS 2.0
    docs/concepts/LocationAndReference/SequenceLocation.rst, The "Ref" Allele; schema SequenceLocation), and
    an Allele's ReferenceLengthExpression ``sequence`` is "the literal Sequence encoded by" it, the reference
    subunit at the location repeated to ``length`` (VRS 2.0 docs/concepts/SequenceExpression/
    ReferenceLengthExpression.rst; docs/conventions/normalization.rst, step 5). Locations with integer start
    <= end inside the sequence, stating at most MAX_STATED bases. VRS 1.x states no reference sequence."""
    if vrs.version.startswith("1."):
        pytest.skip("does not apply: VRS 1.x SequenceLocations and states carry no reference sequence")
    ctx = on_refget(vrs)
    held_at = {id(site.location): (site, held) for site, held in ctx.held()}
    tally = _Tally()

    def compare(site: Site, held: Held, what: str, stated: str, implied: Any) -> None:
        found = tally.finding(ctx, implied, lambda bases: stated.upper() == bases,
                              unsure="a mismatch found with start/end could not be confirmed",
                              differs=f"the refget service gives other bases for {site.sq} asked with start/end "
                                      "than with a Range header, so which the document should state is unknown")
        if found is not None:
            tally.problems.append((f"{site.document.ref} {what} is {_cut(stated)}, but {site.sq} has "
                                   f"{_cut(found)} there", held))

    for site, held in held_at.values():
        stated, span = site.location.get("sequence"), site.span()
        if isinstance(stated, str) and span is not None and span[1] <= held.length \
                and span[1] - span[0] <= MAX_STATED:
            if len(stated) != span[1] - span[0]:
                tally.compared += 1
                tally.problems.append((f"{site.document.ref} {site.where}.sequence has {len(stated)} bases for a "
                                       f"location of {span[1] - span[0]}", held))
            else:
                compare(site, held, f"{site.where}.sequence", stated,
                        lambda reader, held=held, span=span: reader.bases(held, *span))
    for _document, path, obj in vrs.objects():
        for where, allele in alleles(obj, path):
            location, state = allele.get("location"), allele.get("state")
            if not isinstance(state, dict) or state.get("type") != "ReferenceLengthExpression" \
                    or not isinstance(state.get("sequence"), str) or not isinstance(location, dict):
                continue
            site_held = held_at.get(id(location))
            span = site_held[0].span() if site_held is not None else None
            if site_held is None or span is None or span[1] > site_held[1].length:
                continue
            site, held = site_held
            compare(site, held, f"{where}.state.sequence", state["sequence"],
                    lambda reader, held=held, span=span, state=state: _rle_sequence(reader, held, span, state))
    tally.conclude(ctx, "{n} stated reference sequence(s) differ from the bases on {where}",
                   "no document states a reference sequence (a SequenceLocation's sequence or a "
                   "ReferenceLengthExpression's sequence) on a sequence the refget service holds")


def _cut(text: str, keep: int = 24) -> str:
    return repr(text if len(text) <= keep else text[:keep] + "...")


def _form(model: Any) -> tuple[Any, ...]:
    """What normalization decides of an Allele: its coordinates and its state (a LiteralSequenceExpression's
    sequence; a ReferenceLengthExpression's length and repeat subunit length)."""
    location = model.location.model_dump(mode="json", exclude_none=True)
    state = model.state.model_dump(mode="json", exclude_none=True)
    if state.get("type") == "ReferenceLengthExpression":
        kept: tuple[Any, ...] = (state["type"], state.get("length"), state.get("repeatSubunitLength"))
    else:
        kept = (state.get("type"), state.get("sequence"))
    return (location.get("start"), location.get("end"), *kept)


def _describe(form: tuple[Any, ...]) -> str:
    start, end, kind, *rest = form
    if kind == "ReferenceLengthExpression":
        state = f"ReferenceLengthExpression(length {rest[0]}, repeatSubunitLength {rest[1]})"
    else:
        state = f"{kind} {_cut(str(rest[0]))}"
    return f"[{start}, {end}) with {state}"


def _proxy(ctx: Reader, held: Held) -> Any:
    """A ga4gh-vrs data proxy of the one held sequence, read through the refget view in bounded windows."""
    from ga4gh.vrs.dataproxy import _DataProxy

    class RefgetProxy(_DataProxy):  # type: ignore[misc]
        def get_sequence(self, identifier: str, start: int | None = None, end: int | None = None) -> str:
            if identifier.removeprefix("ga4gh:") != held.sq:
                raise KeyError(identifier)
            first = 0 if start is None else max(0, start)
            last = held.length if end is None else min(end, held.length)
            return ctx.bases(held, first, max(first, last))

        def get_metadata(self, identifier: str) -> dict[str, Any]:
            if identifier.removeprefix("ga4gh:") != held.sq:
                raise KeyError(identifier)
            return {"length": held.length, "aliases": [f"ga4gh:{held.sq}"]}

    return RefgetProxy()


def _normalized(ctx: Reader, held: Held, allele: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """(stated form, normalized form) of a VRS 2.0 Allele by ga4gh-vrs's normalizer over the refget
    sequence; None when ga4gh-vrs cannot build it or normalization does not apply. A ReferenceLengthExpression
    is expanded first (``denormalize_reference_length_expression``): a normalized allele is a fixed point."""
    from ga4gh.vrs import models
    from ga4gh.vrs.normalize import denormalize_reference_length_expression, normalize
    from pydantic import ValidationError

    if too_deep(allele) is not None:
        return None  # an Extension's value nested deeper than the walk below follows: not judged
    try:
        model = models.Allele(**_without_digests(allele))
    except (ValidationError, TypeError, ValueError):
        return None  # the schema check's concern
    if not isinstance(model.location, models.SequenceLocation) or \
            not isinstance(model.location.sequenceReference, models.SequenceReference):
        return None
    stated = _form(model)
    start, end = model.location.start, model.location.end
    # the algorithm is stated over integer start and end (normalization.rst, step 0); ga4gh-vrs's extension
    # to indefinite Ranges (a representative position) is no text of the spec: such alleles are not judged
    if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start <= end <= held.length:
        return None
    if isinstance(model.state, models.ReferenceLengthExpression):
        reference = ctx.bases(held, start, end)
        unit, length = model.state.repeatSubunitLength, model.state.length
        if not (isinstance(unit, int) and isinstance(length, int)):
            return None  # a Range length (def/ReferenceLengthExpression.rst: "integer | Range") names no sequence
        if unit > len(reference) or (unit < 1 and length > 0):
            return None
        # an empty location and state (length and repeatSubunitLength 0: the normalized form of inserting
        # nothing) expands to nothing; ga4gh-vrs would divide by the zero subunit length
        expanded = denormalize_reference_length_expression(reference, unit, length) if unit else ""
        model = model.model_copy(update={"state": models.LiteralSequenceExpression(
            sequence=models.sequenceString(expanded))})
    elif not isinstance(model.state, models.LiteralSequenceExpression):
        return None
    try:
        result = normalize(model, _proxy(ctx, held), rle_seq_limit=0)
    except (KeyError, IndexError, ValueError):
        return None
    return stated, _form(result)


def _interval_1(location: dict[str, Any]) -> tuple[int, int] | None:
    """(start, end) of a 1.3 SequenceLocation whose interval gives both as exact values (a SequenceInterval
    of Numbers, or a SimpleInterval); None otherwise."""
    interval = location.get("interval")
    if not isinstance(interval, dict):
        return None
    ends = []
    for value in (interval.get("start"), interval.get("end")):
        if isinstance(value, dict) and value.get("type") == "Number":
            value = value.get("value")
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        ends.append(value)
    return ends[0], ends[1]


def _normalized_1(ctx: Reader, held: Held, allele: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """(stated form, normalized form) of a VRS 1.3 Allele with a LiteralSequenceExpression state, by 1.3's
    fully-justified normalization (trim, then an insertion or deletion expanded over the region of ambiguity
    with a literal state; a reference allele "unmodified"), computed with bioutils' EXPAND mode as ga4gh-vrs
    does; None where it does not apply."""
    from bioutils.normalize import NormalizationMode
    from bioutils.normalize import normalize as expand
    from ga4gh.vrs.dataproxy import SequenceProxy

    location, state = allele.get("location"), allele.get("state")
    if not isinstance(location, dict) or not isinstance(state, dict) \
            or state.get("type") != "LiteralSequenceExpression" or not isinstance(state.get("sequence"), str):
        return None
    span = _interval_1(location)
    if span is None or not 0 <= span[0] <= span[1] <= held.length:
        return None
    alternate = state["sequence"].upper()
    stated = (span[0], span[1], "LiteralSequenceExpression", alternate)
    sequence = SequenceProxy(_proxy(ctx, held), f"ga4gh:{held.sq}")
    try:
        interval, found = expand(sequence, span, (None, alternate), mode=NormalizationMode.EXPAND)
    except ValueError:
        return stated, stated  # the alleles are equal: a reference allele, "returned unmodified" (step 2.a)
    except (KeyError, IndexError):
        return None
    return stated, (interval[0], interval[1], "LiteralSequenceExpression", found[1])


@check("vrs.allele.normalized")
def test_alleles_fully_justified_normalized(vrs: Vrs) -> None:
    """Every Allele is its own fully-justified normalized form over the refget sequence: "The object SHOULD be
    normalized" before its computed identifier is made, "Normalizing objects is STRONGLY RECOMMENDED for
    interoperability" (VRS 2.0 docs/conventions/computed_identifiers.rst; VRS 1.3
    docs/impl-guide/computed_identifiers.rst; 1.3 docs/terms_and_model.rst, Allele: "Implementations SHOULD
    normalize Alleles using fully-justified normalization"). Each version by its own algorithm: VRS 2.0
    docs/conventions/normalization.rst (ga4gh-vrs's normalizer; a ReferenceLengthExpression is expanded and
    normalized again, a fixed point; a reference allele becomes a ReferenceLengthExpression); VRS 1.3
    docs/impl-guide/normalization.rst (literal states only, no ReferenceLengthExpression; a reference allele
    is returned unmodified). Alleles with integer start and end (the algorithm's terms) and literal or
    reference-length states; others are not judged. A SHOULD."""
    ctx = on_refget(vrs)
    normalize_one = _normalized_1 if vrs.version.startswith("1.") else _normalized
    held_at = {id(site.location): (site, held) for site, held in ctx.held()}
    tally = _Tally()
    for document, path, obj in vrs.objects():
        for where, allele in alleles(obj, path):
            site_held = held_at.get(id(allele.get("location")))
            if site_held is None:
                continue
            held = site_held[1]
            forms = tally.finding(ctx, functools.partial(normalize_one, held=held, allele=allele),
                                  lambda found: found[0] == found[1],
                                  unsure="a finding made with start/end could not be confirmed",
                                  differs="the refget service gives other bases asked with start/end than with a "
                                          "Range header, so the normalized form is unknown")
            if forms is not None:
                stated, normalized = forms
                tally.problems.append((f"{document.ref} {where} is {_describe(stated)}, normalized "
                                       f"{_describe(normalized)}", held))
    tally.conclude(ctx, "{n} of {compared} Alleles are not fully-justified normalized against the sequences of "
                        "{where}", "no Allele with a literal or reference-length state lies on a sequence the "
                                   "refget service holds")
