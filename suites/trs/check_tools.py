"""TRS tools and versions by id: schemas, ids consistent with the listing, unknown ids answered 404
with an Error, descriptor_type_version keyed by the descriptor types (TRS 2.0.x OpenAPI, /tools/{id},
/tools/{id}/versions, /tools/{id}/versions/{version_id}; ToolVersion)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import CheckFailure, Response, SpecStore, check, fail, json_type, schema_errors

from .view import UNKNOWN_ID, Trs, answered, segment


def _validate(trs: Trs, schemas: SpecStore, name: str, body: object, response: Response, what: str) -> None:
    errors = schema_errors(schemas.validator(trs.openapi, f"/components/schemas/{name}", openapi="3.0"), body)
    if errors:
        raise fail(f"{what} does not match the {name} schema: {'; '.join(errors)}", response)


def _is_error_404(trs: Trs, schemas: SpecStore, response: Response, what: str) -> None:
    if response.status != 404:
        raise fail(f"GET {what} of an unknown id answered {answered(response)}, not 404", response)
    _validate(trs, schemas, "Error", response.json(), response, f"the 404 of GET {what}")


def _not_error_404(trs: Trs, schemas: SpecStore, response: Response) -> bool:
    """Whether ``response`` is a 404 whose body is no Error (not JSON, or not matching the schema)."""
    if response.status != 404:
        return False
    try:
        body = response.json()
    except CheckFailure:
        return True
    validator = schemas.validator(trs.openapi, "/components/schemas/Error", openapi="3.0")
    return bool(schema_errors(validator, body))


@check("trs.tool.schema")
def test_tool_by_id_matches_schema(trs: Trs, schemas: SpecStore) -> None:
    """GET /tools/{id} answers 200 with a Tool (TRS 2.0.x OpenAPI, /tools/{id} › 200)."""
    listed = _listed_tools(trs)
    for ident in trs.tool_ids():
        response = trs.tool(ident)
        if response.status != 200:
            raise fail(f"GET /tools/{ident} answered {answered(response)}, not 200", response)
        body = response.json()
        errors = schema_errors(schemas.validator(trs.openapi, "/components/schemas/Tool", openapi="3.0"), body)
        if errors:
            # the same tool breaking the schema the same way in GET /tools: trs.tools.schema reports that defect
            same = ident in listed and _tool_errors(trs, schemas, listed[ident]) >= _tool_errors(trs, schemas, body)
            raise fail(f"GET /tools/{ident} does not match the Tool schema: {'; '.join(errors)}", response,
                       caused_by="trs.tools.schema" if same else None)


def _listed_tools(trs: Trs) -> dict[str, Any]:
    """The tools GET /tools lists, by id (none where the listing is not read)."""
    try:
        tools, _ = trs.listing()
    except (pytest.skip.Exception, CheckFailure):
        return {}
    return {t["id"]: t for t in tools if isinstance(t, dict) and isinstance(t.get("id"), str)}


def _tool_errors(trs: Trs, schemas: SpecStore, document: Any) -> set[tuple[tuple[Any, ...], str]]:
    validator = schemas.validator(trs.openapi, "/components/schemas/Tool", openapi="3.0")
    return {(tuple(error.absolute_path), error.message) for error in validator.iter_errors(document)}


@check("trs.tool.matches-list")
def test_tool_by_id_is_the_listed_tool(trs: Trs) -> None:
    """GET /tools/{id} is "one specific tool": the tool with that id, with the versions the listing
    gives it (TRS 2.0.x OpenAPI, /tools/{id}: "acts as an anchor for self references")."""
    tools, _ = trs.listing()
    listed = {t["id"]: t for t in tools if isinstance(t.get("id"), str)}
    judged = False
    for ident in trs.tool_ids():
        document = trs.tool_document(ident)
        if document is None:
            continue
        judged = True
        response = trs.tool(ident)
        if document.get("id") != ident:
            raise fail(f"GET /tools/{ident} answered the tool {document.get('id')!r}", response)
        if ident in listed and sorted(trs.version_ids(ident)) != sorted(
                str(v.get("id")) for v in listed[ident].get("versions") or [] if isinstance(v, dict)):
            raise fail(f"GET /tools/{ident} gives other versions than GET /tools lists for it", response)
    if not judged:
        pytest.skip("GET /tools/{id} answered no tool with a JSON object (see trs.tool.schema)")


@check("trs.tool.unknown-404")
def test_unknown_tool_is_404(trs: Trs, schemas: SpecStore) -> None:
    """An unknown tool id answers 404 with an Error ("The tool can not be found", TRS 2.0.x OpenAPI,
    /tools/{id} › 404)."""
    _is_error_404(trs, schemas, trs.unknown_tool(), "/tools/{id}")


def _violations(validator: Any, instance: object) -> frozenset[tuple[tuple[str, ...], str]]:
    """Every way ``instance`` breaks the schema: (where in it, what), to compare two documents' defects."""
    return frozenset((tuple(map(str, e.absolute_path)), e.message) for e in validator.iter_errors(instance))


