"""What the TRS checks share: one cached view of a tool registry per run.

Every answer several checks need (the tool classes, the unfiltered listing, each tool, its versions, the
descriptors and files of a bounded sample of versions) is fetched once. Tool ids are sent percent-encoded
as one path segment (a Dockstore id such as ``#workflow/github.com/org/repo`` holds ``#`` and ``/``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

from conformance import CheckFailure, Response, ServiceView, fail, json_type

#: At most this many tools, versions of each, are read in depth (descriptors, files, zips).
MAX_TOOLS = 3
MAX_VERSIONS = 2
#: The page size of GET /tools when no limit is asked (TRS 2.0.x OpenAPI, components › parameters › limit).
DEFAULT_LIMIT = 1000
#: Paging is walked with this page size, for at most this many pages.
PAGE_LIMIT = 2
MAX_PAGES = 50
#: GXFORMAT2 is how the 2.0.1 OpenAPI's description names Galaxy; its DescriptorType enum says GALAXY (erratum E2).
DESCRIPTOR_TYPES = ("CWL", "WDL", "NFL", "GALAXY", "GXFORMAT2", "SMK")
UNKNOWN_ID = "no-such-tool-7f3a9c2e"
#: Checksum ``type`` names (GA4GH hash-alg registry and common spellings) → hashlib names.
HASHES = {"sha-256": "sha256", "sha256": "sha256", "sha-512": "sha512", "sha512": "sha512", "sha-1": "sha1",
          "sha1": "sha1", "md5": "md5", "sha-384": "sha384", "sha384": "sha384"}


def segment(value: str) -> str:
    return quote(value, safe="")


def answered(response: Response) -> str:
    return f"{response.status} {response.reason}".strip()


def paging_link(response: Response, header: str) -> str | None:
    """The URL a paging header of ``response`` gives, resolved against the page's own URL (a header may
    give it relative, ``/ga4gh/trs/v2/tools?offset=2``: "A URL that can be used to reach the next page",
    TRS 2.0.x OpenAPI, /tools › 200 › headers), or None without the header."""
    value = (response.headers.get(header) or "").strip()
    return urljoin(response.url, value) if value else None


def recompute(algorithm: str, content: bytes) -> str | None:
    """The hex digest of ``content`` under the named algorithm, or None for one the harness does not know."""
    name = HASHES.get(algorithm.strip().lower())
    return hashlib.new(name, content).hexdigest() if name else None


@dataclass(frozen=True)
class Case:
    """One descriptor type of one version of one tool, to read in depth: ``version`` is its ToolVersion.id,
    ``key`` the version_id its paths take (``Trs.version_key``; the id where not given)."""

    tool: str
    version: str
    kind: str
    key: str | None = None

    @property
    def base(self) -> str:
        return f"/tools/{segment(self.tool)}/versions/{segment(self.key or self.version)}"

    def __str__(self) -> str:
        return f"{self.tool} {self.version} {self.kind}"


class Trs(ServiceView):
    """The run's view of one TRS service."""

    @property
    def openapi(self) -> str:
        return f"trs/{self.version}/openapi/openapi.yaml"

    # -- listing -----------------------------------------------------------------------------------

    def tool_classes(self) -> Response:
        return self.memo("toolClasses", lambda: self.client.get("/toolClasses"))

    def tools_response(self) -> Response:
        """The answer to the unfiltered GET /tools (the server's default page)."""
        return self.memo("tools", lambda: self.client.get("/tools"))

    def listing(self) -> tuple[list[dict[str, Any]], Response]:
        """The unfiltered listing, its tools that are objects. An answer that is no array fails every check
        that reads the listing; trs.tools.schema reports it, the others name it as their cause."""
        def make() -> tuple[list[dict[str, Any]], Response]:
            response = self.tools_response()
            if response.status != 200:
                raise fail(f"GET /tools answered {answered(response)}, not 200", response,
                           caused_by="trs.tools.schema")
            body = response.json()
            if not isinstance(body, list):
                raise fail(f"GET /tools answered a JSON {json_type(body)}, not an array", response,
                           caused_by="trs.tools.schema")
            return [t for t in body if isinstance(t, dict)], response
        return self.memo("listing", make)

    def listed_ids(self) -> list[str]:
        tools, _ = self.listing()
        return [t["id"] for t in tools if isinstance(t.get("id"), str)]

    def query(self, params: dict[str, str]) -> tuple[list[dict[str, Any]], Response]:
        def make() -> tuple[list[dict[str, Any]], Response]:
            response = self.client.get("/tools", params=params)
            what = "/tools?" + "&".join(f"{k}={v}" for k, v in params.items())
            # a filtered answer that is no array: trs.tools.filter-matches reports it, filter-subset names it
            if response.status != 200:
                raise fail(f"GET {what} answered {answered(response)}, not 200", response,
                           caused_by="trs.tools.filter-matches")
            body = response.json()
            if not isinstance(body, list):
                raise fail(f"GET {what} answered a JSON {json_type(body)}, not an array", response,
                           caused_by="trs.tools.filter-matches")
            return [t for t in body if isinstance(t, dict)], response
        return self.memo(("query", tuple(sorted(params.items()))), make)

    def walk(self) -> tuple[list[str], list[Response], str | None]:
        """The ids of the listing walked page by page (``limit`` PAGE_LIMIT, following ``next_page``), the
        pages' answers, and why the walk stopped early (None when it reached a page without next_page).

        A page that is not an array of tools fails every check that walks: the first page is the answer to
        ``limit`` (trs.paging.limit-respected reports it), a later one the answer to a paging link
        (trs.paging.links-resolve reports it); the others name that cause."""
        def make() -> tuple[list[str], list[Response], str | None]:
            ids: list[str] = []
            pages: list[Response] = []
            response = self.client.get("/tools", params={"limit": str(PAGE_LIMIT)})
            while True:
                cause = "trs.paging.links-resolve" if pages else "trs.paging.limit-respected"
                what = f"the next_page {response.url} of /tools" if pages else f"/tools?limit={PAGE_LIMIT}"
                if response.status != 200:
                    raise fail(f"GET {what} answered {answered(response)}, not 200", response, caused_by=cause)
                body = response.json()
                if not isinstance(body, list):
                    raise fail(f"GET {what} answered a JSON {json_type(body)}, not an array", response,
                               caused_by=cause)
                pages.append(response)
                ids.extend(t["id"] for t in body if isinstance(t, dict) and isinstance(t.get("id"), str))
                following = paging_link(response, "next_page")
                if not following:
                    return ids, pages, None
                if len(pages) >= MAX_PAGES:
                    return ids, pages, f"more than {MAX_PAGES} pages"
                response = self.client.get(following)
        return self.memo("walk", make)

    # -- tools and versions ------------------------------------------------------------------------

    def tool_ids(self) -> list[str]:
        """The tools read in depth: the profile's, then the listing's, at most MAX_TOOLS. A listing that is no
        array of tools (trs.tools.schema's finding) leaves the profile's tools to read, each judged on its own;
        without them, the checks that read tools fail as that finding's consequences."""
        named = list(dict.fromkeys(self.option("tools")))
        try:
            listed = self.listed_ids()
        except CheckFailure:
            if not named:
                raise
            listed = []
        ids = list(dict.fromkeys([*named, *listed]))
        if not ids:
            pytest.skip("does not apply: the registry lists no tools and the profile names none")
        return ids[:MAX_TOOLS]

    def tool(self, ident: str) -> Response:
        return self.memo(("tool", ident), lambda: self.client.get(f"/tools/{segment(ident)}"))

    def unknown_tool(self) -> Response:
        """GET /tools/{id} of an id no registry holds (trs.tool.unknown-404 judges it)."""
        return self.memo("unknown-tool", lambda: self.client.get(f"/tools/{UNKNOWN_ID}"))

    def tool_versions(self, ident: str) -> Response:
        return self.memo(("versions", ident), lambda: self.client.get(f"/tools/{segment(ident)}/versions"))

    def tool_document(self, ident: str) -> dict[str, Any] | None:
        response = self.tool(ident)
        return response.json_object() if response.status == 200 else None

    def version_ids(self, ident: str) -> list[str]:
        document = self.tool_document(ident) or {}
        versions = document.get("versions")
        if not isinstance(versions, list):
            return []
        return [v["id"] for v in versions if isinstance(v, dict) and isinstance(v.get("id"), str)]

    def tool_version(self, ident: str, version_id: str) -> Response:
        return self.memo(("version", ident, version_id), lambda: self.client.get(
            f"/tools/{segment(ident)}/versions/{segment(version_id)}"))

    def version_key(self, ident: str, version_id: str) -> str:
        """The version_id path parameter that reaches the version whose ToolVersion.id is ``version_id``.

        The parameter is "An identifier of the tool version, scoped to this registry" (TRS 2.0.x OpenAPI,
        components › parameters › version_id); the text does not say it is ToolVersion.id ("An identifier of
        the version of this tool", whose example ``v1`` sits beside a url example ending ``/versions/1``).
        Dockstore gives ``#workflow/github.com/org/repo:master`` as the id and addresses the version by its
        name, ``master``, the last segment of its url ("The URL for this tool version in this registry"). So
        the id is asked first, then that url segment, then the name: the first that answers 200 is the key
        (the id when none does, whose answer trs.version.schema judges)."""
        def make() -> str:
            version = next((v for v in self.sampled_versions(ident, limit=None) if v.get("id") == version_id), {})
            candidates = [version_id]
            url = version.get("url")
            if isinstance(url, str) and "/versions/" in urlsplit(url).path:
                tail = urlsplit(url).path.rstrip("/").rsplit("/versions/", 1)[1]
                if tail and "/" not in tail:
                    candidates.append(unquote(tail))
            if isinstance(version.get("name"), str) and version["name"]:
                candidates.append(version["name"])
            for key in dict.fromkeys(candidates):
                if self.tool_version(ident, key).status == 200:
                    return key
            return version_id
        return self.memo(("version-key", ident, version_id), make)

    def case(self, ident: str, version_id: str, kind: str) -> Case:
        return Case(ident, version_id, kind, self.version_key(ident, version_id))

    def sampled_versions(self, ident: str, limit: int | None = MAX_VERSIONS) -> list[dict[str, Any]]:
        """The first ``limit`` (MAX_VERSIONS) versions GET /tools/{id} gives (none if it gives no tool)."""
        versions = (self.tool_document(ident) or {}).get("versions")
        if not isinstance(versions, list):
            return []
        return [v for v in versions if isinstance(v, dict)][:limit]

    def cases(self) -> list[Case]:
        """(tool, version, descriptor type) for each descriptor type the sampled versions declare."""
        def make() -> list[Case]:
            found: list[Case] = []
            for ident in self.tool_ids():
                for version in self.sampled_versions(ident):
                    kinds = version.get("descriptor_type")
                    if not isinstance(version.get("id"), str) or not isinstance(kinds, list):
                        continue
                    found.extend(self.case(ident, version["id"], k) for k in kinds if k in DESCRIPTOR_TYPES)
            if not found:
                pytest.skip("does not apply: no sampled tool version declares a descriptor_type")
            return found
        return self.memo("cases", make)

    def versions_with_containerfile(self) -> list[tuple[str, str]]:
        found = []
        for ident in self.tool_ids():
            for version in self.sampled_versions(ident):
                if version.get("containerfile") is True and isinstance(version.get("id"), str):
                    found.append((ident, version["id"]))
        if not found:
            pytest.skip("does not apply: no sampled tool version reports containerfile: true")
        return found

    # -- descriptors and files ---------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> Response:
        key = ("get", path, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        return self.memo(key, lambda: self.client.get(path, **kwargs))

    def descriptor(self, case: Case, plain: bool = False, relative: str | None = None) -> Response:
        """The descriptor of ``case``, or the file at ``relative`` to it. A relative path is one path
        parameter, its slashes percent-encoded; "Unencoded paths such 'sampleDirectory/foo.cwl' should also
        be allowed" (TRS 2.0.x OpenAPI, …/descriptor/{relative_path}): a nested path is asked unencoded first
        and, unless that answers 200, encoded, the form every server must take (the encoded answer then)."""
        kind = f"PLAIN_{case.kind}" if plain else case.kind
        path = f"{case.base}/{kind}/descriptor"
        if relative is None:
            return self.get(path)
        relative = relative.lstrip("/")
        unencoded = self.get(f"{path}/{quote(relative, safe='/')}")
        if unencoded.status == 200 or "/" not in relative:
            return unencoded
        return self.get(f"{path}/{segment(relative)}")

    def files(self, case: Case) -> Response:
        return self.get(f"{case.base}/{case.kind}/files")

    def listed_files(self, case: Case) -> list[dict[str, Any]]:
        """The ToolFiles /files lists for the case (skips the case if /files does not answer a list)."""
        response = self.files(case)
        body = response.json() if response.status == 200 else None
        if not isinstance(body, list):
            pytest.skip(f"GET {case.base}/{case.kind}/files gave no list (see trs.files.schema)")
        return [f for f in body if isinstance(f, dict) and isinstance(f.get("path"), str)]

    def zip(self, case: Case) -> Response:
        return self.get(f"{case.base}/{case.kind}/files", params={"format": "zip"})

    def tests(self, case: Case) -> Response:
        return self.get(f"{case.base}/{case.kind}/tests")

    def containerfile(self, ident: str, version_id: str) -> Response:
        """The containerfile of the version whose ToolVersion.id is ``version_id``."""
        key = self.version_key(ident, version_id)
        return self.get(f"/tools/{segment(ident)}/versions/{segment(key)}/containerfile")
