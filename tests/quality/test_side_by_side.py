"""Suites that fetch listed items' answers side by side (the budget's ``concurrent_requests``,
conformance/view.py ``ServiceView.prefetch``): DRS (objects, AccessURLs, bytes, Range answers, second GETs)
and refget (metadata, bases). Their results are those of a run that asks one request at a time, failures and
their messages included, on the conformant server and with faults whose failures are per item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.testing import LOOPBACK_BUDGET, reference_entries, run_profile

#: (standard, version, fault or None, the check the fault makes fail)
CASES = [
    ("drs", "1.5.0", None, None),
    ("drs", "1.5.0", "checksum-wrong", "drs.object.checksum-matches-bytes"),
    ("drs", "1.5.0", "range-off-by-one", "drs.access.range-partial-content-is-exact-slice"),
    ("drs", "1.5.0", "id-unstable", "drs.object.id-always-returns-same-data"),
    ("refget", "2.0.0", None, None),
    ("refget", "2.0.0", "metadata-wrong-md5", "refget.sequence.md5-matches-bytes"),
    ("refget", "2.0.0", "sequence-base-substituted", "refget.sequence.md5-matches-bytes"),
]


def _outcomes(report_root: Path, standard: str, version: str, fault: str | None, concurrent: int,
              specs_dir: str | None) -> list[tuple[str, str, str]]:
    document: dict[str, Any] = {
        "initiative": f"{standard} side by side {concurrent}",
        "services": reference_entries(standard, [fault] if fault else [], version=version)[:1],
        "budget": {**LOOPBACK_BUDGET, "concurrent_requests": concurrent},
    }
    return run_profile(document, report_root / f"{standard}-{fault}-{concurrent}", specs_dir=specs_dir,
                       standards=[standard]).outcomes()


@pytest.mark.parametrize(("standard", "version", "fault", "fails"), CASES,
                         ids=[f"{c[0]}-{c[2] or 'conformant'}" for c in CASES])
def test_answers_fetched_side_by_side_give_the_results_of_one_at_a_time(
        standard: str, version: str, fault: str | None, fails: str | None, report_root: Path,
        specs_dir: str | None) -> None:
    one_at_a_time = _outcomes(report_root, standard, version, fault, 1, specs_dir)
    side_by_side = _outcomes(report_root, standard, version, fault, 4, specs_dir)
    assert side_by_side == one_at_a_time
    failed = {check_id for check_id, outcome, _ in side_by_side if outcome == "failed"}
    assert (fails in failed) if fails else not failed
