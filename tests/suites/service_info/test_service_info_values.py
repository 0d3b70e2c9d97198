"""The service-info checks hold a document to what the Service schema states, no more: an organization
name or a type field that is an empty string is a string, as the schema requires (service-info 1.0.0
§Service.organization, §ServiceType: type string, no minLength), and is not failed for being empty."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.testing import run_profile, serving

TYPE = {"group": "org.ga4gh", "artifact": "service-info", "version": "1.0.0"}
DOCUMENT = {"id": "org.example.trs", "name": "Example TRS", "type": TYPE,
            "organization": {"name": "", "url": "https://example.org"}, "version": "1.0.0"}


def test_an_empty_organization_name_is_a_string(report_root: Path, requires_specs: str) -> None:
    with serving(json.dumps(DOCUMENT).encode()) as url:
        entry = {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": url}
        result = run_profile({"initiative": "empty organization name", "services": [entry]}, report_root,
                             specs_dir=requires_specs)
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("service-info.organization.name-and-url") == "passed"


def test_an_empty_group_is_the_group_checks_finding(report_root: Path, requires_specs: str) -> None:
    document = {**DOCUMENT, "type": {**TYPE, "group": ""}}
    checks = ["service-info.type.fields-present", "service-info.type.group-is-org-ga4gh"]
    with serving(json.dumps(document).encode()) as url:
        entry = {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": url}
        result = run_profile({"initiative": "empty group", "services": [entry]}, report_root,
                             specs_dir=requires_specs, checks=checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("passed", None), ("failed", None)], result.output


def test_a_document_that_is_no_object_is_the_endpoint_checks_failure(report_root: Path) -> None:
    checks = ["service-info.endpoint.answers-200", "service-info.schema.valid", "service-info.fields.required-present"]
    with serving(json.dumps([DOCUMENT]).encode()) as url:
        entry = {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": url}
        result = run_profile({"initiative": "service-info array", "services": [entry]}, report_root, checks=checks)
    assert result.outcome(checks[0]) == "failed", result.output
    for check_id in checks[1:]:
        finding = result.check(check_id)
        assert finding.outcome == "skipped", finding
        # the skip names the check that failed over it, not itself, and speaks of JSON types
        assert "answered a JSON array" in finding.message and f"(see {checks[0]})" in finding.message, finding.message
