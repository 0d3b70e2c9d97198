"""One root cause, one failure, in the TRS suite, as the Galaxy Tool Shed 26.1.2 showed it: stand-ins for its
null ToolVersion fields (served alike by GET /tools/{id} and GET /tools/{id}/versions), its missing route
/tools/{id}/versions/{version_id} and its empty listing of the tools it serves by id; and, beside each, a
server whose second defect is a different one and stays a root cause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.trs.reference.app import Tool, TrsApp, Version

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, reference_entries, run_profile

HTML_404 = b"<html><head><title>404 Not Found</title></head><body>No route</body></html>"


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


class NoVersionRoute(TrsApp):
    """GET /tools/{id}/versions/{version_id} is no route: every version, listed or not, answers 404 text/html."""

    @route("GET", "/tools/{id}/versions/{version_id}")
    def tool_version(self, request: Request) -> Reply:
        return Reply(404, HTML_404, {"Content-Type": "text/html; charset=UTF-8"})


class UnknownVersionHtml(TrsApp):
    """Listed versions are served; an unknown one answers 404 text/html, not an Error."""

    @route("GET", "/tools/{id}/versions/{version_id}")
    def tool_version(self, request: Request) -> Reply:
        reply = super().tool_version(request)
        return Reply(404, HTML_404, {"Content-Type": "text/html"}) if reply.status == 404 else reply


class ListedVersionsLost(UnknownVersionHtml):
    """A listed version answers 404 with an Error (its lookup is broken); an unknown one 404 text/html."""

    @route("GET", "/tools/{id}/versions/{version_id}")
    def tool_version(self, request: Request) -> Reply:
        tool = self.find(request.params["id"])
        if tool is not None and self.version_of(tool, request.params["version_id"]) is not None:
            return self.error(404, "version not found")
        return super().tool_version(request)


UNKNOWN_VERSION_CHECKS = ["trs.version.schema", "trs.version.unknown-404"]


@pytest.mark.parametrize(("app", "causes"), [
    (NoVersionRoute, {"trs.version.schema": None, "trs.version.unknown-404": "trs.version.schema"}),
    (UnknownVersionHtml, {"trs.version.unknown-404": None}),
    (ListedVersionsLost, {"trs.version.schema": None, "trs.version.unknown-404": None}),
], ids=["no-route", "unknown-html", "listed-error-unknown-html"])
def test_unknown_version_answered_as_listed_ones_is_a_consequence(app: type[TrsApp], causes: dict[str, str | None],
                                                                  report_root: Path, specs_dir: str | None) -> None:
    result = _run(app(version="2.0.1"), report_root, specs_dir, UNKNOWN_VERSION_CHECKS)
    assert result.causes() == causes, result.output


class EmptyListing(TrsApp):
    """GET /tools always answers [] (filtered or not), while GET /tools/{id} serves every tool."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        return json_reply([])


def test_a_served_tool_missing_from_the_listing_fails(report_root: Path, specs_dir: str | None) -> None:
    result = _run(EmptyListing(version="2.0.1"), report_root, specs_dir, ["trs.tools.lists-served-tools"],
                  tools=["bwa-mem"])
    assert result.causes() == {"trs.tools.lists-served-tools": None}, result.output
    assert "bwa-mem" in result.check("trs.tools.lists-served-tools").message


