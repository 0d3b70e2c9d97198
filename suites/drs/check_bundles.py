"""Bundles: contents, expand, size and checksum of a bundle (DRS 1.2.0 - 1.5.0 §Models › DrsObject,
ContentsObject; §Objects › GetObject parameter expand). Bundles are deprecated in the 1.4.0 text but
unchanged in every schema, so they are checked where the profile lists them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import Response, Service, check, fail

from .check_uris import split_hostname_uri
from .view import HASHLIB, Drs, accepted_reason, comparable, is_bundle, is_int, new_hash, object_path, same_object_data


def _bundles(drs: Drs, expand: bool = False, reasons: list[str] | None = None) -> list[
        tuple[str, dict[str, Any], Response]]:
    """Every listed bundle that answered a DrsObject with contents; one that did not (a 202 not ready, a 404,
    a blob: "If not set, this DrsObject is a single blob", DRS 1.2.0 §Models › DrsObject.contents) hides none
    of the others, and the check skips with the reasons only when no bundle could be read. Why each other was
    left out is added to ``reasons``, for a check that then judges none of those read."""
    found = []
    unread: list[str] = []
    for bundle_id in drs.option("bundles"):
        try:
            document, response = drs.object(bundle_id, expand)
        except pytest.skip.Exception as exc:
            unread.append(str(exc.msg))
            continue
        if not is_bundle(document):
            unread.append(f"{bundle_id} answered a DrsObject without contents (a blob, no bundle)")
            continue
        found.append((bundle_id, document, response))
    if reasons is not None:
        reasons.extend(unread)
    if not found:
        pytest.skip("; ".join(unread) if unread else "the profile lists no bundles")
    return found


def _skip_unjudged(reasons: list[str], not_applicable: str) -> None:
    """A check that judged no bundle skips with why each was left out (or, none left out, why it does not
    apply); it never passes having judged nothing."""
    if reasons:
        pytest.skip(f"no bundle could be judged: {'; '.join(reasons)}")
    pytest.skip(f"does not apply: {not_applicable}")


def _walk(contents: object, path: str = "contents") -> Iterator[tuple[str, object, list[Any]]]:
    """(where, entry, its siblings) for every ContentsObject, depth first."""
    if not isinstance(contents, list):
        return
    for index, entry in enumerate(contents):
        where = f"{path}[{index}]"
        yield where, entry, contents
        if isinstance(entry, dict) and "contents" in entry:
            yield from _walk(entry["contents"], f"{where}.contents")


@check("drs.bundle.contents-objects-valid")
def test_contents_are_contents_objects(drs: Drs) -> None:
    """Every contents entry is a ContentsObject: a string name; id a string, drs_uri an array of
    strings and contents an array when given (DRS 1.2.0 §Models › ContentsObject)."""
    for expand in (False, True):
        for bundle_id, document, response in _bundles(drs, expand):
            for where, entry, _ in _walk(document.get("contents")):
                problem = _contents_problem(entry)
                if problem:
                    raise fail(f"{bundle_id}{'?expand=true' if expand else ''}: {where} {problem}", response)


def _contents_problem(entry: object) -> str | None:
    if not isinstance(entry, dict):
        return "is not an object"
    if not isinstance(entry.get("name"), str):
        return "has no string name"
    if "id" in entry and not isinstance(entry["id"], str):
        return f"has id {entry['id']!r}, not a string"
    uris = entry.get("drs_uri", [])
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        return f"has drs_uri {uris!r}, not an array of strings"
    if "contents" in entry and not isinstance(entry["contents"], list):
        return "has contents that are not an array"
    return None


@check("drs.bundle.contents-id-required-at-top-level")
def test_top_level_contents_have_resolving_ids(service: Service, drs: Drs) -> None:
    """A top-level ContentsObject has an id ("Otherwise, the id is required"); an id of this server (no
    drs_uri, or a drs_uri naming this host) resolves here. A member whose drs_uri names another DRS
    server ("may be external to this DRS instance") is not looked up (DRS 1.2.0 §Models ›
    ContentsObject.id, drs_uri)."""
    here = {urlsplit(service.url).netloc.lower(), (urlsplit(service.url).hostname or "").lower()}
    judged = 0
    for bundle_id, document, response in _bundles(drs):
        for index, entry in enumerate(document.get("contents") or []):
            if not isinstance(entry, dict):
                continue  # drs.bundle.contents-objects-valid reports it
            judged += 1
            if not isinstance(entry.get("id"), str):
                raise fail(f"{bundle_id}: contents[{index}] ({entry.get('name')!r}) has no id, which top-level "
                           "contents require", response)
            uris = [u for u in entry.get("drs_uri") or [] if isinstance(u, str)] \
                if isinstance(entry.get("drs_uri"), list) else []
            authorities = {split[0].lower() for u in uris if (split := split_hostname_uri(u)) is not None}
            if uris and not authorities & here:
                continue  # a member held by another DRS server
            answer = drs.object_response(entry["id"])
            if answer.status not in (200, 202, 401, 403):
                raise fail(f"{bundle_id}: contents[{index}] id {entry['id']!r} does not resolve (GET answered "
                           f"{answer.status})", answer)
    if not judged:
        pytest.skip("no listed bundle's contents holds a ContentsObject (see drs.bundle.contents-objects-valid)")


@check("drs.bundle.contents-names-unique")
def test_contents_names_unique(drs: Drs) -> None:
    """"The name must be unique within the containing bundle" (DRS 1.3.0 §Models › ContentsObject.name)."""
    for bundle_id, document, response in _bundles(drs, True):
        for where, entry, siblings in _walk(document.get("contents")):
            if isinstance(entry, dict):
                same = [s for s in siblings if isinstance(s, dict) and s.get("name") == entry.get("name")]
                if len(same) > 1:
                    raise fail(f"{bundle_id}: {where} shares its name {entry.get('name')!r} with a sibling", response)


def _nested(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, entry) of entries that are themselves bundles (their id names a DrsObject with contents,
    or they carry contents)."""
    for where, entry, _ in _walk(document.get("contents")):
        if isinstance(entry, dict):
            yield where, entry


