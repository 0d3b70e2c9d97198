"""The check model: requirements as data, and the decorator that ties a check to one of them.

Each suite keeps ``requirements.yaml`` beside its checks (id, level, text, citation, the spec versions
it applies to, and for requirements no check covers yet, the reason). A check is a pytest test
decorated with :func:`check`, naming the requirement it verifies; its level and citation come from
the catalogue, so they are written once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
import yaml

from conformance import versions
from conformance.errors import CheckFailure, ConformanceError
from conformance.exchange import Exchange

if TYPE_CHECKING:
    from conformance.http.models import Response

F = TypeVar("F", bound=Callable[..., Any])

MARKER = "conformance_check"


class Level(str, enum.Enum):
    """RFC 2119 levels. Only a failed MUST makes a service non-conformant; SHOULD and MAY warn."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    text: str
    citation: str
    versions: str | None = None
    uncovered: str | None = None

    def applies_to(self, version: str) -> bool:
        return versions.matches(version, self.versions)


class CatalogueError(ConformanceError):
    """A suite's requirements.yaml is malformed (a defect of the suite, not of the user's profile)."""


def load_catalogue(path: Path) -> dict[str, Requirement]:
    """Read and validate one suite's ``requirements.yaml``."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
        raise CatalogueError(f"{path}: expected a mapping with a 'requirements' list")
    catalogue: dict[str, Requirement] = {}
    for index, entry in enumerate(data["requirements"]):
        where = f"{path}: requirements[{index}]"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: expected a mapping")
        missing = [key for key in ("id", "level", "text", "citation") if not entry.get(key)]
        if missing:
            raise CatalogueError(f"{where}: missing {', '.join(missing)}")
        unknown = set(entry) - {"id", "level", "text", "citation", "versions", "uncovered"}
        if unknown:
            raise CatalogueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            level = Level(str(entry["level"]))
        except ValueError as exc:
            raise CatalogueError(f"{where}.level: {entry['level']!r} is not MUST, SHOULD or MAY") from exc
        spec = entry.get("versions")
        if spec is not None and not versions.valid_specifier(str(spec)):
            raise CatalogueError(f"{where}.versions: {spec!r} is not a version specifier")
        requirement = Requirement(
            id=str(entry["id"]),
            level=level,
            text=" ".join(str(entry["text"]).split()),
            citation=str(entry["citation"]),
            versions=str(spec) if spec is not None else None,
            uncovered=str(entry["uncovered"]) if entry.get("uncovered") else None,
        )
        if requirement.id in catalogue:
            raise CatalogueError(f"{where}.id: {requirement.id} is listed twice")
        catalogue[requirement.id] = requirement
    return catalogue


def fail(message: str, evidence: Response | Exchange | None, *, caused_by: str | None = None) -> CheckFailure:
    """The failure of a check: one sentence, with the answer it is about as evidence (the response, or
    the exchange of one kept from earlier). The one way a suite reports a failure: ``raise fail(...)``.
    ``evidence`` is None only where no HTTP answer exists (a data standard's document read from a file).

    ``caused_by`` declares the failure a consequence of another check's (one root cause, one failure,
    issue 19): the id of the check that reports the cause itself, for a failure raised only because of
    that cause (a view's shared precondition is the natural place: every check reading it gets the
    link). The scorecard keeps the link only where that check failed on the same service at the same or a
    stronger level, and then groups this failure under it and counts the cause once; otherwise the
    failure stands alone, so a link can never hide a failure.
    """
    exchange = evidence if evidence is None or isinstance(evidence, Exchange) else evidence.exchange
    return CheckFailure(message, exchange, caused_by=caused_by)


def json_type(value: object) -> str:
    """A JSON value's type as JSON names it, for messages."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null",
            int: "integer", float: "number"}.get(type(value), type(value).__name__)


def check(requirement_id: str, *, per: str | None = None) -> Callable[[F], F]:
    """Mark a test as the check of ``requirement_id``.

    ``per`` names a list in the service's profile entry (``objects``, ``reads``, ...): the check then
    runs once for each element, which it receives as the ``case`` fixture; with an empty or absent
    list the check is skipped with that reason.
    """

    def decorate(function: F) -> F:
        marked: F = pytest.mark.conformance_check(requirement_id, per=per)(function)
        return marked

    return decorate

