"""Property checks (hypothesis): unknown run ids of many shapes answer 404 on /runs/{run_id} and
/runs/{run_id}/status, never 5xx (WES 1.0.0 Swagger §GetRunLog, §GetRunStatus: 404 "The requested workflow
run not found"; WES 1.1.0 OpenAPI idem). Each property runs with the run's seed."""

from __future__ import annotations

import string
import uuid
from typing import Any

import pytest
from hypothesis import example, given, seed
from hypothesis import strategies as st

from conformance import Run, check, fail

from .view import Wes, answered, run_path

SAFE = string.ascii_letters + string.digits + "._-"


def _unknown_ids() -> st.SearchStrategy[str]:
    return st.one_of(
        st.uuids().map(str),
        st.integers(10**15, 10**18).map(str),  # numeric ids, too large to be another user's run
        st.text(SAFE, min_size=1, max_size=40).map(lambda s: "conformance-unknown-" + s),
        st.text(SAFE, min_size=41, max_size=200).map(lambda s: "conformance-unknown-" + s),
        st.text(string.hexdigits.lower(), min_size=32, max_size=64),
    )


@check("wes.property.unknown-runs-are-404")
def test_unknown_runs_are_404(wes: Wes, conformance_run: Run) -> None:
    """Generated unknown run ids answer 404 on /runs/{run_id} and /status, never 5xx (WES 1.0.0 Swagger
    §GetRunLog, §GetRunStatus)."""
    known = set(wes.option("runs"))
    try:
        known |= {str(i.get("run_id")) for i in wes.listed().items}
    except pytest.skip.Exception:  # no listing: the profile's ids are all that is excluded
        pass
    known |= set(wes.created)
    probe = str(uuid.UUID(int=0x7D1F))
    wes.require_admission(wes.client.get(run_path(probe), max_bytes=65536), f"GET {run_path(probe)}")

    def prop(run_id: str) -> None:
        if run_id in known or run_id in (".", ".."):
            return
        for tail in ("", "/status"):
            response = wes.client.get(run_path(run_id, tail), max_bytes=65536)
            # 403: a run of another user that the caller may not see is "not authorized", not unknown
            if response.status not in (403, 404):
                # the same cause as a fixed unknown id's answer: counted once, under that check, when it failed
                raise fail(f"GET {run_path(run_id, tail)} of an unknown run answered {answered(response)}, "
                           "not 404", response, caused_by="wes.run.unknown-is-404")

    test: Any = given(run_id=_unknown_ids())(prop)
    for run_id in (str(uuid.UUID(int=0x7D1F)), "9" * 17, "conformance-unknown-" + "x" * 120):
        test = example(run_id=run_id)(test)
    seed(conformance_run.seed)(test)()
