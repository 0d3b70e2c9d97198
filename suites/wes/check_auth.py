"""Auth: where the profile's token is granted GET /runs, the request without credentials is refused (SHOULD) and,
where it is, the request with a forged token too (WES 1.0.0 §Authorization & Authentication: "Users must supply
credentials that establish their identity and authorization in order to use a WES endpoint"; WES 1.1.0 OpenAPI
idem)."""

from __future__ import annotations

import secrets

import pytest

from conformance import check, fail

from .view import Wes, answered

REFUSED = (401, 403)


def _granted(wes: Wes) -> None:
    if wes.client.credentials is None:
        pytest.skip("cannot decide: the profile gives no credentials to show GET /runs is granted with them")
    control = wes.first_page()
    if control.status in REFUSED:  # wes.runs.list-answers-200 skips for this too: nothing to point at
        pytest.skip(f"cannot decide: GET /runs answered {answered(control)}, the service refused the profile's "
                    "credentials, so a refusal without them proves nothing")
    if control.status != 200:
        pytest.skip(f"cannot decide: GET /runs with the profile's credentials answered {answered(control)} "
                    "(see wes.runs.list-answers-200), so a refusal without them proves nothing")


@check("wes.auth.refuses-missing-token")
def test_runs_refused_without_credentials(wes: Wes) -> None:
    """GET /runs without credentials is refused with 401 or 403 where the profile's are granted (WES 1.0.0
    §Authorization & Authentication: "Users must supply credentials"; SHOULD, as the authorization policy is the
    implementer's)."""
    _granted(wes)
    response = wes.client.without_credentials().get("/runs")
    if response.status not in REFUSED:
        raise fail(f"GET /runs without credentials answered {answered(response)}, not 401 or 403", response)


@check("wes.auth.refuses-forged-token")
def test_runs_refused_with_forged_token(wes: Wes) -> None:
    """Where GET /runs is refused without credentials, it is refused with a bearer token the harness made up
    too, 401 or 403 (WES 1.0.0 §Authorization & Authentication: credentials "establish their identity")."""
    _granted(wes)
    anonymous = wes.client.without_credentials()
    if anonymous.get("/runs").status not in REFUSED:
        pytest.skip("does not apply: GET /runs is answered without credentials (see wes.auth.refuses-missing-token), "
                    "so a forged token's answer says nothing of how credentials are checked")
    forged = "conformance-forged-" + secrets.token_urlsafe(24)
    response = anonymous.get("/runs", headers={"Authorization": f"Bearer {forged}"})
    if response.status not in REFUSED:
        raise fail(f"GET /runs is refused without credentials but answered {answered(response)} with a forged "
                   "bearer token", response)