@check("drs.bundle.expand-true-includes-nested-contents")
def test_expand_true_includes_nested_contents(drs: Drs) -> None:
    """With expand=true every nested bundle's ContentsObject carries its contents ("then this contents
    array must be present", DRS 1.2.0 §Objects › GetObject parameter expand)."""
    checked = False
    for bundle_id, document, response in _bundles(drs, True):
        for where, entry in _nested(document):
            if not isinstance(entry.get("id"), str) or entry["id"] == bundle_id:
                continue
            child = drs.object_response(entry["id"])
            body = child.json() if child.status == 200 else None
            if isinstance(body, dict) and body.get("contents"):
                checked = True
                if "contents" not in entry:
                    raise fail(f"{bundle_id}?expand=true: {where} is the bundle {entry['id']!r} but has no contents",
                               response)
    if not checked:
        pytest.skip("no listed bundle contains a bundle")


@check("drs.bundle.expand-false-is-not-recursive")
def test_expand_false_is_not_recursive(drs: Drs) -> None:
    """With expand=false, nested bundles appear without their contents ("If false ... those other bundles
    are not recursively included", DRS 1.2.0 §Objects › GetObject parameter expand). The parameter declares
    no default, so every listed bundle that holds a bundle (an entry listing contents, or whose id answers a
    bundle) is asked with expand=false, and only that answer is judged."""
    reasons: list[str] = []
    judged = 0
    for bundle_id, document, _ in _bundles(drs, reasons=reasons):
        if not _holds_bundle(drs, bundle_id, document):
            continue
        response = drs.get_accepted(object_path(bundle_id), {"expand": "false"})
        if response.status != 200:  # not read with expand=false: nothing the rule judges (a 202 is judged elsewhere)
            reasons.append(f"GET {bundle_id}?expand=false answered {response.status}")
            continue
        judged += 1
        body = response.json_object() or {}
        for index, entry in enumerate(body.get("contents") or [] if isinstance(body.get("contents"), list) else []):
            if is_bundle(entry):
                raise fail(f"{bundle_id}?expand=false: contents[{index}] ({entry.get('name')!r}) still lists "
                           "its own contents", response)
    if not judged:
        _skip_unjudged(reasons, "no listed bundle holds a bundle")


def _holds_bundle(drs: Drs, bundle_id: str, document: dict[str, Any]) -> bool:
    """Whether a bundle lists a bundle: an entry with contents of its own, or an id that answers a bundle."""
    for entry in document.get("contents") or []:
        if is_bundle(entry):
            return True
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"] != bundle_id:
            child = drs.object_response(entry["id"])
            if child.status == 200 and is_bundle(child.json_object()):
                return True
    return False


@check("drs.bundle.size-is-sum-of-contents")
def test_bundle_size_is_sum(drs: Drs) -> None:
    """A bundle's size is "the cumulative size, in bytes, of items in the contents field" (DRS 1.2.0
    §Models › DrsObject.size). Judged for the bundles whose every top-level item can be read (a protected
    member may not be, a child's size may not be an integer)."""
    reasons: list[str] = []
    judged = 0
    for bundle_id, document, response in _bundles(drs, reasons=reasons):
        sizes = _children(drs, bundle_id, document, "size", reasons)
        if sizes is None:
            continue
        if not all(is_int(s) for s in sizes):
            reasons.append(f"{bundle_id}: a top-level item's size is not an integer "
                           "(see drs.object.size-is-non-negative-integer)")
            continue
        judged += 1
        total = sum(sizes)
        if document.get("size") != total:
            raise fail(f"{bundle_id}: size is {document.get('size')!r}, but its contents add up to {total}", response)
    if not judged:
        _skip_unjudged(reasons, "no listed bundle")


