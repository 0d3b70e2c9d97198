"""With ``writes: true`` and a ``submit`` block: a run submitted as multipart/form-data, listed, echoing its
request, and a second one cancelled; invalid submissions refused (WES 1.0.0 Swagger §RunWorkflow, §CancelRun,
definitions/RunRequest, RunLog; WES 1.1.0 OpenAPI idem). Every run the suite starts is cancelled at the end
of the run unless it has finished (``Wes.close``)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest

from conformance import Response, check, fail, json_type

from .states import ACTIVE, TERMINAL
from .view import Wes, answered, run_path


@check("wes.submit.returns-run-id")
def test_submission_returns_a_run_id(wes: Wes) -> None:
    """POST /runs (multipart/form-data, workflow_params as a JSON string) answers 200 with a RunId (WES 1.0.0
    Swagger §RunWorkflow; WES 1.1.0 OpenAPI §RunWorkflow)."""
    response = wes.submission("follow")
    wes.require_admission(response, "POST /runs")  # refused for credentials: tells nothing of an admitted caller
    if response.status != 200:
        raise fail(f"POST /runs with the profile's run request answered {answered(response)}, not 200", response)
    body = response.json()
    run_id = body.get("run_id") if isinstance(body, dict) else None
    if not isinstance(run_id, str) or not run_id:
        what = f"run_id {json_type(run_id)}" if isinstance(body, dict) else f"a JSON {json_type(body)}"
        raise fail(f"POST /runs answered 200 with {what}, not a RunId with a run_id string", response)


@check("wes.submit.run-is-listed")
def test_submitted_run_is_listed(wes: Wes) -> None:
    """The run just submitted is in GET /runs, walked to its end (WES 1.0.0 Swagger
    definitions/RunListResponse.runs: runs "the service has executed or is executing")."""
    run_id, _ = wes.submitted("follow")
    walk = wes.memo("walk-after-submit", lambda: wes._walk("/runs", "runs", "run_id", None))
    if any(item.get("run_id") == run_id for item in walk.items):
        return
    broken = walk.broken.json_object() if walk.broken is not None and walk.broken.status == 200 else None
    if broken is not None:  # a 200 RunListResponse that lists the new run nowhere under `runs`
        keys = ", ".join(sorted(broken)[:8]) or "none"
        raise fail(f"run {run_id}, just submitted, is not in GET /runs: the page has no runs list (its keys: "
                   f"{keys})", walk.broken)
    unended = walk.unended()
    if unended is not None:
        pytest.skip(f"GET /runs could not be walked to its end, and the pages read do not list run {run_id}: "
                    f"{unended}")
    if not any(item.get("run_id") == run_id for item in walk.items):
        raise fail(f"run {run_id}, just submitted, is not in GET /runs ({len(walk.items)} runs listed)",
                   walk.pages[-1])


def _same(sent: Any, got: Any) -> bool:
    """Whether the echoed value is the one submitted, the same JSON in either encoding: a JSON string (as the
    form sends workflow_params, "JSON encoded") and the object it encodes are the same parameters. Whether
    RunLog.request gives an object where its schema asks one is wes.schema.run-log-valid's finding."""
    if isinstance(sent, str) != isinstance(got, str):
        text, value = (sent, got) if isinstance(sent, str) else (got, sent)
        try:
            return bool(json.loads(text) == value)
        except ValueError:
            return False
    return bool(sent == got)


#: Reads again of a run just submitted whose RunLog answered 404, before that answer is taken.
ECHO_REREADS = 2


@check("wes.submit.request-echoed")
def test_run_log_echoes_the_request(wes: Wes) -> None:
    """The RunLog's request is "The original request message used to initiate this execution" (WES 1.0.0
    Swagger definitions/RunLog.request; WES 1.1.0 OpenAPI idem)."""
    block = wes.submit_block()
    run_id, _ = wes.submitted("follow")
    response = wes.client.get(run_path(run_id))
    for _ in range(ECHO_REREADS):  # a run just created may take a moment to be found
        if response.status != 404:
            break
        time.sleep(wes.poll_interval)
        response = wes.client.get(run_path(run_id))
    wes.require_admission(response, f"GET {run_path(run_id)}")
    if response.status == 404:
        # wes.run.log-answers-200 judges listed runs; this one the service itself named in its RunId
        raise fail(f"GET {run_path(run_id)} of the run just submitted (the run_id POST /runs answered) answered "
                   f"{answered(response)}, \"The requested workflow run not found\": no RunLog gives its request",
                   response)
    body = response.json_object() if response.status == 200 else None
    if body is None:
        pytest.skip(f"GET {run_path(run_id)} of the run just submitted answered {answered(response)}, no RunLog: "
                    "its request cannot be read")
    request = body.get("request")
    if not isinstance(request, dict):
        raise fail(f"the RunLog of run {run_id}, just submitted, has no request object", response)
    for name in ("workflow_url", "workflow_type", "workflow_type_version", "workflow_params"):
        sent = block.get(name, {} if name == "workflow_params" else None)
        if name not in request and sent in ({}, "{}"):
            continue  # an empty object left out: the proto3 JSON mapping WES 1.0 came from writes it so
        if not _same(sent, request.get(name)):
            raise fail(f"the RunLog of run {run_id} gives request.{name} {request.get(name)!r}, but {sent!r} was "
                       "submitted", response)


