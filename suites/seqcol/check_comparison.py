"""/comparison: GET of two digests and POST of a local collection, their structure, and their content
against the comparison computed here from the two level-2 collections (Sequence Collections 1.0.0
§3.3; compare_collections.md; decision record 2021-12-01, 2022-06-15, 2024-01-06)."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from conformance import Response, check, fail

from .compare import content_problems, structure_problem
from .digests import CanonicalizationError, digest_collection
from .view import Seqcol, comparison_path, unknown_digest

#: POST comparisons made: the first collection against each of the next ones.
MAX_POSTS = 2
NOT_IMPLEMENTED = (404, 405, 501)


def _level2(seqcol: Seqcol) -> dict[str, dict[str, Any]]:
    return {digest: level2 for digest, level2, _ in seqcol.collections()}


def _gets(seqcol: Seqcol) -> list[tuple[str, str, Response]]:
    return [(a, b, seqcol.comparison_get(a, b)) for a, b in seqcol.pairs()]


def _posts(seqcol: Seqcol) -> list[tuple[str, str, Response]]:
    """(digest a, digest b, answer) of POST /comparison/{a} with b's level-2 collection as the body; with
    a single collection, that one against itself."""
    level2 = _level2(seqcol)
    digests = list(level2)
    pairs = [(digests[0], b) for b in digests[1:1 + MAX_POSTS]] or [(digests[0], digests[0])]
    return [(a, b, seqcol.comparison_post(a, b, level2[b])) for a, b in pairs]


def _answered(seqcol: Seqcol, which: str) -> list[tuple[str, str, str, Response]]:
    """(method, a, b, answer) of the comparisons of one variant (``GET``, ``POST`` or both: ``""``) that
    answered 200; skips when none did."""
    asked: list[tuple[str, str, str, Response]] = []
    if which in ("GET", ""):
        asked += [("GET", a, b, r) for a, b, r in _gets(seqcol)]
    if which in ("POST", ""):
        asked += [("POST", a, b, r) for a, b, r in _posts(seqcol)]
    found = [answer for answer in asked if answer[3].status == 200]
    if not found:
        variant = {"GET": "GET /comparison/{a}/{b}", "POST": "POST /comparison/{a}", "": "/comparison"}[which]
        _skip_unanswered(variant, [answer[3] for answer in asked])
    return found


def _skip_unanswered(variant: str, answers: list[Response]) -> NoReturn:
    """Skip where no comparison answered 200: the requirement does not apply to a server that does not
    implement the (RECOMMENDED) endpoint, answering 404, 405 or 501; any other answer (a 500, say) is of a
    server that may implement it and broke: undecided, not "does not apply"."""
    broken = next((r for r in answers if r.status not in NOT_IMPLEMENTED), None)
    if broken is not None:
        pytest.skip(f"{variant} answered {broken.status} for collections the server holds, so whether it is "
                    "implemented is unknown (see seqcol.comparison.implemented)")
    pytest.skip(f"does not apply: {variant} answered no comparison (it is RECOMMENDED, see "
                "seqcol.comparison.implemented)")


def _structured(seqcol: Seqcol, which: str) -> list[tuple[str, str, str, dict[str, Any], Response]]:
    found = []
    for method, a, b, response in _answered(seqcol, which):
        body = response.json_object()
        if body is not None and structure_problem(body) is None:
            found.append((method, a, b, body, response))
    if not found:
        pytest.skip("no comparison answer has the structure §3.3 defines (see seqcol.comparison.structure)")
    return found


@check("seqcol.comparison.implemented")
def test_comparison_endpoints_are_implemented(seqcol: Seqcol) -> None:
    """GET /comparison/{digest1}/{digest2} and POST /comparison/{digest1} (a level-2 collection in the
    body) answer 200 for collections the server holds (both RECOMMENDED, Sequence Collections 1.0.0
    §3.3; decision record 2023-06-28)."""
    for what, answers in (("GET /comparison/{a}/{b}", _gets(seqcol)), ("POST /comparison/{a}", _posts(seqcol))):
        for a, b, response in answers:
            if response.status != 200:
                kind = "is not implemented" if response.status in NOT_IMPLEMENTED else "fails"
                raise fail(f"{what} {kind}: comparing {a} with {b} answered {response.status}", response)


@check("seqcol.comparison.structure")
def test_comparison_answers_have_the_defined_structure(seqcol: Seqcol) -> None:
    """Both variants, where implemented, answer a JSON object with ``digests`` (a, b),
    ``attributes`` (a_only, b_only, a_and_b: lists of names) and ``array_elements`` (a_count, b_count,
    a_and_b_count: objects of counts; a_and_b_same_order: an object of booleans or null) ("both
    variants of the /comparison endpoint MUST return an object in JSON format with these 3 keys",
    Sequence Collections 1.0.0 §3.3)."""
    for method, a, b, response in _answered(seqcol, ""):
        body = response.json()
        problem = structure_problem(body)
        if problem:
            raise fail(f"{method} comparison of {a} with {b} is not the object §3.3 defines: {problem}", response)


@check("seqcol.comparison.digests")
def test_comparison_digests_name_the_compared_collections(seqcol: Seqcol) -> None:
    """``digests.a`` and ``digests.b`` are the level-0 digests of the compared collections where the user
    gave a digest; for the POSTed collection ``digests.b`` is its level-0 digest or null ("The value MUST
    be the level 0 seqcol digest for any digests provided by the user ... the server MAY compute and
    return the level 0 seqcol digest, or it MAY return null", Sequence Collections 1.0.0 §3.3)."""
    for method, a, b, body, response in _structured(seqcol, ""):
        via_post = method == "POST"
        digests = body["digests"]
        if digests["a"] != a:
            raise fail(f"comparing {a} with {b}: digests.a is {digests['a']!r}, not {a!r}", response)
        if not via_post and digests["b"] != b:
            raise fail(f"comparing {a} with {b}: digests.b is {digests['b']!r}, not {b!r}", response)
        if via_post and digests["b"] is not None and digests["b"] != b and digests["b"] != _local_digest(seqcol, b):
            raise fail(f"POST /comparison/{a} with the collection {b}: digests.b is {digests['b']!r}, neither null "
                       "nor the collection's level-0 digest", response)


def _local_digest(seqcol: Seqcol, digest: str) -> str | None:
    try:
        return digest_collection(_level2(seqcol)[digest], seqcol.inherent(), seqcol.passthru())
    except (CanonicalizationError, pytest.skip.Exception):
        return None


GET_CONTENT = "seqcol.comparison.get-content"


def _problems(seqcol: Seqcol, which: str) -> list[tuple[str, str, str, Response, list[str]]]:
    """(method, a, b, answer, problems) of each structured answer of one variant that differs from the
    comparison of the two level-2 collections."""
    level2 = _level2(seqcol)
    transient, passthru = seqcol.transient(), seqcol.passthru()
    found = []
    for method, a, b, body, response in _structured(seqcol, which):
        problems = content_problems(body, level2[a], level2[b], transient=transient, passthru=passthru)
        if problems:
            found.append((method, a, b, response, problems))
    return found


def _field(problem: str) -> str:
    """The part of an answer a problem is about (``array_elements.a_and_b_count.names``), without values."""
    return problem.split(" is ", 1)[0]


def _content(seqcol: Seqcol, which: str) -> None:
    for method, a, b, response, problems in _problems(seqcol, which)[:1]:
        cause = None
        if method == "POST":  # the same field wrong in the GET answers: one comparison function, one failure
            try:
                wrong = {_field(p) for *_, get_problems in _problems(seqcol, "GET") for p in get_problems}
            except pytest.skip.Exception:
                wrong = set()
            cause = GET_CONTENT if wrong & {_field(p) for p in problems} else None
        path = comparison_path(a, b) if method == "GET" else f"{comparison_path(a)} (body: {b} at level 2)"
        raise fail(f"{method} {path} differs from the comparison of the two "
                   f"level-2 collections: {'; '.join(problems[:3])}", response, caused_by=cause)


@check("seqcol.comparison.get-content")
def test_get_comparison_matches_the_collections(seqcol: Seqcol) -> None:
    """GET /comparison/{a}/{b} reports what the two level-2 collections give: the attributes only in a,
    only in b and in both; each array's element count; the elements in both; and whether the common
    elements come in the same order (null under two, or with unbalanced duplicates) (Sequence
    Collections 1.0.0 §3.3 "Same-order specification"). Where the text leaves room (duplicated
    elements; one common element) the readings of suites/seqcol/compare.py are accepted."""
    _content(seqcol, "GET")


@check("seqcol.comparison.post-content")
def test_post_comparison_matches_the_posted_collection(seqcol: Seqcol) -> None:
    """POST /comparison/{a} with a level-2 collection as the body compares a with that collection, not
    with anything else: the answer is what the two level-2 collections give (Sequence Collections 1.0.0
    §3.3 "one local user-provided collection provided via POST"; decision record 2021-12-01)."""
    _content(seqcol, "POST")


@check("seqcol.comparison.unknown-digest-is-404")
def test_comparison_with_an_unknown_digest_is_404(seqcol: Seqcol) -> None:
    """GET /comparison/{a}/{b} where one digest is unknown answers 404, never 200 or 5xx (the spec names
    no status code: RFC 9110 §15.5.5 404 Not Found; Sequence Collections 1.0.0 §3.3)."""
    known = seqcol.collections()[0][0]
    control = seqcol.comparison_get(known, known)
    if control.status != 200:  # no GET comparison of known collections: an unknown digest's 404 says nothing
        _skip_unanswered("GET /comparison/{a}/{b}", [control])
    missing = unknown_digest()
    for first, second in ((missing, known), (known, missing)):
        response = seqcol.client.get(comparison_path(first, second))
        if response.status != 404:
            raise fail(f"GET {comparison_path(first, second)} with the unknown digest {missing} answered "
                       f"{response.status}, not 404", response)
