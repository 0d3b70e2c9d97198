"""suites/beacon/check_framework.py: beacon.map.url-templates judges RFC 6570 templates with jsonschema's
uri-template format checker; installed without it (jsonschema without its format-nongpl extra), the check
errs saying so, never passes a template it cannot judge. suites/beacon/view.py: fill_id expands {id} as RFC 6570
does."""

from __future__ import annotations

import pytest
from conformance_suites.beacon.check_framework import _is_uri_template
from conformance_suites.beacon.view import fill_id

from conformance import FORMAT_CHECKER, HarnessError


def test_a_template_is_judged_by_rfc_6570() -> None:
    assert _is_uri_template("https://beacon.example.org/api/individuals/{id}")
    assert not _is_uri_template("https://beacon.example.org/api/individuals/{id")


def test_without_the_format_checker_the_check_cannot_tell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FORMAT_CHECKER, "checkers", {k: v for k, v in FORMAT_CHECKER.checkers.items()
                                                     if k != "uri-template"})
    with pytest.raises(HarnessError, match="no uri-template format checker is installed"):
        _is_uri_template("https://beacon.example.org/api/individuals/{id")


@pytest.mark.parametrize(("entry_id", "path"), [("ind-1", "/individuals/ind-1"), ("HG00096", "/individuals/HG00096"),
                                                ("a/b c?d#e", "/individuals/a%2Fb%20c%3Fd%23e"),
                                                ("x_y.z~1", "/individuals/x_y.z~1")])
def test_an_id_fills_one_path_segment(entry_id: str, path: str) -> None:
    """RFC 6570 §3.2.2 simple string expansion: all but the unreserved characters percent-encoded."""
    assert fill_id("https://b.example.org/api/individuals/{id}", entry_id) == f"https://b.example.org/api{path}"
