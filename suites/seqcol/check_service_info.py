"""The seqcol block of service-info and the JSON Schema it publishes (Sequence Collections 1.0.0 §1,
§3.1, §3.6, §4.7, §5; decision record 2023-02-08, 2023-03-22, 2024-11-20). The shared service-info
suite checks the rest of the document."""

from __future__ import annotations

import pytest

from conformance import check, fail, json_type

from . import schema as seqcol_schema
from .digests import BASE_INHERENT
from .view import Seqcol

#: The recommended qualifiers of the ancillary attributes (§5.1 - §5.3 "Qualifiers (RECOMMENDED)"):
#: name → (transient: True / False / None for "either").
ANCILLARY = {"name_length_pairs": False, "sorted_name_length_pairs": True, "sorted_sequences": None}


@check("seqcol.service-info.schema-present")
def test_service_info_has_seqcol_schema(seqcol: Seqcol) -> None:
    """service-info carries a ``seqcol`` object whose ``schema`` is the JSON Schema the server
    implements ("schema: MUST return the JSON Schema implemented by the server", Sequence Collections
    1.0.0 §3.1)."""
    response = seqcol.service_info_response()
    body = response.json_object() if response.status == 200 else None
    if body is None:
        pytest.skip(f"GET /service-info answered {response.status} without a JSON object "
                    "(see service-info.endpoint.answers-200)")
    section = body.get("seqcol")
    if not isinstance(section, dict):
        what = "is missing" if "seqcol" not in body else f"is a JSON {json_type(section)}, not an object"
        raise fail(f"service-info's seqcol property {what}; it must carry the seqcol schema", response)
    if not isinstance(section.get("schema"), dict):
        what = "is missing" if "schema" not in section else f"is a JSON {json_type(section['schema'])}"
        raise fail(f"service-info's seqcol.schema {what}; it must be the JSON Schema the server implements",
                   response)


@check("seqcol.service-info.schema-is-json-schema")
def test_schema_is_a_valid_json_schema(seqcol: Seqcol) -> None:
    """The published schema is itself a valid JSON Schema, checked against the meta-schema its
    ``$schema`` names (2020-12 when it names none) ("The implementation MUST define its structure in a
    JSON Schema", Sequence Collections 1.0.0 §1)."""
    document, response = seqcol.schema()
    problem = seqcol_schema.meta_problem(document)
    if problem:
        raise fail(f"service-info's seqcol.schema is not a valid JSON Schema: {problem}", response)


@check("seqcol.service-info.schema-qualifiers")
def test_schema_declares_its_qualifiers(seqcol: Seqcol) -> None:
    """The schema defines ``ga4gh.inherent``, a non-empty array of attribute names; ``ga4gh.transient``
    and ``ga4gh.passthru``, when given, are arrays of names; a local ``collated`` is a boolean (Sequence
    Collections 1.0.0 §4.7; decision record 2023-03-22 "MUST define an inherent section", 2024-11-20)."""
    _, response = seqcol.schema()
    problems = seqcol.qualifiers().problems
    if problems:
        raise fail(f"the seqcol schema's qualifiers are malformed: {'; '.join(problems)}", response)


@check("seqcol.service-info.schema-inherent-is-base")
def test_inherent_attributes_are_the_base_ones(seqcol: Seqcol) -> None:
    """The inherent attributes are those of the base schema, names and sequences ("We RECOMMEND not
    changing the inherent attributes list"; "we RECOMMEND the extended schema add only non-inherent
    attributes", Sequence Collections 1.0.0 §1, §5)."""
    _, response = seqcol.schema()
    inherent = seqcol.inherent()
    if sorted(inherent) != sorted(BASE_INHERENT):
        raise fail(f"ga4gh.inherent is {inherent}, not the base schema's {list(BASE_INHERENT)}: top-level digests "
                   "will not match other implementations'", response)


@check("seqcol.service-info.schema-ancillary-qualifiers")
def test_ancillary_attributes_have_the_recommended_qualifiers(seqcol: Seqcol) -> None:
    """Where the schema defines the ancillary attributes, they carry the recommended qualifiers: none
    inherent or passthru, ``sorted_name_length_pairs`` transient, ``name_length_pairs`` not transient
    (Sequence Collections 1.0.0 §5.1 - §5.3, "Qualifiers (RECOMMENDED)")."""
    document, response = seqcol.schema()
    qualifiers = seqcol.qualifiers()
    inherent = set(qualifiers.inherent or ())
    defined = seqcol_schema.properties(document)
    problems = []
    for name, transient in ANCILLARY.items():
        if name not in defined:
            continue
        if name in inherent:
            problems.append(f"{name} is inherent")
        if name in qualifiers.passthru:
            problems.append(f"{name} is passthru")
        if transient is True and name not in qualifiers.transient:
            problems.append(f"{name} is not transient")
        if transient is False and name in qualifiers.transient:
            problems.append(f"{name} is transient")
    if problems:
        raise fail(f"the schema qualifies ancillary attributes against the recommendation: {'; '.join(problems)}",
                   response)


@check("seqcol.service-info.schema-attribute-names-ascii")
def test_attribute_names_are_ascii(seqcol: Seqcol) -> None:
    """Custom array (attribute) names are ASCII ("Custom array names SHOULD be ASCII characters",
    Sequence Collections 1.0.0 decision record 2023-02-08)."""
    document, response = seqcol.schema()
    others = [name for name in seqcol_schema.properties(document) if not name.isascii()]
    if others:
        raise fail(f"the schema defines attribute name(s) that are not ASCII: {', '.join(others)}", response)


@check("seqcol.openapi.available")
def test_openapi_description_is_served(seqcol: Seqcol) -> None:
    """GET /openapi.json answers an OpenAPI description of the endpoints ("a RECOMMENDED endpoint at
    /openapi.json SHOULD provide OpenAPI documentation", Sequence Collections 1.0.0 §3, §3.6)."""
    response = seqcol.client.get("/openapi.json")
    if response.status != 200:
        raise fail(f"GET /openapi.json answered {response.status}, not 200 with an OpenAPI description", response)
    body = response.json_object()
    if body is None or not ("openapi" in body or "swagger" in body):
        raise fail("GET /openapi.json did not answer an OpenAPI document (a JSON object with openapi or swagger)",
                   response)
