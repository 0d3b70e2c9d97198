"""Conformant variants of the htsget reference server get no failed check; CRAM decodes with a FASTA;
htsget 1.2.0 runs without POST and service-info."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.htsget.reference import data as htsget_data
from conformance_suites.htsget.reference.app import HtsgetApp

from conformance.testing import run_profile

CHECKS = None  # every htsget check


def _entry(**extra: Any) -> dict[str, Any]:
    entry = dict(HtsgetApp.demo_entries()[0])
    entry.update(extra)
    return entry


@pytest.mark.parametrize("variant", ["inline", "no-class", "no-md5", "superset", "media-types", "no-post",
                                     "default-formats-only", "empty-range-400", "block-in-file"])
def test_conformant_variant_gets_no_failed_check(variant: str, report_root: Path, specs_dir: str | None) -> None:
    # Options of the reference app reach it through the profile entry's options (reference servers read
    # service.options); the variant is one such option.
    app = HtsgetApp(options={"variant": variant})
    assert app.variant == variant
    from conformance.reference.server import ReferenceServer

    with ReferenceServer(app) as server:
        entry = _entry(url=server.url, auth={"bearer_token_env": "HTSGET_TEST_TOKEN"})
        entry.pop("reference")
        result = run_profile({"initiative": f"variant {variant}", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["htsget"],
                             environ={"HTSGET_TEST_TOKEN": app.token})
    assert result.failed() == []
    assert result.errors() == []


def test_cram_decodes_with_the_profile_fasta(report_root: Path, specs_dir: str | None) -> None:
    fasta = str(htsget_data.dataset().fasta)
    entry = _entry(reference_fasta=fasta)
    entry.pop("refget_url")
    result = run_profile({"initiative": "cram fasta", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["htsget.data.cram-decodes-with-reference"])
    assert result.outcome("htsget.data.cram-decodes-with-reference") == "passed"


def test_cram_decode_skips_without_a_reference(report_root: Path, specs_dir: str | None) -> None:
    entry = _entry()
    entry.pop("refget_url")
    result = run_profile({"initiative": "cram none", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["htsget.data.cram-decodes-with-reference", "htsget.data.concatenation-valid-format"])
    assert result.outcome("htsget.data.cram-decodes-with-reference") == "skipped"
    assert "reference" in result.check("htsget.data.cram-decodes-with-reference").message
    assert result.outcome("htsget.data.concatenation-valid-format") == "passed"


def test_htsget_1_2_0_skips_post(report_root: Path, specs_dir: str | None) -> None:
    entry = _entry(version="1.2.0")
    result = run_profile({"initiative": "htsget 1.2", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["htsget.post.regions-all-returned", "htsget.ticket.schema-valid",
                                 "htsget.data.records-overlapping-region-present"])
    assert result.outcome("htsget.post.regions-all-returned") == "skipped"
    assert result.failed() == []


def test_server_without_cram_and_bcf_and_without_service_info_gets_no_failed_check(
        report_root: Path, specs_dir: str | None) -> None:
    # htsget 1.2.0 has no service-info to list the formats: UnsupportedFormat for CRAM/BCF is the answer
    # the spec asks for (htsget 1.3.0 §Query parameters, format), not a failed ticket request.
    entry = _entry(version="1.2.0", reference={"faults": [], "options": {"variant": "default-formats-only"}})
    result = run_profile({"initiative": "no cram", "services": [entry]}, report_root, specs_dir=specs_dir,
                         standards=["htsget"])
    assert result.failed() == []
    assert result.errors() == []
    assert result.outcome("htsget.response.success-200-json") == "passed"
    assert result.outcome("htsget.ticket.format-matches-request") == "skipped"


def test_unfetchable_blocks_fail_once_and_cascades_skip(report_root: Path, specs_dir: str | None) -> None:
    # htsgetr 0.1.0 (issue 19): its block URLs are refused, so no ticket assembles. That is one failure
    # (htsget.urls.accept-get); the checks whose input is the assembled bytes skip, and the md5 check, on
    # tickets without md5, skips for that reason whatever the blocks do.
    entry = _entry(reference={"faults": ["ticket-headers-missing"], "options": {"variant": "no-md5"}})
    result = run_profile({"initiative": "blocks refused", "services": [entry]}, report_root, specs_dir=specs_dir,
                         standards=["htsget"])
    failed = {c.id for s in result.scorecard.services for c in s.checks if c.outcome == "failed"}
    assert failed == {"htsget.urls.accept-get"}, result.failed()
    assert result.outcome("htsget.data.md5-matches-concatenation") == "skipped"
    assert "no ticket gives md5" in result.check("htsget.data.md5-matches-concatenation").message
    assert result.errors() == []


def test_one_case_answering_500_hides_no_other_ticket(report_root: Path, specs_dir: str | None) -> None:
    # htsgetr 0.1.0 (issue 19): the region case answers 500 while the other requests give tickets served
    # as another media type; the ticket checks read every ticket that came, so the media type is reported.
    entry = _entry(reference={"faults": ["ticket-500-for-regions", "wrong-content-type"]})
    result = run_profile({"initiative": "one case 500", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["htsget.response.success-200-json", "htsget.response.content-type-htsget-json",
                                 "htsget.ticket.urls-array", "htsget.ticket.format-allowed-for-endpoint"])
    assert result.outcome("htsget.response.success-200-json") == "failed"
    assert result.outcome("htsget.response.content-type-htsget-json") == "failed"
    assert result.outcome("htsget.ticket.format-allowed-for-endpoint") == "passed"


def test_shared_service_info_checks_are_shoulds_at_htsget_1_3(report_root: Path, specs_dir: str | None) -> None:
    # issue 19 (htsgetr 0.1.0 serves no /reads/service-info): htsget 1.3.0 §GA4GH service-info makes the
    # endpoints a SHOULD, so the shared checks there warn; they do not make the service non-conformant.
    entry = _entry(reference={"faults": ["service-info-variants-404", "service-info-wrong-artifact"]})
    result = run_profile({"initiative": "si should", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["service-info.type.artifact-matches-standard", "htsget.response.success-200-json"])
    check = next(c for s in result.scorecard.services for c in s.checks
                 if c.id == "service-info.type.artifact-matches-standard")
    assert (check.outcome, check.level, check.warning) == ("failed", "SHOULD", True)
    assert result.exit_code == 0, result.output


def test_a_case_without_input_hides_no_other_case() -> None:
    # issue 19.2: the reads case skips (no ground truth, say); the variants case still runs and fails.
    from conformance_suites.htsget.check_data import _each_case

    from conformance.errors import CheckFailure
    from conformance.profile import Service

    service = Service(index=0, standard="htsget", version="1.3.0", url="http://127.0.0.1:9",
                      options={"reads": [{"id": "r"}], "variants": [{"id": "v"}]})
    seen: list[str] = []

    def run(kind: str, case: dict[str, Any]) -> None:
        seen.append(kind)
        if kind == "reads":
            pytest.skip("no reads ground truth")
        raise CheckFailure("the variants case fails")

    with pytest.raises(CheckFailure):
        _each_case(service, run)
    assert seen == ["reads", "variants"]
    with pytest.raises(pytest.skip.Exception, match="no reads ground truth"):
        _each_case(service, lambda kind, case: pytest.skip("no reads ground truth"))
