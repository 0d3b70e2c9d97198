"""Sub-sequences by start/end and by Range, compared with the bases of a verified sequence (one whose
bytes hash to its listed MD5): slices, 206 vs 200, the errors the texts specify, circular sequences and
the subsequence limit (refget 1.0.1 and 2.0.0 §Method: get sequence by ID, §Range headers, §Errors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from conformance import Response, check, fail

from .slices import expected_query, range_header
from .view import Refget, Verified, answered, sequence_path

_SKIP = pytest.skip.Exception
WRONG_BASES = "wrong bases"


@dataclass(frozen=True)
class Broken:
    """The first of a check's own requests answered wrongly: what to say, the answer, and the defect
    (``"status <n>"`` or :data:`WRONG_BASES`) by which another check's failure is matched to this one (one
    root cause, one failure)."""

    message: str
    response: Response
    defect: str


def status_defect(response: Response) -> str:
    return f"status {response.status}"


def _raise(broken: Broken | None) -> None:
    if broken is not None:
        raise fail(broken.message, broken.response)


def _pairs(length: int, limit: int | None) -> list[tuple[int, int]]:
    """In-bounds [start, end) pairs: the texts' own example (?start=5&end=15 for bytes=5-14), the first
    base (?start=0&end=1, bytes=0-0), the last ten bases, seven bases in the middle."""
    pairs = [(5, 15), (0, 1), (length - 10, length), (length // 2, length // 2 + 7)]
    return [(s, e) for s, e in pairs if limit is None or e - s <= limit]


def _honours_range(refget: Refget, target: Verified) -> bool:
    """Whether the server answers a Range with 206 (True) or ignores it with 200 (False); skips otherwise."""
    ranged = refget.ranged(target.ident, range_header(5, 15))
    if ranged.response.status not in (200, 206):
        pytest.skip(f"a Range within the sequence answered {answered(ranged.response)} "
                    "(see refget.subsequence.range-returns-slice-or-whole)")
    return ranged.response.status == 206


def _whole(refget: Refget, target: Verified) -> bool:
    """Whether the 200 answer to the Range of :func:`_honours_range` carries the entire sequence."""
    ranged = refget.ranged(target.ident, range_header(5, 15))
    return ranged.count == target.length and ranged.md5 == target.fetched.digest.md5


@check("refget.subsequence.start-end-returns-slice")
def test_start_end_returns_slice(refget: Refget) -> None:
    """?start=s&end=e answers 200 with exactly bases [s, e) ("the response must be 200 and only contain the
    specified sub-sequence", refget 1.0.1 §Method: get sequence by ID; §Range headers' example)."""
    _raise(start_end_broken(refget))


def start_end_broken(refget: Refget) -> Broken | None:
    target = refget.longest()
    for start, end in _pairs(target.length, refget.limit()):
        response = refget.query(target.ident, start, end)
        if response.status != 200:
            return Broken(f"?start={start}&end={end} on {target.ident} ({target.length} bases) answered "
                          f"{answered(response)}, not 200 with the sub-sequence", response, status_defect(response))
        problem = target.known.difference(response.content, start, end)
        if problem:
            return Broken(f"?start={start}&end={end} on {target.ident} answered {problem}", response, WRONG_BASES)
    return None


@check("refget.subsequence.range-returns-slice-or-whole")
def test_range_returns_slice_or_whole(refget: Refget) -> None:
    """A Range within the sequence answers 206 with exactly its bases, or 200 with the entire sequence
    (refget 1.0.1 §Method: get sequence by ID: "the response must be one of 206 and only contain the
    specified sub-sequence, be 200 and contain the entire sequence ..., or 303"; §Range headers)."""
    target = refget.longest()
    limit = None if refget.v1 else refget.limit()  # 2.0.0: the limit covers Range too
    for start, end in _pairs(target.length, limit):
        header = range_header(start, end)
        ranged = refget.ranged(target.ident, header)
        status = ranged.response.status
        if status == 206:
            problem = target.known.difference(ranged.head, start, end)
            if problem:
                raise fail(f"Range: {header} on {target.ident} answered 206 with {problem}", ranged.response)
        elif status == 200:
            if ranged.count != target.length or ranged.md5 != target.fetched.digest.md5:
                raise fail(f"Range: {header} on {target.ident} answered 200 with {ranged.count} bases that are not "
                           "the entire sequence; a 200 must carry the whole sequence, a sub-sequence comes with 206",
                           ranged.response)
        else:
            raise fail(f"Range: {header} on {target.ident} ({target.length} bases) answered {answered(ranged.response)}"
                       ", not 206 with the sub-sequence (or 200 with the whole sequence)", ranged.response)


@check("refget.subsequence.range-answers-206")
def test_range_answers_206(refget: Refget) -> None:
    """"A server SHOULD return a 206 status code if a Range header was specified and the request was
    successful" (refget 1.0.1 §Method: get sequence by ID › Response)."""
    target = refget.longest()
    if not _honours_range(refget, target):
        ranged = refget.ranged(target.ident, range_header(5, 15))
        if not _whole(refget, target):
            pytest.skip("the 200 answer to a Range is not the whole sequence "
                        "(see refget.subsequence.range-returns-slice-or-whole)")
        raise fail(f"Range: {range_header(5, 15)} on {target.ident} answered 200 with the whole sequence, not 206 "
                   "with the sub-sequence", ranged.response)


@check("refget.subsequence.equal-start-end-is-empty")
def test_equal_start_end_is_empty(refget: Refget) -> None:
    """?start=0&end=0 answers a zero-length string ("If start and end are set to the same value the server
    should return a 0-length string", refget 1.0.1 §Method: get sequence by ID)."""
    target = refget.longest()
    response = refget.query(target.ident, 0, 0)
    if response.status != 200 or response.content:
        got = f"{len(response.content)} bytes" if response.status == 200 else answered(response)
        raise fail(f"?start=0&end=0 on {target.ident} answered {got}, not a 0-length string", response)


@check("refget.subsequence.start-beyond-length-is-400")
def test_start_beyond_length_is_400(refget: Refget) -> None:
    """?start=<length + 1> answers 400 ("MUST respond with a Bad Request error if start is specified and is
    larger than the total sequence length", refget 1.0.1 §Method: get sequence by ID › Query parameters);
    416 is accepted from a server that supports circular sequences (erratum E5)."""
    _raise(start_beyond_length_broken(refget))


def start_beyond_length_broken(refget: Refget) -> Broken | None:
    target = refget.longest()
    start = target.length + 1
    allowed = {400} if refget.capabilities().circular_supported is False else {400, 416}
    response = refget.query(target.ident, start, None)
    if response.status in allowed:
        return None
    return Broken(f"?start={start} on {target.ident} ({target.length} bases) answered {answered(response)}, not "
                  f"{' or '.join(map(str, sorted(allowed)))}", response, status_defect(response))


@check("refget.subsequence.range-out-of-bounds-is-400")
def test_range_out_of_bounds_is_400(refget: Refget) -> None:
    """A Range past the end answers 400 ("MUST respond with a Bad Request error if one or more ranges are out
    of bounds of the sequence", refget 1.0.1 §Method: get sequence by ID › Request parameters), or 416
    (erratum E7); a server that ignores Range headers (allowed) is not judged."""
    target = refget.longest()
    if not _honours_range(refget, target):
        if not _whole(refget, target):
            pytest.skip("a Range within the sequence answered 200 with other than the whole sequence, so whether the "
                        "server honours Range headers is unknown (see "
                        "refget.subsequence.range-returns-slice-or-whole)")
        pytest.skip("does not apply: the server ignores Range headers (answers 200 with the whole sequence), "
                    "as refget allows")
    header = f"bytes={target.length + 10}-{target.length + 20}"
    ranged = refget.ranged(target.ident, header)
    if ranged.response.status not in (400, 416):
        raise fail(f"Range: {header} on {target.ident} ({target.length} bases) answered "
                   f"{answered(ranged.response)}, not 400 (or 416)", ranged.response)


@check("refget.subsequence.range-with-start-end-is-400")
def test_range_with_start_end_is_400(refget: Refget) -> None:
    """A Range together with start/end answers 400 ("The server MUST respond with Bad Request if start and
    the Range header are both specified", refget 1.0.1 §Method: get sequence by ID)."""
    target = refget.longest()
    response = refget.query(target.ident, 0, 10, headers={"Range": range_header(0, 10)})
    if response.status != 400:
        raise fail(f"?start=0&end=10 with Range: {range_header(0, 10)} on {target.ident} answered "
                   f"{answered(response)}, not 400", response)


@check("refget.subsequence.non-numeric-is-400")
def test_non_numeric_is_400(refget: Refget) -> None:
    """start or end that is not an unsigned integer answers 400 ("if a client sends an alphanumeric string
    for a parameter that is specified as unsigned integer the server MUST reply with Bad Request", refget
    1.0.1 §Errors)."""
    target = refget.longest()
    for start, end in (("abc", "10"), ("0", "ten")):
        response = refget.query(target.ident, start, end)
        if response.status != 400:
            raise fail(f"?start={start}&end={end} on {target.ident} answered {answered(response)}, not 400", response)


def _wrap_pair(length: int) -> tuple[int, int]:
    return (length - 5, 5) if length >= 20 else (length - 1, 1)


@check("refget.subsequence.start-after-end")
def test_start_after_end(refget: Refget) -> None:
    """start > end: 501 (or 416, erratum E6) without circular support; with it, 416 for a linear sequence or
    exactly the wrap for a circular one (refget 1.0.1 §Method: get sequence by ID, › Query parameters)."""
    _raise(start_after_end_broken(refget))


def start_after_end_broken(refget: Refget) -> Broken | None:
    caps = refget.capabilities()
    limit = refget.limit()
    circular = set(refget.circular_ids()) if caps.circular_supported else set()
    targets = [v for v in refget.verified() if v.ident not in circular and v.length >= 3]
    if not targets:
        pytest.skip("no verified sequence outside circular_sequences to ask for start > end")
    for target in targets:
        start, end = _wrap_pair(target.length)
        expected = expected_query(start, end, target.length, circular_supported=caps.circular_supported, limit=limit)
        response = refget.query(target.ident, start, end)
        if response.status in expected.statuses:
            continue
        if response.status == 200 and expected.piece:
            problem = target.known.difference(response.content, start, end)
            if problem:
                return Broken(f"?start={start}&end={end} on {target.ident} answered 200 with {problem} of the wrap "
                              "across the origin", response, WRONG_BASES)
            continue
        support = {True: "supports", False: "does not support", None: "does not say whether it supports"}[
            caps.circular_supported]
        return Broken(f"?start={start}&end={end} (start > end) on {target.ident} answered {answered(response)}; the "
                      f"server {support} circular sequences, so the answer is {expected.describe()}", response,
                      status_defect(response))
    return None


@check("refget.subsequence.circular-wraps")
def test_circular_sequence_wraps(refget: Refget) -> None:
    """On a server with circular support, a circular sequence answers start > end with the bases from start
    to the end followed by those from the first base to end (refget 1.0.1 §Method: get sequence by ID)."""
    _raise(circular_wraps_broken(refget))


def circular_wraps_broken(refget: Refget) -> Broken | None:
    caps = refget.declared_capabilities()
    if caps.container is None:
        pytest.skip(f"service-info has no {refget.container_name()} object to say whether circular sequences are "
                    "supported (see refget.service-info.capabilities-object-present)")
    if caps.circular_supported is False:  # the requirement is of a server that supports them
        pytest.skip("does not apply: the server does not support circular sequences (service-info "
                    "circular_supported false); see refget.subsequence.start-after-end")
    if caps.circular_supported is None:
        pytest.skip("service-info gives no boolean circular_supported (see "
                    "refget.schema.service-info-capabilities-valid); see refget.subsequence.start-after-end")
    idents = refget.circular_ids()
    if not idents:
        pytest.skip("the profile lists no circular_sequences")
    limit = refget.limit()
    judged = 0
    reason = "no circular sequence of at least 3 bases within the subsequence limit"
    for ident in idents:
        try:
            target = refget.verified_one(ident)
        except _SKIP as exc:
            reason = str(exc.msg)
            continue
        start, end = _wrap_pair(target.length)
        if target.length < 3 or (limit is not None and target.length - start + end > limit):
            continue
        judged += 1
        response = refget.query(ident, start, end)
        if response.status != 200:
            return Broken(f"?start={start}&end={end} on the circular sequence {ident} answered {answered(response)}, "
                          "not 200 with the sub-sequence across the origin", response, status_defect(response))
        problem = target.known.difference(response.content, start, end)
        if problem:
            return Broken(f"?start={start}&end={end} on the circular sequence {ident} answered {problem} of the "
                          f"bases [{start}, {target.length}) followed by [0, {end})", response, WRONG_BASES)
    if not judged:
        pytest.skip(reason)
    return None


@check("refget.subsequence.limit-exceeded-is-416")
def test_limit_exceeded_is_416(refget: Refget) -> None:
    """A start/end request longer than subsequence_limit answers 416 ("queries exceeding this limit shall
    return Range Not Satisfiable", refget 1.0.1 §Method: get sequence by ID)."""
    _raise(limit_exceeded_broken(refget))


def limit_exceeded_broken(refget: Refget) -> Broken | None:
    limit = refget.limit()
    if limit is None:
        pytest.skip("does not apply: service-info sets no subsequence_limit")
    longer = [v for v in refget.verified() if v.length > limit]
    if not longer:
        pytest.skip(f"no verified sequence is longer than the subsequence_limit {limit}")
    target = longer[0]
    response = refget.memo(("over-limit", target.ident, limit), lambda: refget.client.get(
        sequence_path(target.ident), params={"start": "0", "end": str(limit + 1)}, max_bytes=4096))
    if response.status == 416:
        return None
    return Broken(f"?start=0&end={limit + 1} on {target.ident} asks for more than the subsequence_limit {limit} "
                  f"but answered {answered(response)}, not 416", response, status_defect(response))


@check("refget.subsequence.accept-ranges-none")
def test_accept_ranges_none(refget: Refget) -> None:
    """An answer to start/end carries ``Accept-Ranges: none`` (refget 1.0.1 §Method: get sequence by ID ›
    Response: "the server should include a Accept-Ranges: none header")."""
    target = refget.longest()
    response = refget.query(target.ident, 0, 1)
    if response.status != 200:
        pytest.skip(f"?start=0&end=1 answered {answered(response)} (see refget.subsequence.start-end-returns-slice)")
    value = response.headers.get("Accept-Ranges")
    if value is None:
        raise fail(f"the answer to ?start=0&end=1 on {target.ident} has no Accept-Ranges header", response)
    if value.strip().lower() != "none":
        raise fail(f"the answer to ?start=0&end=1 on {target.ident} has Accept-Ranges {value!r}, not 'none'",
                   response)


#: The checks a property failure may follow from, each with what it found wrong (skips when it does not judge).
BROKEN: dict[str, Callable[[Refget], Broken | None]] = {
    "refget.subsequence.start-end-returns-slice": start_end_broken,
    "refget.subsequence.start-beyond-length-is-400": start_beyond_length_broken,
    "refget.subsequence.start-after-end": start_after_end_broken,
    "refget.subsequence.circular-wraps": circular_wraps_broken,
    "refget.subsequence.limit-exceeded-is-416": limit_exceeded_broken,
}
