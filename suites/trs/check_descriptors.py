"""TRS descriptors, files, tests and containerfiles of each descriptor type a version declares: the
FileWrapper and ToolFile schemas, plain and JSON forms that agree, the paths /files lists resolving,
the zip of /files, every checksum given recomputed from the content, the checksums a production version
owes, and FileWrapper urls that resolve to the content (TRS 2.0.x OpenAPI,
/tools/{id}/versions/{version_id}/{type}/descriptor[/{relative_path}], /files, /tests, /containerfile)."""

from __future__ import annotations

import functools
import io
import posixpath
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from conformance import (
    BudgetExceeded,
    CheckFailure,
    HarnessError,
    Response,
    SpecStore,
    check,
    fail,
    json_type,
    schema_errors,
)

from .view import DESCRIPTOR_TYPES, Trs, answered, recompute

#: ToolFile types whose path the descriptor/{relative_path} endpoint serves ("A descriptor's path can be
#: used with the GA4GH .../{type}/descriptor/{relative_path} endpoint", ToolFile.path).
DESCRIPTOR_FILES = ("PRIMARY_DESCRIPTOR", "SECONDARY_DESCRIPTOR")


#: At most this many FileWrapper urls are fetched by trs.file-wrapper.url-is-content.
MAX_URLS = 10


def _gives_content_or_url(item: object) -> bool:
    """"One of url or content is required" (TRS 2.0.x OpenAPI, FileWrapper.content and .url)."""
    return isinstance(item, dict) and (isinstance(item.get("content"), str) or isinstance(item.get("url"), str))


def _wrappers(response: Response) -> list[dict[str, Any]]:
    """The FileWrappers of a 200 answer that is an array of them (/tests, /containerfile), else none."""
    body = response.json() if response.status == 200 else None
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def _defects(validator: Any, item: object) -> frozenset[tuple[tuple[str, ...], str]]:
    """Every way a FileWrapper breaks its schema or gives neither content nor url: (where, which rule), the
    rule without the value that broke it (the same defect holds other checksums in another file)."""
    found = {(tuple(map(str, e.absolute_path)), f"{e.validator}: {e.validator_value!r}")
             for e in validator.iter_errors(item)}
    if not _gives_content_or_url(item):
        found.add(((), "gives neither content nor url"))
    return frozenset(found)


def _descriptor_defects(trs: Trs, validator: Any) -> frozenset[tuple[tuple[str, ...], str]]:
    """The defects of the descriptor FileWrappers read, which trs.descriptor.schema reports."""
    try:
        cases = trs.cases()
    except pytest.skip.Exception:
        return frozenset()
    found: set[tuple[tuple[str, ...], str]] = set()
    for case in cases:
        response = trs.descriptor(case)
        body = response.json_object() if response.status == 200 else None
        if body is not None:
            found |= _defects(validator, body)
    return frozenset(found)


Defects = frozenset[tuple[tuple[str, ...], str]]


def _shared_defects(trs: Trs, validator: Any) -> Callable[[], Defects]:
    """:func:`_descriptor_defects`, gathered at the first call only: once per check, and only when some
    FileWrapper it judges has a defect (each descriptor read again for every defective item was one walk of
    all cases per item)."""
    return functools.cache(lambda: _descriptor_defects(trs, validator))


def _judge_wrappers(shared: Callable[[], Defects], validator: Any, body: list[Any], response: Response, what: str,
                    inherited: CheckFailure | None) -> CheckFailure | None:
    """Fail at the first FileWrapper of ``body`` with a defect of its own; one whose every defect a descriptor
    FileWrapper has too (``shared``, the same model served everywhere) is trs.descriptor.schema's: the failure
    to raise once nothing else is wrong is returned."""
    for item in body:
        found = _defects(validator, item)
        if not found:
            continue
        errors = schema_errors(validator, item)
        message = (f"{what} does not match the FileWrapper schema: {'; '.join(errors)}" if errors
                   else f"{what} gives neither content nor url")
        if found <= shared():
            inherited = inherited or fail(f"{message} (as the descriptor FileWrappers do)", response,
                                          caused_by="trs.descriptor.schema")
            continue
        raise fail(message, response)
    return inherited


