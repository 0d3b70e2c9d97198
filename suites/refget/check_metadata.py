"""Metadata of a sequence: the answer for a known and an unknown id, its fields, and the SHA-512
identifier service-info declares (refget 1.0.1 and 2.0.0 §Method: Get known metadata for an id)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import check, fail, json_type

from .view import Refget, answered, is_int, sequence_path, trunc512_value


@check("refget.metadata.known-id-answers-200", per="sequences")
def test_known_id_metadata_answers_200(refget: Refget, case: str) -> None:
    """GET /sequence/<id>/metadata for a profile id answers 200 with a JSON object (refget 1.0.1 §Method:
    Get known metadata for an id › Response: "a 200 status code shall be returned")."""
    response = refget.metadata_response(case)
    if response.status != 200:
        raise fail(f"GET {sequence_path(case)}/metadata answered {answered(response)}, not 200", response)
    if not isinstance(response.json(), dict):
        raise fail(f"GET {sequence_path(case)}/metadata answered JSON that is not an object", response)


def _problem(document: dict[str, Any], version_1: bool) -> str | None:
    inner = document.get("metadata")
    if not isinstance(inner, dict):
        return "has no metadata object"
    if not isinstance(inner.get("md5"), str):
        return f"metadata.md5 is {_shown(inner, 'md5')}, not a string"
    length = inner.get("length")
    if not is_int(length) or length < 0:
        return f"metadata.length is {_shown(inner, 'length')}, not an integer >= 0"
    if version_1:
        if "trunc512" not in inner and "TRUNC512" not in inner:
            return "metadata lacks trunc512 (a string, or null when TRUNC512 is not supported)"
        value = trunc512_value(inner)
        if value is not None and not isinstance(value, str):
            return f"metadata.trunc512 is a JSON {json_type(value)}, not a string or null"
    else:
        if "ga4gh" not in inner:
            return "metadata lacks ga4gh (a string, or null when ga4gh is not supported)"
        if inner["ga4gh"] is not None and not isinstance(inner["ga4gh"], str):
            return f"metadata.ga4gh is a JSON {json_type(inner['ga4gh'])}, not a string or null"
    aliases = inner.get("aliases")
    if not isinstance(aliases, list):
        return f"metadata.aliases is {_shown(inner, 'aliases')}, not an array"
    for index, alias in enumerate(aliases):
        if not isinstance(alias, dict) or not isinstance(alias.get("alias"), str) \
                or not isinstance(alias.get("naming_authority"), str):
            return f"metadata.aliases[{index}] is {alias!r}, not an object with string alias and naming_authority"
    return None


def _shown(inner: dict[str, Any], key: str) -> str:
    return f"a JSON {json_type(inner[key])}" if key in inner else "absent"


@check("refget.metadata.fields-valid")
def test_metadata_fields_valid(refget: Refget) -> None:
    """{"metadata": {md5, length, aliases, and trunc512 (1.0.x) or ga4gh (2.0.0)}} with the types the
    text gives (refget 1.0.1 and 2.0.0 §Method: Get known metadata for an id › Response; the OpenAPI's
    required ``id`` is an erratum and not required)."""
    read = 0
    for ident in refget.sequence_ids():
        response = refget.metadata_response(ident)
        document = response.json_object() if response.status == 200 else None
        if document is None:
            continue
        read += 1
        problem = _problem(document, refget.v1)
        if problem:
            raise fail(f"the metadata of {ident} {problem}", response)
    if not read:
        pytest.skip("no metadata document could be read (see refget.metadata.known-id-answers-200)")


@check("refget.metadata.declared-algorithms-have-values")
def test_declared_algorithms_have_values(refget: Refget) -> None:
    """A SHA-512 identifier service-info declares is not null in the metadata ("if the server does not
    support TRUNC512 [ga4gh] the value will be null", refget 1.0.1 and 2.0.0 §Method: Get known metadata
    for an id)."""
    caps = refget.declared_capabilities()
    if caps.algorithms is None:
        pytest.skip("service-info gives no algorithms array (see refget.schema.service-info-capabilities-valid)")
    kind = "trunc512" if refget.v1 else "ga4gh"
    if kind not in caps.algorithms:
        pytest.skip(f"does not apply: service-info does not declare {kind}")
    for ident, inner, response in refget.documents():
        value = trunc512_value(inner) if refget.v1 else inner.get("ga4gh")
        if value is None:
            raise fail(f"service-info declares {kind}, but the metadata of {ident} gives it as "
                       f"{'null' if kind in inner or (refget.v1 and 'TRUNC512' in inner) else 'absent'}",
                       response)


@check("refget.metadata.unknown-id-is-404")
def test_unknown_id_metadata_is_404(refget: Refget) -> None:
    """GET /sequence/<unknown>/metadata answers 404 (refget 1.0.1 §Method: Get known metadata for an id ›
    Response: "a 404 status code shall be returned")."""
    response = refget.unknown_metadata()
    if response.status != 404:
        raise fail(f"GET {response.exchange.url} for an unknown id answered {answered(response)}, not 404",
                   response)
