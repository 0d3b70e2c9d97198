"""Bulk endpoints (DRS 1.4.0+): POST /objects, OPTIONS /objects, POST /objects/access, their summaries
and maxBulkRequestLength (DRS 1.4.0 §Objects › GetBulkObjects, OptionsBulkObject, GetBulkAccessURL)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import CheckFailure, Response, SpecStore, check, fail, json_type, schema_errors

from .view import Drs, accepted_reason, comparable, error_problem, is_int, same_object_data

UNKNOWN = "ga4gh-conformance-no-such-object-bulk"
#: The harness sends at most this many ids to probe maxBulkRequestLength.
PROBE_LIMIT = 10_000
OBJECTS_SCHEMA = "/components/responses/200OkDrsObjects/content/application~1json/schema"
#: The check that judges the form of the POST /objects 200 body: a body that is no JSON object is its failure,
#: and every other check reading that body fails as its consequence (one root cause, one failure).
BODY_FORM = "drs.bulk.objects-response-valid"
#: The check that judges the status of the standard bulk request.
ENDPOINT = "drs.bulk.objects-endpoint-supported"
ACCESS_SCHEMA = "/components/responses/200OkAccesses/content/application~1json/schema"


def _readable(drs: Drs) -> list[str]:
    ids: list[str] = drs.option("objects") + drs.option("bundles")
    if not ids:
        pytest.skip("the profile lists no objects")
    return ids


def _post(drs: Drs, ids: list[str], passport: str | None = None) -> Response:
    body: dict[str, Any] = {"bulk_object_ids": ids}
    if passport:
        body["passports"] = [passport]
    return drs.memo(("bulk", tuple(ids), passport), lambda: drs.post_accepted("/objects", body))


def _mixed(drs: Drs) -> tuple[list[str], Response]:
    """The standard bulk request: known ids and one unknown id, within maxBulkRequestLength."""
    maximum, _ = drs.max_bulk()
    known = _readable(drs)[: max(1, maximum - 1)]
    ids = known + ([UNKNOWN] if maximum > len(known) else [])
    return ids, _post(drs, ids)


def _body_problem(response: Response) -> tuple[Any, str | None]:
    """The JSON body of a bulk 200 answer, and why it is no JSON object (None when it is one)."""
    try:
        body = response.json()
    except CheckFailure:
        return None, "a body that is not JSON"
    if not isinstance(body, dict):
        return body, f"a JSON {json_type(body)}, not an object"
    return body, None


def _answer(drs: Drs, judges_form: bool = False) -> tuple[list[str], dict[str, Any], Response]:
    """The standard bulk request's 200 body; a body that is no JSON object fails ``BODY_FORM`` itself
    (``judges_form``) and every other check reading it as that failure's consequence."""
    ids, response = _mixed(drs)
    if response.status != 200:
        pytest.skip(f"POST /objects answered {response.status} (see {ENDPOINT})")
    body, problem = _body_problem(response)
    if problem is not None:
        raise fail(f"POST /objects answered 200 with {problem}", response,
                   caused_by=None if judges_form else BODY_FORM)
    return ids, body, response


def _skip_if_accepted(response: Response, what: str) -> None:
    """A 202 Accepted is among the answers GetBulkObjects and GetBulkAccessURL list: not ready, not refused
    (drs.http.accepted-has-retry-after judges its Retry-After)."""
    if response.status == 202:
        pytest.skip(f"{what} {accepted_reason(response)}; the answer is not ready to be checked")


