"""The TRS suite beyond the generic fault matrix: choices the OpenAPI allows that the reference server
does not make are never failed (no paging headers, opaque offsets, a checksum type spelled sha256)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from conformance_suites.trs.reference.app import TOOLS, Tool, TrsApp, Version

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile


class AllowedChoices(TrsApp):
    """A registry with opaque offsets and no paging headers, checksums typed ``sha256``, and no tests."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        if request.arg("offset") not in (None, "start"):
            return json_reply([])
        reply = super().tools(request)
        reply.headers = {"Content-Type": "application/json"}
        return reply

    def wrapper(self, content: str, *, url: str, checksums: bool = True,
                checksum_fault: bool = False) -> dict[str, object]:
        return {"content": content, "url": url,
                "checksum": [{"type": "sha256", "checksum": hashlib.sha256(content.encode()).hexdigest()}]}

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/tests")
    def tests(self, request: Request) -> Reply:
        return self.error(404, "no tests for this descriptor type")


def test_allowed_choices_are_never_failed(report_root: Path, requires_specs: str) -> None:
    with ReferenceServer(AllowedChoices(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs choices", "services": [entry]}, report_root,
                             specs_dir=requires_specs, standards=["trs"])
    assert result.failed() == [] and result.errors() == [], result.output
    # without next_page the walk cannot be judged; without numeric offsets the empty page neither
    assert result.outcome("trs.paging.offset-beyond-end-empty") == "skipped"
    assert result.outcome("trs.checksum.matches-content") == "passed"
    assert result.outcome("trs.tests.schema") == "passed"


def test_every_file_of_a_version_is_verified(report_root: Path, requires_specs: str) -> None:
    with ReferenceServer(TrsApp(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs", "services": [entry]}, report_root, specs_dir=requires_specs,
                             standards=["trs"])
    assert result.exit_code == 0, result.output
    scorecard = json.loads((result.run_dir / "scorecard.json").read_text())
    assert scorecard["verdict"]
    for check_id in ("trs.files.zip-complete", "trs.checksum.matches-content", "trs.paging.walk-complete",
                     "trs.tools.filter-matches", "trs.tools.filter-subset"):
        assert result.outcome(check_id) == "passed", check_id


class EncodedPathsOnly(TrsApp):
    """A registry that serves a nested relative path only percent-encoded as the one path parameter it is
    (``sub%2Fstep.cwl``): TRS 2.0.x OpenAPI, …/descriptor/{relative_path}, says only that unencoded paths
    "should also be allowed"."""

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/descriptor/{relative_path:path}")
    def relative(self, request: Request) -> Reply:
        if "/" in request.path.split("/descriptor/", 1)[1]:
            return self.error(404, "relative_path is one path segment: encode its slashes")
        return super().relative(request)


def test_encoded_relative_paths_are_enough(report_root: Path, specs_dir: str | None) -> None:
    with ReferenceServer(EncodedPathsOnly(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs encoded paths", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=["trs.files.paths-resolve", "trs.checksum.matches-content"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("trs.files.paths-resolve") == "passed"
    assert result.outcome("trs.checksum.matches-content") == "passed"


#: The tools whose versions are not production ones (built from a branch, say) in NonProductionVersions.
NON_PRODUCTION = ("rnaseq", "bwa-mem")


class NonProductionVersions(TrsApp):
    """A registry whose rnaseq and bwa-mem versions are not production ones and so give no checksum for
    their images and files ("Not required otherwise", TRS 2.0.x OpenAPI, FileWrapper.checksum), beside
    production versions that give them."""

    tools_held = tuple(
        dataclasses.replace(tool, versions=tuple(dataclasses.replace(v, production=False) for v in tool.versions))
        if tool.id in NON_PRODUCTION else tool for tool in TOOLS)


def test_non_production_versions_need_no_checksums(report_root: Path, specs_dir: str | None) -> None:
    app = NonProductionVersions(version="2.0.1")
    bwa = next(tool for tool in app.tools_held if tool.id == "bwa-mem")
    served = app.version_json(bwa, bwa.versions[0])
    assert served["is_production"] is False and "checksum" not in served["images"][0]
    assert "checksum" not in app.wrapper("x", url="u", checksums=app.checksummed(bwa.versions[0]))
    with ReferenceServer(app) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs non-production", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["trs"])
    assert result.failed() == [] and result.errors() == [], result.output
    # the production versions (align-and-call) are judged and pass; the others are not asked
    assert result.outcome("trs.production.checksums") == "passed"
    assert result.outcome("trs.checksum.matches-content") == "passed"


def test_file_wrapper_urls_of_the_reference_give_the_content(report_root: Path, requires_specs: str) -> None:
    checks = ["trs.file-wrapper.url-is-content", "trs.tests.schema", "trs.containerfile.available",
              "trs.version.descriptor-type-version-keys"]
    with ReferenceServer(TrsApp(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs urls", "services": [entry]}, report_root, specs_dir=requires_specs,
                             checks=checks)
    assert result.failed() == [] and result.errors() == [], result.output
    assert {check: result.outcome(check) for check in checks} == dict.fromkeys(checks, "passed")


class LargeRegistry(TrsApp):
    """A registry of more tools than one default page (``limit`` defaults to 1000, TRS 2.0.x OpenAPI,
    components › parameters › limit) and than that page plus a thousand: numeric offsets, paging headers."""

    SIZE = 2100

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        offset, limit = int(request.arg("offset") or 0), int(request.arg("limit") or 1000)
        page = [{"id": f"tool-{i:05d}", "url": f"{self.url}/tools/tool-{i:05d}", "organization": "example-org",
                 "toolclass": {"id": "0", "name": "CommandLineTool"}, "versions": []}
                for i in range(offset, min(offset + limit, self.SIZE))]
        headers = {"current_offset": str(offset), "current_limit": str(limit),
                   "self_link": f"{self.url}/tools?offset={offset}&limit={limit}"}
        if offset + limit < self.SIZE:
            headers["next_page"] = f"{self.url}/tools?offset={offset + limit}&limit={limit}"
        return json_reply(page, headers=headers)


def test_offset_past_the_first_page_is_not_taken_for_past_the_end(report_root: Path, specs_dir: str | None) -> None:
    with ReferenceServer(LargeRegistry(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs large", "services": [entry]}, report_root, specs_dir=specs_dir,
                             checks=["trs.paging.offset-beyond-end-empty"])
    assert result.failed() == [] and result.errors() == [], result.output
    # the first page's length is not where 2100 tools end: the offset past the end is not judged
    assert result.outcome("trs.paging.offset-beyond-end-empty") == "skipped"


class RelativePagingLinks(TrsApp):
    """A registry (behind a proxy, say, that does not know its public host) whose paging headers are URLs
    relative to the page they come with: ``/ga4gh/trs/v2/tools?offset=2&limit=2``."""

    def page_url(self, request: Request, offset: int, limit: int) -> str:
        return "/" + super().page_url(request, offset, limit).removeprefix(self.root_url).lstrip("/")


def test_relative_paging_links_are_followed(report_root: Path, specs_dir: str | None) -> None:
    paging = ["trs.paging.limit-respected", "trs.paging.walk-complete", "trs.paging.links-resolve",
              "trs.paging.current-offset-and-limit", "trs.paging.offset-beyond-end-empty",
              "trs.property.offset-limit-slices"]
    with ReferenceServer(RelativePagingLinks(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs relative links", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=paging)
    assert result.failed() == [] and result.errors() == [], result.output
    assert {check: result.outcome(check) for check in paging} == dict.fromkeys(paging, "passed")


class BrokenNextPage(TrsApp):
    """A registry whose next_page links answer 500 with an Error: one fault, of the paging links."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        if request.arg("offset") not in (None, "0"):
            return self.error(500, "paging is broken")
        return super().tools(request)


class ListingNotArray(TrsApp):
    """A registry whose unfiltered GET /tools wraps the array in an object: one fault, of the listing."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        reply = super().tools(request)
        if request.query:
            return reply
        return json_reply({"tools": json.loads(reply.body)})


@pytest.mark.parametrize(("app", "cause"), [(BrokenNextPage, "trs.paging.links-resolve"),
                                            (ListingNotArray, "trs.tools.schema")],
                         ids=["broken-next-page", "listing-not-array"])
def test_a_broken_listing_is_one_failure(app: type[TrsApp], cause: str, report_root: Path,
                                         specs_dir: str | None) -> None:
    with ReferenceServer(app(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs broken listing", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["trs"])
    failures = result.causes()
    assert failures.pop(cause) is None, result.output
    assert failures and set(failures.values()) == {cause}, result.output


class DockstoreAddressing(TrsApp):
    """A registry addressing tools and versions as Dockstore does: a tool id is a path with ``#`` and ``/``
    (``#workflow/github.com/example-org/rnaseq``, sent percent-encoded as one segment), a ToolVersion.id is
    ``<tool id>:<name>``, and a version's paths (its url) take its name, not its id (TRS 2.0.x OpenAPI,
    components › parameters › version_id: "An identifier of the tool version", not said to be
    ToolVersion.id)."""

    tools_held = tuple(dataclasses.replace(tool, id=f"#workflow/github.com/{tool.organization}/{tool.id}")
                       for tool in TOOLS)

    def tool_url(self, tool: Tool) -> str:
        return f"{self.url}/tools/{quote(tool.id, safe='')}"

    def version_json(self, tool: Tool, version: Version) -> dict[str, object]:
        return {**super().version_json(tool, version), "id": f"{tool.id}:{version.id}", "name": version.id}


def test_versions_addressed_by_name_are_read(report_root: Path, requires_specs: str) -> None:
    app = DockstoreAddressing(version="2.0.1")
    with ReferenceServer(app) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs dockstore addressing", "services": [entry]}, report_root,
                             specs_dir=requires_specs, standards=["trs"])
    assert result.failed() == [] and result.errors() == [], result.output
    for check_id in ("trs.version.schema", "trs.descriptor.schema", "trs.files.zip-complete",
                     "trs.containerfile.available", "trs.checksum.matches-content", "trs.version.unknown-404"):
        assert result.outcome(check_id) == "passed", check_id


#: A README-long description, as Dockstore gives a Tool (its descriptor's or repository's documentation).
README = "# align-and-call\n\n" + "Aligns reads with BWA-MEM, then calls variants with GATK. " * 300


class LongDescriptionBehindFrontEnd(TrsApp):
    """A registry whose first tool's description is a README of some 17 KB, behind an HTTP front end that
    answers 414 URI Too Long to a query string over 8 KB (nginx's default large_client_header_buffers)."""

    tools_held = (dataclasses.replace(TOOLS[0], description=README), *TOOLS[1:])

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        if len(urlencode({k: v[0] for k, v in request.query.items()})) > 8192:
            return Reply(414, b"<html>414 Request-URI Too Large</html>", {"Content-Type": "text/html"})
        return super().tools(request)


def test_a_readme_long_description_is_filtered_by_a_part(report_root: Path, specs_dir: str | None) -> None:
    checks = ["trs.tools.filter-matches", "trs.tools.filter-subset"]
    with ReferenceServer(LongDescriptionBehindFrontEnd(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs long description", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=checks)
    assert result.failed() == [] and result.errors() == [], result.output
    assert {check: result.outcome(check) for check in checks} == dict.fromkeys(checks, "passed")


class PageNumberOffsets(TrsApp):
    """A registry whose offsets count pages, as Dockstore's do (offset=1 is the second page of `limit` tools):
    "Pagination results can be based on numbers or other values chosen by the registry implementor" (TRS
    2.0.x OpenAPI, components › parameters › offset)."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        if set(request.query) - {"offset", "limit"}:
            return super().tools(request)
        page, limit = int(request.arg("offset") or 0), int(request.arg("limit") or 1000)
        found = list(self.tools_held)
        headers = {"current_offset": str(page), "current_limit": str(limit),
                   "self_link": f"{self.url}/tools?offset={page}&limit={limit}",
                   "last_page": f"{self.url}/tools?offset={max(0, (len(found) - 1) // limit)}&limit={limit}"}
        if (page + 1) * limit < len(found):
            headers["next_page"] = f"{self.url}/tools?offset={page + 1}&limit={limit}"
        listed = [self.tool_json(t) for t in found[page * limit:(page + 1) * limit]]
        return json_reply(listed, headers=headers)


def test_offsets_counting_pages_are_not_taken_for_indexes(report_root: Path, specs_dir: str | None) -> None:
    paging = ["trs.paging.limit-respected", "trs.paging.walk-complete", "trs.paging.links-resolve",
              "trs.paging.current-offset-and-limit", "trs.paging.offset-beyond-end-empty",
              "trs.property.offset-limit-slices"]
    with ReferenceServer(PageNumberOffsets(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs page numbers", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=paging)
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("trs.property.offset-limit-slices") == "skipped"
    assert result.outcome("trs.paging.walk-complete") == "passed"


class UrlOnlyWrappers(TrsApp):
    """FileWrappers give a url and no content ("One of url or content is required", FileWrapper)."""

    def wrapper(self, content: str, *, url: str, checksums: bool = True,
                checksum_fault: bool = False) -> dict[str, object]:
        data = super().wrapper(content, url=url, checksums=checksums, checksum_fault=checksum_fault)
        del data["content"]
        return data


class PlainDescriptorsNotServed(TrsApp):
    """PLAIN_ descriptors answer 404 with an Error."""

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/descriptor")
    def descriptor(self, request: Request) -> Reply:
        if request.params["type"].startswith("PLAIN_"):
            return self.error(404, "no plain descriptors here")
        return super().descriptor(request)


class FilesWithoutDescriptors(TrsApp):
    """/files lists the test file and the Dockerfile, no descriptor."""

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/files")
    def files(self, request: Request) -> Reply:
        reply = super().files(request)
        if request.arg("format") == "zip" or reply.status != 200:
            return reply
        listed = [f for f in json.loads(reply.body) if not f["file_type"].endswith("_DESCRIPTOR")]
        return json_reply(listed)


class ToolsByIdBroken(TrsApp):
    """GET /tools/{id} answers 500 for every tool the listing gives."""

    @route("GET", "/tools/{id}")
    def tool(self, request: Request) -> Reply:
        return self.error(500, "tool lookup is broken")


@pytest.mark.parametrize(("app", "check_id"), [(UrlOnlyWrappers, "trs.descriptor.plain-matches-json"),
                                               (PlainDescriptorsNotServed, "trs.descriptor.plain-content-type"),
                                               (FilesWithoutDescriptors, "trs.files.paths-resolve"),
                                               (ToolsByIdBroken, "trs.tool.matches-list")],
                         ids=["url-only", "no-plain", "no-descriptor-files", "no-tool-by-id"])
def test_a_check_with_nothing_to_judge_skips(app: type[TrsApp], check_id: str, report_root: Path,
                                             specs_dir: str | None) -> None:
    with ReferenceServer(app(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs nothing to judge", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=[check_id])
    assert result.outcome(check_id) == "skipped", result.output


#: Authors of a tool beyond those of its versions (a maintainer added after the versions were made, say).
MAINTAINERS = {"bwa-mem": ("Ada Lovelace",)}


class ToolLevelAuthors(TrsApp):
    """A registry whose author filter matches the authors it holds for a tool, which include maintainers no
    ToolVersion.author lists: "The author of the tool (TODO a thought occurs, are we assuming that the author
    of the CWL and the image are the same?)" (TRS 2.0.x OpenAPI, /tools › parameters › author)."""

    def matches(self, tool: Tool, request: Request) -> bool:
        author = request.arg("author")
        if author is None:
            return super().matches(tool, request)
        held = {a for v in tool.versions for a in v.author} | set(MAINTAINERS.get(tool.id, ()))
        return author in held


def test_the_author_filter_is_not_judged_against_version_authors(report_root: Path, specs_dir: str | None) -> None:
    app = ToolLevelAuthors(version="2.0.1")
    request = Request("GET", "/tools", {"author": ["Ada Lovelace"]}, {}, b"")
    assert [t.id for t in app.tools_held if app.matches(t, request)] == ["align-and-call", "bwa-mem"]
    with ReferenceServer(app) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs tool authors", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=["trs.tools.filter-matches"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("trs.tools.filter-matches") == "passed"


class RepositoryLayoutZip(TrsApp):
    """A registry whose /files lists paths relative to the primary descriptor, one of them beside its directory
    (``../common/lib.cwl``, as a WDL or CWL import of a shared file is), and whose zip keeps the repository's
    layout (``workflow/main.cwl``, ``common/lib.cwl``)."""

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/files")
    def files(self, request: Request) -> Reply:
        reply = super().files(request)
        if reply.status != 200:
            return reply
        if request.arg("format") != "zip":
            return json_reply([*json.loads(reply.body), {"path": "./../common/lib.cwl", "file_type": "OTHER"}])
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(reply.body)) as source, zipfile.ZipFile(buffer, "w") as archive:
            for name in source.namelist():
                archive.writestr(f"workflow/{name}", source.read(name))
            archive.writestr("common/lib.cwl", "# a file shared by the repository's workflows\n")
        return Reply(200, buffer.getvalue(), {"Content-Type": "application/zip"})


def test_a_zip_in_the_repository_layout_holds_the_listed_files(report_root: Path, specs_dir: str | None) -> None:
    with ReferenceServer(RepositoryLayoutZip(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs zip layout", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=["trs.files.zip-complete", "trs.files.schema"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("trs.files.zip-complete") == "passed"


class ListingBroken(TrsApp):
    """GET /tools answers 500, filtered or not; every tool is served by id."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        return self.error(500, "the listing is broken")


def test_the_profiles_tools_are_judged_without_a_listing(report_root: Path, requires_specs: str) -> None:
    checks = ["trs.tools.schema", "trs.tool.schema", "trs.version.schema", "trs.descriptor.schema"]
    with ReferenceServer(ListingBroken(version="2.0.1")) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url, "tools": ["bwa-mem"]}
        result = run_profile({"initiative": "trs broken listing", "services": [entry]}, report_root,
                             specs_dir=requires_specs, checks=checks)
    assert result.causes() == {"trs.tools.schema": None}, result.output
    assert [result.outcome(c) for c in checks[1:]] == ["passed"] * 3, result.output


class OffsetIgnored(TrsApp):
    """A registry that ignores ``offset``: every page is the first `limit` tools, answered with current_offset
    0, while next_page links count on (the walk ends, having read the first page again)."""

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        if set(request.query) - {"offset", "limit"}:
            return super().tools(request)
        offset, limit = int(request.arg("offset") or 0), int(request.arg("limit") or 1000)
        found = list(self.tools_held)
        headers = {"current_offset": "0", "current_limit": str(limit),
                   "self_link": f"{self.url}/tools?offset={offset}&limit={limit}"}
        if offset + limit < len(found):
            headers["next_page"] = f"{self.url}/tools?offset={offset + limit}&limit={limit}"
        return json_reply([self.tool_json(t) for t in found[:limit]], headers=headers)


@pytest.mark.parametrize("second_page", ["repeats the first", "says offset 0"])
def test_a_second_page_at_offset_0_is_no_page_counting(second_page: str, report_root: Path,
                                                       specs_dir: str | None) -> None:
    # a second page that repeats the first (the offset ignored) shows no page-counting offsets: the slices are
    # judged and fail; one with other tools but current_offset 0 leaves the offsets' meaning undecided
    app = OffsetIgnored(version="2.0.1") if second_page == "repeats the first" else TrsApp(
        version="2.0.1", faults=frozenset({"current-offset-wrong"}))
    with ReferenceServer(app) as server:
        entry = {"standard": "trs", "version": "2.0.1", "url": server.url}
        result = run_profile({"initiative": "trs offsets", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=["trs.property.offset-limit-slices"])
    check = result.check("trs.property.offset-limit-slices")
    if second_page == "repeats the first":
        assert check.outcome == "failed" and check.caused_by is None, check.message
    else:
        assert check.outcome == "skipped" and not check.message.startswith("does not apply"), check.message
