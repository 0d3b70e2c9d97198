"""Authorization: OPTIONS Authorizations (DRS 1.3.0+), protected objects, passports in the POST body
(DRS 1.2.0 - 1.5.0 §Authorization & Authentication; §Objects › OptionsObject, PostObject, PostAccessURL).

The passport comes from the profile (``auth.passport_env``); it travels in the JSON body, never in a
header, and never appears in a report (the redactor knows it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from conformance_suites.drs._drs import Drs, error_problem, fail, object_path
from conformance_suites.drs.check_objects import authorizations_problem

from conformance.checks import check
from conformance.client import Response
from conformance.specs import SpecStore, schema_errors

NO_SUCH_OBJECT = "ga4gh-conformance-no-such-object-7f3a"


def _first_object(drs: Drs) -> str:
    ids: list[str] = drs.option("objects") + drs.option("protected_objects")
    if not ids:
        pytest.skip("the profile lists no objects")
    return ids[0]


def _protected(drs: Drs) -> list[str]:
    ids: list[str] = drs.option("protected_objects")
    if not ids:
        pytest.skip("the profile lists no protected_objects")
    return ids


def _options(drs: Drs, object_id: str, credentials: bool = True) -> Response:
    client = drs.client if credentials else drs.client.without_credentials()
    key = ("options", object_id, credentials)
    if key not in drs._cache:
        drs._cache[key] = client.options(object_path(object_id))
    return drs._cache[key]  # type: ignore[no-any-return]


@check("drs.auth.options-object-implemented")
def test_options_object_implemented(drs: Drs) -> None:
    """OPTIONS /objects/{object_id} is implemented and answers 200 with Authorizations ("Implementers
    should indicate how to authenticate ... by implementing the OptionsObject API", DRS 1.3.0
    §Authorization & Authentication › Discovery)."""
    object_id = _first_object(drs)
    response = _options(drs, object_id)
    if response.status != 200:
        raise fail(f"OPTIONS {object_path(object_id)} answered {response.status}: the server does not say how to "
                   "authorize requests for its objects", response)


@check("drs.auth.options-response-valid")
def test_options_answers_authorizations(drs: Drs, schemas: SpecStore) -> None:
    """OPTIONS /objects/{object_id} answers 200 with a JSON Authorizations body, or 204/405 for "not
    supported" (DRS 1.3.0 §Objects › OptionsObject)."""
    validator = drs.validator(schemas, "/components/schemas/Authorizations") if schemas.available else None
    for object_id in drs.option("objects")[:1] + drs.option("protected_objects")[:1]:
        response = _options(drs, object_id)
        if response.status in (204, 405):
            continue
        if response.status != 200:
            raise fail(f"OPTIONS {object_path(object_id)} answered {response.status}, none of 200, 204, 405",
                       response)
        if not response.content:
            raise fail(f"OPTIONS {object_path(object_id)} answered 200 with an empty body, not Authorizations "
                       "(a CORS pre-flight answer?)", response)
        body = response.json()
        problem = authorizations_problem(body)
        if problem is None and validator is not None:
            errors = schema_errors(validator, body)
            problem = "; ".join(errors) if errors else None
        if problem:
            raise fail(f"OPTIONS {object_path(object_id)}: the Authorizations {problem}", response)


@check("drs.auth.options-needs-no-credentials")
def test_options_needs_no_credentials(drs: Drs) -> None:
    """OPTIONS works without credentials (its security is {} only; DRS 1.3.0 §Objects › OptionsObject)."""
    for object_id in _protected(drs):
        response = _options(drs, object_id, credentials=False)
        if response.status in (401, 403):
            raise fail(f"OPTIONS {object_path(object_id)} without credentials answered {response.status}; "
                       "OPTIONS needs none", response)