def _unresolved_ids(body: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for item in body.get("unresolved_drs_objects") or []:
        if isinstance(item, dict) and isinstance(item.get("object_ids"), list):
            found.extend(str(i) for i in item["object_ids"])
    return found


@check("drs.bulk.objects-endpoint-supported")
def test_bulk_objects_endpoint_answers(drs: Drs) -> None:
    """POST /objects with {"bulk_object_ids": [...]} answers 200 (DRS 1.4.0 §Objects › GetBulkObjects)."""
    ids, response = _mixed(drs)
    _skip_if_accepted(response, "POST /objects")
    if response.status != 200:
        raise fail(f"POST /objects with {len(ids)} ids answered {response.status}, not 200", response)


@check("drs.bulk.objects-response-valid")
def test_bulk_objects_response_matches_schema(drs: Drs, schemas: SpecStore) -> None:
    """The POST /objects 200 body matches the declared version's 200OkDrsObjects schema: summary,
    unresolved_drs_objects, resolved_drs_object (DRS 1.4.0 §Objects › GetBulkObjects › 200). A body that is no
    JSON object fails here, with or without the official schemas; the checks reading that body name this one
    as their cause."""
    _, body, response = _answer(drs, judges_form=True)
    errors = schema_errors(drs.validator(schemas, OBJECTS_SCHEMA), body)
    if errors:
        cause = "drs.object.schema-valid" if _objects_as_single_answers(drs, schemas, body) else None
        raise fail(f"the POST /objects answer does not match the DRS {drs.version} schema: {'; '.join(errors)}",
                   response, caused_by=cause)


def _objects_as_single_answers(drs: Drs, schemas: SpecStore, body: dict[str, Any]) -> bool:
    """Whether every violation of a bulk answer is one a resolved DrsObject shares with the single GET answer
    of its id (a created_time without zone in both, say), which drs.object.schema-valid reports: the envelope
    without its objects is valid, and each invalid object's violations are among its single answer's."""
    if schema_errors(drs.validator(schemas, OBJECTS_SCHEMA), {**body, "resolved_drs_object": []}):
        return False
    validator = drs.validator(schemas, "/components/schemas/DrsObject")

    def violations(document: Any) -> set[tuple[str, str]]:
        return {("/".join(map(str, e.absolute_path)), e.message) for e in validator.iter_errors(document)}

    listed = set(drs.option("objects") + drs.option("bundles"))
    for document in body.get("resolved_drs_object") or []:
        found = violations(document)
        if not found:
            continue
        object_id = document.get("id") if isinstance(document, dict) else None
        if object_id not in listed:
            return False
        single = drs.object_response(str(object_id))
        single_body = single.json_object() if single.status == 200 else None
        if single_body is None or not found <= violations(single_body):
            return False
    return True


def _summary(body: dict[str, Any], response: Response, what: str) -> dict[str, int]:
    summary = body.get("summary")
    if not isinstance(summary, dict) or not all(is_int(summary.get(k)) for k in ("requested", "resolved",
                                                                                  "unresolved")):
        raise fail(f"{what} has no summary with integer requested, resolved and unresolved", response)
    return {k: int(summary[k]) for k in ("requested", "resolved", "unresolved")}


@check("drs.bulk.summary-counts-add-up")
def test_bulk_summary_adds_up(drs: Drs) -> None:
    """summary.requested = summary.resolved + summary.unresolved (DRS 1.4.0 §Objects › GetBulkObjects ›
    summary)."""
    _, body, response = _answer(drs)
    summary = _summary(body, response, "the POST /objects answer")
    if summary["requested"] != summary["resolved"] + summary["unresolved"]:
        raise fail(f"summary says requested {summary['requested']} but resolved {summary['resolved']} + "
                   f"unresolved {summary['unresolved']}", response)


@check("drs.bulk.summary-requested-matches-request")
def test_bulk_summary_requested_is_request_length(drs: Drs) -> None:
    """summary.requested is the number of ids requested (DRS 1.4.0 §Objects › GetBulkObjects ›
    summary.requested)."""
    ids, body, response = _answer(drs)
    summary = _summary(body, response, "the POST /objects answer")
    if summary["requested"] != len(ids):
        raise fail(f"{len(ids)} ids were requested but summary.requested is {summary['requested']}", response)


@check("drs.bulk.summary-resolved-matches-array")
def test_bulk_summary_matches_arrays(drs: Drs) -> None:
    """summary.resolved is the length of resolved_drs_object and summary.unresolved the number of ids in
    unresolved_drs_objects (DRS 1.4.0 §Objects › GetBulkObjects › 200)."""
    _, body, response = _answer(drs)
    summary = _summary(body, response, "the POST /objects answer")
    resolved = body.get("resolved_drs_object")
    if not isinstance(resolved, list):
        raise fail(f"the POST /objects answer has no resolved_drs_object array (keys: {', '.join(sorted(body))})",
                   response)
    if summary["resolved"] != len(resolved):
        raise fail(f"summary.resolved is {summary['resolved']} but resolved_drs_object has {len(resolved)} objects",
                   response)
    unresolved = _unresolved_ids(body)
    if summary["unresolved"] != len(unresolved):
        raise fail(f"summary.unresolved is {summary['unresolved']} but unresolved_drs_objects lists "
                   f"{len(unresolved)} ids", response)


@check("drs.bulk.unknown-ids-reported-unresolved")
def test_bulk_unknown_ids_reported(drs: Drs) -> None:
    """A bulk request with an unknown id answers 200 and lists that id in unresolved_drs_objects (DRS
    1.4.0 §Objects › GetBulkObjects › unresolved_drs_objects)."""
    ids, response = _mixed(drs)
    if UNKNOWN not in ids:
        pytest.skip("maxBulkRequestLength leaves no room for an unknown id beside a known one")
    _skip_if_accepted(response, "POST /objects")
    if response.status != 200:
        # the very answer drs.bulk.objects-endpoint-supported judges: its failure, not a second one
        raise fail(f"POST /objects with known ids and one unknown id answered {response.status}, not 200", response,
                   caused_by=ENDPOINT)
    body, problem = _body_problem(response)
    if problem is not None:
        raise fail(f"POST /objects answered 200 with {problem}, which lists no unresolved id", response,
                   caused_by=BODY_FORM)
    if UNKNOWN not in _unresolved_ids(body):
        raise fail(f"the unknown id {UNKNOWN!r} is not listed in unresolved_drs_objects", response)


@check("drs.bulk.resolved-ids-were-requested")
def test_bulk_resolves_only_requested(drs: Drs) -> None:
    """Each resolved DrsObject was requested (DRS 1.4.0 §Objects › GetBulkObjects)."""
    ids, body, response = _answer(drs)
    resolved = body.get("resolved_drs_object")
    if not isinstance(resolved, list) or not resolved:
        pytest.skip(f"POST /objects resolved no object (resolved_drs_object is {resolved!r}; see "
                    "drs.bulk.summary-resolved-matches-array)")
    for document in resolved:
        if isinstance(document, dict) and document.get("id") not in ids:
            raise fail(f"resolved_drs_object includes {document.get('id')!r}, which was not requested", response)


@check("drs.bulk.resolved-objects-equal-single-answers")
@given(data=st.data())
def test_bulk_answers_equal_single_answers(drs: Drs, data: st.DataObject) -> None:
    """Each object a bulk request resolves is the object GET /objects/{id} answers: same size, checksums in
    any order, and contents (DRS 1.4.0 §Objects › GetBulkObjects; DRS 1.2.0 §DRS IDs: "One DRS ID MUST always
    return the same object data (or, in the case of a collection, the same set of objects)"). Access methods
    are not compared: they say how to reach the bytes, not what the bytes are (a bulk answer may give signed
    inline URLs where GET gives an access_id)."""
    maximum, _ = drs.max_bulk()
    pool = _readable(drs)
    ids = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=min(maximum, len(pool)), unique=True),
                    label="ids")
    response = _post(drs, ids)
    if response.status != 200:
        pytest.skip(f"POST /objects answered {response.status} (see drs.bulk.objects-endpoint-supported)")
    body, problem = _body_problem(response)
    if problem is not None:
        pytest.skip(f"POST /objects answered 200 with {problem}: no resolved object to compare (see {BODY_FORM})")
    for document in body.get("resolved_drs_object") or []:
        if not isinstance(document, dict) or document.get("id") not in ids:
            continue
        single, _ = drs.object(str(document["id"]))
        # the object's data: its bytes (size, checksums) and, for a bundle, its set of objects; how the bytes
        # are reached (access methods) is no object data and may differ per answer or per route
        key = same_object_data(document, single, ("size", "checksums", "contents"))
        if key:
            raise fail(f"bulk answer for {document['id']!r} reports {key} {comparable(key, document.get(key))!r}, "
                       f"GET of the id {comparable(key, single.get(key))!r}", response)


