"""refget service-info: the 1.0.x document (``{"service": {...}}``) and the 2.0.0 ``refget`` object of
GA4GH service-info; their values (circular_supported, subsequence_limit, algorithms, identifier_types)
drive the other checks (refget 1.0.1 and 2.0.0 §Method: Fetch information on the service)."""

from __future__ import annotations

import pytest

from conformance import SpecStore, check, fail, json_type, schema_errors

from .view import Refget, answered

SCHEMA_1 = ("refget/sequences-1.0.1/pub/refget-openapi.yaml", "/components/schemas/ServiceInfo")
SCHEMA_2 = ("refget/sequences-2.0.0/pub/refget-openapi.yaml",
            "/components/schemas/RefgetServiceInfo/allOf/1/properties/refget")


@check("refget.service-info.answers-200")
def test_service_info_answers_200_with_json(refget: Refget) -> None:
    """GET /sequence/service-info answers 200 with a JSON object (refget 1.0.1 §Method: Fetch information
    on the service)."""
    response = refget.service_info_response()
    if response.status != 200:
        raise fail(f"GET /sequence/service-info answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, dict):
        raise fail(f"GET /sequence/service-info answered a JSON {json_type(body)}, not an object", response)


@check("refget.service-info.capabilities-object-present")
def test_capabilities_are_in_their_object(refget: Refget) -> None:
    """The capabilities sit in ``service`` (1.0.x) or ``refget`` (2.0.0) (refget 1.0.1 and 2.0.0 §Method:
    Fetch information on the service › Response; the 1.0.1 OpenAPI's flat ServiceInfo is an erratum)."""
    document, response = refget.service_info()
    name = refget.container_name()
    if not isinstance(document.get(name), dict):
        found = f"a JSON {json_type(document[name])}" if name in document else "absent"
        raise fail(f"service-info's {name} object, which holds the refget capabilities, is {found}", response)


@check("refget.schema.service-info-capabilities-valid")
def test_capabilities_match_official_schema(refget: Refget, schemas: SpecStore) -> None:
    """The capabilities object validates against the official schema (refget 1.0.1 OpenAPI ServiceInfo;
    refget 2.0.0 OpenAPI RefgetServiceInfo › refget)."""
    relative, pointer = SCHEMA_1 if refget.v1 else SCHEMA_2
    validator = schemas.validator(relative, pointer, openapi="3.0")
    caps = refget.declared_capabilities()
    if caps.container is None or caps.response is None:
        pytest.skip(f"service-info has no {refget.container_name()} object "
                    "(see refget.service-info.capabilities-object-present)")
    errors = schema_errors(validator, caps.container)
    if errors:
        raise fail(f"service-info's {refget.container_name()} object does not match the refget {refget.version} "
                   f"schema: {'; '.join(errors)}", caps.response)


@check("refget.service-info.algorithms-include-md5")
def test_algorithms_include_md5(refget: Refget) -> None:
    """algorithms lists md5: "Refget implementations MUST support the MD5 identifier space" (refget
    1.0.1 and 2.0.0 §Alternative Checksum Algorithms)."""
    caps = refget.declared_capabilities()
    if caps.algorithms is None or caps.response is None:
        pytest.skip("service-info gives no algorithms array (see refget.schema.service-info-capabilities-valid)")
    if "md5" not in caps.algorithms:
        raise fail(f"service-info's algorithms {caps.algorithms} lack md5, which every refget server must "
                   "support", caps.response)


@check("refget.service-info.sha512-algorithm-supported")
def test_sha512_algorithm_supported(refget: Refget) -> None:
    """A 1.0.1 server SHOULD support TRUNC512, a 2.0.0 server the ga4gh identifier (refget 1.0.1 and
    2.0.0 §Alternative Checksum Algorithms)."""
    caps = refget.declared_capabilities()
    if caps.algorithms is None or caps.response is None:
        pytest.skip("service-info gives no algorithms array (see refget.schema.service-info-capabilities-valid)")
    wanted = "trunc512" if refget.v1 else "ga4gh"
    if wanted not in caps.algorithms:
        raise fail(f"service-info's algorithms {caps.algorithms} lack {wanted}, which a refget {refget.version} "
                   "server should support", caps.response)