@check("drs.auth.options-unknown-id-is-404")
def test_options_unknown_id_is_404(drs: Drs) -> None:
    """On a server that answers OPTIONS for known ids, OPTIONS for an unknown id answers 404 (DRS 1.3.0
    §Objects › OptionsObject › 404)."""
    if _options(drs, _first_object(drs)).status != 200:
        pytest.skip("OPTIONS is not supported for known ids (see drs.auth.options-object-implemented)")
    response = drs.client.options(object_path(NO_SUCH_OBJECT))
    if response.status != 404:
        raise fail(f"OPTIONS of an unknown id answered {response.status}, not 404", response)


def _authorizations(drs: Drs) -> list[tuple[str, Any, Response]]:
    found: list[tuple[str, Any, Response]] = []
    for object_id in drs.option("objects")[:1] + drs.option("protected_objects"):
        response = _options(drs, object_id)
        if response.status == 200 and response.content:
            found.append((f"OPTIONS {object_id}", response.json(), response))
    for object_id, document, response in drs.documents():
        for index, method in enumerate(document.get("access_methods") or []):
            if isinstance(method, dict) and "authorizations" in method:
                found.append((f"{object_id} access_methods[{index}]", method["authorizations"], response))
    return found


@check("drs.auth.passport-issuers-listed-for-passport-auth")
def test_passport_auth_lists_issuers(drs: Drs) -> None:
    """Where Authorizations lists PassportAuth, passport_auth_issuers is a non-empty list ("If
    authorizations contain PassportAuth this is a required list of visa issuers", DRS 1.3.0 §Models ›
    Authorizations)."""
    found = _authorizations(drs)
    if not found:
        pytest.skip("no Authorizations to look at")
    for where, value, response in found:
        if isinstance(value, dict) and "PassportAuth" in (value.get("supported_types") or []):
            issuers = value.get("passport_auth_issuers")
            if not isinstance(issuers, list) or not issuers:
                raise fail(f"{where}: PassportAuth is supported but passport_auth_issuers is {issuers!r}", response)


def _anonymous_get(drs: Drs, object_id: str) -> Response:
    key = ("anonymous", object_id)
    if key not in drs._cache:
        drs._cache[key] = drs.client.without_credentials().get(object_path(object_id))
    return drs._cache[key]  # type: ignore[no-any-return]


@check("drs.auth.protected-object-requires-credentials")
def test_protected_object_refused_without_passport(drs: Drs) -> None:
    """A protected object is not served without credentials: 401 or 403 with an Error body (DRS 1.2.0
    §Authorization & Authentication › Making DRS Requests)."""
    for object_id in _protected(drs):
        response = _anonymous_get(drs, object_id)
        if response.status not in (401, 403):
            raise fail(f"GET of protected object {object_id!r} without credentials answered {response.status}, "
                       "not 401 or 403", response)
        problem = error_problem(response)
        if problem:
            raise fail(f"the refusal of protected object {object_id!r} is not a DRS Error: {problem}", response)


@check("drs.auth.missing-credentials-is-401")
def test_missing_credentials_is_401(drs: Drs) -> None:
    """No credentials at all is answered 401 (DRS 1.2.0 §Objects › 401 "The request is unauthorized")."""
    for object_id in _protected(drs):
        response = _anonymous_get(drs, object_id)
        if response.status in (401, 403, 404) and response.status != 401:
            raise fail(f"GET of protected object {object_id!r} without credentials answered {response.status}, "
                       "not 401", response)


@check("drs.auth.401-has-www-authenticate")
def test_401_has_www_authenticate(drs: Drs) -> None:
    """A 401 carries WWW-Authenticate ("The server generating a 401 response MUST send a
    WWW-Authenticate header field", RFC 9110 §15.5.2)."""
    seen = False
    for object_id in _protected(drs):
        response = _anonymous_get(drs, object_id)
        if response.status == 401:
            seen = True
            if not response.headers.get("WWW-Authenticate"):
                raise fail(f"the 401 for protected object {object_id!r} has no WWW-Authenticate header", response)
    if not seen:
        pytest.skip("no request answered 401")