def _own_version(trs: Trs, ident: str, item: object) -> object:
    """The version GET /tools/{ident} itself gives with the id of ``item`` (None if it gives none)."""
    document = trs.tool_document(ident) or {}
    versions = document.get("versions")
    if not isinstance(item, dict) or not isinstance(versions, list):
        return None
    return next((v for v in versions if isinstance(v, dict) and v.get("id") == item.get("id")), None)


def _version_schema(trs: Trs, schemas: SpecStore, ident: str, item: object, response: Response,
                    what: str) -> CheckFailure | None:
    """None when ``item`` is a ToolVersion. When it breaks the schema only as the version of the same id in
    GET /tools/{ident} does (no violation of its own), the failure to raise once nothing else is wrong: a
    consequence of trs.tool.schema, which reports that version (a Tool's versions are ToolVersions). Any
    other violation is raised here, a root cause."""
    validator = schemas.validator(trs.openapi, "/components/schemas/ToolVersion", openapi="3.0")
    found = _violations(validator, item)
    if not found:
        return None
    message = f"{what} does not match the ToolVersion schema: {'; '.join(schema_errors(validator, item))}"
    own = _own_version(trs, ident, item)
    if own is None:
        raise fail(message, response)
    extra = sorted(found - _violations(validator, own))
    if extra:
        shown = "; ".join(f"at {'/'.join(where) or '(document)'}: {text[:300]}" for where, text in extra[:3])
        raise fail(f"{what} breaks the ToolVersion schema where the same version in GET /tools/{ident} does "
                   f"not: {shown}{f'; and {len(extra) - 3} more' if len(extra) > 3 else ''}", response)
    return fail(f"{message} (as the same version does in GET /tools/{ident})", response, caused_by="trs.tool.schema")


@check("trs.versions.match-tool")
def test_versions_are_the_tools(trs: Trs, schemas: SpecStore) -> None:
    """GET /tools/{id}/versions "Returns all versions of the specified tool": an array of ToolVersion,
    the same versions the tool gives (TRS 2.0.x OpenAPI, /tools/{id}/versions).

    A listed version that breaks the ToolVersion schema exactly as the same version in GET /tools/{id} does
    (no violation of its own) is the defect trs.tool.schema reports (the Tool's versions are ToolVersions):
    this check then fails as its consequence, once every other defect it looks for is ruled out."""
    inherited: CheckFailure | None = None
    for ident in trs.tool_ids():
        response = trs.tool_versions(ident)
        if response.status != 200:
            raise fail(f"GET /tools/{ident}/versions answered {answered(response)}, not 200", response)
        body = response.json()
        if not isinstance(body, list):
            raise fail(f"GET /tools/{ident}/versions answered a JSON {json_type(body)}, not an array", response)
        for item in body:
            consequence = _version_schema(trs, schemas, ident, item, response,
                                          f"a version of GET /tools/{ident}/versions")
            inherited = inherited or consequence
        got = sorted(str(v.get("id")) for v in body if isinstance(v, dict))
        if trs.tool_document(ident) is not None and got != sorted(trs.version_ids(ident)):
            own_ids = sorted(trs.version_ids(ident))
            raise fail(f"GET /tools/{ident}/versions lists {got[:5]}, the tool itself {own_ids[:5]}", response)
    if inherited is not None:
        raise inherited


