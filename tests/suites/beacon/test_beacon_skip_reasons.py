"""A beacon check's skip says what happened: an answer without meta.returnedGranularity is not "answered at None
granularity", and a /map template left untried because no listing could be read says so."""

from __future__ import annotations

from pathlib import Path

from conformance.testing import run_reference


def test_an_answer_without_returned_granularity_is_named(report_root: Path) -> None:
    checks = ["beacon.granularity.boolean-has-no-records", "beacon.granularity.count-has-no-records"]
    result = run_reference("beacon", report_root, ["meta-missing-returned-granularity"], checks=checks)
    for check_id in checks:
        finding = result.check(check_id)
        assert finding.outcome == "skipped", finding
        assert "None" not in finding.message and "without a meta.returnedGranularity" in finding.message, \
            finding.message


def test_map_templates_untried_for_want_of_a_listing_say_so(report_root: Path) -> None:
    checks = ["beacon.map.single-entry-urls-answer", "beacon.map.related-endpoints-answer"]
    result = run_reference("beacon", report_root, ["unfiltered-queries-refused"], checks=checks)
    for check_id in checks:
        finding = result.check(check_id)
        assert finding.outcome == "skipped", finding
        assert "listing(s) could not be read" in finding.message, finding.message
