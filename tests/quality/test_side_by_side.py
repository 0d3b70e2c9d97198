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


def _many_objects_app(count: int, failing: str, status: int) -> Any:
    """The reference DRS server with ``count`` more small objects and one, ``failing``, whose bytes answer
    ``status``; it counts the byte requests in flight at once."""
    import threading
    import time

    from conformance_suites.drs.reference.app import Blob, DrsApp

    class ManyObjects(DrsApp):
        def __init__(self) -> None:
            super().__init__()
            for n, name in enumerate([*(f"extra-{i}" for i in range(count)), failing]):
                blob = Blob(name, f"{name}.bin", 1000 + n, 2048, ("sha-256", "md5"))
                blob.compute()
                self.blobs[blob.id] = blob
            self.lock, self.in_flight, self.most = threading.Lock(), 0, 0

        def serve(self, blob: Any, request: Any) -> Any:
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            try:
                time.sleep(0.02)  # long enough for requests side by side to overlap
                return self.error(status, "cold storage") if blob.id == failing else super().serve(blob, request)
            finally:
                with self.lock:
                    self.in_flight -= 1

    return ManyObjects()


@pytest.mark.parametrize("status", [500, 503])
def test_one_failing_object_fails_no_other_side_by_side(status: int, report_root: Path,
                                                        specs_dir: str | None) -> None:
    """An object whose bytes answer 500 (a failure of its checks) or 503 (retried, then an error the prefetch
    keeps for the first check that asks) fails its own checks and no other's, whether its answers are
    fetched side by side or one at a time: the outcome of every check is the same."""
    from conformance.reference.server import ReferenceServer

    outcomes: dict[int, list[tuple[str, str]]] = {}
    most: dict[int, int] = {}
    for width in (1, 4):
        app = _many_objects_app(5, "cold", status)
        with ReferenceServer(app) as server:
            document = {"initiative": f"one failing object {width}", "services": [
                {"standard": "drs", "version": "1.5.0", "url": server.url,
                 "objects": [*(f"extra-{i}" for i in range(5)), "cold"]}],
                "budget": {**LOOPBACK_BUDGET, "concurrent_requests": width}}
            result = run_profile(document, report_root / f"failing-{status}-{width}", specs_dir=specs_dir,
                                 standards=["drs"])
        outcomes[width] = [(f"{c.id}[{case.case}]", case.outcome) for s in result.scorecard.services
                           for c in s.checks for case in c.cases]
        most[width] = app.most
    assert outcomes[4] == outcomes[1]
    failed = [name for name, outcome in outcomes[1] if outcome in ("failed", "error")]
    assert failed and all(name.endswith("[cold]") for name in failed), failed
    assert most[1] == 1 and most[4] > 1  # the bytes were asked for side by side
