"""A service-registry check's skip says what happened: the harness's own limit is an error, never the reason
"no listed service answers", and a listing without urls is named as such."""

from __future__ import annotations

from pathlib import Path

from conformance.testing import reference_entries, run_profile

AGREES = "service-registry.services.service-info-agrees"


def test_a_budget_spent_before_a_listed_service_info_is_an_error(report_root: Path) -> None:
    # the probe and GET /services use the two requests: the listed services' own service-info is never asked
    document = {"initiative": "registry budget", "services": reference_entries("service-registry"),
                "budget": {"max_requests": 2, "requests_per_second": 500}}
    result = run_profile(document, report_root, checks=[AGREES])
    finding = result.check(AGREES)
    assert finding.outcome == "error", finding
    assert "max_requests" in finding.message, finding.message


def test_a_listing_without_urls_is_named(report_root: Path) -> None:
    document = {"initiative": "registry without urls",
                "services": reference_entries("service-registry", ["listed-service-missing-url"])}
    result = run_profile(document, report_root, checks=[AGREES])
    finding = result.check(AGREES)
    assert finding.outcome == "skipped" and finding.message == "no listed service gives a url", finding
