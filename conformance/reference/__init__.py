"""Embedded reference servers, discovered like suites: every module of this package that exports
``REFERENCE_APPS`` (a list of :class:`~conformance.reference.base.ReferenceApp` subclasses) adds
servers; a new standard adds a module here and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import Any

from conformance.errors import UsageError
from conformance.profile import Auth, Service
from conformance.reference.base import Fault, ReferenceApp, ReferenceServer

__all__ = ["Fault", "ReferenceApp", "ReferenceServer", "apps", "find_app", "start_for_service"]


@cache
def apps() -> tuple[type[ReferenceApp], ...]:
    found: list[type[ReferenceApp]] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "REFERENCE_APPS", []))
    return tuple(found)


def standards() -> list[str]:
    return sorted({app.standard for app in apps()})


def find_app(standard: str, role: str | None = None) -> type[ReferenceApp]:
    candidates = [a for a in apps() if a.standard == standard]
    if role is not None:
        candidates = [a for a in candidates if getattr(a, "role", None) == role]
    if not candidates:
        known = ", ".join(standards())
        raise UsageError(f"no reference server for {standard}{' role ' + role if role else ''} "
                         f"(reference servers: {known})")
    return candidates[0]


def start(standard: str, faults: Iterable[str] = (), version: str | None = None, port: int = 0,
          options: dict[str, Any] | None = None) -> ReferenceServer:
    role = (options or {}).get("role")
    app_cls = find_app(standard, role)
    if version is not None and version not in app_cls.versions:
        version = next((v for v in app_cls.versions if v.lstrip("v") == version.lstrip("v")), None) or version
    return ReferenceServer(app_cls(faults, version, options), port=port).start()


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
