"""The requirement catalogue across suites (conformance/catalogue.py)."""

from __future__ import annotations

from conformance.catalogue import catalogue_rows, render_markdown
from conformance.suite import discover


def test_every_requirement_is_a_row_with_its_check_or_its_reason() -> None:
    rows = catalogue_rows()
    assert len(rows) == sum(len(s.requirements) for s in discover().values())
    for row in rows:
        assert (row["check"] is None) != (row["uncovered"] is None), row["id"]


def test_uncovered_must_always_says_why() -> None:
    assert [r["id"] for r in catalogue_rows() if r["level"] == "MUST" and r["uncovered"] == "no check yet"] == []


def test_rows_of_one_standard_and_markdown() -> None:
    rows = catalogue_rows(["service-info"])
    assert {r["standard"] for r in rows} == {"service-info"}
    text = render_markdown(rows)
    assert text.startswith("## service-info: ") and "`service-info.endpoint.answers-200`" in text
