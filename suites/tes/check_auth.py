"""Authentication, where the profile gives a credential: a service that refuses GET /tasks without one
must not accept a forged bearer token (TES 1.0.0 and 1.1.0 description §Authentication and
Authorization). TES leaves whether to authenticate to the implementer, so an open service is not
judged."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .view import Tes

FORGED = "Bearer ga4gh-conformance-forged-token"


@check("tes.auth.forged-token-refused")
def test_forged_token_is_refused(tes: Tes) -> None:
    """When GET /tasks is answered with the profile's credential and refused without one, it is refused
    with a forged bearer token too ("Checking that a user is authorized to submit TES requests is a
    responsibility of TES implementations", TES 1.0.0 and 1.1.0 §Authentication and Authorization)."""
    if tes.client.credentials is None:
        pytest.skip("does not apply: the profile gives no credential for this service")
    params = {"view": "MINIMAL", "page_size": "1"}
    control = tes.client.get("/tasks", params=params)
    if control.status != 200:
        pytest.skip(f"cannot decide: GET /tasks with the profile's credential answered {control.status}")
    anonymous = tes.client.without_credentials()
    response = anonymous.get("/tasks", params=params)
    if response.status == 200:
        pytest.skip("does not apply: the service answers GET /tasks without authentication, which TES leaves "
                    "to the implementer")
    forged = anonymous.get("/tasks", params=params, headers={"Authorization": FORGED})
    if forged.status == 200:
        raise fail(f"GET /tasks is refused without a credential ({response.status}) but answered 200 with a forged "
                   "bearer token", forged)
