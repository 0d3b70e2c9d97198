"""What the DRS suite's tests share: a run of the reference DRS server's demo entry (or a stand-in's) with the
test passport, and a stub of just enough of suites/drs/view.Drs for the self_uri rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance_suites.drs.reference.app import DrsApp

from conformance.exchange import Exchange
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile


def demo_entry(server: ReferenceServer, **changes: Any) -> dict[str, Any]:
    """The demo's DRS entry pointed at ``server``, with the test passport's environment variable."""
    entry = dict(DrsApp.demo_entries()[0])
    entry.pop("reference")
    entry.update(url=server.url, auth={"passport_env": "DRS_TEST_PASSPORT"}, **changes)
    return entry


def run_demo_entry(app: DrsApp, report_root: Path, checks: list[str], *, initiative: str = "drs",
                   specs_dir: str | None = None, **changes: Any) -> RunResult:
    """Only ``checks`` of the demo entry run against ``app`` (``changes`` to the entry)."""
    with ReferenceServer(app) as server:
        return run_profile({"initiative": initiative, "services": [demo_entry(server, **changes)]}, report_root,
                           checks=checks, specs_dir=specs_dir, environ={"DRS_TEST_PASSPORT": app.passport})


class StubDrs:
    """Just enough of suites/drs/view.Drs for the self_uri rules: one object whose self_uri is given."""

    def __init__(self, self_uri: str) -> None:
        self.document: dict[str, Any] = {"id": "x", "self_uri": self_uri}
        self.response = Exchange("GET", "https://api.example.org/ga4gh/drs/v1/objects/x", status=200)

    def require_documents(self) -> list[tuple[str, dict[str, Any], Any]]:
        return [("x", self.document, self.response)]
