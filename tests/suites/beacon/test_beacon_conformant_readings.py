"""Conformant variants of the reference Beacon that a check once failed (review of the Beacon suite): each
follows the spec's text where the check read more into it than the text states."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

from conformance_suites.beacon.reference import BeaconApp
from conformance_suites.beacon.reference.app import Query

from conformance import ReferenceServer
from conformance.testing import RunResult, run_profile


def _judge(app: BeaconApp, checks: list[str], report_root: Path, specs_dir: str | None = None) -> RunResult:
    with ReferenceServer(app).start() as server:
        entry = {"standard": "beacon", "version": app.version, "url": server.url.rstrip("/")}
        return run_profile({"initiative": "beacon readings", "services": [entry]}, report_root, checks=checks,
                           specs_dir=specs_dir)


def _outcomes(result: RunResult, checks: list[str]) -> dict[str, str]:
    return {c: result.outcome(c) for c in checks}


RELATED = ["beacon.entry.related-variants-consistent", "beacon.entry.related-entries-consistent",
           "beacon.entry.collection-members-consistent"]


class _NoIndividualLinks(BeaconApp):
    """Leaves out the optional caseLevelData[].individualId and biosample.individualId."""

    def public(self, entry: str, record: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(super().public(entry, record))
        for case in record.get("caseLevelData", []) if entry == "genomicVariant" else []:
            case.pop("individualId", None)
        if entry == "biosample":
            record.pop("individualId", None)
        return record


class _MaximumPage(BeaconApp):
    """Returns at most 20 records a page, "the maximum allowed by the Beacon" (Pagination.limit)."""

    def page(self, records: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
        return super().page(records, dataclasses.replace(query, limit=min(query.limit or 20, 20)))


def test_related_records_without_the_optional_link_field(report_root: Path) -> None:
    result = _judge(_NoIndividualLinks(), RELATED, report_root)
    assert set(_outcomes(result, RELATED).values()) <= {"passed", "skipped"}, result.output
    # the links the records still carry (runId, analysisId, biosampleId) are judged
    assert result.outcome(RELATED[0]) == "passed"


def test_related_records_of_a_listing_cut_at_the_maximum_page(report_root: Path) -> None:
    result = _judge(_MaximumPage(), RELATED, report_root)
    assert set(_outcomes(result, RELATED).values()) <= {"passed", "skipped"}, result.output
