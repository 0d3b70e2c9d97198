"""Reference GA4GH Tool Registry Service (TRS 2.0.0 and 2.0.1) with named faults.

It holds six tools (CommandLineTools and Workflows in CWL, WDL and NFL), each with one or two versions;
every version has a primary descriptor, a secondary descriptor in a sub-directory, a test parameter file
and a Dockerfile. Every version is a production one (``is_production``), so each of its images and files
has a SHA-256 checksum computed from the content; a version built with ``production=False`` (a test's
registry) gives none ("Not required otherwise", TRS 2.0.x OpenAPI, FileWrapper.checksum). Each
FileWrapper gives its content and a ``url`` to the raw file (the PLAIN_ descriptor/{relative_path}). In
2.0.1 each version gives ``descriptor_type_version``. ``/tools`` pages by a numeric ``offset`` and
``limit`` and gives the paging headers with absolute URLs.

Each fault is one spec violation and names the checks that must catch it (``../faults.yaml``).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

DESCRIPTOR_EXT = {"CWL": "cwl", "WDL": "wdl", "NFL": "nf"}
#: The language version each descriptor type's files are written in (2.0.1 ToolVersion.descriptor_type_version).
LANGUAGE_VERSION = {"CWL": "v1.2", "WDL": "1.0", "NFL": "DSL2"}
CLASSES = {
    "CommandLineTool": {"id": "0", "name": "CommandLineTool", "description": "a single command-line tool"},
    "Workflow": {"id": "1", "name": "Workflow", "description": "a workflow of several tools"},
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Version:
    id: str
    descriptor_types: tuple[str, ...]
    author: tuple[str, ...]
    production: bool = True

    def files(self, tool: str, kind: str) -> dict[str, tuple[str, str]]:
        """relative path → (file_type, content) of this version in one descriptor type."""
        ext = DESCRIPTOR_EXT[kind]
        return {
            f"main.{ext}": ("PRIMARY_DESCRIPTOR", f"# {kind} main descriptor of {tool} {self.id}\n"
                                                  f"import sub/step.{ext}\n"),
            f"sub/step.{ext}": ("SECONDARY_DESCRIPTOR", f"# {kind} step of {tool} {self.id}\n"),
            "test.json": ("TEST_FILE", f'{{"input": "{tool}-{self.id}.txt"}}\n'),
            "Dockerfile": ("CONTAINERFILE", f"FROM ubuntu:22.04\nLABEL tool={tool} version={self.id}\n"),
        }


@dataclass(frozen=True)
class Tool:
    id: str
    name: str
    organization: str
    toolclass: str
    description: str
    versions: tuple[Version, ...]
    aliases: tuple[str, ...] = ()


TOOLS = (
    Tool("align-and-call", "align-and-call", "example-org", "Workflow", "Align reads, then call variants",
         (Version("1.0.0", ("CWL", "WDL"), ("Ada Lovelace",)),)),
    Tool("rnaseq", "rnaseq", "nf-core", "Workflow", "RNA sequencing analysis pipeline",
         (Version("3.12.0", ("NFL",), ("nf-core community",)),)),
    Tool("bwa-mem", "bwa", "biocontainers", "CommandLineTool", "Align reads with BWA-MEM",
         (Version("0.7.17", ("CWL",), ("Heng Li",)), Version("0.7.18", ("CWL", "WDL"), ("Heng Li",))),
         ("urn:example:bwa",)),
    Tool("samtools-sort", "samtools", "biocontainers", "CommandLineTool", "Sort alignments",
         (Version("1.17", ("CWL",), ("Heng Li", "John Marshall")),)),
    Tool("gatk-haplotypecaller", "gatk", "broadinstitute", "CommandLineTool", "Call germline variants",
         (Version("4.4.0.0", ("WDL",), ("GATK team",)),)),
    Tool("fastqc", "fastqc", "biocontainers", "CommandLineTool", "Quality control of reads",
         (Version("0.12.1", ("CWL",), ("Simon Andrews",)),)),
)
#: A tool the listing never shows but a faulty filter returns.
HIDDEN = Tool("hidden-tool", "hidden", "example-org", "CommandLineTool", "A tool the listing leaves out",
              (Version("1", ("CWL",), ("Nobody",)),))

#: The tool the profile names, which the listing-omits-served-tool fault leaves out of every listing.
UNLISTED_BY_FAULT = "align-and-call"


class TrsApp(ReferenceApp):
    """An in-memory tool registry speaking TRS 2.0.0 or 2.0.1."""

    base_path: ClassVar[str] = "/ga4gh/trs/v2"
    #: The tools it holds (a test's registry may hold others).
    tools_held: ClassVar[tuple[Tool, ...]] = TOOLS

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": "trs", "version": "2.0.1", "reference": True},
                {"standard": "trs", "version": "2.0.0", "reference": True}]

    @classmethod
    def fault_entries(cls) -> list[dict[str, Any]]:
        """The demo's entries naming a tool, as an initiative names its test data: trs.tools.lists-served-tools
        judges only the tools a profile names (the others are the listing's own)."""
        return [{**entry, "tools": [UNLISTED_BY_FAULT]} for entry in cls.demo_entries()]

    # -- helpers -----------------------------------------------------------------------------------

    def error(self, status: int, message: str) -> Reply:
        return json_reply({"code": status, "message": message}, status)

    def find(self, ident: str) -> Tool | None:
        for tool in self.tools_held:
            if tool.id == ident:
                return tool
        return None

    def version_of(self, tool: Tool, ident: str) -> Version | None:
        for version in tool.versions:
            if version.id == ident:
                return version
        return None

    def tool_url(self, tool: Tool) -> str:
        return f"{self.url}/tools/{tool.id}"

    def checksummed(self, version: Version) -> bool:
        """Whether the images and files of ``version`` give checksums: a production version's must ("A
        production (immutable) tool version is required to have a hashcode", TRS 2.0.x OpenAPI,
        FileWrapper.checksum and ImageData.checksum), unless the fault says otherwise."""
        return version.production and not self.has("production-version-without-checksums")

    def version_json(self, tool: Tool, version: Version) -> dict[str, Any]:
        kinds = list(version.descriptor_types)
        image: dict[str, Any] = {
            "registry_host": "quay.io",
            "image_name": f"quay.io/{tool.organization}/{tool.name}:{version.id}",
            "image_type": "Docker",
            "size": 1000000,
        }
        if self.checksummed(version):
            image["checksum"] = [{"type": "sha256", "checksum": sha256(f"{tool.id}:{version.id}")}]
        data: dict[str, Any] = {
            "id": version.id,
            "name": f"{tool.name} {version.id}",
            "url": f"{self.tool_url(tool)}/versions/{version.id}",
            "author": list(version.author),
            "is_production": version.production,
            "descriptor_type": kinds,
            "containerfile": True,
            "verified": False,
            "signed": False,
            "images": [image],
        }
        if self.version != "2.0.0":
            lower = self.has("descriptor-type-version-keys-lowercase")
            data["descriptor_type_version"] = {(k.lower() if lower else k): [LANGUAGE_VERSION[k]] for k in kinds}
        return data

    def tool_json(self, tool: Tool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": tool.id,
            "url": self.tool_url(tool),
            "name": tool.name,
            "organization": tool.organization,
            "toolclass": CLASSES[tool.toolclass],
            "description": tool.description,
            "aliases": list(tool.aliases),
            "has_checker": False,
            "meta_version": "1",
            "versions": [self.version_json(tool, v) for v in tool.versions],
        }
        return data

    # -- service-info and tool classes ---------------------------------------------------------------

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        if self.version == "2.0.0":
            return self.not_found(request)
        return json_reply(service_info_document("trs", self.version, name="Reference TRS"))

    @route("GET", "/toolClasses")
    def tool_classes(self, request: Request) -> Reply:
        classes = list(CLASSES.values())
        if self.has("tool-classes-not-array"):
            return json_reply({"toolClasses": classes})
        return json_reply(classes)

    # -- the listing -------------------------------------------------------------------------------

    def matches(self, tool: Tool, request: Request) -> bool:
        def has(value: str | None, *fields: str) -> bool:
            return value is None or any(value.lower() in f.lower() for f in fields)

        kinds = {k for v in tool.versions for k in v.descriptor_types}
        authors = [a for v in tool.versions for a in v.author]
        tool_class = request.arg("toolClass")
        return (
            (request.arg("id") is None or request.arg("id") == tool.id)
            and (request.arg("alias") is None or request.arg("alias") in tool.aliases)
            and (tool_class is None or self.has("filter-toolclass-ignored") or tool_class == tool.toolclass)
            and (request.arg("descriptorType") is None or request.arg("descriptorType") in kinds)
            and has(request.arg("organization"), tool.organization)
            and has(request.arg("toolname"), tool.name)
            and has(request.arg("description"), tool.description)
            and has(request.arg("author"), *authors)
            and has(request.arg("name"), *(f"{tool.organization}/{tool.name}",))
            and has(request.arg("registry"), "quay.io")
            and (request.arg("checker") not in ("true", "True"))
        )

    def page_url(self, request: Request, offset: int, limit: int) -> str:
        query = {k: v[0] for k, v in request.query.items() if k not in ("offset", "limit")}
        query.update(offset=str(offset), limit=str(limit))
        return f"{self.url}/tools?{urlencode(query)}"

    @route("GET", "/tools")
    def tools(self, request: Request) -> Reply:
        filtered = bool(set(request.query) - {"offset", "limit"})
        found = [t for t in self.tools_held if self.matches(t, request)
                 and not (self.has("listing-omits-served-tool") and t.id == UNLISTED_BY_FAULT)]
        if filtered and self.has("filter-returns-unlisted-tool") and self.matches(HIDDEN, request):
            found.append(HIDDEN)
        try:
            offset = int(request.arg("offset") or 0)
            limit = int(request.arg("limit") or 1000)
        except ValueError:
            return self.error(400, "offset and limit are integers here")
        if offset < 0 or limit < 1:
            return self.error(400, "offset must be >= 0 and limit >= 1")
        if offset >= len(found) and self.has("offset-beyond-end-error"):
            return self.error(500, "offset out of range")
        size = len(found) if self.has("limit-ignored") else limit
        # only where an offset is asked: the default listing stays whole (one fault, one check)
        off_by_one = self.has("offset-off-by-one-for-large-limits") and limit >= 3 and request.arg("offset") is not None
        start = offset + 1 if off_by_one else offset
        page = found[start: start + size]
        if self.has("duplicate-tool-in-list") and page and not request.query:
            page = [*page, page[0]]
        step = limit + 1 if self.has("next-page-skips-item") else limit - 1 if self.has(
            "next-page-repeats-item") and limit > 1 else limit
        headers = {
            "self_link": self.page_url(request, 0 if self.has("self-link-wrong") else offset, limit),
            "current_offset": "0" if self.has("current-offset-wrong") else str(offset),
            "current_limit": str(limit),
            "last_page": self.page_url(request, max(0, (len(found) - 1) // limit * limit), limit),
        }
        if offset + size < len(found):
            headers["next_page"] = self.page_url(request, offset + step, limit)
        listed = [self.tool_json(t) for t in page]
        if self.has("listed-tool-missing-organization"):
            for data in listed:
                del data["organization"]
        return json_reply(listed, headers=headers)

    # -- one tool, its versions --------------------------------------------------------------------

    def unknown_tool(self, request: Request) -> Reply:
        if self.has("unknown-tool-500") or (self.has("unknown-long-id-500") and len(request.params["id"]) > 40):
            return json_reply({"message": "internal error"}, 500)
        return self.error(404, f"no tool {request.params['id']}")

    @route("GET", "/tools/{id}")
    def tool(self, request: Request) -> Reply:
        tool = self.find(request.params["id"])
        if tool is None:
            return self.unknown_tool(request)
        data = self.tool_json(tool)
        if self.has("tool-by-id-wrong-id"):
            data["id"] = tool.id.upper()
        if self.has("tool-by-id-missing-url"):
            del data["url"]
        return json_reply(data)

    @route("GET", "/tools/{id}/versions")
    def tool_versions(self, request: Request) -> Reply:
        tool = self.find(request.params["id"])
        if tool is None:
            return self.unknown_tool(request)
        listed = [self.version_json(tool, v) for v in tool.versions]
        if self.has("versions-list-drops-one"):
            listed = listed[1:]
        return json_reply(listed)

    def located(self, request: Request) -> tuple[Tool, Version] | Reply:
        tool = self.find(request.params["id"])
        if tool is None:
            return self.unknown_tool(request)
        version = self.version_of(tool, request.params["version_id"])
        if version is None:
            if self.has("unknown-version-200"):
                return json_reply(self.version_json(tool, tool.versions[0]))
            return self.error(404, f"no version {request.params['version_id']} of {tool.id}")
        return tool, version

    @route("GET", "/tools/{id}/versions/{version_id}")
    def tool_version(self, request: Request) -> Reply:
        found = self.located(request)
        if isinstance(found, Reply):
            return found
        data = self.version_json(*found)
        if self.has("version-by-id-bad-descriptor-type"):
            data["descriptor_type"] = [k.lower() for k in data["descriptor_type"]]
        return json_reply(data)

    # -- descriptors and files ---------------------------------------------------------------------

    def typed(self, request: Request) -> tuple[Tool, Version, str, bool] | Reply:
        found = self.located(request)
        if isinstance(found, Reply):
            return found
        tool, version = found
        kind = request.params["type"]
        plain = kind.startswith("PLAIN_")
        kind = kind.removeprefix("PLAIN_")
        if kind not in version.descriptor_types:
            return self.error(404, f"{tool.id} {version.id} has no {kind} descriptor")
        return tool, version, kind, plain

    def file_url(self, tool: Tool, version: Version, kind: str, path: str) -> str:
        """The URL of the raw file at ``path``: its PLAIN_ descriptor/{relative_path} ("this URL should
        resolve to the raw unwrapped content that would otherwise be available in content", TRS 2.0.x
        OpenAPI, FileWrapper.url); the fault points it at the wrapped JSON form instead."""
        form = kind if self.has("file-wrapper-url-not-content") else f"PLAIN_{kind}"
        return f"{self.tool_url(tool)}/versions/{version.id}/{form}/descriptor/{path}"

    def wrapper(self, content: str, *, url: str, checksums: bool = True,
                checksum_fault: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"content": content, "url": url}
        if checksums:
            digest = sha256(content + "x") if checksum_fault else sha256(content)
            data["checksum"] = [{"type": "sha-256", "checksum": digest}]
        return data

    def descriptor_reply(self, tool: Tool, version: Version, kind: str, path: str, plain: bool,
                         main: bool = False) -> Reply:
        content = version.files(tool.id, kind)[path][1]
        if plain:
            if main and self.has("plain-descriptor-differs"):
                content = content + "# extra line\n"
            media = "application/json" if self.has("plain-descriptor-json-content-type") else "text/plain"
            return Reply(200, content.encode(), {"Content-Type": media})
        data = self.wrapper(content, url=self.file_url(tool, version, kind, path),
                            checksums=self.checksummed(version), checksum_fault=self.has("descriptor-checksum-wrong"))
        if self.has("descriptor-without-content-or-url"):
            del data["content"], data["url"]
        return json_reply(data)

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/descriptor")
    def descriptor(self, request: Request) -> Reply:
        found = self.typed(request)
        if isinstance(found, Reply):
            return found
        tool, version, kind, plain = found
        files = version.files(tool.id, kind)
        primary = next(path for path, (role, _) in files.items() if role == "PRIMARY_DESCRIPTOR")
        return self.descriptor_reply(tool, version, kind, primary, plain, main=True)

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/descriptor/{relative_path:path}")
    def relative(self, request: Request) -> Reply:
        found = self.typed(request)
        if isinstance(found, Reply):
            return found
        tool, version, kind, plain = found
        path = request.params["relative_path"]
        files = version.files(tool.id, kind)
        if path not in files or (self.has("relative-path-404") and "/" in path):
            return self.error(404, f"no file {path}")
        return self.descriptor_reply(tool, version, kind, path, plain)

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/files")
    def files(self, request: Request) -> Reply:
        found = self.typed(request)
        if isinstance(found, Reply):
            return found
        tool, version, kind, _ = found
        files = version.files(tool.id, kind)
        if request.arg("format") == "zip":
            if self.has("zip-not-a-zip"):
                return Reply(200, b"PK\x03\x04 not really a zip", {"Content-Type": "application/zip"})
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for path, (_, content) in files.items():
                    if self.has("zip-missing-file") and path == "test.json":
                        continue
                    archive.writestr(path, content)
            return Reply(200, buffer.getvalue(), {"Content-Type": "application/zip"})
        listed = []
        for path, (role, content) in files.items():
            digest = sha256(content.upper()) if self.has("toolfile-checksum-wrong") else sha256(content)
            file_type = "DESCRIPTOR" if self.has("toolfile-type-not-in-enum") else role
            item: dict[str, Any] = {"path": path, "file_type": file_type}
            if self.checksummed(version):
                item["checksum"] = {"type": "sha-256", "checksum": digest}
            listed.append(item)
        return json_reply(listed)

    @route("GET", "/tools/{id}/versions/{version_id}/{type}/tests")
    def tests(self, request: Request) -> Reply:
        found = self.typed(request)
        if isinstance(found, Reply):
            return found
        tool, version, kind, _ = found
        files = version.files(tool.id, kind)
        wrapped = [self.wrapper(content, url=self.file_url(tool, version, kind, path),
                                checksums=self.checksummed(version))
                   for path, (role, content) in files.items() if role == "TEST_FILE"]
        if self.has("test-without-content-or-url"):
            for data in wrapped:
                del data["content"], data["url"]
        if self.has("tests-not-array"):
            return json_reply(wrapped[0])
        return json_reply(wrapped)

    @route("GET", "/tools/{id}/versions/{version_id}/containerfile")
    def containerfile(self, request: Request) -> Reply:
        found = self.located(request)
        if isinstance(found, Reply):
            return found
        tool, version = found
        if self.has("containerfile-404"):
            return self.error(404, "no containerfile")
        kind = version.descriptor_types[0]
        content = version.files(tool.id, kind)["Dockerfile"][1]
        data = self.wrapper(content, url=self.file_url(tool, version, kind, "Dockerfile"), checksums=self.checksummed(
            version), checksum_fault=self.has("containerfile-checksum-wrong"))
        if self.has("containerfile-without-content-or-url"):
            del data["content"], data["url"]
        return json_reply([data])
