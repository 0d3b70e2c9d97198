"""One root cause, one failure, in the TRS suite, as the Galaxy Tool Shed 26.1.2 showed it: a stand-in for its
null ToolVersion fields (served alike by GET /tools/{id} and GET /tools/{id}/versions), and beside it a server
whose second defect is a different one and stays a root cause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.trs.reference.app import Tool, TrsApp, Version

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile


def _run(app: TrsApp, report_root: Path, specs_dir: str | None, checks: list[str], **entry: Any) -> RunResult:
    if specs_dir is None:
        pytest.skip("the official TRS schemas are needed (CONFORMANCE_SPECS_DIR)")
    with ReferenceServer(app) as server:
        service = {"standard": "trs", "version": "2.0.1", "url": server.url, **entry}
        return run_profile({"initiative": "trs causes", "services": [service]}, report_root, specs_dir=specs_dir,
                           checks=checks)


class NullVersionFields(TrsApp):
    """Every ToolVersion, wherever served, gives null for name and signed (neither is nullable)."""

    def version_json(self, tool: Tool, version: Version) -> dict[str, Any]:
        return {**super().version_json(tool, version), "name": None, "signed": None}


class VersionsWithADefectOfTheirOwn(NullVersionFields):
    """The same, and GET /tools/{id}/versions also gives verified as a string, which GET /tools/{id} does not."""

    @route("GET", "/tools/{id}/versions")
    def tool_versions(self, request: Request) -> Reply:
        reply = super().tool_versions(request)
        return json_reply([{**v, "verified": "no"} for v in json.loads(reply.body)], reply.status)


VERSION_CHECKS = ["trs.tool.schema", "trs.versions.match-tool", "trs.version.schema"]


def test_versions_failing_as_the_tool_does_are_its_consequence(report_root: Path, specs_dir: str | None) -> None:
    result = _run(NullVersionFields(version="2.0.1"), report_root, specs_dir, VERSION_CHECKS)
    assert result.causes() == {"trs.tool.schema": None, "trs.versions.match-tool": "trs.tool.schema",
                               "trs.version.schema": "trs.tool.schema"}, result.output


def test_a_defect_of_the_versions_own_stays_a_root(report_root: Path, specs_dir: str | None) -> None:
    result = _run(VersionsWithADefectOfTheirOwn(version="2.0.1"), report_root, specs_dir, VERSION_CHECKS)
    causes = result.causes()
    assert causes["trs.versions.match-tool"] is None, result.output
    assert "verified" in result.check("trs.versions.match-tool").message
    assert causes["trs.tool.schema"] is None and causes["trs.version.schema"] == "trs.tool.schema", result.output
