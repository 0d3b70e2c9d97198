"""Conformant DRS servers that choose differently where the spec lets them get no failed check: expand
defaulting to true, inline signed URLs in bulk answers, uppercase hex, compact self_uris parsed by the
first colon, 202 to a bulk request or an expanded blob; a malformed checksum is one failure, not two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance_suites.drs.reference.app import DrsApp

from conformance import Request
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile


def _run(app: DrsApp, report_root: Path, checks: list[str], specs_dir: str | None = None) -> RunResult:
    with ReferenceServer(app) as server:
        entry = dict(DrsApp.demo_entries()[0])
        entry.pop("reference")
        entry.update(url=server.url, auth={"passport_env": "DRS_TEST_PASSPORT"})
        return run_profile({"initiative": "drs precision", "services": [entry]}, report_root, checks=checks,
                           specs_dir=specs_dir, environ={"DRS_TEST_PASSPORT": app.passport})


class _ExpandByDefault(DrsApp):
    """GetObject's expand declares no default (DRS 1.2.0 - 1.5.0 §Objects › expand): this server expands
    unless asked ``expand=false``."""

    @staticmethod
    def expand(request: Request, body: Any = None) -> bool:
        if isinstance(body, dict) and "expand" in body:
            return body["expand"] is True
        return (request.arg("expand") or "true").lower() != "false"


def test_expand_without_a_default_is_judged_on_expand_false(report_root: Path) -> None:
    result = _run(_ExpandByDefault(), report_root, ["drs.bundle.expand-false-is-not-recursive"])
    assert result.outcome("drs.bundle.expand-false-is-not-recursive") == "passed", result.output
    always = _run(DrsApp(faults=["bundle-always-expanded"]), report_root, ["drs.bundle.expand-false-is-not-recursive"])
    assert always.outcome("drs.bundle.expand-false-is-not-recursive") == "failed", always.output
