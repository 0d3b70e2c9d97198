"""Authorization: OPTIONS Authorizations (DRS 1.3.0+), protected objects, passports in the POST body
(DRS 1.2.0 - 1.5.0 §Authorization & Authentication; §Objects › OptionsObject, PostObject, PostAccessURL).

The passport comes from the profile (``auth.passport_env``); it travels in the JSON body, never in a
header, and never appears in a report (the redactor knows it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from conformance import Response, SpecStore, check, fail, schema_errors

from .check_objects import authorizations_problem
from .view import Drs, error_problem, header_lines, object_path

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
    return drs.memo(("options", object_id, credentials), lambda: client.options(object_path(object_id)))


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
    """A 200 answer to OPTIONS /objects/{object_id} carries a JSON Authorizations body (DRS 1.3.0 §Objects ›
    OptionsObject › 200). Another answer carries none and is not judged here: 204 and 405 say Authorizations
    are not supported, 400 and 500 are listed too, and a server that does not implement OPTIONS (a 501)
    breaks only the lowercase should of drs.auth.options-object-implemented ("Implementers should indicate
    how to authenticate ... by implementing the OptionsObject API"); no sentence makes it a MUST."""
    validator = drs.validator(schemas, "/components/schemas/Authorizations") if schemas.available else None
    others: list[str] = []
    judged = False
    for object_id in drs.option("objects")[:1] + drs.option("protected_objects")[:1]:
        response = _options(drs, object_id)
        if response.status != 200:
            others.append(f"OPTIONS {object_path(object_id)} answered {response.status}")
            continue
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
        judged = True
    if not others and not judged:
        pytest.skip("the profile lists no objects")
    if not judged:
        pytest.skip(f"does not apply: {'; '.join(others)}, not 200, so there are "
                    "no Authorizations to judge (whether OPTIONS is implemented is "
                    "drs.auth.options-object-implemented, a SHOULD)")


@check("drs.auth.options-needs-no-credentials")
def test_options_needs_no_credentials(drs: Drs) -> None:
    """OPTIONS works without credentials (its security is {} only; DRS 1.3.0 §Objects › OptionsObject)."""
    for object_id in _protected(drs):
        response = _options(drs, object_id, credentials=False)
        if response.status in (401, 403):
            raise fail(f"OPTIONS {object_path(object_id)} without credentials answered {response.status}; "
                       "OPTIONS needs none", response)


@check("drs.auth.options-does-not-reveal-object")
def test_options_does_not_reveal_protected_object(drs: Drs) -> None:
    """OPTIONS /objects/{object_id} of a protected object, which needs no credentials, "Returns a list of
    Authorizations" and never the object: no access_methods or checksums in its answer without
    credentials (DRS 1.3.0 §Objects › OptionsObject: security {}, 200 Authorizations;
    §Authorization & Authentication › PassportAuth: the object needs a passport POSTed). Judged for the
    protected objects that GET refuses without credentials (where the metadata is open, it is no secret)."""
    guarded = [o for o in _protected(drs) if _anonymous_get(drs, o).status in (401, 403)]
    if not guarded:
        pytest.skip("cannot decide: no protected object is refused by GET without credentials")
    for object_id in guarded:
        response = _options(drs, object_id, credentials=False)
        body = response.json_object() if response.status == 200 and response.content else None
        if not isinstance(body, dict):
            continue  # no Authorizations to look into (judged by drs.auth.options-response-valid)
        # the fields that make a DrsObject (an Authorizations never has them); a bare "url" could be an
        # extension of the Authorizations (a documentation link), so it is not taken as the object
        revealed = [key for key in ("access_methods", "checksums") if key in body]
        if revealed:
            raise fail(f"OPTIONS {object_path(object_id)} without credentials answers the protected object's "
                       f"{', '.join(revealed)}, not only its Authorizations", response)


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
    return drs.memo(("anonymous", object_id),
                    lambda: drs.client.without_credentials().get(object_path(object_id)))


def _anonymous_access(drs: Drs, object_id: str) -> list[tuple[str, Response]]:
    """(access_id, answer) of GET access without credentials for each access_id the anonymous GET of
    the object lists (when its metadata is open)."""
    def make() -> list[tuple[str, Response]]:
        answer = _anonymous_get(drs, object_id)
        document = answer.json() if answer.status == 200 else None
        found = []
        methods = document.get("access_methods") if isinstance(document, dict) else None
        for method in methods if isinstance(methods, list) else []:
            if isinstance(method, dict) and isinstance(method.get("access_id"), str):
                path = f"{object_path(object_id)}/access/{quote(method['access_id'], safe='')}"
                found.append((method["access_id"], drs.client.without_credentials().get(path)))
        return found

    return drs.memo(("anonymous-access", object_id), make)


def _refusals(drs: Drs, object_id: str) -> list[tuple[str, Response]]:
    """The answers without credentials that guard a protected object: GET of the object, or, where its
    metadata is open, GET of each of its AccessURLs (DRS lets the two be open or protected independently)."""
    response = _anonymous_get(drs, object_id)
    if response.status != 200:
        return [(f"GET of protected object {object_id!r}", response)]
    return [(f"GET access {access_id!r} of protected object {object_id!r}", answer)
            for access_id, answer in _anonymous_access(drs, object_id)]


def _granted_with_credentials(drs: Drs, object_id: str) -> bool:
    """The positive control of a refusal without credentials: the same object is served with the
    profile's credentials (its bearer or basic credentials on GET, else its passport on POST). A refusal
    of an object nobody is granted proves nothing (issue 21)."""
    if drs.client.credentials is not None:
        answer = drs.memo(("credentialed", object_id), lambda: drs.client.get(object_path(object_id)))
        if answer.status == 200:
            return True
    if drs.service.auth.secret("passport_env"):
        return drs.post_object_response(object_id).status == 200
    return False


@check("drs.auth.protected-object-requires-credentials")
def test_protected_object_refused_without_passport(drs: Drs) -> None:
    """A protected object is not served without credentials: GET of the object, or (metadata open) GET of
    its AccessURLs, answers 401 or 403 with an Error body, or (both open) the bytes the AccessURL names answer
    401 or 403 ("Implementers have a choice to make the GET /objects/{object_id} and GET
    /objects/{object_id}/access/{access_id} calls open or requiring a ... token"; "private content that requires
    the caller to have out-of-band auth knowledge", DRS 1.2.0 §Authorization & Authentication › Fetching DRS
    Objects). Judged only for objects the
    profile's credentials are granted: the refusal of an object nobody gets proves nothing."""
    undecided: list[str] = []
    undecided_bytes: list[str] = []
    objects = [o for o in _protected(drs) if _granted_with_credentials(drs, o)]
    if not objects:
        pytest.skip("cannot decide: no protected object is served with the profile's credentials (a bearer "
                    "token, or a passport under auth.passport_env), so a refusal without them proves nothing")
    for object_id in objects:
        refusals = _refusals(drs, object_id)
        if not refusals:
            undecided.append(object_id)
            continue
        for what, response in refusals:
            if response.status == 200 and response is not _anonymous_get(drs, object_id):
                held = _bytes_refused(drs, response)
                if held is None:
                    undecided_bytes.append(f"{what}: its AccessURL is not one the harness fetches")
                    continue
                if held.status in (401, 403):
                    continue  # the bytes need credentials got out of band: the object is protected
                raise fail(f"its metadata is open and {what} without credentials answered 200, and the bytes at its "
                           f"AccessURL answered {held.status} without credentials, not 401 or 403", held)
            if response.status not in (401, 403):
                leak = "" if response is _anonymous_get(drs, object_id) else "its metadata is open and "
                raise fail(f"{leak}{what} without credentials answered {response.status}, not 401 or 403", response)
            problem = error_problem(response)
            if problem:
                raise fail(f"the refusal of {what} is not a DRS Error: {problem}", response)
    if undecided:
        pytest.skip(f"the metadata of {', '.join(map(repr, undecided))} is open and lists no access_id: whether "
                    "the bytes need credentials cannot be told from the DRS API")
    if undecided_bytes:
        pytest.skip(f"cannot decide: {'; '.join(undecided_bytes)}")


def _bytes_refused(drs: Drs, access: Response) -> Response | None:
    """The answer to a one-byte GET, without credentials, of the bytes an AccessURL answered without credentials
    names, with the headers it lists (any caller has them): "private content that requires the caller to have
    out-of-band auth knowledge" is protected there (DRS 1.2.0 §Authorization & Authentication › Fetching DRS
    Objects). None where the answer is no AccessURL the harness fetches (no http(s) url)."""
    document = access.json_object()
    url = document.get("url") if document is not None else None
    if not isinstance(url, str) or urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    headers = {**header_lines(document.get("headers") if document is not None else None), "Range": "bytes=0-0"}
    return drs.memo(("anonymous-bytes", url),
                    lambda: drs.client.without_credentials().get(url, headers=headers, max_bytes=1024))


@check("drs.auth.missing-credentials-is-401")
def test_missing_credentials_is_401(drs: Drs) -> None:
    """No credentials at all is answered 401 (DRS 1.2.0 §Objects › 401 "The request is unauthorized")."""
    refused = False
    for object_id in _protected(drs):
        for what, response in _refusals(drs, object_id):
            refused = refused or response.status in (401, 403, 404)
            if response.status in (401, 403, 404) and response.status != 401:
                raise fail(f"{what} without credentials answered {response.status}, not 401", response)
    if not refused:
        pytest.skip("no request for a protected object without credentials was refused (see "
                    "drs.auth.protected-object-requires-credentials)")


@check("drs.auth.401-has-www-authenticate")
def test_401_has_www_authenticate(drs: Drs) -> None:
    """A 401 should carry WWW-Authenticate (RFC 9110 §15.5.2 makes it a MUST for HTTP; DRS does not
    mention it, so a DRS server is judged at SHOULD)."""
    seen = False
    for object_id in _protected(drs):
        for what, response in _refusals(drs, object_id):
            if response.status == 401:
                seen = True
                if not response.headers.get("WWW-Authenticate"):
                    raise fail(f"the 401 for {what} has no WWW-Authenticate header", response)
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
    """The passport with one character in the middle of its signature (the part after the last '.')
    replaced by another of the same kind: never the last character, whose low bits may be base64
    padding that decodes to the same signature."""
    head, dot, signature = passport.rpartition(".")
    if not signature:
        head, dot, signature = "", "", passport
    middle = len(signature) // 2
    char = signature[middle]
    if char.isdigit():
        other = "1" if char != "1" else "2"
    elif char.islower():
        other = "a" if char != "a" else "b"
    else:
        other = "A" if char != "A" else "B"
    return f"{head}{dot}{signature[:middle]}{other}{signature[middle + 1:]}"


@check("drs.passport.invalid-passport-rejected")
def test_invalid_passport_refused(drs: Drs) -> None:
    """A passport changed in one character (its signature broken) is refused with 401 or 403 and an
    Error, never 200 (DRS 1.2.0 §Authorization & Authentication › Making DRS Requests). Judged only for
    objects the untouched passport is granted (POST answers 200): else the refusal proves nothing."""
    tampered = _mutated(drs.passport())
    drs.client.redactor.add(tampered)  # a near-copy of the real passport is as secret as the passport
    objects = [o for o in _protected(drs) if drs.post_object_response(o).status == 200]
    if not objects:
        pytest.skip("cannot decide: the profile's passport is granted no protected object (see "
                    "drs.passport.post-object-accepts-passports), so a refusal of its tampered copy proves nothing")
    for object_id in objects:
        response = drs.client.post(object_path(object_id), json={"passports": [tampered]})
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


# -- the access-control surface: bulk routes to a protected object ------------------------------------------


def _guarded_objects(drs: Drs) -> list[str]:
    """Protected objects whose single GET without credentials is refused (401/403) while the profile's
    passport is granted it (POST answers 200): the server itself shows the object needs a grant, so a
    bulk route that serves it without one defeats that protection."""
    objects = [o for o in _protected(drs)
               if _anonymous_get(drs, o).status in (401, 403) and drs.post_object_response(o).status == 200]
    if not objects:
        pytest.skip("cannot decide: no protected object is both refused by GET without credentials and granted "
                    "to the profile's passport (see drs.auth.protected-object-requires-credentials)")
    return objects


@check("drs.auth.bulk-object-refuses-without-grant")
def test_bulk_object_refuses_without_grant(drs: Drs) -> None:
    """POST /objects (GetBulkObjects) without a passport does not resolve a protected object that GET
    /objects/{id} refuses without credentials (DRS 1.4.0 §Authorization & Authentication; §Objects ›
    GetBulkObjects: passports in the body authorize the request, 401/403 among its answers). Judged only
    for objects the passport is granted by POST /objects/{id}."""
    anonymous = drs.client.without_credentials()
    for object_id in _guarded_objects(drs):
        response = anonymous.post("/objects", json={"bulk_object_ids": [object_id]})
        if response.status != 200:
            continue  # a refusal (or an error, judged by the bulk checks) reveals nothing
        body = response.json_object() or {}
        resolved = body.get("resolved_drs_object")
        ids = [d.get("id") for d in resolved if isinstance(d, dict)] if isinstance(resolved, list) else []
        if object_id in ids:
            raise fail(f"POST /objects without a passport resolved the protected object {object_id!r}, which GET "
                       f"refuses without credentials ({_anonymous_get(drs, object_id).status})", response)


def _access_ids(drs: Drs, object_id: str) -> list[str]:
    document = drs.post_object_response(object_id).json_object() or {}
    methods = document.get("access_methods")
    return [m["access_id"] for m in methods if isinstance(m, dict) and isinstance(m.get("access_id"), str)] \
        if isinstance(methods, list) else []


@check("drs.auth.bulk-access-refuses-without-grant")
def test_bulk_access_refuses_without_grant(drs: Drs) -> None:
    """POST /objects/access (GetBulkAccessURL) without a passport returns no URL for an access_id of a
    protected object that GET /objects/{id} refuses without credentials (DRS 1.4.0 §Authorization &
    Authentication; §Objects › GetBulkAccessURL: passports in the body authorize the request). Judged only
    for objects the passport is granted by POST /objects/{id}, and only when the same bulk request with
    the passport returns that URL (the positive control)."""
    anonymous = drs.client.without_credentials()
    decided = False
    for object_id in _guarded_objects(drs):
        for access_id in _access_ids(drs, object_id):
            pair = {"bulk_object_id": object_id, "bulk_access_ids": [access_id]}
            control = drs.register_secrets(drs.client.post(
                "/objects/access", json={"bulk_object_access_ids": [pair], "passports": [drs.passport()]}))
            if not _bulk_urls_for(control, object_id):
                continue
            decided = True
            response = drs.register_secrets(anonymous.post("/objects/access", json={"bulk_object_access_ids": [pair]}))
            if response.status == 200 and _bulk_urls_for(response, object_id):
                raise fail(f"POST /objects/access without a passport returned an AccessURL for {access_id!r} of the "
                           f"protected object {object_id!r}", response)
    if not decided:
        pytest.skip("cannot decide: POST /objects/access with the passport returned no AccessURL for a protected "
                    "object (see drs.bulk.passports-accepted-in-body), so a refusal without it proves nothing")


def _bulk_urls_for(response: Response, object_id: str) -> bool:
    """Whether a bulk access answer carries a URL for ``object_id`` (a URL without drs_object_id counts:
    the request named only this object)."""
    if response.status != 200:
        return False
    entries = (response.json_object() or {}).get("resolved_drs_object_access_urls")
    return isinstance(entries, list) and any(
        isinstance(e, dict) and isinstance(e.get("url"), str) and e.get("drs_object_id", object_id) == object_id
        for e in entries)


@check("drs.auth.bundle-does-not-reveal-protected-object")
def test_bundle_does_not_reveal_protected_object(drs: Drs) -> None:
    """A bundle read without credentials, with or without expand=true, does not reveal a protected member:
    its ContentsObject (name, id, drs_uri, contents) carries no access_methods or checksums of an object
    that GET /objects/{id} refuses without credentials (DRS 1.2.0 §Models › ContentsObject; §Objects ›
    GetObject, expand: "the ContentsObject array contains ... objects"; §Authorization & Authentication).
    Judged on the bundles the profile lists that contain such an object."""
    guarded = {o for o in _protected(drs) if _anonymous_get(drs, o).status in (401, 403)}
    if not guarded:
        pytest.skip("cannot decide: no protected object is refused by GET without credentials")
    anonymous = drs.client.without_credentials()
    seen = False
    unnamed: set[str] = set()  # bundles with members that name no id: which is the protected one cannot be told
    for bundle_id in drs.option("bundles"):
        for params in (None, {"expand": "true"}):
            response = anonymous.get(object_path(bundle_id), params=params)
            body = response.json_object() if response.status == 200 else None
            if body is None:
                continue
            for where, entry in _contents(body.get("contents")):
                if not isinstance(entry.get("id"), str):
                    unnamed.add(bundle_id)
                if entry.get("id") not in guarded:
                    continue
                seen = True
                revealed = [key for key in ("access_methods", "checksums") if key in entry]
                if revealed:
                    query = "?expand=true" if params else ""
                    raise fail(f"GET {object_path(bundle_id)}{query} without credentials gives the "
                               f"{', '.join(revealed)} of the protected object {entry['id']!r} at {where}, which GET "
                               "of the object refuses", response)
    if not seen and unnamed:
        pytest.skip(f"cannot decide: members of {', '.join(map(repr, sorted(unnamed)))} name no id, so whether one "
                    "is a protected object cannot be told (read without credentials)")
    if not seen:
        pytest.skip("no bundle the profile lists holds a protected object (read without credentials)")


def _contents(contents: object, path: str = "contents") -> list[tuple[str, dict[str, Any]]]:
    """(where, entry) of every ContentsObject of a bundle, depth first."""
    found: list[tuple[str, dict[str, Any]]] = []
    for index, entry in enumerate(contents if isinstance(contents, list) else []):
        if isinstance(entry, dict):
            found.append((f"{path}[{index}]", entry))
            found.extend(_contents(entry.get("contents"), f"{path}[{index}].contents"))
    return found