def _ids_of_length(drs: Drs, count: int) -> list[str]:
    pool = _readable(drs)
    return [pool[i % len(pool)] if i < len(pool) else f"{UNKNOWN}-{i}" for i in range(count)]


@check("drs.bulk.over-max-is-413")
def test_bulk_over_max_is_413(drs: Drs) -> None:
    """A bulk request longer than maxBulkRequestLength answers 413 with an Error (DRS 1.4.0 §DrsService.
    maxBulkRequestLength; §Objects › GetBulkObjects › 413)."""
    maximum, _ = drs.max_bulk()
    if maximum >= PROBE_LIMIT:
        pytest.skip(f"maxBulkRequestLength {maximum} is above the {PROBE_LIMIT} ids the harness sends")
    response = _post(drs, _ids_of_length(drs, maximum + 1))
    if response.status != 413:
        # answered as the standard bulk request was, which drs.bulk.objects-endpoint-supported fails (a 501 or 405
        # of a server without the endpoint): the endpoint's failure, not a second one; any other answer is judged
        _, standard = _mixed(drs)
        same = standard.status not in (200, 202) and response.status == standard.status
        raise fail(f"POST /objects with {maximum + 1} ids (maxBulkRequestLength {maximum}) answered "
                   f"{response.status}, not 413", response, caused_by=ENDPOINT if same else None)
    problem = error_problem(response)
    if problem:
        raise fail(f"the 413 is not a DRS Error: {problem}", response)


