"""TRS tool classes and the tool listing: schemas, unique ids, and the filters of GET /tools (TRS 2.0.0
and 2.0.1 OpenAPI, paths › /toolClasses and /tools)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import CheckFailure, SpecStore, check, fail, json_type, schema_errors

from .view import DEFAULT_LIMIT, Trs, answered


@check("trs.tool-classes.schema")
def test_tool_classes_match_schema(trs: Trs, schemas: SpecStore) -> None:
    """GET /toolClasses answers 200 with an array of ToolClass (TRS 2.0.x OpenAPI, /toolClasses)."""
    response = trs.tool_classes()
    if response.status != 200:
        raise fail(f"GET /toolClasses answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, list):
        raise fail(f"GET /toolClasses answered a JSON {json_type(body)}, not an array of ToolClass", response)
    validator = schemas.validator(trs.openapi, "/components/schemas/ToolClass", openapi="3.0")
    for index, item in enumerate(body):
        errors = schema_errors(validator, item)
        if errors:
            raise fail(f"tool class {index} does not match the ToolClass schema: {'; '.join(errors)}", response)


@check("trs.tools.schema")
def test_tools_match_schema(trs: Trs, schemas: SpecStore) -> None:
    """GET /tools answers 200 with an array of Tool (TRS 2.0.x OpenAPI, /tools; Tool requires url, id,
    organization, toolclass and versions)."""
    response = trs.tools_response()
    if response.status != 200:
        raise fail(f"GET /tools answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, list):
        raise fail(f"GET /tools answered a JSON {json_type(body)}, not an array of Tool", response)
    validator = schemas.validator(trs.openapi, "/components/schemas/Tool", openapi="3.0")
    for index, item in enumerate(body):
        errors = schema_errors(validator, item)
        if errors:
            raise fail(f"tool {index} of GET /tools does not match the Tool schema: {'; '.join(errors)}", response)


@check("trs.tools.ids-unique")
def test_listed_ids_are_unique(trs: Trs) -> None:
    """The listing names each tool once: a Tool id is "A unique identifier of the tool, scoped to this
    registry" (TRS 2.0.x OpenAPI, Tool.id)."""
    ids = trs.listed_ids()
    _, response = trs.listing()
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise fail(f"GET /tools lists the tool id(s) {repeated[:3]} more than once", response)


def _versions(tool: dict[str, Any]) -> list[Any]:
    versions = tool.get("versions")
    return versions if isinstance(versions, list) else []


def _kinds(tool: dict[str, Any]) -> list[str]:
    versions = _versions(tool)
    return [k for v in versions if isinstance(v, dict) and isinstance(v.get("descriptor_type"), list)
            for k in v["descriptor_type"] if isinstance(k, str)]


def _contains(value: str, *fields: object) -> bool:
    return any(isinstance(f, str) and value.lower() in f.lower() for f in fields)


def _class_of(tool: dict[str, Any]) -> list[object]:
    toolclass = tool.get("toolclass")
    if not isinstance(toolclass, dict):
        return [None, None]
    return [toolclass.get("name"), toolclass.get("id")]


#: A string filter is sent with at most this many characters of the listed value: a Tool's description may
#: be a whole README (Dockstore's), which in a query string overruns the request-line limits of common HTTP
#: front ends (414 URI Too Long), a limit of the deployment, not an answer to the filter.
MAX_FILTER_CHARS = 100


def _filters(trs: Trs) -> list[tuple[str, str, Any]]:
    """(parameter, value, predicate on a Tool) for the filters whose meaning the OpenAPI makes clear,
    each value taken from a listed tool. String filters are matched as case-insensitive substrings (the
    OpenAPI does not say exact or partial; the looser reading never fails a server for either), and sent
    cut to MAX_FILTER_CHARS: a server matching exactly then answers no tool, which is never failed."""
    tools, _ = trs.listing()
    if not tools:
        pytest.skip("does not apply: GET /tools lists no tools to take filter values from")
    first = tools[0]
    found: list[tuple[str, str, Any]] = []
    if isinstance(first.get("id"), str):
        found.append(("id", first["id"], lambda t, v: t.get("id") == v))
    name = _class_of(first)[0]
    if isinstance(name, str):
        found.append(("toolClass", name, lambda t, v: any(isinstance(c, str) and c.lower() == v.lower()
                                                          for c in _class_of(t))))
    if trs.at_least("2.0.1") and _kinds(first):
        found.append(("descriptorType", _kinds(first)[0], lambda t, v: v in _kinds(t)))
    for key, field in (("organization", "organization"), ("toolname", "name"), ("description", "description")):
        if isinstance(first.get(field), str) and first[field].strip():
            found.append((key, first[field][:MAX_FILTER_CHARS],
                          lambda t, v, field=field: _contains(v, t.get(field))))
    return found