@pytest.mark.parametrize(("entry", "outcome"), [
    ({"tools": ["bwa-mem"], "auth": {"bearer_token_env": "TRS_TOKEN"}}, "skipped"),  # maybe a private tool
    ({}, "skipped"),  # no tool named: nothing outside the listing is read
], ids=["with-credentials", "no-tools-named"])
def test_a_served_tool_is_judged_only_without_credentials(entry: dict[str, Any], outcome: str, report_root: Path,
                                                          specs_dir: str | None, monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setenv("TRS_TOKEN", "a-token")
    result = _run(EmptyListing(version="2.0.1"), report_root, specs_dir, ["trs.tools.lists-served-tools"], **entry)
    assert result.outcome("trs.tools.lists-served-tools") == outcome, result.output


class IdFilterOnly(TrsApp):
    """The unfiltered listing is one page of 1000 tools (the default limit, without paging headers), which
    leaves bwa-mem for a later page; GET /tools?id=bwa-mem answers it."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        if request.query:
            return super().tools(request)
        return json_reply([{"id": f"tool-{i:04d}", "url": f"{self.url}/tools/tool-{i:04d}", "organization": "o",
                            "toolclass": {"id": "0", "name": "CommandLineTool"}, "versions": []}
                           for i in range(1000)])


def test_a_tool_the_id_filter_answers_is_listed(report_root: Path, specs_dir: str | None) -> None:
    result = _run(IdFilterOnly(version="2.0.1"), report_root, specs_dir, ["trs.tools.lists-served-tools"],
                  tools=["bwa-mem"])
    assert result.outcome("trs.tools.lists-served-tools") == "passed", result.output


class NullToolFields(TrsApp):
    """Every Tool, in the listing and by id, gives null for its description (not nullable)."""

    def tool_json(self, tool: Tool) -> dict[str, Any]:
        return {**super().tool_json(tool), "description": None}


class ToolByIdWithADefectOfItsOwn(NullToolFields):
    """The same, and GET /tools/{id} also gives has_checker as a string, which the listing does not."""

    @route("GET", "/tools/{id}")
    def tool(self, request: Request) -> Reply:
        reply = super().tool(request)
        if reply.status != 200:
            return reply
        return json_reply({**json.loads(reply.body), "has_checker": "no"})


@pytest.mark.parametrize(("app", "cause"), [(NullToolFields, "trs.tools.schema"), (ToolByIdWithADefectOfItsOwn, None)])
def test_a_tool_failing_by_id_as_in_the_listing_is_its_consequence(app: type[TrsApp], cause: str | None,
                                                                  report_root: Path, specs_dir: str | None) -> None:
    checks = ["trs.tools.schema", "trs.tool.schema"]
    result = _run(app(version="2.0.1"), report_root, specs_dir, checks)
    assert result.causes() == {"trs.tools.schema": None, "trs.tool.schema": cause}, result.output


class UnknownIdsBadRequest(TrsApp):
    """Every unknown tool id answers 400 with an Error (as Dockstore answers an id it cannot parse); one long
    one, over 100 characters, answers 500 besides: a defect of its own."""

    LONG_500 = False

    def unknown_tool(self, request: Request) -> Reply:
        if self.LONG_500 and len(request.params["id"]) > 100:
            return json_reply({"code": 500, "message": "internal error"}, 500)
        return self.error(400, f"cannot parse the tool id {request.params['id']}")


class UnknownIdsBadRequestLong500(UnknownIdsBadRequest):
    LONG_500 = True


@pytest.mark.parametrize(("app", "cause"), [(UnknownIdsBadRequest, "trs.tool.unknown-404"),
                                            (UnknownIdsBadRequestLong500, None)],
                         ids=["same-status", "a-status-of-its-own"])
def test_unknown_ids_answered_alike_are_one_failure(app: type[TrsApp], cause: str | None, report_root: Path,
                                                    specs_dir: str | None) -> None:
    result = _run(app(version="2.0.1"), report_root, specs_dir,
                  ["trs.tool.unknown-404", "trs.property.unknown-ids-are-404"])
    assert result.causes() == {"trs.tool.unknown-404": None, "trs.property.unknown-ids-are-404": cause}, \
        result.output


class ChecksumObjectInWrappers(TrsApp):
    """Every FileWrapper (descriptor, test, containerfile) gives its checksum as one Checksum object, as a
    ToolFile does, not the array FileWrapper.checksum is: one model defect, served by three endpoints."""

    def wrapper(self, content: str, *, url: str, checksums: bool = True,
                checksum_fault: bool = False) -> dict[str, Any]:
        data = super().wrapper(content, url=url, checksums=checksums, checksum_fault=checksum_fault)
        data["checksum"] = data["checksum"][0]
        return data


class OwnDefectInTests(ChecksumObjectInWrappers):
    """The same, and the test FileWrappers also give their url as a number, which the descriptors do not."""

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/tests")
    def tests(self, request: Request) -> Reply:
        reply = super().tests(request)
        if reply.status != 200:
            return reply
        return json_reply([{**item, "url": 42} for item in json.loads(reply.body)])


WRAPPER_CHECKS = ["trs.descriptor.schema", "trs.tests.schema", "trs.containerfile.available"]


@pytest.mark.parametrize(("app", "causes"), [
    (ChecksumObjectInWrappers, {"trs.descriptor.schema": None, "trs.tests.schema": "trs.descriptor.schema",
                                "trs.containerfile.available": "trs.descriptor.schema"}),
    (OwnDefectInTests, {"trs.descriptor.schema": None, "trs.tests.schema": None,
                                  "trs.containerfile.available": "trs.descriptor.schema"}),
], ids=["same-model", "tests-own-defect"])
def test_file_wrappers_failing_as_the_descriptors_do_are_its_consequence(
        app: type[TrsApp], causes: dict[str, str | None], report_root: Path, specs_dir: str | None) -> None:
    result = _run(app(version="2.0.1"), report_root, specs_dir, WRAPPER_CHECKS)
    assert result.causes() == causes, result.output


@pytest.mark.parametrize(("fault", "cause"), [("offset-beyond-end-error", "trs.paging.offset-beyond-end-empty"),
                                              ("duplicate-tool-in-list", "trs.tools.ids-unique")])
def test_slices_failing_over_anothers_defect_are_its_consequence(fault: str, cause: str, report_root: Path,
                                                                 specs_dir: str | None) -> None:
    """An offset past the end answered 500 fails the slices that reach past the end; a listing that repeats a
    tool is no base to slice: each is one failure, of the check about it."""
    checks = [cause, "trs.property.offset-limit-slices"]
    result = run_profile({"initiative": "trs slices", "services": reference_entries("trs", [fault])}, report_root,
                         specs_dir=specs_dir, checks=checks)
    assert result.causes() == {cause: None, "trs.property.offset-limit-slices": cause}, result.output


def test_the_offset_fault_fails_only_the_slices(report_root: Path, specs_dir: str | None) -> None:
    """The reference's off-by-one offset fault shows where an offset is asked: the default listing stays
    whole, so trs.tools.lists-served-tools (which reads it) is not failed by it besides."""
    if specs_dir is None:
        pytest.skip("the official TRS schemas are needed (CONFORMANCE_SPECS_DIR)")
    entries = reference_entries("trs", ["offset-off-by-one-for-large-limits"])
    result = run_profile({"initiative": "trs offset fault", "services": entries}, report_root, specs_dir=specs_dir,
                         standards=["trs"])
    assert result.causes() == {"trs.property.offset-limit-slices": None}, result.output


def test_the_descriptor_defects_are_read_once_per_check(report_root: Path, specs_dir: str | None,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # every tests and containerfile FileWrapper shares the descriptors' defect: the descriptors' defects are
    # gathered once by each check that compares with them, not once per defective FileWrapper
    from conformance_suites.trs import check_descriptors

    calls: list[str] = []
    gather = check_descriptors._descriptor_defects

    def counted(trs: Any, validator: Any) -> frozenset[tuple[tuple[str, ...], str]]:
        calls.append("called")
        return gather(trs, validator)

    monkeypatch.setattr(check_descriptors, "_descriptor_defects", counted)
    result = _run(ChecksumObjectInWrappers(version="2.0.1"), report_root, specs_dir, WRAPPER_CHECKS)
    assert result.causes() == {"trs.descriptor.schema": None, "trs.tests.schema": "trs.descriptor.schema",
                               "trs.containerfile.available": "trs.descriptor.schema"}, result.output
    assert len(calls) == 2, calls