#: Runs the cancel check submits before a cancel refused of a run that had ended by the read after it is taken
#: as refused: once may be a run that ended in the moment between its read and the cancel.
CANCEL_ATTEMPTS = 2


@check("wes.submit.cancel-stops-run")
def test_cancel_stops_the_run(wes: Wes) -> None:
    """POST /runs/{run_id}/cancel answers 200 with the RunId, and a run that reports CANCELING reports no
    active state after (WES 1.0.0 Swagger §CancelRun; WES 1.1.0 OpenAPI §CancelRun, State)."""
    raced: list[str] = []
    for attempt in range(CANCEL_ATTEMPTS):
        try:
            run_id, _ = wes.submitted("cancel" if not attempt else f"cancel-{attempt + 1}")
        except pytest.skip.Exception as exc:
            if not raced:
                raise
            pytest.skip(f"cannot decide: {raced[0]}, as a run that ended just before the cancel reached it does, "
                        f"and no second run could be submitted to tell ({exc.msg})")
        state, _ = wes.fresh_state(run_id)
        if state in TERMINAL:
            pytest.skip(f"run {run_id} had already reached {state} before it could be cancelled")
        response = wes.cancel(run_id)
        if response.status == 200:
            break
        now, _ = wes.fresh_state(run_id)
        refused = (f"POST {run_path(run_id, '/cancel')} of a {state} run answered {answered(response)}, not 200"
                   f"{f' (the run is now {now})' if now else ''}")
        if now not in TERMINAL or now == "CANCELED":
            # 401, 403 ("The requester is not authorized to perform this action"): the policy is the implementer's
            wes.require_admission(response, f"POST {run_path(run_id, '/cancel')}")
            raise fail(refused, response)
        # the run may have ended in the moment between its read and the cancel: a second run tells
        raced.append(refused)
        if len(raced) == CANCEL_ATTEMPTS:
            raise fail("; ".join(raced), response)
    body = response.json()
    # RunId requires no property: {} is a RunId; one that names another run, or is no object, is not this run's
    if not isinstance(body, dict) or ("run_id" in body and body["run_id"] != run_id):
        got = f"run_id {body['run_id']!r}" if isinstance(body, dict) else f"a JSON {json_type(body)}"
        raise fail(f"POST {run_path(run_id, '/cancel')} answered {got}, not the RunId of the run", response)
    observed = [s for s, _ in wes.poll(run_id, 8, wes.poll_interval)]
    last, last_response = wes.fresh_state(run_id)
    if last is not None:
        observed.append(last)
    settled = [s for s in observed if s != "UNKNOWN"]
    if "CANCELING" in settled:
        after = settled[settled.index("CANCELING"):]
        # COMPLETE after CANCELING is a race the text does not forbid (a run that finished as the cancel
        # arrived); going back to an active state is not
        resumed = next((s for s in after if s in ACTIVE), None)
        if resumed is not None:
            raise fail(f"run {run_id} reported CANCELING after the cancel and then {resumed} "
                       f"({' → '.join(observed)})", last_response)
        return
    if "CANCELED" in settled:
        return
    if settled and settled[-1] in TERMINAL:
        # a run may finish before a cancel reaches it: not a refusal of the cancel
        pytest.skip(f"run {run_id} finished as {settled[-1]} before the cancel took effect ({' → '.join(observed)})")
    pytest.skip(f"run {run_id} still reported {' → '.join(observed) or 'no state'} after the cancel: it has not "
                "taken effect within the polls, which the text does not bound")


