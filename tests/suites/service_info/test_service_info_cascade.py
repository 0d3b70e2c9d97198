"""Issue 19.8, Galaxy 26.1: optional service-info fields sent as ``null``. One cause (the Service schema
has no ``nullable``, service-info 1.0.0 §components.schemas.Service), one failure: the format checks that
trip over the same nulls are grouped under service-info.schema.valid and counted once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.htsget.reference.app import HtsgetApp
from conformance_suites.service_info.reference.app import ServiceInfoApp

from conformance import Reply
from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile, run_reference, serving

ROOT = "service-info.schema.valid"
CONSEQUENCES = ["service-info.urls.are-uris", "service-info.timestamps.rfc3339"]


def test_null_optional_fields_are_one_failure_with_its_consequences(report_root: Path, requires_specs: str) -> None:
    result = run_reference("service-info", report_root, ["optional-fields-null"], specs_dir=requires_specs)
    assert result.exit_code == 1
    root = result.check(ROOT)
    assert (root.outcome, root.caused_by) == ("failed", None)
    for check_id in CONSEQUENCES:
        check = result.check(check_id)
        assert (check.outcome, check.caused_by) == ("failed", ROOT), check_id
    counts = result.scorecard.services[0].counts()
    assert (counts["failed"], counts["consequences"]) == (1, 2)
    assert f"  - consequence: `{CONSEQUENCES[0]}`" in result.summary()


def test_drs_service_info_nulls_group_under_the_shared_schema_check(report_root: Path, requires_specs: str) -> None:
    checks = [ROOT, "drs.service-info.schema-valid", *CONSEQUENCES]
    result = run_reference("drs", report_root, ["service-info-optional-null"], specs_dir=requires_specs,
                           checks=checks)
    assert {c.id: (c.outcome, c.caused_by) for s in result.scorecard.services for c in s.checks} == {
        ROOT: ("failed", None), **{c: ("failed", ROOT) for c in checks[1:]}}


def test_a_drs_schema_error_besides_the_nulls_stands_alone(report_root: Path, requires_specs: str) -> None:
    result = run_reference("drs", report_root, ["service-info-optional-null", "service-info-max-bulk-string"],
                           specs_dir=requires_specs, checks=[ROOT, "drs.service-info.schema-valid"])
    check = result.check("drs.service-info.schema-valid")
    assert (check.outcome, check.caused_by) == ("failed", None)


def test_without_the_schemas_the_consequences_stand_alone(report_root: Path, no_specs: None) -> None:
    # the cause could not be checked: a link to a check that did not fail is dropped, never hiding a failure
    result = run_reference("service-info", report_root, ["optional-fields-null"], checks=[ROOT, *CONSEQUENCES])
    assert result.outcome(ROOT) == "skipped"
    assert [(result.outcome(c), result.check(c).caused_by) for c in CONSEQUENCES] == [("failed", None)] * 2


def test_a_mistyped_required_field_groups_under_the_schema_check(report_root: Path, requires_specs: str) -> None:
    """The refget 0.12 seqcol store sends `version` as an object (issue 19): one cause, one failure."""
    result = run_reference("service-info", report_root, ["name-not-string"], specs_dir=requires_specs,
                           checks=[ROOT, "service-info.fields.required-present"])
    assert (result.outcome(ROOT), result.check(ROOT).caused_by) == ("failed", None)
    check = result.check("service-info.fields.required-present")
    assert (check.outcome, check.caused_by) == ("failed", ROOT)


@pytest.mark.parametrize(("fault", "consequences"), [
    ("organization-url-not-uri", ["service-info.organization.name-and-url"]),
    ("contact-url-not-uri", ["service-info.urls.are-uris"]),
    ("created-at-not-rfc3339", ["service-info.timestamps.rfc3339"]),
    ("type-missing-group", ["service-info.type.fields-present", "service-info.type.group-is-org-ga4gh"]),
])
def test_a_field_the_schema_also_rejects_is_one_failure(fault: str, consequences: list[str], report_root: Path,
                                                        requires_specs: str) -> None:
    """The Service schema is validated with the same format checker (uri, date-time) and requires
    ServiceType.group (service-info 1.0.0 §components.schemas.Service, §ServiceType): a bad organization.url,
    contactUrl or createdAt, or a missing type.group, is one cause. It was reported two or three times (the
    group check failing over the absent group too); now once, the dedicated checks grouped under it."""
    result = run_reference("service-info", report_root, [fault], specs_dir=requires_specs)
    failed = result.causes()
    assert failed == {ROOT: None, **dict.fromkeys(consequences, ROOT)}, result.output


def test_without_the_schemas_a_missing_group_is_still_one_failure(report_root: Path, no_specs: None) -> None:
    """Without the schemas the type check is the root; the group check's failure over the same absent
    group is its consequence."""
    checks = ["service-info.type.fields-present", "service-info.type.group-is-org-ga4gh"]
    result = run_reference("service-info", report_root, ["type-missing-group"], checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("failed", None), ("failed", checks[0])]


def test_a_missing_max_bulk_request_length_groups_under_the_drs_schema_check(report_root: Path,
                                                                            requires_specs: str) -> None:
    """The refget 0.12 FASTA-DRS router's service-info has no maxBulkRequestLength (issue 19)."""
    checks = ["drs.service-info.schema-valid", "drs.service-info.max-bulk-request-length-present"]
    result = run_reference("drs", report_root, ["service-info-no-max-bulk"], specs_dir=requires_specs,
                           checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("failed", None), ("failed", checks[0])]