@check("trs.version.schema")
def test_version_by_id_matches_schema(trs: Trs, schemas: SpecStore) -> None:
    """GET /tools/{id}/versions/{version_id} answers 200 with that ToolVersion (TRS 2.0.x OpenAPI,
    /tools/{id}/versions/{version_id} › 200), version_id being the version's id or, where that is not how
    the registry addresses it, the last segment of its url or its name (``Trs.version_key``: Dockstore's
    ids are ``<tool id>:<name>``, its paths take the name). A version that breaks the schema only as the
    same version in GET /tools/{id} does is a consequence of trs.tool.schema, once nothing else is wrong."""
    inherited: CheckFailure | None = None
    for ident in trs.tool_ids():
        for version_id in trs.version_ids(ident)[:2]:
            key = trs.version_key(ident, version_id)
            response = trs.tool_version(ident, key)
            what = f"GET /tools/{ident}/versions/{key}"
            if response.status != 200:
                raise fail(f"{what} answered {answered(response)}, not 200", response)
            body = response.json()
            consequence = _version_schema(trs, schemas, ident, body, response, what)
            inherited = inherited or consequence
            if isinstance(body, dict) and body.get("id") != version_id:
                raise fail(f"{what} answered the version {body.get('id')!r}", response)
    if inherited is not None:
        raise inherited


@check("trs.version.unknown-404")
def test_unknown_version_is_404(trs: Trs, schemas: SpecStore) -> None:
    """An unknown version of a known tool answers 404 with an Error (TRS 2.0.x OpenAPI,
    /tools/{id}/versions/{version_id} › 404). When the tool's first listed version is answered alike, a 404
    of the same media type that is no Error either, the route answers every version so (it does not exist,
    say): a consequence of trs.version.schema, which reports that listed version."""
    ident = trs.tool_ids()[0]
    path = f"/tools/{segment(ident)}/versions/{UNKNOWN_ID}"
    response = trs.client.get(path)
    try:
        _is_error_404(trs, schemas, response, "/tools/{id}/versions/{version_id}")
    except CheckFailure as failure:
        listed = trs.version_ids(ident)[:1]
        key = trs.version_key(ident, listed[0]) if listed else None
        known = trs.tool_version(ident, key) if key is not None else None
        if (known is not None and failure.caused_by is None and _not_error_404(trs, schemas, known)
                and _not_error_404(trs, schemas, response) and known.content_type == response.content_type):
            raise fail(f"{failure.message}; GET /tools/{ident}/versions/{key}, a version the tool lists, answers "
                       f"the same {answered(known)} ({known.content_type or 'no media type'})", response,
                       caused_by="trs.version.schema") from failure
        raise


#: Galaxy's two spellings in 2.0.1 (erratum E2): a key in either names a descriptor_type in either.
GALAXY = frozenset({"GALAXY", "GXFORMAT2"})


@check("trs.version.descriptor-type-version-keys")
def test_descriptor_type_version_keys_are_descriptor_types(trs: Trs) -> None:
    """The keys of ``descriptor_type_version`` "should be the same values used in the `descriptor_type`
    field" (TRS 2.0.1 OpenAPI, ToolVersion.descriptor_type_version): each key of a sampled version's map is
    one of that version's descriptor types (GALAXY and GXFORMAT2 taken as one, erratum E2). A version
    without both fields is not judged."""
    judged = False
    for ident in trs.tool_ids():
        for version in trs.sampled_versions(ident):
            mapping, kinds = version.get("descriptor_type_version"), version.get("descriptor_type")
            if not isinstance(mapping, dict) or not mapping or not isinstance(kinds, list):
                continue
            judged = True
            used = {k for k in kinds if isinstance(k, str)}
            if used & GALAXY:
                used |= GALAXY
            stray = [key for key in mapping if key not in used]
            if stray:
                raise fail(f"the descriptor_type_version of {ident} {version.get('id')} is keyed by {stray[:3]}, "
                           f"not by its descriptor_type values {sorted(k for k in kinds if isinstance(k, str))}",
                           trs.tool(ident))
    if not judged:
        pytest.skip("no sampled tool version gives both descriptor_type_version and descriptor_type")
