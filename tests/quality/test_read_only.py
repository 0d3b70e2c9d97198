"""Read-only unless the profile opts in (issue 14): with ``writes`` false or absent, not one request that
could change a server (POST, PUT, PATCH, DELETE) leaves the harness for a standard that can create things.
Proven on the transport itself: every request the run's HTTP client sends is recorded, whatever the suite
or the reference server would say of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.http import client as http_client
from conformance.suite import discover
from conformance.testing import reference_entries, run_profile

#: The standards whose suites can create something on a server (a ``writes`` profile key).
WRITING = sorted(s.standard for s in discover().values() if "writes" in s.service_options)
CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def test_the_writing_standards_are_known() -> None:
    assert {"wes", "tes"} <= set(WRITING)


@pytest.mark.parametrize("standard", WRITING)
def test_a_read_only_run_sends_no_request_that_changes_the_server(standard: str, report_root: Path,
                                                                   specs_dir: str | None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, str]] = []
    original = http_client.HttpClient.request

    def recording(self: Any, method: str, url: str, **kwargs: Any) -> Any:
        sent.append((method.upper(), url))
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(http_client.HttpClient, "request", recording)
    entries = [{**entry, "writes": False} for entry in reference_entries(standard)]
    for entry in entries:
        entry.pop("submit", None)
    result = run_profile({"initiative": f"{standard} read-only", "services": entries}, report_root,
                         specs_dir=specs_dir, standards=[standard])
    assert result.failed() == [], result.output
    assert sent, "the run sent no request at all"
    changing = [f"{method} {url}" for method, url in sent if method in CHANGING]
    assert changing == []


def test_the_demo_is_read_only() -> None:
    """``conformance demo`` declares no entry that may write (issue 14); the fault matrix gets its writes
    entries from ``fault_entries()`` instead."""
    from conformance.demo import demo_document
    assert [e for e in demo_document()["services"] if e.get("writes")] == []
    assert any(e.get("writes") for standard in WRITING for e in reference_entries(standard))