#: The tag that marks each invalid submission, so that a run it created is told from anybody else's.
INVALID_TAG = "ga4gh-conformance-invalid"
#: The most runs new in GET /runs whose RunLog is read to see whether an invalid submission made them.
MAX_NEW_RUNS = 10


def _tagged(fields: dict[str, str], nonce: str) -> dict[str, str]:
    """The form with INVALID_TAG: nonce added to its tags (a JSON object string, WES RunRequest.tags)."""
    try:
        tags = json.loads(fields.get("tags") or "{}")
    except ValueError:
        tags = {}
    if not isinstance(tags, dict):
        tags = {}
    return {**fields, "tags": json.dumps({**tags, INVALID_TAG: nonce})}


def _listed_ids(wes: Wes) -> set[str] | None:
    """Every run id of GET /runs walked now, or None when the walk could not go to its end."""
    walk = wes._walk("/runs", "runs", "run_id", None)
    if walk.broken is not None or walk.looped is not None or walk.unfinished:
        return None
    return {item["run_id"] for item in walk.items if isinstance(item.get("run_id"), str)}


def _made_by(wes: Wes, run_id: str, nonces: dict[str, str]) -> tuple[str | None, Response]:
    """The nonce of the invalid submission that made ``run_id``, as its RunLog's request.tags tells; None
    when it is not one of them (or its RunLog does not tell)."""
    response = wes.client.get(run_path(run_id))
    body = response.json_object() if response.status == 200 else None
    request = body.get("request") if body is not None else None
    tags = request.get("tags") if isinstance(request, dict) else None
    if isinstance(tags, str):
        try:
            tags = json.loads(tags)
        except ValueError:
            tags = None
    nonce = tags.get(INVALID_TAG) if isinstance(tags, dict) else None
    return (nonce if isinstance(nonce, str) and nonce in nonces else None), response


@check("wes.submit.invalid-refused")
def test_invalid_submissions_are_refused(wes: Wes) -> None:
    """A submission without workflow_url, with workflow_params that are not JSON, or with a workflow_type the
    service does not list is answered 400 and creates no run (WES 1.0.0 Swagger §RunWorkflow 400 "The request
    is malformed", RunRequest; WES 1.1.0 OpenAPI idem). "No run created": no run that an invalid submission
    made (its RunLog's request carries the submission's own tag) appears in GET /runs after it; such a run
    is cancelled at the end like every run the suite started."""
    fields, _ = wes.request_fields(wes.submit_block())
    cases: list[tuple[str, dict[str, str]]] = [
        ("without workflow_url", {k: v for k, v in fields.items() if k != "workflow_url"}),
        ("with workflow_params that are not JSON", {**fields, "workflow_params": "{not json"}),
    ]
    types = wes.workflow_types()
    if types is not None:
        unknown = "CONFORMANCE-NO-SUCH-TYPE"
        if unknown not in types:
            cases.append((f"with workflow_type {unknown}, which service-info does not list",
                          {**fields, "workflow_type": unknown}))
    before = _listed_ids(wes)
    nonces: dict[str, str] = {}
    problems: list[tuple[str, Response]] = []
    for what, form in cases:
        nonce = f"{secrets.token_hex(6)}-{len(nonces)}"
        nonces[nonce] = what
        response = wes.submit(_tagged(form, nonce))
        if response.status == 401:  # credentials missing or refused: says nothing of how the request is judged
            wes.require_admission(response, "POST /runs")
        if response.status != 400:
            body = response.json_object() if response.status == 200 else None
            run_id = body.get("run_id") if body is not None else None
            made = f" (it created run {run_id})" if isinstance(run_id, str) and run_id else ""
            problems.append((f"POST /runs {what} answered {answered(response)}, not 400{made}", response))
    accepted = set(wes.created)
    after = _listed_ids(wes) if before is not None else None
    if before is not None and after is not None:
        new = sorted(after - before - accepted)[:MAX_NEW_RUNS]
        for run_id in new:
            maker, log = _made_by(wes, run_id, nonces)
            if maker is None:
                continue  # somebody else's run, or one whose request does not tell: not judged
            wes.track(run_id)  # cancelled at the end of the run, listed in the report
            problems.append((f"POST /runs {nonces[maker]} answered 400 but created run {run_id} all the same "
                             "(listed in GET /runs, its RunLog echoing that submission)", log))
    if problems:
        message = "; ".join(text for text, _ in problems)
        raise fail(message, problems[0][1])
