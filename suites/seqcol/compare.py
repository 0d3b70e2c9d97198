"""The comparison function of Sequence Collections 1.0.0 §3.3 ("Comparison", "Same-order
specification"): the answer the spec defines for two level-2 collections, and what a served answer
may be where the text leaves room.

Where the text is exact the checks are exact: ``attributes``, ``a_count``, ``b_count``, and for arrays
without duplicates ``a_and_b_count`` (the elements in both) and ``a_and_b_same_order`` (null under 2
common elements, else whether the common elements come in the same order). Two places are tolerated:

- duplicates: "the number of elements present ... in both collections" has more than one reading when
  an array repeats an element, so the multiset intersection, the count of distinct common elements and
  the reading of the spec authors' implementation (refgenie/refget ``_compare_elements``: the smaller
  of the two arrays filtered to the common elements) are all accepted, and for the order the value that
  implementation gives beside the text's (null for unbalanced duplicates);
- one common element: the text says null; that implementation answers true; both are accepted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .digests import CanonicalizationError, canonical

ATTRIBUTE_KEYS = ("a_only", "b_only", "a_and_b")
ELEMENT_KEYS = ("a_count", "b_count", "a_and_b_count", "a_and_b_same_order")
_MISSING = object()


def _key(value: Any) -> bytes | str:
    """A hashable identity of one array element (elements may be objects: ``name_length_pairs``)."""
    try:
        return canonical(value)
    except CanonicalizationError:
        return repr(value)


def _filtered(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any], Counter[Any], Counter[Any]]:
    ka, kb = [_key(x) for x in a], [_key(x) for x in b]
    ca, cb = Counter(ka), Counter(kb)
    return [x for x in ka if x in cb], [x for x in kb if x in ca], ca, cb


def same_order(a: Sequence[Any], b: Sequence[Any]) -> bool | None:
    """``a_and_b_same_order`` as the text defines it: null with fewer than 2 overlapping elements or
    with unbalanced duplicates, else whether the matching elements come in the same order."""
    af, bf, ca, cb = _filtered(a, b)
    overlap = sum(min(ca[x], cb[x]) for x in ca.keys() & cb.keys())
    if overlap < 2 or Counter(af) != Counter(bf):
        return None
    return af == bf


def overlap_count(a: Sequence[Any], b: Sequence[Any]) -> int:
    """``a_and_b_count``: the elements present in both arrays (multiset intersection)."""
    ca, cb = Counter(map(_key, a)), Counter(map(_key, b))
    return sum(min(ca[x], cb[x]) for x in ca.keys() & cb.keys())


def accepted(a: Sequence[Any], b: Sequence[Any]) -> tuple[set[int], set[bool | None]]:
    """The ``a_and_b_count`` values and the ``a_and_b_same_order`` values a served answer may give for
    one array present in both collections (see the module docstring)."""
    af, bf, ca, cb = _filtered(a, b)
    counts = {overlap_count(a, b)}
    if len(ca) != len(a) or len(cb) != len(b):
        counts |= {len(ca.keys() & cb.keys()), min(len(af), len(bf))}
    implementation = None if not af or len(af) != len(bf) else af == bf
    return counts, {same_order(a, b), implementation}


def comparison(a: Mapping[str, Any], b: Mapping[str, Any], digests: tuple[str | None, str | None] = (None, None), *,
               attributes_a: Iterable[str] = (), attributes_b: Iterable[str] = (),
               not_elements: Iterable[str] = ()) -> dict[str, Any]:
    """The comparison answer the text defines for two level-2 collections. ``attributes_a`` /
    ``attributes_b`` add attributes a collection has without a level-2 value (transient ones, §4.5:
    "listed in the 'attributes' section"); ``not_elements`` are left out of ``array_elements``
    (passthru and transient attributes, §4.4, §4.5)."""
    keys_a, keys_b = set(a) | set(attributes_a), set(b) | set(attributes_b)
    skip = set(not_elements)
    arrays_a = {k: v for k, v in a.items() if isinstance(v, list) and k not in skip}
    arrays_b = {k: v for k, v in b.items() if isinstance(v, list) and k not in skip}
    common = sorted(arrays_a.keys() & arrays_b.keys())
    return {
        "digests": {"a": digests[0], "b": digests[1]},
        "attributes": {"a_only": sorted(keys_a - keys_b), "b_only": sorted(keys_b - keys_a),
                       "a_and_b": sorted(keys_a & keys_b)},
        "array_elements": {
            "a_count": {k: len(v) for k, v in sorted(arrays_a.items())},
            "b_count": {k: len(v) for k, v in sorted(arrays_b.items())},
            "a_and_b_count": {k: overlap_count(arrays_a[k], arrays_b[k]) for k in common},
            "a_and_b_same_order": {k: same_order(arrays_a[k], arrays_b[k]) for k in common},
        },
    }


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def structure_problem(answer: object) -> str | None:
    """Why an answer is not a comparison object of §3.3 (``digests`` with a and b, ``attributes`` with
    three lists of names, ``array_elements`` with three objects of counts and one of booleans or
    null), or None."""
    if not isinstance(answer, dict):
        return "the answer is not a JSON object"
    missing = [key for key in ("digests", "attributes", "array_elements") if key not in answer]
    if missing:
        return f"it lacks {', '.join(missing)}"
    digests, attributes, elements = answer["digests"], answer["attributes"], answer["array_elements"]
    if not isinstance(digests, dict) or any(k not in digests for k in ("a", "b")):
        return "digests is not an object with keys a and b"
    for side in ("a", "b"):
        if digests[side] is not None and not isinstance(digests[side], str):
            return f"digests.{side} is neither a digest string nor null"
    if not isinstance(attributes, dict):
        return "attributes is not an object"
    for key in ATTRIBUTE_KEYS:
        value = attributes.get(key, _MISSING)
        if value is _MISSING:
            return f"attributes lacks {key}"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"attributes.{key} is not a list of attribute names"
    if not isinstance(elements, dict):
        return "array_elements is not an object"
    for key in ELEMENT_KEYS:
        value = elements.get(key, _MISSING)
        if value is _MISSING:
            return f"array_elements lacks {key}"
        if not isinstance(value, dict):
            return f"array_elements.{key} is not an object keyed by attribute name"
        for name, item in value.items():
            ok = (item is None or isinstance(item, bool)) if key == "a_and_b_same_order" else _is_count(item)
            if not ok:
                return f"array_elements.{key}.{name} is {item!r}, not " + (
                    "a boolean or null" if key == "a_and_b_same_order" else "a count")
    return None


def content_problems(answer: Mapping[str, Any], a: Mapping[str, Any], b: Mapping[str, Any], *,
                     transient: Iterable[str] = (), passthru: Iterable[str] = ()) -> list[str]:
    """How a structurally valid answer differs from the comparison of the level-2 collections ``a`` and
    ``b`` (within the tolerances of the module docstring). Transient attributes are not judged in
    ``attributes`` (a level-2 collection does not show them) and neither they nor passthru attributes
    in ``array_elements`` (§4.4, §4.5)."""
    problems: list[str] = []
    hidden = set(transient)
    keys_a, keys_b = set(a) - hidden, set(b) - hidden
    expected = {"a_only": keys_a - keys_b, "b_only": keys_b - keys_a, "a_and_b": keys_a & keys_b}
    for key, want in expected.items():
        got = set(answer["attributes"][key]) - hidden
        if got != want:
            problems.append(f"attributes.{key} is {sorted(got)}, but the collections give {sorted(want)}")
    skip = hidden | set(passthru)
    arrays_a = {k: v for k, v in a.items() if isinstance(v, list) and k not in skip}
    arrays_b = {k: v for k, v in b.items() if isinstance(v, list) and k not in skip}
    elements = answer["array_elements"]
    for key, arrays in (("a_count", arrays_a), ("b_count", arrays_b)):
        for name, values in sorted(arrays.items()):
            got = elements[key].get(name, _MISSING)
            if got is _MISSING:
                problems.append(f"array_elements.{key} lacks {name}")
            elif got != len(values):
                problems.append(f"array_elements.{key}.{name} is {got}, but the array has {len(values)} elements")
    for name in sorted(arrays_a.keys() & arrays_b.keys()):
        counts, orders = accepted(arrays_a[name], arrays_b[name])
        got = elements["a_and_b_count"].get(name, _MISSING)
        if got is _MISSING:
            problems.append(f"array_elements.a_and_b_count lacks {name}")
        elif got not in counts:
            problems.append(f"array_elements.a_and_b_count.{name} is {got}, but {_one_of(counts)} elements are "
                            "in both arrays")
        order = elements["a_and_b_same_order"].get(name, _MISSING)
        if order is _MISSING:
            problems.append(f"array_elements.a_and_b_same_order lacks {name}")
        elif not any(order is value for value in orders):
            problems.append(f"array_elements.a_and_b_same_order.{name} is {_json(order)}, but the same-order "
                            f"specification gives {_one_of(orders)}")
    return problems


def _json(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _one_of(values: Iterable[object]) -> str:
    shown = sorted({_json(v) if v is None or isinstance(v, bool) else str(v) for v in values})
    return shown[0] if len(shown) == 1 else " or ".join(shown)
