"""The application side of a reference server: requests, replies, routing and the fault switch.

A reference server is a small in-process HTTP application (:class:`ReferenceApp`) that a suite ships
in its ``reference/`` package. Its behaviour is conformant unless named *faults* are injected, each
one a single spec violation, listed with the checks that must catch it in the suite's
``faults.yaml``. The harness's own tests run every suite against every fault and against the
conformant server; ``conformance reference serve`` runs one for users.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import unquote

from conformance import versions
from conformance.errors import UsageError
from conformance.reference.faults import Fault, load_faults

__all__ = ["Fault", "ReferenceApp", "Reply", "Request", "json_reply", "route"]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: For misbehaving servers: write the answer by hand (stall, trickle, reset...).
    raw: Callable[[BaseHTTPRequestHandler], None] | None = None
    #: A ``raw`` writer that sends a whole, well-framed answer (Content-Length): the connection stays open for
    #: the next request. Otherwise the server closes it after a raw answer.
    keep_alive: bool = False
    #: A body produced in pieces (sent with chunked transfer encoding).
    stream: Iterator[bytes] | None = None


def json_reply(data: Any, status: int = 200, headers: Mapping[str, str] | None = None,
               content_type: str = "application/json") -> Reply:
    return Reply(status, json.dumps(data).encode(), {"Content-Type": content_type, **(headers or {})})


Handler = Callable[..., Reply]


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Declare a handler for ``method`` on ``pattern`` (``{name}`` matches one path segment,
    ``{name:path}`` the rest of the path)."""

    def decorate(function: Handler) -> Handler:
        routes: list[tuple[str, str]] = getattr(function, "_routes", [])
        routes.append((method.upper(), pattern))
        function._routes = routes  # type: ignore[attr-defined]
        return function

    return decorate


