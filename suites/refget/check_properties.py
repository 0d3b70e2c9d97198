"""Property checks (hypothesis) on verified sequences: generated start/end pairs within and around the
bounds are answered with the sub-sequence or the error the texts specify; adjacent sub-sequences
concatenate into the one they tile; unknown identifiers of many shapes are 404 (refget 1.0.1 and 2.0.0
§Method: get sequence by ID, §Method: Get known metadata for an id, §Errors).

Each property runs with the run's seed (the same deployment, the same examples), and its explicit
examples — the texts' own ?start=5&end=15, a long piece, the wrap across the origin — always run.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import example, given, seed
from hypothesis import strategies as st

from conformance import Response, Run, check, fail

from .check_subsequences import BROKEN, WRONG_BASES, status_defect
from .digests import CHECKSUM_NAMESPACES, checksum_identifier
from .slices import expected_query
from .view import Refget, Verified, answered, listed_checksums, sequence_path

#: How far from the origin, the middle and the end the generated coordinates go.
SPREAD = 1000
#: A wrap across the origin carries nearly the whole sequence: generated only for sequences this short.
MAX_WRAP = 200_000
SAFE = string.ascii_letters + string.digits + "._-"
HEX = "0123456789abcdef"
BASE64URL = string.ascii_letters + string.digits + "-_"


def _near(anchor: int) -> st.SearchStrategy[int]:
    return st.integers(-SPREAD, SPREAD).map(lambda d: max(0, anchor + d))


def _pairs(length: int) -> st.SearchStrategy[tuple[int, int]]:
    """(start, end) pairs near the origin, the middle or the end (the end's reach past the bounds), and,
    for a short sequence, start near the end with end near the origin (the wrap)."""
    anchors = sorted({0, length // 2, length})
    same: st.SearchStrategy[tuple[int, int]] = st.sampled_from(anchors).flatmap(
        lambda a: st.tuples(_near(a), _near(a)))
    if length > MAX_WRAP:
        return same.map(lambda p: (min(p), max(p)))
    across = st.tuples(st.integers(max(0, length - 40), length + 3), st.integers(0, 40))
    return st.one_of(same, across)


def _rule_of(start: int, end: int, length: int, limit: int | None, circular: bool) -> str | None:
    """The check whose own requests are of the kind ``?start=<start>&end=<end>`` is (a property failure on
    such a request may be that rule broken again: see :func:`_same_defect`). None for a kind no other check
    asks about (an end past the length)."""
    if start > length:
        return "refget.subsequence.start-beyond-length-is-400"
    if end > length:
        return None
    if start > end:
        return "refget.subsequence.circular-wraps" if circular else "refget.subsequence.start-after-end"
    if limit is not None and end - start > limit:
        return "refget.subsequence.limit-exceeded-is-416"
    return "refget.subsequence.start-end-returns-slice"


def _same_defect(refget: Refget, rule: str | None, defect: str) -> str | None:
    """``rule`` when its own check failed with the same defect (the same wrong status, or wrong bases): the
    property's failure is then that one broken again (one root cause, one failure). None when that check
    passed, did not judge, or failed otherwise: the property's failure is then its own root cause, which a
    waiver of that check must not cover."""
    if rule is None:
        return None
    try:
        broken = BROKEN[rule](refget)
    except pytest.skip.Exception:
        return None
    return rule if broken is not None and broken.defect == defect else None


def _targets(refget: Refget) -> list[Verified]:
    return [v for v in refget.verified() if v.length >= 1]


@check("refget.property.subsequences-match-or-error")
def test_subsequences_match_or_error(refget: Refget, conformance_run: Run) -> None:
    """Each generated ?start&end is answered with exactly the sub-sequence (or the wrap) or an error the text
    specifies for that pair (refget 1.0.1 §Method: get sequence by ID and its query parameters, §Errors)."""
    targets = _targets(refget)
    caps = refget.capabilities()
    limit = refget.limit()
    circular = set(refget.circular_ids()) if caps.circular_supported is True else set()
    # Cases name sequences by id (what a falsifying example prints), not by the verified record.
    by_id = {t.ident: t for t in targets}
    cases = st.sampled_from(sorted(by_id)).flatmap(lambda i: st.tuples(st.just(i), _pairs(by_id[i].length)))
    # Always tried: the texts' ?start=5&end=15, a start past the end, a long piece, and on each sequence
    # short enough the wrap across the origin.
    examples: list[tuple[str, tuple[int, int]]] = []
    for target in targets:
        examples.append((target.ident, (5, 15) if target.length >= 15 else (0, 1)))
        examples.append((target.ident, (target.length + 1, target.length + 2)))
        examples.append((target.ident, (target.length + 1, 1)))  # past the length and after the end: two rules
        if 3 <= target.length <= MAX_WRAP:
            examples.append((target.ident, (target.length - 2, 2)))
    longest = max(targets, key=lambda v: v.length)
    if longest.length >= 150:
        examples.append((longest.ident, (0, 150)))

    def prop(case: tuple[str, tuple[int, int]]) -> None:
        target, (start, end) = by_id[case[0]], case[1]
        if start == end and start <= target.length:
            return  # a 0-length string is a SHOULD (refget.subsequence.equal-start-end-is-empty)
        expected = expected_query(start, end, target.length, circular_supported=caps.circular_supported,
                                  limit=limit, circular=target.ident in circular)
        response = refget.query(target.ident, start, end, cache=False)
        where = f"?start={start}&end={end} on {target.ident} ({target.length} bases)"
        rule = _rule_of(start, end, target.length, limit, target.ident in circular)
        if response.status in expected.statuses:
            return
        if response.status == 200 and expected.piece:
            problem = target.known.difference(response.content, start, end)
            if problem:
                raise fail(f"{where} answered 200 with {problem}", response,
                           caused_by=_same_defect(refget, rule, WRONG_BASES))
            return
        raise fail(f"{where} answered {answered(response)}; the text allows {expected.describe()}", response,
                   caused_by=_same_defect(refget, rule, status_defect(response)))

    test = given(case=cases)(prop)
    for values in examples:
        test = example(case=values)(test)
    seed(conformance_run.seed)(test)()


@check("refget.property.adjacent-subsequences-concatenate")
def test_adjacent_subsequences_concatenate(refget: Refget, conformance_run: Run) -> None:
    """[a, b) followed by [b, c) is [a, c) (refget 1.0.1 §Method: get sequence by ID: each answer "must only
    contain the specified sub-sequence")."""
    targets = [t for t in _targets(refget) if t.length >= 3]
    if not targets:
        pytest.skip("no verified sequence has 3 bases to tile")
    limit = refget.limit()
    cap = min(limit, 2 * SPREAD) if limit is not None else 2 * SPREAD

    def triples(target: Verified) -> st.SearchStrategy[tuple[int, int, int]]:
        anchors = sorted({0, target.length // 2, target.length})
        points = st.sampled_from(anchors).flatmap(
            lambda a: st.lists(_near(a).map(lambda p: min(p, target.length)), min_size=3, max_size=3, unique=True))
        return points.map(lambda p: (sorted(p)[0], sorted(p)[1], sorted(p)[2])).filter(lambda t: t[2] - t[0] <= cap)

    by_id = {t.ident: t for t in targets}
    cases = st.sampled_from(sorted(by_id)).flatmap(lambda i: st.tuples(st.just(i), triples(by_id[i])))
    longest = max(targets, key=lambda v: v.length)
    tiled = 0  # triples whose three pieces were all answered 200, hence compared
    refused = ""

    def prop(case: tuple[str, tuple[int, int, int]]) -> None:
        nonlocal tiled, refused
        target, (a, b, c) = by_id[case[0]], case[1]
        answers = [refget.query(target.ident, low, high, cache=False) for low, high in ((a, b), (b, c), (a, c))]
        if any(r.status != 200 for r in answers):
            # an error for an in-bounds piece is refget.property.subsequences-match-or-error's finding
            status = next(r for r in answers if r.status != 200)
            refused = refused or f"?start={a}&end={c} and its halves on {target.ident}: {answered(status)}"
            return
        tiled += 1
        joined = answers[0].content + answers[1].content
        if joined != answers[2].content:
            raise fail(f"on {target.ident}, [{a}, {b}) followed by [{b}, {c}) is {len(joined)} bases that differ from "
                       f"the {len(answers[2].content)} bases of [{a}, {c})", answers[2],
                       caused_by="refget.property.subsequences-match-or-error")  # a wrong piece, judged there

    test: Any = given(case=cases)(prop)
    if longest.length >= 150 and cap >= 150:
        test = example(case=(longest.ident, (0, 60, 150)))(test)
    seed(conformance_run.seed)(test)()
    if not tiled:
        pytest.skip(f"no generated piece and its halves were all answered 200 ({refused}), so nothing was compared "
                    "(see refget.property.subsequences-match-or-error)")


def _checksum_namespace(ident: str) -> bool:
    """Whether ``ident`` is written in a checksum namespace (``md5:``, ``ga4gh:``, ``trunc512:``)."""
    prefix, colon, _ = ident.partition(":")
    return bool(colon) and prefix.lower() in CHECKSUM_NAMESPACES


def _unknown_ids() -> st.SearchStrategy[str]:
    namespaces = ["md5", "ga4gh", "trunc512", "insdc", "refseq", "ensembl", "ucsc", "vmc"]
    return st.one_of(
        st.text(HEX, min_size=32, max_size=32),
        st.text(HEX, min_size=48, max_size=48),
        st.text(BASE64URL, min_size=32, max_size=32).map(lambda s: "SQ." + s),
        st.tuples(st.sampled_from(namespaces), st.text(SAFE, min_size=1, max_size=40)).map(lambda t: f"{t[0]}:{t[1]}"),
        st.text(SAFE, min_size=1, max_size=40).map(lambda s: "conformance-unknown-" + s),
        st.text(SAFE, min_size=61, max_size=240).map(lambda s: "conformance-unknown-" + s),
    )


def _seen_by(rule: str, own: Response, response: Response) -> str | None:
    """``rule`` when its check's own unknown id was answered with the same wrong status as ``response``."""
    return rule if own.status != 404 and own.status == response.status else None


@check("refget.property.unknown-ids-are-404")
def test_unknown_ids_are_404(refget: Refget, conformance_run: Run) -> None:
    """Generated unknown identifiers (checksum forms, namespaced, long) answer 404 on /sequence/<id> and on
    /sequence/<id>/metadata, never 5xx (refget 1.0.1 §Method: get sequence by ID › Response: "a 404 status
    code and NotFound error shall be returned"; §Method: Get known metadata for an id)."""
    known = {i.lower() for i in refget.option("sequences") + refget.option("circular_sequences")}
    for ident in refget.option("sequences"):
        try:
            inner = refget.metadata(ident)[0]
        except pytest.skip.Exception:  # no metadata: nothing more to exclude
            continue
        known |= {value.lower() for _, value in listed_checksums(inner, refget.v1)}

    def prop(ident: str) -> None:
        if ident.lower() in known:
            return
        # A 2.0.0 id in a checksum namespace whose value is not of that algorithm's form (md5:xyz) "do[es] not
        # adhere to the specification": Bad Request is the text's answer to it as much as 404 to an unknown id.
        malformed = not refget.v1 and _checksum_namespace(ident) and checksum_identifier(ident) is None
        allowed = (404, 400) if malformed else (404,)
        # each endpoint's own check asks for one unknown id: a failure here that it saw too (the same status)
        # is grouped under it; any other is the property's own
        for path, rule, own in ((sequence_path(ident), "refget.sequence.unknown-id-is-404", refget.unknown_sequence),
                                (sequence_path(ident) + "/metadata", "refget.metadata.unknown-id-is-404",
                                 refget.unknown_metadata)):
            response = refget.client.get(path, max_bytes=65536)
            if response.status not in allowed:
                raise fail(f"GET {path} for an unknown id answered {answered(response)}, not "
                           f"{' or '.join(map(str, allowed))}", response, caused_by=_seen_by(rule, own(), response))

    test: Any = given(ident=_unknown_ids())(prop)
    for ident in ("0123456789abcdef0123456789abcdef", "insdc:CONFORMANCE-NO-SUCH.1", "md5:conformance-no-such",
                  "conformance-unknown-" + "x" * 80):
        test = example(ident=ident)(test)
    seed(conformance_run.seed)(test)()
