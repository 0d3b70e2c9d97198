"""Issue 19.8, Galaxy 26.1: optional service-info fields sent as ``null``. One cause (the Service schema
has no ``nullable``, service-info 1.0.0 §components.schemas.Service), one failure: the format checks that
trip over the same nulls are grouped under service-info.schema.valid and counted once."""

from __future__ import annotations

from pathlib import Path

from conformance.testing import run_reference

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