def _compile(pattern: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", pattern)
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
    return re.compile(f"^{regex}$")


class _FaultsOfTheSuite:
    """``ReferenceApp.FAULTS`` of a server that a suite ships: read from the suite's ``faults.yaml``
    on first use, keeping the entries of the server's role. A server made elsewhere (a test's own
    misbehaving server) assigns ``FAULTS`` itself."""

    def __get__(self, instance: object, owner: type[ReferenceApp]) -> dict[str, Fault]:
        cached: dict[str, Fault] | None = owner.__dict__.get("_faults_of_the_suite")
        if cached is None:
            # the nearest class of the hierarchy that a suite ships (a test may subclass a suite's server)
            folder = next((f for f in map(_suite_folder, (c.__module__ for c in owner.__mro__)) if f), None)
            found = load_faults(folder / "faults.yaml") if folder is not None else ()
            cached = {f.name: f for f in found if f.role == owner.role}
            owner._faults_of_the_suite = cached  # type: ignore[attr-defined]
        return cached


def _suite_module(module_name: str) -> ModuleType | None:
    """The suite package (the nearest enclosing package with a ``SUITE``) that a module belongs to."""
    parts = module_name.split(".")
    while parts:
        module = sys.modules.get(".".join(parts))
        if module is not None and getattr(module, "SUITE", None) is not None:
            return module
        parts.pop()
    return None


def _suite_folder(module_name: str) -> Path | None:
    module = _suite_module(module_name)
    return Path(module.__file__).parent if module is not None and module.__file__ else None


def _route_rank(pattern: str) -> tuple[int, ...]:
    """Literal path segments win over ``{name}``, which wins over ``{name:path}`` (at the first segment
    where two patterns differ), whatever the handlers are called."""
    return tuple(2 if re.fullmatch(r"\{\w+:path\}", part) else 1 if re.fullmatch(r"\{\w+\}", part) else 0
                 for part in pattern.strip("/").split("/"))


class ReferenceApp:
    """Base of every reference application: routing, fault bookkeeping, service-info.

    A server that a suite ships (in ``suites/<standard>/reference/``) takes its ``standard`` and
    ``versions`` from the suite's ``SUITE`` and its ``FAULTS`` from the suite's ``faults.yaml``: each is
    declared once, in the suite's folder.
    """

    #: The standard this server implements (the profile's ``standard:``); default: its suite's.
    standard: ClassVar[str] = ""
    #: The spec versions this server can speak; default: its suite's.
    versions: ClassVar[tuple[str, ...]] = ()
    #: ``role:`` of the profile entry this server answers to, for standards with several roles.
    role: ClassVar[str | None] = None
    #: Named faults this server can inject.
    FAULTS: ClassVar[dict[str, Fault]] = _FaultsOfTheSuite()  # type: ignore[assignment]
    #: Path prefix of the API under the server root (``/api/v1``).
    base_path: ClassVar[str] = ""
    #: Options this server reads beyond the keys a profile entry of its standard takes (which it gets too):
    #: name → what it does. ``reference serve --option`` and a profile's ``reference: {options: ...}`` may
    #: name only those (an unknown one is a usage error, not ignored).
    OPTIONS: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        module = _suite_module(cls.__module__)
        suite = getattr(module, "SUITE", None)
        if suite is None:
            return
        if "standard" not in cls.__dict__ and not cls.standard:
            cls.standard = suite.standard
        if "versions" not in cls.__dict__ and not cls.versions and suite.versions:
            cls.versions = tuple(suite.versions)

    def __init__(self, faults: Iterable[str] = (), version: str | None = None,
                 options: Mapping[str, Any] | None = None) -> None:
        self.faults = frozenset(faults)
        unknown = sorted(self.faults - set(self.FAULTS))
        if unknown:
            raise UsageError(f"unknown fault(s) for the {self.standard} reference server: {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(self.FAULTS))})")
        self.version = version or self.versions[-1]
        self.options = dict(options or {})
        self.root_url = ""  # set when the server starts
        routes: list[tuple[tuple[int, ...], str, re.Pattern[str], Handler]] = []
        for name in dir(type(self)):
            function = getattr(type(self), name)
            for method, pattern in getattr(function, "_routes", []):
                routes.append((_route_rank(pattern), method, _compile(self.base_path + pattern), getattr(self, name)))
        routes.sort(key=lambda r: r[0])  # stable: equal ranks keep their order
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [(m, regex, h) for _, m, regex, h in routes]

    @property
    def url(self) -> str:
        """The service URL a profile names (root plus the API's base path)."""
        return self.root_url + self.base_path

    def has(self, fault: str) -> bool:
        if fault not in self.FAULTS:
            raise KeyError(f"{type(self).__name__} has no fault {fault!r}")
        return fault in self.faults

    def handle(self, request: Request) -> Reply:
        allowed: list[str] = []
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if not match:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            request.params = {k: unquote(v) for k, v in match.groupdict().items()}
            return handler(request)
        if allowed:
            return json_reply({"msg": "method not allowed", "status_code": 405}, 405,
                              {"Allow": ", ".join(sorted(set(allowed)))})
        return self.not_found(request)

    def not_found(self, request: Request) -> Reply:
        return json_reply({"msg": f"no such endpoint: {request.path}", "status_code": 404}, 404)

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        """Profile entries the demo declares for this server (``reference: true`` instead of a url)."""
        return [{"standard": cls.standard, "version": cls.versions[-1], "reference": True}]

    @classmethod
    def fault_entries(cls) -> list[dict[str, Any]]:
        """Profile entries the fault matrix runs this server's faults under: the demo's by default; a
        server whose checks need an opt-in the demo must not give (``writes: true``, say) adds it here."""
        return cls.demo_entries()

    @classmethod
    def companion_entries(cls) -> list[dict[str, Any]]:
        """Profile entries of other standards' reference servers that share this server's data (a server
        holding the sequences this one's collections name, say), for a check that reads another service
        of the profile; a fault whose ``faults.yaml`` entry names their standard under ``companions`` runs
        beside them. None by default."""
        return []

    def issued_secrets(self) -> dict[str, str]:
        """Credentials this server issued for the run, by ``auth`` key (``bearer_token_env``, ...)."""
        return {}

    def served_entry(self) -> dict[str, Any]:
        """The test data a profile entry names to check this server when it runs on its own (``conformance
        reference serve``): by default its demo entry's for its version. A server whose demo entry counts on
        the run's own process (a test issuer it shares with the harness) leaves that out."""
        demo = type(self).demo_entries()
        known = min(demo, key=lambda e: _distance(str(e.get("version")), self.version), default={})
        return {k: v for k, v in known.items() if k not in ("standard", "version", "reference", "url")}


def _distance(version: str, wanted: str) -> tuple[int, ...]:
    """How far a demo entry's version is from the version a server speaks: the same first, then one of its
    major version, nearest first (refget 1.0.0 serves what the 1.0.1 entry names, not the 2.0.0 one's ids)."""
    try:
        have, want = versions.parse(version).release, versions.parse(wanted).release
    except ValueError:
        return (0,) if version == wanted else (2,)
    if have == want:
        return (0,)
    return (1 if have[:1] == want[:1] else 2, *(abs(a - b) for a, b in zip(have, want, strict=False)))


class DocumentApp(ReferenceApp):
    """The reference server of a data standard: serves :meth:`served` at ``/documents/<name>``, and its
    demo entries name each of :attr:`document_names` relative to the started server (one entry for the
    newest version, or one per version with :attr:`demo_every_version`)."""

    #: The documents the demo entries name, in that order.
    document_names: ClassVar[tuple[str, ...]] = ()
    #: A demo entry for every version, not only the newest (versions whose faults differ).
    demo_every_version: ClassVar[bool] = False
    #: Content-Type by file suffix; any other suffix is served as application/octet-stream.
    media_types: ClassVar[Mapping[str, str]] = {".json": "application/json", ".yaml": "application/yaml"}

    def served(self) -> Mapping[str, bytes]:
        """The documents by name, as this server (with its version and faults) serves them."""
        raise NotImplementedError

    @functools.cached_property
    def served_documents(self) -> Mapping[str, bytes]:
        """:meth:`served`, made once: a server's version and faults fix what it serves, and making them
        (computing VRS identifiers, encrypting, serialising) cost each request as much as the rest of it."""
        return self.served()

    @route("GET", "/documents/{name}")
    def document(self, request: Request) -> Reply:
        name = request.params["name"]
        data = self.served_documents.get(name)
        if data is None:
            return Reply(404, b"no such document\n", {"Content-Type": "text/plain"})
        suffix = name[name.rindex("."):] if "." in name else ""
        return Reply(200, data, {"Content-Type": self.media_types.get(suffix, "application/octet-stream")})

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": cls.standard, "version": version, "reference": True,
                 "documents": [f"documents/{name}" for name in cls.document_names]}
                for version in (cls.versions if cls.demo_every_version else cls.versions[-1:])]
