"""Cross-standard: the sequence digests of the collections resolve on the profile's refget service that
holds the collection set, with the collection's lengths (Sequence Collections 1.0.0 §Seqcol protocol
functionality; how-to "Retrieve a collection given a digest"). Bounded: see :mod:`.on_refget`."""

from __future__ import annotations

import pytest

from conformance import HarnessError, Response, check, fail

from .on_refget import (
    MAX_LOOKUPS,
    Holder,
    length_of,
    lookup_id,
    metadata_answer,
    reachable_refgets,
    refget_holders,
    sq_form,
)
from .view import Seqcol

#: Problems named in a failure message (all are counted).
SHOWN = 3


def _rows(seqcol: Seqcol) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """(collection digest, [(SQ. id, the collection's length of it or None)]) of each collection read."""
    rows = []
    for digest, level2, _ in seqcol.collections():
        sequences, lengths = level2.get("sequences"), level2.get("lengths")
        if not isinstance(sequences, list):
            continue
        # collated: lengths[i] is the length of sequences[i]; a malformed array is other checks' concern
        usable = lengths if isinstance(lengths, list) and len(lengths) == len(sequences) else None
        items: list[tuple[str, int | None]] = []
        for index, value in enumerate(sequences):
            sq = sq_form(value)
            if sq is None:
                continue
            length = usable[index] if usable is not None else None
            items.append((sq, length if isinstance(length, int) and not isinstance(length, bool) else None))
        if items:
            rows.append((digest, items))
    return rows


def _where(holder: Holder, seqcol: Seqcol) -> str:
    return f"the refget service {holder.service.label} ({seqcol.run.redactor.url(holder.service.url)})"


def _longer_one_holds(holder: Holder, sq: str, collection_length: int, refget_length: int) -> bool | None:
    """Whether the refget service's metadata length is the sequence's, judged by its bases rather than its
    word: the one base at the longer of the two lengths' last position either exists or not (one base
    asked, never the sequence). True: the collection's length is wrong; False: the refget metadata is (the
    refget suite's concern, not this service's); None: the answer says neither (a 5xx)."""
    longer = max(collection_length, refget_length)
    response = holder.view.query(lookup_id(sq, holder.view), longer - 1, longer)
    if response.status >= 500:
        return None
    exists = response.status in (200, 206) and len(response.content) == 1
    return exists == (longer == refget_length)


@check("seqcol.sequences.resolve-on-refget")
def test_collection_sequences_resolve_on_the_refget_service(seqcol: Seqcol) -> None:
    """Every sequence digest a collection lists (at most MAX_LOOKUPS distinct ones) answers its refget
    metadata on the profile's refget service that holds the collection set, with the length the
    collection gives it: seqcol "should use refget sequence servers to store the actual sequence data"
    (Sequence Collections 1.0.0 §Seqcol protocol functionality; §Definitions "Sequence digest"; §1 Schema,
    sequences: "Refget sequences v2 identifiers"; how-to "Retrieve a collection given a digest": "use
    these digests to query a refget service"). A SHOULD: the text has no MUST. A refget service holds the
    set when its profile entry names (``sequences``) a sequence of the collection; only such collections
    are checked there."""
    reachable = reachable_refgets(seqcol, to="resolve the collections' sequence digests on",
                                  so="the sequence digests cannot be looked up")
    rows = _rows(seqcol)
    if not rows:
        pytest.skip("no collection read lists refget SQ. identifiers under sequences")
    holders = refget_holders(seqcol, reachable)
    linked = []
    for digest, items in rows:
        sqs = {sq for sq, _ in items}
        sharing = [h for h in holders if sqs & set(h.named)]
        if sharing:
            linked.append((digest, items, sharing))
    if not linked:
        pytest.skip("no refget service of the profile names (under `sequences`) a sequence of the collections "
                    "read, so none is known to hold this collection set rather than another (name one of its "
                    "sequences there to check them)")
    # A control: the holder must answer the sequence its own entry names by the identifier form the look-ups
    # use (the ga4gh SQ. id is a SHOULD of refget 2.0.0, TRUNC512 of 1.0.x): else a 404 says nothing.
    all_sqs = {sq for _, items, _ in linked for sq, _ in items}
    usable: list[Holder] = []
    reason = ""
    for holder in {id(h): h for _, _, sharing in linked for h in sharing}.values():
        own = sorted(all_sqs & set(holder.named))[0]
        metadata, response = metadata_answer(holder, own)
        if metadata is None:
            reason = reason or (f"{_where(holder, seqcol)} does not answer the metadata of its own sequence "
                                f"{holder.named[own]} by the id {lookup_id(own, holder.view)} "
                                f"({response.status}), so its other answers say nothing")
            continue
        usable.append(holder)
    linked = [(d, items, [h for h in sharing if h in usable]) for d, items, sharing in linked]
    linked = [(d, items, sharing) for d, items, sharing in linked if sharing]
    if not linked:
        pytest.skip(reason)

    # each distinct digest once (one root cause, one problem), with every collection that lists it
    occurrences: dict[str, list[tuple[str, int | None, list[Holder]]]] = {}
    for digest, items, sharing in linked:
        for sq, length in items:
            if sq in occurrences or len(occurrences) < MAX_LOOKUPS:
                occurrences.setdefault(sq, []).append((digest, length, sharing))
    problems: list[tuple[str, Response, Holder]] = []
    undecided: list[Response] = []
    for sq, found_in in occurrences.items():
        sharing = list({id(h): h for _, _, hs in found_in for h in hs}.values())
        answers = [(h, *metadata_answer(h, sq)) for h in sharing]
        held = [(h, m, r) for h, m, r in answers if m is not None]
        if not held:
            if all(r.status == 404 for _, _, r in answers):
                holder, _, response = answers[0]
                problems.append((f"{sq} (listed by {found_in[0][0]}) answered 404", response, holder))
            else:
                undecided.append(answers[0][2])
            continue
        lengths = {length_of(m) for _, m, _ in held} - {None}
        wrong = [(digest, length) for digest, length, _ in found_in if length is not None and lengths
                 and length not in lengths]
        if wrong:
            holder, metadata, response = held[0]
            refget_length = length_of(metadata)
            if refget_length is None:
                continue
            verdict = _longer_one_holds(holder, sq, wrong[0][1], refget_length)
            if verdict is None:
                undecided.append(response)
            elif verdict:
                problems.append((f"{wrong[0][0]} gives {sq} {wrong[0][1]} bases where it has {refget_length}",
                                 response, holder))
    if problems:
        where = " and ".join(dict.fromkeys(_where(holder, seqcol) for _, _, holder in problems))
        shown = "; ".join(text for text, _, _ in problems[:SHOWN]) + ("; ..." if len(problems) > SHOWN else "")
        raise fail(f"{len(problems)} of {len(occurrences)} sequence digests the collections list do not resolve "
                   f"with their length on {where}: {shown}", problems[0][1])
    if undecided:
        response = undecided[0]
        raise HarnessError(f"the refget service answered {response.status} (neither the metadata nor 404) for "
                           f"{len(undecided)} sequence digest(s), so whether it holds them is unknown",
                           response.exchange)
