"""Suites are discovered, never imported by name: every package under ``conformance_suites`` (the
repository's ``suites/`` folder) and every ``ga4gh_conformance.suites`` entry point that exposes a
``SUITE`` object is a suite.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from conformance import versions
from conformance.checks import Level, Requirement, load_catalogue
from conformance.errors import ConformanceError

if TYPE_CHECKING:
    from conformance.profile import Service
    from conformance.reference.app import ReferenceApp
    from conformance.reference.faults import Fault

#: The package of the suites that come with the harness (the repository's ``suites/`` folder).
BUILT_IN = "conformance_suites"


@dataclass(frozen=True)
class Suite:
    """What the core needs to know of a standard's suite."""

    #: The profile's ``standard:`` value.
    standard: str
    title: str
    #: Spec versions the suite checks; a profile declaring another is refused (empty: any version).
    versions: tuple[str, ...]
    #: The ``type.artifact`` a service of this standard reports in service-info, or None if the
    #: standard has no service-info endpoint (an OIDC broker, say).
    service_info_artifact: str | None = None
    #: Other spellings of the artifact a service may report, where the spec itself gives more than one
    #: (its text and its example disagree): each is accepted, and found in a service registry.
    service_info_artifact_aliases: tuple[str, ...] = ()
    #: Paths (relative to the service URL) of the service's service-info documents, or a function of
    #: the profile entry that gives them (a standard may serve one per endpoint the profile declares).
    service_info_paths: tuple[str, ...] | Callable[[Service], tuple[str, ...]] = ("/service-info",)
    #: The versions of the standard that have a service-info endpoint (PEP 440 specifier; None: all).
    service_info_versions: str | None = None
    #: The level at which the standard adopts the shared service-info requirements, per version (PEP 440
    #: specifier → "MUST", "SHOULD" or "MAY"): a shared check is no stronger there (a standard may make its
    #: service-info endpoint a SHOULD). A version no specifier matches keeps each requirement's level.
    service_info_levels: Mapping[str, str] = field(default_factory=dict)
    #: Path (relative to the service URL) fetched once to tell whether the service is reachable.
    probe_path: str = "/service-info"
    #: The path the standard serves its API under, which a service's url ends with (``/ga4gh/xyz/v1``), or
    #: None. A url that stops before it, of an API that answers the probe only under it, is no API: the
    #: service is unreachable, with the url to declare, rather than failed for the 404s of paths it lacks.
    api_prefix: str | None = None
    #: Paths every service of the standard serves at its url, whatever its deployment (``/info``, ``/map``) in
    #: a standard that fixes no API prefix: where the probe and each of them answer 404, the url is not the
    #: API's base, and the service is unreachable with that reason rather than failed for every path it lacks.
    base_paths: tuple[str, ...] = ()
    #: JSON Schema (``properties`` only) of the extra keys a service entry of this standard accepts.
    service_options: Mapping[str, Any] = field(default_factory=dict)
    #: The keys of ``service_options`` that name the test data the checks of what the service serves need
    #: (the ids of the objects a standard serves but offers no listing of). A service entry that names
    #: none is *incomplete*, however many of its other checks passed: its core went unchecked.
    test_data: tuple[str, ...] = ()
    #: The checks every GA4GH service shares: they run against the services of every standard whose
    #: suite declares a ``service_info_artifact`` (the service-info suite is the one such suite).
    shared: bool = False
    #: Adds the suite's own subcommands to ``conformance`` (it receives argparse's subparsers).
    cli: Callable[[Any], None] | None = None
    #: Where the suite's reference servers are: ``"module:ATTRIBUTE"`` naming a sequence of
    #: :class:`~conformance.reference.app.ReferenceApp` subclasses, the module relative to the suite's
    #: package when it starts with a dot (``".reference:APPS"``). Imported only when a server is wanted.
    reference: str | None = None
    #: ``auth:`` keys beyond the core's (each ``*_env`` names an environment variable holding a secret
    #: of this standard, e.g. a reader's private key), with what the secret is.
    auth_keys: Mapping[str, str] = field(default_factory=dict)
    #: A data standard: its profile entries name ``documents`` (http(s) URLs, URIs of a scheme some suite
    #: resolves, paths relative to the profile file) instead of an API; ``url`` is optional (the base of
    #: relative documents) and the service is never probed.
    data: bool = False
    #: URI schemes of documents this suite resolves for data standards: scheme → ``"module:function"``
    #: (the module relative to the suite's package when it starts with a dot), the function taking
    #: ``(run, uri, limit)`` and returning a :class:`~conformance.documents.Document`.
    document_schemes: Mapping[str, str] = field(default_factory=dict)
    #: Filled in by discovery.
    package: str = ""
    path: Path = Path()

    @property
    def requirements(self) -> dict[str, Requirement]:
        return _catalogue(self.path / "requirements.yaml")

    def service_info_paths_for(self, service: Service) -> tuple[str, ...]:
        paths = self.service_info_paths
        return paths(service) if callable(paths) else paths

    def service_info_artifacts(self) -> tuple[str, ...]:
        """Every ``type.artifact`` a service of this standard may report (none: no service-info)."""
        if self.service_info_artifact is None:
            return ()
        return (self.service_info_artifact, *self.service_info_artifact_aliases)

    def has_service_info(self, version: str) -> bool:
        return self.service_info_artifact is not None and versions.matches(version, self.service_info_versions)

    def fingerprint(self) -> str:
        """A short digest of the suite's checks and catalogue: runs are comparable only when it matches.

        The reference server (``reference/``) and its ``faults.yaml`` are left out: they prove the
        checks, and a change to them changes no verdict on a real service."""
        digest = hashlib.sha256()
        for path in sorted(self.path.rglob("*")):
            relative = path.relative_to(self.path)
            if path.suffix not in (".py", ".yaml") or "__pycache__" in relative.parts:
                continue
            if relative.parts[0] in ("reference", "faults.yaml"):
                continue
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:12]

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The named faults of the suite's reference servers (``faults.yaml``), each naming known checks."""
        from conformance.reference.faults import FaultsError, load_faults

        found = load_faults(self.path / "faults.yaml")
        known = {rid for suite in discover().values() for rid in suite.requirements}
        for fault in found:
            unknown = [c for c in fault.catches if c not in known]
            if unknown:
                raise FaultsError(f"{self.path / 'faults.yaml'}: fault {fault.name} names unknown check(s) "
                                  f"{', '.join(unknown)}")
        return found

    def reference_apps(self) -> tuple[type[ReferenceApp], ...]:
        """The suite's reference servers (imported now, not before)."""
        return _reference_apps(self.standard, self.package, self.reference)

    def document_resolver(self, scheme: str) -> Callable[..., Any] | None:
        """The function this suite resolves ``scheme://`` documents with (imported now), or None."""
        target = self.document_schemes.get(scheme)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        if module_name.startswith("."):
            module_name = self.package + module_name
        try:
            function: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise ConformanceError(f"the {self.standard} suite's resolver of {scheme}:// documents ({target}) "
                                   f"cannot be loaded: {exc}") from exc
        return function

    def check_files(self) -> list[Path]:
        return sorted(self.path.glob("check_*.py"))

    def applies_to_standard(self, standard: str) -> bool:
        if standard == self.standard:
            return True
        if not self.shared:
            return False
        other = discover().get(standard)
        return other is not None and other.service_info_artifact is not None


