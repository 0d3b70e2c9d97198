"""suites/htsget: a ticket whose format is none of its endpoint's (``bam``, the format-lowercase fault) fails
htsget.ticket.format-allowed-for-endpoint; the checks that find that format wrong again are its consequences
(one root cause, one failure), and the data checks, which judge bytes against the ticket's format, skip
saying why instead of erring in the harness."""

from __future__ import annotations

from pathlib import Path

from conformance.testing import reference_entries, run_profile

ALLOWED = "htsget.ticket.format-allowed-for-endpoint"


def test_a_lower_case_format_is_one_failure_with_its_consequences_and_no_error(report_root: Path) -> None:
    entries = [e for e in reference_entries("htsget", ["format-lowercase"]) if e["version"] == "1.3.0"]
    result = run_profile({"initiative": "case", "services": entries[:1]}, report_root, standards=["htsget"])
    checks = {c.id: c for s in result.scorecard.services for c in s.checks}
    assert [c.id for c in checks.values() if c.outcome == "error"] == []
    assert checks[ALLOWED].outcome == "failed" and checks[ALLOWED].caused_by is None
    for consequence in ("htsget.ticket.format-matches-request", "htsget.ticket.format-default-bam",
                        "htsget.ticket.format-default-vcf", "htsget.service-info.formats-satisfiable"):
        assert (checks[consequence].outcome, checks[consequence].caused_by) == ("failed", ALLOWED), consequence
    data = checks["htsget.data.concatenation-valid-format"]
    assert data.outcome == "skipped"
    assert data.message == (f"the ticket's format 'bam' is none of BAM, CRAM, VCF, BCF: its data are not judged "
                            f"against it (see {ALLOWED})")
