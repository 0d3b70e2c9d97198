"""A suite's ``faults.yaml``: the named faults of its reference server(s), as data.

Each entry is one spec violation a reference server can inject: ``name``, ``description``, the full
ids of the checks that must fail (or warn, for a SHOULD) when it is injected (``catches``), for a
standard with several servers the ``role`` of the one that injects it, and ``companions``: the standards
of the servers the fault must run beside (a check that reads another service of the profile), whose
entries the faulty server's :meth:`~conformance.reference.app.ReferenceApp.companion_entries` gives.
The file is validated when it is read; that every id names a known check is validated against the
catalogues by the fault matrix (``tests/quality/``) and by :meth:`conformance.suite.Suite.faults`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from conformance.errors import ConformanceError

_KEYS = {"name", "description", "catches", "role", "companions", "version"}


class FaultsError(ConformanceError):
    """A suite's faults.yaml is malformed (a defect of the suite, not of the user's profile)."""


@dataclass(frozen=True)
class Fault:
    """One injectable spec violation."""

    name: str
    description: str
    #: Ids of the checks that must fail (or warn, for a SHOULD) when this fault is injected.
    catches: tuple[str, ...]
    #: The role of the reference server that injects it (None: the standard's only server).
    role: str | None = None
    #: Standards of the companion servers the fault runs beside (empty: the server alone).
    companions: tuple[str, ...] = ()
    #: The version the faulty server speaks (None: its newest), for a fault of a member only older versions have.
    version: str | None = None


@cache
def load_faults(path: Path) -> tuple[Fault, ...]:
    """Read and validate one ``faults.yaml`` (an absent file: no faults)."""
    if not path.exists():
        return ()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise FaultsError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("faults"), list) or set(data) != {"faults"}:
        raise FaultsError(f"{path}: expected a mapping with one key, 'faults' (a list)")
    faults: list[Fault] = []
    seen: set[tuple[str, str | None]] = set()
    for index, entry in enumerate(data["faults"]):
        where = f"{path}: faults[{index}]"
        if not isinstance(entry, dict):
            raise FaultsError(f"{where}: expected a mapping")
        unknown = set(entry) - _KEYS
        if unknown:
            raise FaultsError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        for key in ("name", "description"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise FaultsError(f"{where}.{key}: expected a non-empty string")
        catches = entry.get("catches")
        if not isinstance(catches, list) or not catches or not all(isinstance(c, str) and c for c in catches):
            raise FaultsError(f"{where}.catches: expected a non-empty list of check ids")
        role = entry.get("role")
        if role is not None and not isinstance(role, str):
            raise FaultsError(f"{where}.role: expected a string")
        companions = entry.get("companions", [])
        if not isinstance(companions, list) or not all(isinstance(c, str) and c for c in companions):
            raise FaultsError(f"{where}.companions: expected a list of standards")
        version = entry.get("version")
        if version is not None and not isinstance(version, str):
            raise FaultsError(f"{where}.version: expected a version string (quote it: '2.0.0')")
        name_role = (str(entry["name"]), role)
        if name_role in seen:
            raise FaultsError(f"{where}.name: {entry['name']} is listed twice"
                              + (f" for role {role}" if role else ""))
        seen.add(name_role)
        faults.append(Fault(entry["name"], " ".join(entry["description"].split()), tuple(catches), role,
                            tuple(companions), version))
    return tuple(faults)