@check("drs.bulk.at-max-is-accepted")
def test_bulk_at_max_is_accepted(drs: Drs) -> None:
    """A bulk request of exactly maxBulkRequestLength ids is handled, not refused with 413 (DRS 1.4.0
    §DrsService.maxBulkRequestLength)."""
    maximum, _ = drs.max_bulk()
    if maximum >= PROBE_LIMIT:
        pytest.skip(f"maxBulkRequestLength {maximum} is above the {PROBE_LIMIT} ids the harness sends")
    response = _post(drs, _ids_of_length(drs, maximum))
    if response.status == 413:
        raise fail(f"POST /objects with exactly maxBulkRequestLength ({maximum}) ids answered 413", response)


def _access_request(drs: Drs) -> tuple[list[tuple[str, str]], Response]:
    maximum, _ = drs.max_bulk()
    pairs = [(o, a) for o, a, _ in drs.access_ids()][:maximum]
    if not pairs:
        pytest.skip("no readable object lists an access_id")
    items = [{"bulk_object_id": o, "bulk_access_ids": [a]} for o, a in pairs]
    return pairs, drs.memo(("bulk-access", tuple(pairs)),
                           lambda: drs.post_accepted("/objects/access", {"bulk_object_access_ids": items}))


@check("drs.bulk.access-endpoint-supported")
def test_bulk_access_endpoint_answers(drs: Drs) -> None:
    """POST /objects/access with {"bulk_object_access_ids": [...]} answers 200 (DRS 1.4.0 §Objects ›
    GetBulkAccessURL)."""
    _, response = _access_request(drs)
    _skip_if_accepted(response, "POST /objects/access")
    if response.status != 200:
        raise fail(f"POST /objects/access answered {response.status}, not 200", response)