def _wrapper(trs: Trs, response: Response, what: str) -> dict[str, Any]:
    if response.status != 200:
        raise fail(f"GET {what} answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, dict):
        raise fail(f"GET {what} answered a JSON {json_type(body)}, not a FileWrapper", response)
    return body


@check("trs.descriptor.schema")
def test_descriptor_is_a_file_wrapper(trs: Trs, schemas: SpecStore) -> None:
    """GET …/{type}/descriptor answers a FileWrapper with content or url ("One of url or content is
    required", TRS 2.0.x OpenAPI, FileWrapper.content and .url)."""
    validator = schemas.validator(trs.openapi, "/components/schemas/FileWrapper", openapi="3.0")
    for case in trs.cases():
        response = trs.descriptor(case)
        body = _wrapper(trs, response, f"the {case} descriptor")
        errors = schema_errors(validator, body)
        if errors:
            raise fail(f"the {case} descriptor does not match the FileWrapper schema: {'; '.join(errors)}", response)
        if not isinstance(body.get("content"), str) and not isinstance(body.get("url"), str):
            raise fail(f"the {case} descriptor gives neither content nor url", response)


@check("trs.descriptor.plain-matches-json")
def test_plain_descriptor_is_the_wrapped_content(trs: Trs) -> None:
    """The PLAIN_ form is the bare descriptor the JSON form wraps ("Plain types return the bare
    descriptor while the non-plain types return a descriptor wrapped with metadata", TRS 2.0.x OpenAPI,
    components › parameters › type). Judged where the FileWrapper gives its content (one may give only a
    url: "One of url or content is required")."""
    judged = False
    for case in trs.cases():
        wrapped = trs.descriptor(case).json_object() if trs.descriptor(case).status == 200 else None
        content = wrapped.get("content") if wrapped else None
        if not isinstance(content, str):
            continue
        judged = True
        plain = trs.descriptor(case, plain=True)
        if plain.status != 200:
            raise fail(f"GET the PLAIN_{case.kind} descriptor of {case.tool} {case.version} answered "
                       f"{answered(plain)}, not 200", plain)
        if plain.content != content.encode():
            raise fail(f"the PLAIN_{case.kind} descriptor of {case.tool} {case.version} differs from the content "
                       f"of its {case.kind} FileWrapper", plain)
    if not judged:
        pytest.skip("no descriptor FileWrapper read gives its content (a url only, or no FileWrapper: see "
                    "trs.descriptor.schema): nothing to compare the PLAIN_ form with")


@check("trs.descriptor.plain-content-type")
def test_plain_descriptor_is_text_plain(trs: Trs) -> None:
    """A PLAIN_ descriptor is served as text/plain (TRS 2.0.x OpenAPI, …/{type}/descriptor › 200 ›
    content: text/plain, type string; "Plain types return the raw text"), judged on those answered 200."""
    judged = False
    for case in trs.cases():
        plain = trs.descriptor(case, plain=True)
        if plain.status != 200:
            continue
        judged = True
        if plain.content_type != "text/plain":
            raise fail(f"the PLAIN_{case.kind} descriptor of {case.tool} {case.version} is served as "
                       f"{plain.content_type or 'no Content-Type'}, not text/plain", plain)
    if not judged:
        pytest.skip("no PLAIN_ descriptor read answered 200: no media type to judge")


@check("trs.files.schema")
def test_files_are_tool_files(trs: Trs, schemas: SpecStore) -> None:
    """GET …/{type}/files answers an array of ToolFile (TRS 2.0.x OpenAPI, …/{type}/files › 200)."""
    validator = schemas.validator(trs.openapi, "/components/schemas/ToolFile", openapi="3.0")
    for case in trs.cases():
        response = trs.files(case)
        if response.status != 200:
            raise fail(f"GET the {case} files answered {answered(response)}, not 200", response)
        body = response.json()
        if not isinstance(body, list):
            raise fail(f"GET the {case} files answered a JSON {json_type(body)}, not an array", response)
        for item in body:
            errors = schema_errors(validator, item)
            if errors:
                raise fail(f"a file of {case} does not match the ToolFile schema: {'; '.join(errors)}", response)


@check("trs.files.paths-resolve")
def test_listed_descriptor_paths_resolve(trs: Trs) -> None:
    """Each descriptor path /files lists is served by …/{type}/descriptor/{relative_path} ("A
    descriptor's path can be used with the GA4GH .../{type}/descriptor/{relative_path} endpoint", TRS
    2.0.x OpenAPI, ToolFile.path). A nested path is one path parameter: percent-encoded it must be served;
    unencoded it "should also be allowed", so either form answering 200 passes."""
    judged = False
    for case in trs.cases():
        for item in trs.listed_files(case):
            if item.get("file_type") not in DESCRIPTOR_FILES:
                continue
            judged = True
            response = trs.descriptor(case, plain=True, relative=item["path"])
            if response.status != 200:
                forms = "either unencoded or percent-encoded" if "/" in item["path"].strip("/") else ""
                raise fail(f"the {case} file {item['path']} that /files lists answered {answered(response)} at "
                           f"PLAIN descriptor/{{relative_path}}{' ' + forms if forms else ''}", response)
    if not judged:
        pytest.skip("no /files read lists a PRIMARY_DESCRIPTOR or SECONDARY_DESCRIPTOR path")


def _zip_holds(path: str, names: set[str]) -> bool:
    """Whether the zip holds the file /files lists at ``path``. Listed paths are relative to the primary
    descriptor ("Relative path of the file", ToolFile.path: ``sub/step.cwl``, ``./main.cwl``, or
    ``../common/lib.cwl`` for a file beside its directory), while a zip may keep the repository's layout
    (``workflows/main.cwl``, ``common/lib.cwl``): the path is matched, its ``.`` and leading ``..`` segments
    dropped, as a whole member name or as the end of one."""
    tail = posixpath.normpath(path.lstrip("/"))
    while tail.startswith("../"):
        tail = tail[3:]
    return tail in names or any(n.endswith("/" + tail) for n in names)


@check("trs.files.zip-complete")
def test_zip_holds_the_listed_files(trs: Trs) -> None:
    """GET …/{type}/files?format=zip "Returns a zip file of all files": a valid zip holding every path
    /files lists (TRS 2.0.x OpenAPI, …/{type}/files › format)."""
    for case in trs.cases():
        listed = [item["path"].lstrip("/") for item in trs.listed_files(case)]
        response = trs.zip(case)
        if response.status != 200:
            raise fail(f"GET the {case} files?format=zip answered {answered(response)}, not 200", response)
        if response.truncated:
            pytest.skip("the zip is larger than the response budget")
        try:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                names = {n.lstrip("/").removeprefix("./") for n in archive.namelist()}
                bad = archive.testzip()
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise fail(f"the {case} files?format=zip is not a valid zip ({exc})", response) from None
        if bad is not None:
            raise fail(f"the {case} zip's member {bad} fails its CRC", response)
        missing = [p for p in listed if not _zip_holds(p, names)]
        if missing:
            raise fail(f"the {case} zip lacks {missing[:3]} that /files lists", response)


def _mismatch(checksums: object, content: bytes) -> tuple[str, str, str] | None:
    """(type, given, recomputed) of the first checksum that does not match ``content``."""
    items = checksums if isinstance(checksums, list) else [checksums]
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        given = item.get("checksum")
        actual = recompute(item["type"], content)
        if isinstance(given, str) and actual is not None and given.strip().lower() != actual:
            return item["type"], given, actual
    return None


@check("trs.checksum.matches-content")
def test_checksums_match_content(trs: Trs) -> None:
    """Every checksum a FileWrapper or ToolFile gives is "The hex-string encoded checksum for the data"
    (TRS 2.0.x OpenAPI, Checksum.checksum): recomputed from the content here, for the algorithms the
    harness knows (sha-256, sha-512, sha-384, sha-1, md5 and their unhyphenated spellings)."""
    judged = False
    for case in trs.cases():
        wrapped = trs.descriptor(case)
        body = wrapped.json_object() if wrapped.status == 200 else None
        if body and isinstance(body.get("content"), str) and body.get("checksum"):
            judged = True
            wrong = _mismatch(body["checksum"], body["content"].encode())
            if wrong:
                raise fail(f"the {case} descriptor's {wrong[0]} checksum {wrong[1]} is not that of its content "
                           f"({wrong[2]})", wrapped)
        files = trs.files(case)
        for item in trs.listed_files(case):
            if item.get("file_type") not in DESCRIPTOR_FILES or not item.get("checksum"):
                continue
            plain = trs.descriptor(case, plain=True, relative=item["path"])
            if plain.status != 200 or plain.truncated:
                continue
            judged = True
            wrong = _mismatch(item["checksum"], plain.content)
            if wrong:
                raise fail(f"/files gives {item['path']} of {case} the {wrong[0]} checksum {wrong[1]}, but the file "
                           f"served has {wrong[2]}", files)
    for ident, version_id in trs.versions_with_containerfile():
        response = trs.containerfile(ident, version_id)
        body = response.json() if response.status == 200 else None
        for item in body if isinstance(body, list) else []:
            if isinstance(item, dict) and isinstance(item.get("content"), str) and item.get("checksum"):
                judged = True
                wrong = _mismatch(item["checksum"], item["content"].encode())
                if wrong:
                    raise fail(f"the containerfile of {ident} {version_id} has the {wrong[0]} checksum {wrong[1]}, "
                               f"its content {wrong[2]}", response)
    if not judged:
        pytest.skip("no sampled file gives a checksum of an algorithm the harness knows")


@check("trs.tests.schema")
def test_tests_are_file_wrappers(trs: Trs, schemas: SpecStore) -> None:
    """GET …/{type}/tests answers an array of FileWrapper (TRS 2.0.x OpenAPI, …/{type}/tests › 200), each
    with content or url ("One of url or content is required", FileWrapper.content and .url); a 404 ("The
    tool can not be output in the specified type") is allowed. A FileWrapper whose every defect the
    descriptor FileWrappers share is trs.descriptor.schema's: a consequence, once nothing else is wrong."""
    validator = schemas.validator(trs.openapi, "/components/schemas/FileWrapper", openapi="3.0")
    inherited: CheckFailure | None = None
    shared = _shared_defects(trs, validator)
    for case in trs.cases():
        response = trs.tests(case)
        if response.status == 404:
            continue
        if response.status != 200:
            raise fail(f"GET the {case} tests answered {answered(response)}, not 200 or 404", response)
        body = response.json()
        if not isinstance(body, list):
            raise fail(f"GET the {case} tests answered a JSON {json_type(body)}, not an array", response)
        inherited = _judge_wrappers(shared, validator, body, response, f"a test of {case}", inherited)
    if inherited is not None:
        raise inherited


@check("trs.containerfile.available")
def test_containerfile_served_when_reported(trs: Trs, schemas: SpecStore) -> None:
    """A version that reports ``containerfile: true`` ("Reports if this tool has a containerfile
    available", TRS 2.0.x OpenAPI, ToolVersion.containerfile) serves it: GET …/containerfile answers 200
    with an array of FileWrapper, each with content or url ("One of url or content is required",
    FileWrapper.content and .url). A FileWrapper whose every defect the descriptor FileWrappers share is
    trs.descriptor.schema's: a consequence, once nothing else is wrong."""
    validator = schemas.validator(trs.openapi, "/components/schemas/FileWrapper", openapi="3.0")
    inherited: CheckFailure | None = None
    shared = _shared_defects(trs, validator)
    for ident, version_id in trs.versions_with_containerfile():
        response = trs.containerfile(ident, version_id)
        what = f"the containerfile of {ident} {version_id}"
        if response.status != 200:
            raise fail(f"GET {what}, which the version reports available, answered {answered(response)}", response)
        body = response.json()
        if not isinstance(body, list):
            raise fail(f"GET {what} answered a JSON {json_type(body)}, not an array", response)
        inherited = _judge_wrappers(shared, validator, body, response, f"a FileWrapper of {what}", inherited)
    if inherited is not None:
        raise inherited


@check("trs.production.checksums")
def test_production_versions_give_checksums(trs: Trs) -> None:
    """A version with ``is_production: true`` gives checksums: "A production quality tool is required to
    have a checksum" (TRS 2.0.0 and 2.0.1 OpenAPI, ToolVersion.is_production) and "A production
    (immutable) tool version is required to have a hashcode" (FileWrapper.checksum, ImageData.checksum):
    each image the version lists, and each FileWrapper of it the suite reads (its descriptors, tests and
    containerfiles), gives a non-empty checksum. "Not required otherwise": other versions are not asked."""
    production = [(ident, version) for ident in trs.tool_ids() for version in trs.sampled_versions(ident)
                  if version.get("is_production") is True and isinstance(version.get("id"), str)]
    if not production:
        pytest.skip("does not apply: no sampled tool version reports is_production: true")
    for ident, version in production:
        what = f"the production version {ident} {version['id']}"
        images = version.get("images")
        for index, image in enumerate(images if isinstance(images, list) else []):
            if isinstance(image, dict) and not image.get("checksum"):
                name = image.get("image_name") if isinstance(image.get("image_name"), str) else f"#{index}"
                raise fail(f"the image {name} of {what} gives no checksum", trs.tool(ident))
        kinds = version.get("descriptor_type")
        for kind in kinds if isinstance(kinds, list) else []:
            if kind not in DESCRIPTOR_TYPES:
                continue
            case = trs.case(ident, version["id"], kind)
            response = trs.descriptor(case)
            body = response.json_object() if response.status == 200 else None
            if body is not None and not body.get("checksum"):
                raise fail(f"the {kind} descriptor of {what} gives no checksum", response)
            response = trs.tests(case)
            if any(not item.get("checksum") for item in _wrappers(response)):
                raise fail(f"a {kind} test file of {what} gives no checksum", response)
        if version.get("containerfile") is True:
            response = trs.containerfile(ident, version["id"])
            if any(not item.get("checksum") for item in _wrappers(response)):
                raise fail(f"a containerfile of {what} gives no checksum", response)


def _fetch(trs: Trs, url: str) -> Response | None:
    """GET a FileWrapper's url (its host may be another: the kit's client sends the service's credentials
    only to its own origin), or None when the harness got no answer."""
    try:
        return trs.get(url)
    except BudgetExceeded:
        raise
    except HarnessError:
        return None


@check("trs.file-wrapper.url-is-content")
def test_file_wrapper_urls_give_the_content(trs: Trs) -> None:
    """A FileWrapper's url "should resolve to the raw unwrapped content that would otherwise be available
    in content" (TRS 2.0.0 and 2.0.1 OpenAPI, FileWrapper.url). Judged on the FileWrappers the suite reads
    (descriptors, tests, containerfiles) that give both content and url, at most MAX_URLS of them: a url
    that answers 200 must give exactly that content. A url that gives no 200 answer (a private forge, a
    host the harness may not reach) is not judged."""
    pairs: list[tuple[str, dict[str, Any]]] = []
    for case in trs.cases():
        response = trs.descriptor(case)
        body = response.json_object() if response.status == 200 else None
        if body is not None:
            pairs.append((f"the {case} descriptor", body))
        pairs.extend((f"a {case} test file", item) for item in _wrappers(trs.tests(case)))
    for ident in trs.tool_ids():
        for version in trs.sampled_versions(ident):
            if version.get("containerfile") is True and isinstance(version.get("id"), str):
                pairs.extend((f"a containerfile of {ident} {version['id']}", item)
                             for item in _wrappers(trs.containerfile(ident, version["id"])))
    both = [(what, item) for what, item in pairs
            if isinstance(item.get("content"), str) and isinstance(item.get("url"), str)]
    judged = False
    for what, item in both[:MAX_URLS]:
        raw = _fetch(trs, item["url"])
        if raw is None or raw.status != 200 or raw.truncated:
            continue
        judged = True
        if raw.content != item["content"].encode():
            raise fail(f"the url {item['url']} of {what} answers other bytes than its content "
                       f"({len(raw.content)} bytes, {raw.content_type or 'no Content-Type'}), not the raw file",
                       raw)
    if not judged:
        pytest.skip("no FileWrapper read gives both content and a url that answers 200")
