"""The framework of the embedded reference servers (:mod:`.app`, :mod:`.server`, :mod:`.faults`,
:mod:`.service_info`) and their discovery: each suite names its servers in ``Suite.reference``
(``".reference:APPS"``), loaded only when a server is wanted; the core names none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from conformance import suite as suites
from conformance import versions
from conformance.errors import UsageError, did_you_mean, unknown
from conformance.profile import Auth, Service
from conformance.reference.app import ReferenceApp
from conformance.reference.faults import Fault
from conformance.reference.server import ReferenceServer

__all__ = ["Fault", "ReferenceApp", "ReferenceServer", "apps", "find_app", "start", "start_for_service"]


def apps() -> tuple[type[ReferenceApp], ...]:
    """Every suite's reference servers, in the order of the suites' standards."""
    found: list[type[ReferenceApp]] = []
    for suite in sorted(suites.discover().values(), key=lambda s: s.standard):
        found.extend(suite.reference_apps())
    return tuple(found)


def standards() -> list[str]:
    return sorted(s.standard for s in suites.discover().values() if s.reference)


def find_app(standard: str, role: str | None = None) -> type[ReferenceApp]:
    suite = suites.discover().get(standard)
    candidates = list(suite.reference_apps()) if suite is not None else []
    if role is not None:
        roles = sorted({a.role for a in candidates if a.role})
        candidates = [a for a in candidates if a.role == role]
        if not candidates and roles:
            raise UsageError(f"no {standard} reference server has role {role!r} (roles: {', '.join(roles)})")
    if not candidates:
        known = standards()
        raise UsageError(f"no reference server for {standard}{' role ' + role if role else ''} "
                         f"({'' if standard in known else did_you_mean(standard, known)}reference servers: "
                         f"{', '.join(known)})")
    return candidates[0]


def start(standard: str, faults: Iterable[str] = (), version: str | None = None, port: int = 0,
          options: dict[str, Any] | None = None) -> ReferenceServer:
    role = (options or {}).get("role")
    app_cls = find_app(standard, role)
    # the keys a profile entry of the standard takes (a run passes them all), and the server's own
    known = {"role", *suites.for_standard(app_cls.standard).service_options, *app_cls.OPTIONS}
    refused = sorted(set(options or {}) - known)
    if refused:
        raise UsageError(unknown(f"option {refused[0]!r} for the {standard} reference server", refused[0], known))
    if version is not None:
        version = versions.pick_supported(version, list(app_cls.versions)) or version
    return ReferenceServer(app_cls(faults, version, options), port=port).start()


def speaks(app_cls: type[ReferenceApp], version: str) -> str:
    """The version among those ``app_cls`` speaks that ``version`` names (``v2.0.0`` is ``2.0.0``); a usage
    error naming the versions it speaks otherwise."""
    found = versions.pick_supported(version, list(app_cls.versions))
    if found is None:
        raise UsageError(f"the {app_cls.standard} reference server speaks {', '.join(app_cls.versions)}, "
                         f"not {version}")
    return found


def start_for_service(service: Service) -> tuple[Service, ReferenceServer]:
    """Start the reference server a profile entry with ``reference:`` asks for; return the entry with
    its real URL (and any credentials the server issued for the run) and the running server."""
    faults = list((service.reference or {}).get("faults", []))
    options = {**service.options, **(service.reference or {}).get("options", {})}
    server = start(service.standard, faults, service.version, options=options)
    secrets = server.app.issued_secrets()
    auth = Auth(env=service.auth.env, allowed_hosts=service.auth.allowed_hosts,
                inline={**service.auth.inline, **secrets})
    return replace(service, url=server.url.rstrip("/"), auth=auth), server