def _children(drs: Drs, bundle_id: str, document: dict[str, Any], key: str, reasons: list[str]) -> list[Any] | None:
    """``key`` of the DrsObject of every top-level item of a bundle, or None (why added to ``reasons``) when
    one cannot be read."""
    values = []
    for index, entry in enumerate(document.get("contents") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            reasons.append(f"{bundle_id}: contents[{index}] has no id to read it by")
            return None
        response = drs.object_response(entry["id"])
        body = response.json_object() if response.status == 200 else None
        if not isinstance(body, dict):
            reasons.append(f"{bundle_id}: its item {entry['id']!r} answered {response.status}"
                           f"{'' if response.status != 200 else ' without a DrsObject'}")
            return None
        values.append(body.get(key))
    return values


@check("drs.bundle.checksum-over-sorted-child-checksums")
def test_bundle_checksum_over_sorted_children(drs: Drs) -> None:
    """A bundle's checksum of type T is T over the sorted concatenation of the T checksums of its
    top-level contents (DRS 1.2.0 §Models › DrsObject.checksums)."""
    verified = 0
    reasons: list[str] = []
    for bundle_id, document, response in _bundles(drs, reasons=reasons):
        children = _children(drs, bundle_id, document, "checksums", reasons)
        if children is None:
            continue
        before = verified
        for item in document.get("checksums") or []:
            kind = str(item.get("type", "")).lower() if isinstance(item, dict) else ""
            if kind not in HASHLIB:
                continue
            values = [next((str(c.get("checksum")) for c in child or [] if isinstance(c, dict)
                            and str(c.get("type", "")).lower() == kind), None) for child in children]
            if None in values:
                continue
            # hex is hex in either case, and the text does not say which case is concatenated: the child
            # checksums as they are given, or lowercased, both count
            digests = []
            for form in ([str(v) for v in values], [str(v).lower() for v in values]):
                made = new_hash(kind)
                assert made is not None  # kind is in HASHLIB
                hasher, keep = made
                hasher.update("".join(sorted(form)).encode())
                digests.append(hasher.hexdigest()[:keep] if keep else hasher.hexdigest())
            digest = digests[0]
            verified += 1
            if str(item.get("checksum", "")).lower() not in digests:
                raise fail(f"{bundle_id}: its {kind} is {item.get('checksum')}, but over the sorted child "
                           f"{kind} checksums it is {digest}", response)
        if verified == before:
            reasons.append(f"{bundle_id}: no checksum of a type the harness computes that every item also gives")
    if not verified:
        _skip_unjudged(reasons, "no listed bundle")


@check("drs.bundle.expand-ignored-for-blob")
@given(data=st.data())
def test_expand_never_changes_a_blob(drs: Drs, data: st.DataObject) -> None:
    """For a blob, ?expand=true is ignored: the same object as without it ("If the object_id refers to a
    blob, then the query parameter is ignored", DRS 1.2.0 §Objects › GetObject parameter expand), judged on
    what any two answers for one id must share ("One DRS ID MUST always return the same object data",
    §DRS API Principles › DRS IDs): its id, size and checksums, and it stays a blob. Access methods are not
    compared: an access_id is "An arbitrary string to be passed to the /access method" and an inline
    access_url may be signed per answer (§Models › AccessMethod), so a second answer without expand may
    differ there too."""
    if not drs.option("objects"):
        pytest.skip("the profile lists no objects")
    # drawn among the listed objects that answered a DrsObject: one not ready (202) or refused hides none of
    # the others (issue 19: Galaxy answers 202 for a dataset whose checksum it has not computed yet)
    listed = drs.option("objects")
    blobs = [(i, d) for i, d, _ in drs.documents() if i in listed and not is_bundle(d)]
    if not blobs:
        pytest.skip("no listed object answered a blob DrsObject (see drs.object.get-known-id-returns-200)")
    object_id, plain = data.draw(st.sampled_from(blobs), label="object id")
    response = drs.object_response(object_id, expand=True)
    if response.status == 202:  # GetObject may answer 202 at any time: not ready, no answer to compare
        pytest.skip(f"GET {object_id}?expand=true {accepted_reason(response)}")
    if response.status != 200:
        raise fail(f"GET {object_id}?expand=true answered {response.status}; for a blob expand is ignored", response)
    expanded = response.json()
    if isinstance(expanded, dict) and is_bundle(expanded):
        raise fail(f"{object_id}?expand=true answers a bundle (contents {expanded.get('contents')!r}); without "
                   "expand it is a blob", response)
    key = same_object_data(plain, expanded, ("id", "size", "checksums")) if isinstance(expanded, dict) else "id"
    if key:
        got = comparable(key, expanded.get(key)) if isinstance(expanded, dict) else expanded
        raise fail(f"{object_id}?expand=true reports {key} {got!r}, without expand {comparable(key, plain.get(key))!r}",
                   response)
