"""The comparison helper: the answer §3.3 defines (counts, the same-order specification), the
structure check, and what the content check accepts and rejects, including the answers the spec
authors' implementation gives for its own test collections."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conformance_suites.seqcol.compare import (
    accepted,
    comparison,
    content_problems,
    overlap_count,
    same_order,
    structure_problem,
)

# refgenie/refget test_fasta/test_fasta_digests.json (level 2 of base.fa, subset.fa, different_order.fa)
BASE = {"lengths": [8, 4, 4], "names": ["chrX", "chr1", "chr2"],
        "sequences": ["SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw", "SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj",
                      "SQ.AcLxtBuKEPk_7PGE_H4dGElwZHCujwH6"],
        "sorted_sequences": ["SQ.AcLxtBuKEPk_7PGE_H4dGElwZHCujwH6", "SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj",
                             "SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw"],
        "name_length_pairs": [{"length": 8, "name": "chrX"}, {"length": 4, "name": "chr1"},
                              {"length": 4, "name": "chr2"}]}
SUBSET = {"lengths": [8, 4], "names": ["chrX", "chr1"],
          "sequences": ["SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw", "SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj"],
          "sorted_sequences": ["SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj", "SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw"],
          "name_length_pairs": [{"length": 8, "name": "chrX"}, {"length": 4, "name": "chr1"}]}
DIFFERENT_ORDER = {"lengths": [4, 4, 8], "names": ["chr1", "chr2", "chrX"],
                   "sequences": ["SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj", "SQ.AcLxtBuKEPk_7PGE_H4dGElwZHCujwH6",
                                 "SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw"],
                   "sorted_sequences": ["SQ.AcLxtBuKEPk_7PGE_H4dGElwZHCujwH6", "SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj",
                                        "SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw"],
                   "name_length_pairs": [{"length": 4, "name": "chr1"}, {"length": 4, "name": "chr2"},
                                         {"length": 8, "name": "chrX"}]}
ATTRIBUTES = ["lengths", "name_length_pairs", "names", "sequences", "sorted_sequences"]


def _implementation_answer(a: dict[str, Any], b: dict[str, Any], counts: dict[str, int],
                           order: dict[str, bool | None]) -> dict[str, Any]:
    return {"digests": {"a": "x", "b": "y"},
            "attributes": {"a_only": [], "b_only": [], "a_and_b": ATTRIBUTES},
            "array_elements": {"a_count": {k: len(a[k]) for k in ATTRIBUTES},
                               "b_count": {k: len(b[k]) for k in ATTRIBUTES},
                               "a_and_b_count": counts, "a_and_b_same_order": order}}


def test_the_implementations_own_fixtures_are_accepted_and_reproduced() -> None:
    """refgenie/refget tests/api/comparison/compare_base.fa_subset.fa.json and
    compare_base.fa_different_order.fa.json: accepted by the content check, and what comparison()
    computes (no single common element and no ambiguity in these)."""
    subset = _implementation_answer(BASE, SUBSET, dict.fromkeys(ATTRIBUTES, 2),
                                    {"lengths": None, "name_length_pairs": True, "names": True, "sequences": True,
                                     "sorted_sequences": True})
    reordered = _implementation_answer(BASE, DIFFERENT_ORDER, dict.fromkeys(ATTRIBUTES, 3),
                                       {"lengths": False, "name_length_pairs": False, "names": False,
                                        "sequences": False, "sorted_sequences": True})
    for other, answer in ((SUBSET, subset), (DIFFERENT_ORDER, reordered)):
        assert structure_problem(answer) is None
        assert content_problems(answer, BASE, other) == []
        mine = comparison(BASE, other, ("x", "y"))
        assert mine["array_elements"] == answer["array_elements"]
        assert mine["attributes"] == answer["attributes"]


def test_same_order_specification() -> None:
    """§3.3 "Same-order specification"."""
    assert same_order(["a", "b", "c"], ["a", "b", "c"]) is True
    assert same_order(["a", "b", "c"], ["b", "a", "c"]) is False
    assert same_order(["a", "x", "b"], ["a", "b", "y"]) is True  # matching elements in the same order
    assert same_order(["a"], ["a"]) is None  # fewer than 2 overlapping elements
    assert same_order(["a", "b"], ["c", "d"]) is None
    assert same_order([4, 4, 8], [8, 4]) is None  # unbalanced duplicates
    assert same_order([4, 4, 8], [8, 4, 4]) is False  # balanced duplicates: order defined
    assert same_order([4, 4, 8], [4, 4, 8, 9]) is True


def test_overlap_counts_elements_in_both() -> None:
    assert overlap_count(["a", "b", "c"], ["c", "d"]) == 1
    assert overlap_count([1, 1, 2], [1, 2, 2]) == 2
    assert overlap_count([{"name": "a", "length": 1}], [{"length": 1, "name": "a"}]) == 1
    assert overlap_count([1], [True]) == 0  # JSON 1 and true differ


def test_tolerances_where_the_text_leaves_room() -> None:
    """One common element: null (text) or true (the implementation). Duplicates: several counts."""
    counts, orders = accepted(["a", "b"], ["a", "c"])
    assert counts == {1} and orders == {None, True}
    counts, orders = accepted(["a", "b", "c"], ["c", "a", "b"])
    assert counts == {3} and orders == {False}
    counts, orders = accepted([1, 1, 2], [1, 2, 2])
    assert counts == {2, 3} and orders == {None, False}


def _good() -> dict[str, Any]:
    answer: dict[str, Any] = comparison(BASE, DIFFERENT_ORDER, ("x", "y"))
    return answer


@pytest.mark.parametrize(("mutate", "problem"), [
    (lambda a: a.pop("digests"), "lacks digests"),
    (lambda a: a["attributes"].pop("b_only"), "attributes lacks b_only"),
    (lambda a: a["array_elements"].pop("a_and_b_same_order"), "array_elements lacks a_and_b_same_order"),
    (lambda a: a["array_elements"]["a_count"].update(names="3"), "not a count"),
    (lambda a: a["array_elements"]["a_count"].update(names=True), "not a count"),
    (lambda a: a["array_elements"]["a_and_b_same_order"].update(names=0), "not a boolean or null"),
    (lambda a: a["digests"].update(b=7), "digests.b"),
])
def test_structure_problems(mutate: Any, problem: str) -> None:
    answer = _good()
    assert structure_problem(answer) is None
    mutate(answer)
    found = structure_problem(answer)
    assert found is not None and problem in found


@pytest.mark.parametrize(("mutate", "problem"), [
    (lambda a: a["array_elements"]["a_and_b_count"].update(names=2), "a_and_b_count.names is 2"),
    (lambda a: a["array_elements"]["a_count"].update(lengths=2), "a_count.lengths is 2"),
    (lambda a: a["array_elements"]["a_and_b_same_order"].update(names=True), "a_and_b_same_order.names is true"),
    (lambda a: a["array_elements"]["a_and_b_same_order"].update(names=None), "a_and_b_same_order.names is null"),
    (lambda a: a["array_elements"]["b_count"].pop("names"), "b_count lacks names"),
    (lambda a: a["attributes"].update(a_only=["names"]), "attributes.a_only"),
])
def test_content_problems(mutate: Any, problem: str) -> None:
    answer = _good()
    assert content_problems(answer, BASE, DIFFERENT_ORDER) == []
    mutate(answer)
    assert any(problem in p for p in content_problems(answer, BASE, DIFFERENT_ORDER)), \
        content_problems(answer, BASE, DIFFERENT_ORDER)


def test_transient_and_passthru_attributes_are_not_judged_where_the_text_allows() -> None:
    """§4.4/§4.5: passthru and transient attributes are not under array_elements; a transient attribute
    may be listed under attributes (the text) or not (the implementation)."""
    a = {**copy.deepcopy(BASE), "author": "someone"}
    b = {**copy.deepcopy(SUBSET), "author": "someone else"}
    listed = comparison(a, b, attributes_a=["sorted_name_length_pairs"], attributes_b=["sorted_name_length_pairs"],
                        not_elements=["author", "sorted_name_length_pairs"])
    unlisted = comparison(a, b, not_elements=["author"])
    assert "author" in listed["attributes"]["a_and_b"]
    assert "author" not in listed["array_elements"]["a_count"]
    for answer in (listed, unlisted):
        assert content_problems(answer, a, b, transient=["sorted_name_length_pairs"], passthru=["author"]) == []
    # a passthru attribute counted anyway (the implementation counts the characters of a string) is no finding
    unlisted["array_elements"]["a_count"]["author"] = len("someone")
    assert content_problems(unlisted, a, b, transient=["sorted_name_length_pairs"], passthru=["author"]) == []
