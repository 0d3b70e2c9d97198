"""Errors: unknown ids, the Error body, malformed requests (DRS 1.2.0 - 1.5.0 §Models › Error,
§Objects › 400/404). Unknown ids are generated (long, unicode, percent-escaped, path-like)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import Response, SpecStore, check, fail, schema_errors

from .view import Drs, error_body_cause, error_problem, object_path

PREFIX = "ga4gh-conformance-unknown-"
#: Every character UTF-8 encodes, as ``st.text()``'s default alphabet, named by category: hypothesis works the
#: default out by encoding each code point once per machine (about 1.3 s of CPU, in every fresh CI job).
UNICODE = st.characters(exclude_categories=["Cs"])
unknown_ids = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._~-", min_size=1, max_size=24),
    st.text(UNICODE, min_size=1, max_size=12).filter(lambda s: s.strip() != "" and "\x00" not in s),
    st.text(alphabet="abcdef0123456789", min_size=80, max_size=300),
    st.lists(st.sampled_from(["..", "a", "%2F", "%252F", "~", "drs:", "x y"]), min_size=2, max_size=6).map("/".join),
    st.builds(lambda s: "%" + s, st.text(alphabet="0123456789ABCDEFG", min_size=2, max_size=4)),
)


#: The check that judges the media type of the API's JSON answers.
CONTENT_TYPE = "drs.http.json-content-type"
#: The characters of a DRS id (DRS 1.2.0 §DRS API Principles › DRS IDs: "[A-Za-z0-9.-_~]").
DRS_ID = re.compile(r"[A-Za-z0-9._~-]+")


@check("drs.object.unknown-id-is-404")
@given(suffix=unknown_ids)
def test_unknown_ids_are_404_with_error(drs: Drs, suffix: str) -> None:
    """GET /objects/{object_id} for an id the server does not hold answers 404 with an Error body, never
    5xx or 200 (DRS 1.2.0 §Objects › GetObject › 404); the ids are generated: long, unicode,
    percent-escaped, path-like. An id with characters outside the DRS id grammar (§DRS API Principles ›
    DRS IDs: "[A-Za-z0-9.-_~]") is a malformed request, which GetObject may refuse with 400 instead."""
    object_id = PREFIX + suffix
    response = drs.client.get(object_path(object_id))
    malformed = DRS_ID.fullmatch(object_id) is None
    if response.status != 404 and not (malformed and response.status == 400):
        allowed = "404 (or 400: it is no DRS id)" if malformed else "404 (it is a well-formed DRS id)"
        raise fail(f"GET of the unknown id {object_id!r} answered {response.status}, not {allowed}", response)
    problem = error_problem(response)
    if problem:
        # the problem of the plain unknown id's 404 too: drs.error.body-is-json-error reports it, once
        raise fail(f"the {response.status} for unknown id {object_id!r} is not a DRS Error: {problem}", response,
                   caused_by=error_body_cause(drs, problem))


def _errors(drs: Drs) -> list[tuple[str, Response]]:
    found = [("GET of an unknown object", drs.unknown_object())]
    object_id = next(iter(drs.option("objects")), None)
    if object_id is not None:
        found.append(("GET access of an unknown access_id",
                      drs.client.get(f"{object_path(object_id)}/access/ga4gh-conformance-no-such-access-id")))
    return found


@check("drs.error.body-is-json-error")
def test_error_bodies_are_drs_errors(drs: Drs, schemas: SpecStore) -> None:
    """Every 4xx/5xx answer of the API is a JSON Error: msg a string, status_code an integer (DRS 1.2.0
    §Models › Error)."""
    validator = drs.validator(schemas, "/components/schemas/Error") if schemas.available else None
    labelled: tuple[str, Response] | None = None
    for what, response in _errors(drs):
        if response.status < 400:
            continue
        problem = error_problem(response)
        if problem is None and validator is not None:
            errors = schema_errors(validator, response.json())
            problem = "; ".join(errors) if errors else None
        if problem and _labelled_only(response, problem, drs.unknown_object()):
            # a JSON Error under another media type, as on the answer drs.http.json-content-type judges: its failure
            labelled = labelled or (f"the {response.status} answer to {what} is not a DRS Error: {problem}", response)
            continue
        if problem:
            raise fail(f"the {response.status} answer to {what} is not a DRS Error: {problem}", response)
    if labelled is not None:
        raise fail(*labelled, caused_by=CONTENT_TYPE)


def _labelled_only(response: Response, problem: str, unknown: Response) -> bool:
    """Whether an error answer is a JSON Error whose only problem is its media type, the very one of the unknown
    object's 404, which drs.http.json-content-type judges (a server labelling every error text/plain, say)."""
    return error_problem(response, content_type=False) is None and unknown.status >= 400 \
        and error_problem(unknown) == problem and error_problem(unknown, content_type=False) is None


@check("drs.error.status-code-matches-http")
def test_error_status_code_is_http_status(drs: Drs) -> None:
    """Error.status_code, when given, is the HTTP status of the answer ("The integer representing the
    HTTP status code", DRS 1.2.0 §Models › Error.status_code)."""
    for what, response in _errors(drs):
        if response.status < 400 or error_problem(response):
            continue
        body = response.json()
        if "status_code" in body and body["status_code"] != response.status:
            raise fail(f"the answer to {what} has HTTP status {response.status} but status_code "
                       f"{body['status_code']}", response)


@check("drs.http.malformed-request-is-400")
def test_malformed_body_is_400(drs: Drs) -> None:
    """A POST body that is not JSON is answered 400 with an Error (DRS 1.2.0 §Objects › 400 Bad Request).
    POST is asked of a PassportAuth object first, where DRS has it ("A valid GA4GH Passport must be passed
    in the body of an HTTP POST", §PassportAuth); a 405 or 501 says the operation is not offered there,
    which is no malformed input accepted (issue 19.7): skipped."""
    object_id = next(iter(drs.option("protected_objects") + drs.option("objects")), "x")
    response = drs.client.request("POST", object_path(object_id), data=b"{not json",
                                  headers={"Content-Type": "application/json"})
    if response.status in (405, 501):
        pytest.skip(f"POST {object_path(object_id)} answered {response.status}: the operation is not offered "
                    "there (drs.passport.post-object-accepts-passports covers it for PassportAuth objects)")
    if response.status != 400:
        raise fail(f"POST with a body that is not JSON answered {response.status}, not 400", response)


@check("drs.http.405-has-allow")
def test_405_lists_allowed_methods(drs: Drs) -> None:
    """A 405 answer carries an Allow header listing the methods the resource supports (RFC 9110 §15.5.6;
    DRS lists 405 for OPTIONS /objects/{object_id} from 1.3.0 and says nothing of its headers, so a SHOULD,
    as drs.auth.401-has-www-authenticate: an HTTP rule does not make a DRS server non-conformant). Asked
    with OPTIONS and a POST of an object: both are read-only, and a server may refuse either with 405."""
    object_id = next(iter(drs.option("objects")), "x")
    judged = False
    for method in ("OPTIONS", "POST"):
        response = drs.client.request(method, object_path(object_id), **({"json_body": {}} if method == "POST" else {}))
        if response.status != 405:
            continue
        judged = True
        if not response.headers.get("Allow", "").strip():
            raise fail(f"{method} {object_path(object_id)} answered 405 without an Allow header", response)
    if not judged:
        pytest.skip("does not apply: neither OPTIONS nor POST of an object was answered 405")