@check("trs.tools.filter-matches")
def test_filtered_tools_match_their_filter(trs: Trs) -> None:
    """Each tool GET /tools answers for a filter matches it ("An array of Tools that match the filter",
    TRS 2.0.x OpenAPI, /tools › 200; filters id, toolClass, descriptorType (2.0.1), organization,
    toolname, description; not author, "The author of the tool (TODO a thought occurs, are we assuming that
    the author of the CWL and the image are the same?)", whose author a Tool does not give: erratum E8)."""
    for parameter, value, predicate in _filters(trs):
        tools, response = trs.query({parameter: value})
        wrong = [t.get("id") for t in tools if not predicate(t, value)]
        if wrong:
            raise fail(f"GET /tools?{parameter}={value} answered tool(s) {wrong[:3]} that do not match it", response)


@check("trs.tools.filter-subset")
def test_filtered_tools_are_listed(trs: Trs) -> None:
    """A filtered listing is a subset of the unfiltered one: the filters select among "all tools
    available" (TRS 2.0.x OpenAPI, /tools: "all tools available or a filtered subset")."""
    listed = set(trs.listed_ids())
    _, unfiltered = trs.listing()
    if unfiltered.headers.get("next_page") or len(listed) >= DEFAULT_LIMIT:
        pytest.skip("GET /tools answered one page of several; the subset is judged on a complete listing only")
    for parameter, value, _ in _filters(trs):
        tools, response = trs.query({parameter: value})
        extra = [t.get("id") for t in tools if t.get("id") not in listed]
        if extra:
            raise fail(f"GET /tools?{parameter}={value} answered tool(s) {extra[:3]} that GET /tools does not "
                       "list", response)


@check("trs.tools.lists-served-tools")
def test_served_tools_are_listed(trs: Trs) -> None:
    """GET /tools, "List all tools", "returns all tools available or a filtered subset" (TRS 2.0.x OpenAPI,
    /tools): a tool the profile names that GET /tools/{id} serves is in the unfiltered listing, or at
    least answered by GET /tools?id=<id>. Judged when the listing is complete on one page (no next_page,
    fewer than the default limit) and the entry carries no credentials (a tool only they reach, private or
    unpublished, is one the text does not say a listing shows)."""
    if trs.service.auth.keys():
        pytest.skip("the entry carries credentials: a tool read by id may be one only they reach (private, "
                    "unpublished), which TRS does not say the listing must show")
    named = [i for i in trs.tool_ids() if i in trs.option("tools")]
    if not named:
        pytest.skip("the profile names no tools: every tool the suite reads comes from the listing itself")
    tools, unfiltered = trs.listing()
    listed = set(trs.listed_ids())
    complete = not unfiltered.headers.get("next_page") and len(tools) < DEFAULT_LIMIT
    judged = served = False
    for ident in named:
        document = trs.tool_document(ident)
        if document is None or document.get("id") != ident:
            continue  # not served as that tool: trs.tool.schema or trs.tool.matches-list says so
        served = True
        if ident in listed:
            judged = True
            continue
        try:
            found, _ = trs.query({"id": ident})
        except CheckFailure:
            found = []  # an id filter that answers no array: trs.tools.filter-matches judges filters
        if any(t.get("id") == ident for t in found):
            judged = True
            continue
        if complete:
            raise fail(f"GET /tools/{ident} serves the tool {ident!r}, but the unfiltered GET /tools (one "
                       f"complete page of {len(tools)} tools) does not list it, nor does GET /tools?id={ident}",
                       unfiltered)
    if not served:
        pytest.skip("GET /tools/{id} serves none of the tools the profile names as that tool (see trs.tool.schema "
                    "and trs.tool.matches-list)")
    if not judged:
        pytest.skip("GET /tools answered one page of several (next_page, or the default limit reached) and "
                    "GET /tools?id= did not answer the profile's tools: whether a later page lists them is not known")
