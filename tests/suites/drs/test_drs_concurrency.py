"""The DRS view fetches every listed object's answers, AccessURLs, bytes and Range answers side by side
(the budget's ``concurrent_requests``, conformance/view.py ``ServiceView.prefetch``): the results are those
of a run that asks one request at a time, failures and their messages included."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conformance.testing import LOOPBACK_BUDGET, reference_entries, run_profile

#: Faults whose failures are per object (bytes, Range, a second GET), where the answers fetched side by side
#: are the ones judged, and the check each makes fail; none: the conformant server.
FAULTS = {"checksum-wrong": "drs.object.checksum-matches-bytes",
          "range-off-by-one": "drs.access.range-partial-content-is-exact-slice",
          "id-unstable": "drs.object.id-always-returns-same-data", None: None}


def _results(report_root: Path, fault: str | None, concurrent: int, specs_dir: str | None) -> list[
        tuple[str, str, str]]:
    document: dict[str, Any] = {
        "initiative": f"drs side by side {concurrent}",
        "services": reference_entries("drs", [fault] if fault else []),
        "budget": {**LOOPBACK_BUDGET, "concurrent_requests": concurrent},
    }
    result = run_profile(document, report_root / f"{fault}-{concurrent}", specs_dir=specs_dir, standards=["drs"])
    return [(check.id, check.outcome, re.sub(r"127\.0\.0\.1:\d+", "HOST", check.message or ""))
            for service in result.scorecard.services for check in service.checks]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_answers_fetched_side_by_side_give_the_results_of_one_at_a_time(
        fault: str | None, report_root: Path, specs_dir: str | None) -> None:
    one_at_a_time = _results(report_root, fault, 1, specs_dir)
    side_by_side = _results(report_root, fault, 4, specs_dir)
    assert side_by_side == one_at_a_time
    failed = {check_id for check_id, outcome, _ in side_by_side if outcome == "failed"}
    assert (FAULTS[fault] in failed) if fault else not failed
