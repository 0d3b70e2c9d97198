"""suites/htsget: a JSON answer the harness cut at max_response_bytes is the harness's error, never a failure
of the server (issue 21: no false verdict): the checks that read a ticket, a POST answer or a service-info
say the budget stopped them, as every other suite's do (``Response.json``)."""

from __future__ import annotations

from pathlib import Path

from conformance.testing import reference_entries, run_profile


def test_a_ticket_cut_at_the_response_budget_errs_and_fails_nothing(report_root: Path) -> None:
    entries = [e for e in reference_entries("htsget") if e["version"] == "1.3.0"]
    result = run_profile({"initiative": "cut", "services": entries[:1],
                          "budget": {"max_response_bytes": 300, "requests_per_second": 1000}}, report_root,
                         standards=["htsget"])
    checks = [c for s in result.scorecard.services for c in s.checks]
    assert [c.id for c in checks if c.outcome == "failed"] == []
    ticket = next(c for c in checks if c.id == "htsget.response.success-200-json")
    assert (ticket.outcome, ticket.limit) == ("error", "max_response_bytes"), ticket.message
    assert "max_response_bytes=300" in ticket.message
    assert result.scorecard.services[0].verdict() == "incomplete"
