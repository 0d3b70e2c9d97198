"""The TES fields of service-info (TES 1.0.0 and 1.1.0 GetServiceInfo, tesServiceInfo). The shared
service-info suite checks the GA4GH service-info fields and the artifact ``tes``."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .view import Tes


def _string_array_problem(body: dict[str, object], key: str) -> str | None:
    if key not in body:  # optional (a proto3 server leaves an empty list out): nothing to judge
        pytest.skip(f"does not apply: service-info gives no {key}, which tesServiceInfo does not require")
    value = body[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"{key} is {value!r}, not an array of strings"
    return None


@check("tes.service-info.storage")
def test_storage_is_an_array_of_strings(tes: Tes) -> None:
    """``storage``, when given, lists storage locations as an array of strings (TES 1.0.0 and 1.1.0
    tesServiceInfo.storage)."""
    body, response = tes.service_info()
    problem = _string_array_problem(body, "storage")
    if problem:
        raise fail(f"service-info's {problem}", response)


@check("tes.service-info.backend-parameters")
def test_backend_parameters_are_an_array_of_strings(tes: Tes) -> None:
    """``tesResources_backend_parameters``, when given, lists the supported backend parameter keys as an
    array of strings (TES 1.1.0 tesServiceInfo.tesResources_backend_parameters)."""
    body, response = tes.service_info()
    problem = _string_array_problem(body, "tesResources_backend_parameters")
    if problem:
        raise fail(f"service-info's {problem}", response)
