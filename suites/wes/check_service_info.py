"""WES service-info: the document, its schema, and system_state_counts (WES 1.0.0 Swagger §GetServiceInfo,
definitions/ServiceInfo; WES 1.1.0 OpenAPI §GetServiceInfo, ServiceInfo)."""

from __future__ import annotations

from collections import Counter

import pytest

from conformance import SpecStore, check, fail, json_type, schema_errors

from .states import TERMINAL
from .view import Wes, answered


@check("wes.service-info.answers-200")
def test_service_info_answers_200_with_json(wes: Wes) -> None:
    """GET /service-info answers 200 with a JSON object (WES 1.0.0 Swagger §GetServiceInfo; 1.1.0 idem)."""
    response = wes.service_info_response()
    if response.status != 200:
        raise fail(f"GET /service-info answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, dict):
        raise fail(f"GET /service-info answered a JSON {json_type(body)}, not an object", response)


@check("wes.schema.service-info-valid")
def test_service_info_matches_schema(wes: Wes, schemas: SpecStore) -> None:
    """service-info matches the version's ServiceInfo (WES 1.0.x Swagger definitions/ServiceInfo; WES 1.1.0
    OpenAPI ServiceInfo, its WES part; errata E1, E2)."""
    relative, pointer, openapi = wes.schema("ServiceInfo")
    validator = schemas.validator(relative, pointer, openapi=openapi)
    info, response = wes.service_info()
    errors = schema_errors(validator, info)
    if errors:
        raise fail(f"service-info does not match the WES {wes.version} ServiceInfo schema: {'; '.join(errors)}",
                   response)


@check("wes.service-info.state-counts-keys-are-states")
def test_state_counts_keys_are_states(wes: Wes) -> None:
    """Every key of system_state_counts is a State ("See the State enum for the possible keys", WES 1.0.0
    Swagger definitions/ServiceInfo.system_state_counts; erratum E5)."""
    info, response = wes.service_info()
    counts = info.get("system_state_counts")
    if not isinstance(counts, dict):
        pytest.skip("service-info has no system_state_counts object (see wes.schema.service-info-valid)")
    unknown = sorted(k for k in counts if k not in wes.states)
    if unknown:
        # keys that are the states GET /runs lists runs in: the same finding as wes.run.state-in-enum's
        try:
            listed = {item.get("state") for item in wes.listed().items}
        except pytest.skip.Exception:
            listed = set()
        raise fail(f"system_state_counts has keys that are no WES {wes.version} state: {', '.join(unknown)}",
                   response, caused_by="wes.run.state-in-enum" if set(unknown) <= listed else None)


@check("wes.service-info.state-counts-cover-listed-runs")
def test_state_counts_cover_listed_runs(wes: Wes) -> None:
    """The count of runs in a terminal state is at least the number listed in that state ("value is the
    count of runs in that state", WES 1.0.0 Swagger definitions/ServiceInfo.system_state_counts; erratum E5).
    Runs reach terminal states while the harness reads: service-info is read again after the run list is
    walked, and a state is short only when both reads give fewer runs than the walk lists in it (a run that
    ended after the first read is counted by the second; one deleted before the second, by the first)."""
    info, _ = wes.service_info()
    counts = info.get("system_state_counts")
    if not isinstance(counts, dict):
        pytest.skip("service-info has no system_state_counts object (see wes.schema.service-info-valid)")
    walk = wes.listed()
    unended = walk.unended()
    if unended is not None:
        pytest.skip(f"GET /runs could not be walked to its end: {unended}")
    latest = {str(item.get("run_id")): item.get("state") for item in walk.items}  # a run listed twice counts once
    listed = Counter(str(state) for state in latest.values() if state in TERMINAL)
    if not any(isinstance(counts.get(state), int) for state in listed):
        pytest.skip("no run listed is in a terminal state that system_state_counts counts: no count can be compared "
                    "(a state left out is not said to be 0)")
    short = [(state, number) for state, number in sorted(listed.items())
             if isinstance(counts.get(state), int) and counts[state] < number]
    if not short:
        return
    again = wes.client.get("/service-info")
    body = again.json_object() if again.status == 200 else None
    later = body.get("system_state_counts") if body is not None else None
    later = later if isinstance(later, dict) else {}
    for state, number in short:
        count = later.get(state)  # a state left out is not said to be 0: the text does not ask for every key
        if not isinstance(count, int) or count >= number:
            continue
        raise fail(f"system_state_counts gives {max(count, counts[state])} run(s) {state} (read before and after "
                   f"the run list), but GET /runs lists {number} in that state", again)