@check("drs.passport.post-object-accepts-passports")
def test_post_object_with_passport_granted(drs: Drs) -> None:
    """POST /objects/{object_id} with {"passports": [...]} answers 200 for a passport that grants access
    (DRS 1.2.0 §Objects › PostObject)."""
    for object_id in _protected(drs):
        response = drs.post_object_response(object_id)
        if response.status != 200:
            raise fail(f"POST {object_path(object_id)} with the profile's passport answered {response.status}, "
                       "not 200", response)


@check("drs.passport.post-object-returns-drs-object")
def test_post_object_returns_drs_object(drs: Drs, schemas: SpecStore) -> None:
    """A 200 from POST /objects/{object_id} carries a DrsObject (DRS 1.3.0 §Objects › PostObject › 200;
    1.2.0's schema said AccessURL by mistake)."""
    validator = drs.validator(schemas, "/components/schemas/DrsObject") if schemas.available else None
    for object_id in _protected(drs):
        response = drs.post_object_response(object_id)
        if response.status != 200:
            pytest.skip(f"POST {object_path(object_id)} answered {response.status} "
                        "(see drs.passport.post-object-accepts-passports)")
        body = response.json()
        if not isinstance(body, dict) or "checksums" not in body or "id" not in body:
            raise fail(f"POST {object_path(object_id)} answered 200 without a DrsObject", response)
        errors = schema_errors(validator, body) if validator is not None else []
        if errors:
            raise fail(f"POST {object_path(object_id)} answered a body that is not a DrsObject: {'; '.join(errors)}",
                       response)


@check("drs.passport.post-access-accepts-passports")
def test_post_access_with_passport_granted(drs: Drs) -> None:
    """POST /objects/{object_id}/access/{access_id} with {"passports": [...]} answers 200 with an
    AccessURL (DRS 1.2.0 §Objects › PostAccessURL)."""
    checked = False
    for object_id in _protected(drs):
        answer = drs.post_object_response(object_id)
        document = answer.json() if answer.status == 200 else None
        if not isinstance(document, dict):
            continue
        for method in document.get("access_methods") or []:
            if isinstance(method, dict) and isinstance(method.get("access_id"), str):
                checked = True
                path = f"{object_path(object_id)}/access/{quote(method['access_id'], safe='')}"
                response = drs.client.post(path, json={"passports": [drs.passport()]})
                body = response.json() if response.status == 200 else None
                if not isinstance(body, dict) or not isinstance(body.get("url"), str):
                    raise fail(f"POST access {method['access_id']!r} of {object_id!r} with the passport answered "
                               f"{response.status} without an AccessURL", response)
    if not checked:
        pytest.skip("no protected object readable with the passport lists an access_id")


def _mutated(passport: str) -> str:
    last = passport[-1]
    return passport[:-1] + ("A" if last != "A" else "B")


@check("drs.passport.invalid-passport-rejected")
def test_invalid_passport_refused(drs: Drs) -> None:
    """A passport changed in one character (its signature broken) is refused with 401 or 403 and an
    Error, never 200 (DRS 1.2.0 §Authorization & Authentication › Making DRS Requests)."""
    for object_id in _protected(drs):
        response = drs.client.post(object_path(object_id), json={"passports": [_mutated(drs.passport())]})
        if response.status not in (401, 403):
            raise fail(f"POST {object_path(object_id)} with a tampered passport answered {response.status}, "
                       "not 401 or 403", response)


@check("drs.passport.post-unknown-id-is-404")
def test_post_unknown_id_is_404(drs: Drs) -> None:
    """POST /objects/{object_id} with a passports body for an unknown id answers 404 (DRS 1.2.0 §Objects ›
    PostObject › 404)."""
    response = drs.client.post(object_path(NO_SUCH_OBJECT), json={"passports": [drs.passport()]})
    if response.status != 404:
        raise fail(f"POST of an unknown id with a passport answered {response.status}, not 404", response)