def _access_answer(drs: Drs) -> tuple[list[tuple[str, str]], dict[str, Any], Response]:
    pairs, response = _access_request(drs)
    if response.status != 200:
        pytest.skip(f"POST /objects/access answered {response.status} (see drs.bulk.access-endpoint-supported)")
    body = response.json()
    if not isinstance(body, dict):
        raise fail("POST /objects/access answered JSON that is not an object", response)
    return pairs, body, response


@check("drs.bulk.access-response-valid")
def test_bulk_access_response_matches_schema(drs: Drs, schemas: SpecStore) -> None:
    """The POST /objects/access 200 body matches 200OkAccesses: BulkAccessURLs with a required url
    (DRS 1.4.0 §Objects › GetBulkAccessURL › 200)."""
    _, body, response = _access_answer(drs)
    errors = schema_errors(drs.validator(schemas, ACCESS_SCHEMA), body)
    if errors:
        raise fail(f"the POST /objects/access answer does not match the DRS {drs.version} schema: "
                   f"{'; '.join(errors)}", response)


@check("drs.bulk.access-urls-identify-requested-pair")
def test_bulk_access_urls_name_their_pair(drs: Drs) -> None:
    """Each BulkAccessURL names the requested object and access_id it answers (DRS 1.4.0 §Models ›
    BulkAccessURL)."""
    pairs, body, response = _access_answer(drs)
    for item in body.get("resolved_drs_object_access_urls") or []:
        pair = (item.get("drs_object_id"), item.get("drs_access_id")) if isinstance(item, dict) else None
        if pair not in pairs:
            raise fail(f"a BulkAccessURL names {pair!r}, which is not a requested (object, access_id) pair",
                       response)


@check("drs.bulk.options-response-valid")
def test_bulk_options_answers(drs: Drs, schemas: SpecStore) -> None:
    """A 200 answer to OPTIONS /objects with {"bulk_object_ids": [...]} carries summary and Authorizations
    (DRS 1.4.0 §Objects › OptionsBulkObject › 200). Another answer carries none and is not judged: 204 and 405
    say Authorizations are not supported, 400, 404, 413 and 500 are listed too (an OPTIONS body may not reach
    the server through proxies and frameworks), and a server that does not implement OPTIONS (a 501) breaks
    no sentence of the text."""
    maximum, _ = drs.max_bulk()
    ids = _readable(drs)[:maximum]
    response = drs.client.request("OPTIONS", "/objects", json_body={"bulk_object_ids": ids})
    if response.status != 200:
        pytest.skip(f"does not apply: OPTIONS /objects answered {response.status}, not 200, so there are no "
                    "Authorizations to judge")
    if not response.content:
        raise fail("OPTIONS /objects answered 200 with an empty body, not Authorizations", response)
    body = response.json()
    validator = drs.validator(schemas, "/components/responses/200OkBulkAuthorizations/content/application~1json/schema")
    errors = schema_errors(validator, body) if schemas.available else []
    if errors:
        raise fail(f"the OPTIONS /objects answer does not match the schema: {'; '.join(errors)}", response)
    _summary(body, response, "the OPTIONS /objects answer")


@check("drs.bulk.passports-accepted-in-body")
def test_bulk_passports_grant(drs: Drs) -> None:
    """Bulk POST /objects with {"passports": [...]} resolves the protected objects the passport grants
    (DRS 1.4.0 §Objects › GetBulkObjects, request body passports)."""
    protected = drs.option("protected_objects")
    if not protected:
        pytest.skip("the profile lists no protected_objects")
    maximum, _ = drs.max_bulk()
    ids = protected[:maximum]
    response = _post(drs, ids, drs.passport())
    if response.status != 200:
        raise fail(f"POST /objects with a passport answered {response.status}, not 200", response)
    body = response.json()
    resolved = {d.get("id") for d in body.get("resolved_drs_object") or [] if isinstance(d, dict)}
    missing = [i for i in ids if i not in resolved]
    if missing:
        raise fail(f"POST /objects with the profile's passport did not resolve {', '.join(missing)}", response)
