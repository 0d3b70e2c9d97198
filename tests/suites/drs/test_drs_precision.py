"""Conformant DRS servers that choose differently where the spec lets them get no failed check: expand
defaulting to true, inline signed URLs in bulk answers, uppercase hex, compact self_uris parsed by the
first colon, 202 to a bulk request or an expanded blob; a malformed checksum is one failure, not two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance_suites.drs.reference.app import DrsApp

from conformance import Request, route
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


class _InlineUrlsInBulk(DrsApp):
    """Bulk answers hand out signed inline URLs where GET of one object gives an access_id (how the bytes are
    reached is no object data, DRS 1.2.0 §DRS IDs; GetBulkObjects: "a list of access methods")."""

    @route("POST", "/objects")
    def bulk_objects(self, request: Request) -> Any:
        self._bulk = True
        try:
            return super().bulk_objects(request)
        finally:
            self._bulk = False

    def access_methods(self, blob: Any) -> list[dict[str, Any]]:
        methods: list[dict[str, Any]] = super().access_methods(blob)
        if getattr(self, "_bulk", False):
            methods = [{"type": "https", "access_url": self.access_url(blob.id)} if "access_id" in m else m
                       for m in methods]
        return methods


def test_bulk_answers_may_reach_the_bytes_another_way(report_root: Path) -> None:
    check = "drs.bulk.resolved-objects-equal-single-answers"
    assert _run(_InlineUrlsInBulk(), report_root, [check]).outcome(check) == "passed"
    assert _run(DrsApp(faults=["bulk-objects-differ"]), report_root, [check]).outcome(check) == "failed"