@cache
def _reference_apps(standard: str, package: str, reference: str | None) -> tuple[type[ReferenceApp], ...]:
    if not reference:
        return ()
    module_name, _, attribute = reference.partition(":")
    if module_name.startswith("."):
        module_name = package + module_name
    try:
        apps = tuple(getattr(importlib.import_module(module_name), attribute or "APPS"))
    except (ImportError, AttributeError) as exc:
        raise ConformanceError(f"the {standard} suite's reference servers ({reference}) cannot be "
                               f"loaded: {exc}") from exc
    for app in apps:
        if app.standard != standard:
            raise ConformanceError(f"{app.__module__}.{app.__name__} serves {app.standard!r}, not the "
                                   f"{standard} of its suite")
    return apps


@cache
def _catalogue(path: Path) -> dict[str, Requirement]:
    if not path.exists():
        return {}
    return load_catalogue(path)


def _from_module(module: ModuleType) -> Suite | None:
    suite = getattr(module, "SUITE", None)
    if not isinstance(suite, Suite):
        return None
    path = Path(module.__file__ or "").parent
    return Suite(**{**suite.__dict__, "package": module.__name__, "path": path})


@cache
def discover() -> dict[str, Suite]:
    """All suites, keyed by standard."""
    found: dict[str, Suite] = {}
    modules: list[ModuleType] = []
    try:
        root = importlib.import_module(BUILT_IN)
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConformanceError(f"the suites package is not installed: {exc}") from exc
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if info.ispkg:
            modules.append(importlib.import_module(f"{BUILT_IN}.{info.name}"))
    for ep in entry_points(group="ga4gh_conformance.suites"):
        modules.append(ep.load())
    for module in modules:
        suite = _from_module(module)
        if suite is None:
            continue
        if suite.standard in found:
            raise ConformanceError(f"two suites claim standard {suite.standard!r}: "
                                   f"{found[suite.standard].package} and {suite.package}")
        found[suite.standard] = suite
    return found


def for_standard(standard: str) -> Suite:
    return discover()[standard]


def shared_suite() -> Suite | None:
    """The suite of what every GA4GH service shares (service-info), if one is installed."""
    return next((s for s in discover().values() if s.shared), None)


def level_at(requirement: Requirement, standard: str, version: str) -> Level:
    """A requirement's level at a service of ``standard`` ``version``: its own, or, for a shared
    (service-info) requirement, no stronger than the level at which that standard adopts service-info
    (``Suite.service_info_levels``): a check's level comes from the spec of the endpoint it tests."""
    shared = shared_suite()
    own = discover().get(standard)
    if shared is None or own is None or own is shared or requirement.id not in shared.requirements:
        return requirement.level
    order = (Level.MUST, Level.SHOULD, Level.MAY)
    for specifier, level in own.service_info_levels.items():
        if versions.matches(version, specifier):
            return max(requirement.level, Level(level), key=order.index)
    return requirement.level


def known_standards() -> list[str]:
    return sorted(discover())


def suites_for(standards: set[str]) -> list[Suite]:
    """The suites whose checks run when services of ``standards`` are declared."""
    return [s for s in discover().values() if any(s.applies_to_standard(std) for std in standards)]


#: The kit's name for :func:`for_standard`: the suite of a service's standard.
suite_for = for_standard