class _NoEndpointServiceInfo(HtsgetApp):
    """htsgetr 0.1.0: neither /reads/service-info nor /variants/service-info exists (only /service-info)."""

    def _service_info(self, kind: str) -> Reply:
        return self._error("NotFound", "no service-info here")


def test_htsget_service_info_endpoints_missing_is_one_failure(report_root: Path) -> None:
    """htsgetr 0.1.0 (issue 19): the shared check and htsget's report the same 404s, at the same level."""
    checks = ["service-info.endpoint.answers-200", "htsget.service-info.endpoint-exposed"]
    with ReferenceServer(_NoEndpointServiceInfo()) as server:
        entry = {**_NoEndpointServiceInfo.demo_entries()[0], "url": server.url}
        entry.pop("reference", None)
        result = run_profile({"initiative": "htsget no service-info", "services": [entry]}, report_root,
                             checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("failed", None), ("failed", checks[0])], result.output


def test_a_custom_group_reports_its_own_version(report_root: Path) -> None:
    """sapporo 2.4 (issue 19): type {group: sapporo-wes, version: sapporo-wes-2.1.0}, as service-info 1.0.0
    §ServiceType.group tells a diverging implementation to do. The group is the one (SHOULD) finding; the
    version of its own API is not compared with the declared WES version."""
    checks = ["service-info.type.group-is-org-ga4gh", "service-info.type.version-matches-declared"]
    result = run_reference("service-info", report_root, ["custom-group", "wrong-type-version"], checks=checks)
    assert [result.outcome(c) for c in checks] == ["failed", "skipped"], result.output
    assert "not org.ga4gh" in result.check(checks[1]).message


def test_wes_1_0_0_has_no_ga4gh_service_info(report_root: Path) -> None:
    """wes-service 5.0 (WES 1.0.0, issue 19.6): its service-info is WES 1.0.0's own ServiceInfo, without id,
    name, type or organization. Every check skips with "not in WES 1.0.0"; WES 1.1.0 is judged."""
    for version, outcome in (("1.0.0", "skipped"), ("1.1.0", "passed")):
        entry = {"standard": "service-info", "version": version, "artifact": "wes"}
        with ReferenceServer(ServiceInfoApp(options={"artifact": "wes"})) as server:
            result = run_profile({"initiative": f"wes {version}", "services": [{**entry, "url": server.url}]},
                                 report_root, checks=["service-info.endpoint.answers-200",
                                                      "service-info.fields.required-present"])
        for check in result.scorecard.services[0].checks:
            assert check.outcome == outcome, (version, check.id, check.message)
            if outcome == "skipped":
                assert check.message.lower().startswith("does not apply: not in wes 1.0.0"), check.message


#: WES 1.0.1's Swagger ServiceInfo (wes/1.0.1/openapi/workflow_execution_service.swagger.yaml), flat as in 1.0.0
WES_1_0_1_SWAGGER = {"workflow_type_versions": {"CWL": {"workflow_type_version": ["v1.0"]}},
                     "supported_wes_versions": ["1.0.1"], "supported_filesystem_protocols": ["file"],
                     "workflow_engine_versions": {"cwltool": "3.1"}, "default_workflow_engine_parameters": [],
                     "system_state_counts": {"COMPLETE": 1}, "auth_instructions_url": "https://example.org/auth",
                     "tags": {}}
#: refget 1.0.1's own service-info (refget/sequences-1.0.1/refget.md, Method: Fetch information on the service)
REFGET_1_0_1 = {"service": {"circular_supported": False, "algorithms": ["md5", "trunc512"],
                            "subsequence_limit": None, "supported_api_versions": ["1.0.1"]}}


@pytest.mark.parametrize(("artifact", "version", "document"), [("wes", "1.0.1", WES_1_0_1_SWAGGER),
                                                               ("refget", "1.0.1", REFGET_1_0_1)])
def test_a_version_whose_own_service_info_predates_ga4gh_is_not_judged(artifact: str, version: str,
                                                                       document: dict[str, Any],
                                                                       report_root: Path) -> None:
    """A `standard: service-info` entry naming a standard's artifact is judged only at a version of that
    standard with GA4GH service-info, as its own suite is (Suite.service_info_versions): WES 1.0.1's Swagger
    keeps 1.0.0's flat ServiceInfo (erratum E1 of suites/wes/requirements.yaml) and refget 1.0.1 answers its
    own {"service": ...} document. Both were failed on the GA4GH Service's required fields."""
    checks = ["service-info.endpoint.answers-200", "service-info.fields.required-present"]
    with serving(json.dumps(document).encode()) as url:
        entry = {"standard": "service-info", "version": version, "artifact": artifact, "url": url.rstrip("/")}
        result = run_profile({"initiative": f"{artifact} {version}", "services": [entry]}, report_root,
                             checks=checks)
    for check in result.scorecard.services[0].checks:
        assert check.outcome == "skipped", (check.id, check.outcome, check.message)
        assert check.message.startswith(f"does not apply: not in {artifact} {version}"), check.message
