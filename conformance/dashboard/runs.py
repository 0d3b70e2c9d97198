"""Scorecards on disk → runs, grouped by initiative and standard.

A run directory is ``<root>/<initiative slug>/<UTC stamp>/`` (DESIGN §1) holding ``scorecard.json``;
the dashboard accepts a reports root, an initiative's folder or a single run directory. A file that
is not a readable scorecard of a format version this code knows is skipped with a note, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.profile import slugify
from conformance.scorecard import CONFORMANT

SCORECARD_FORMAT = "ga4gh-conformance-scorecard/"
SCORECARD_MAJOR = "1"
#: A file at the root of every site this package writes, so a rescan never reads a site as reports.
SITE_MARKER = ".ga4gh-conformance-site"

#: Worst first: the verdict a cell shows when an initiative declares several services of one standard.
VERDICT_ORDER = ("non-conformant", "unreachable", "incomplete", "conformant")


@dataclass
class ServiceRun:
    """One service of one run, as its scorecard states it."""

    key: str
    standard: str
    version: str
    url: str
    name: str | None
    verdict: str
    verdict_waived: str
    summary: dict[str, int]
    checks: list[dict[str, Any]]
    unreachable: str | None = None
    #: Why what the service serves went unchecked (the scorecard's ``untested``).
    untested: str | None = None

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c.get("outcome") == "failed"]


@dataclass
class Run:
    """One scorecard: one initiative's run of the harness."""

    directory: Path
    slug: str
    name: str
    started: str
    finished: str
    harness_version: str
    suites: dict[str, Any]
    services: list[ServiceRun]
    interrupted: bool = False
    contact: str | None = None
    notices: list[str] = field(default_factory=list)
    #: The scorecard's ``registry`` field (a profile with ``registry:``), or None.
    registry: dict[str, Any] | None = None
    #: Where this run's files live inside the site (``runs/<slug>/<stamp>``), set by the site builder.
    site_path: str = ""

    @property
    def stamp(self) -> str:
        return self.directory.name

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.started, self.stamp)

    @property
    def has_report(self) -> bool:
        return (self.directory / "report.html").is_file()

    def standards(self) -> list[str]:
        return sorted({s.standard for s in self.services})

    def services_of(self, standard: str) -> list[ServiceRun]:
        return [s for s in self.services if s.standard == standard]

    def suite_signature(self, standard: str) -> str:
        """What the run's suite of ``standard`` was, as far as the scorecard says (its version when the
        scorecard records one, else its declared versions and number of requirements)."""
        info = self.suites.get(standard)
        if not isinstance(info, dict):
            return "unknown"
        if info.get("version"):
            return f"suite {info['version']}"
        return f"{info.get('checks', '?')} requirements"

    def comparability(self, standard: str) -> tuple[str, str]:
        """Two runs' results of ``standard`` are compared only when these are equal."""
        return (self.harness_version, self.suite_signature(standard))


@dataclass
class Collection:
    runs: list[Run]
    skipped: list[str]

    def initiatives(self) -> list[str]:
        """Slugs, ordered by the initiative's name (no ranking)."""
        names = {r.slug: self.display_name(r.slug) for r in self.runs}
        return sorted(names, key=lambda slug: (names[slug].casefold(), slug))

    def standards(self) -> list[str]:
        return sorted({s for r in self.runs for s in r.standards()})

    def runs_of(self, slug: str) -> list[Run]:
        """Oldest first."""
        return sorted((r for r in self.runs if r.slug == slug), key=lambda r: r.sort_key)

    def display_name(self, slug: str) -> str:
        """The name the initiative's newest scorecard gives."""
        return self.runs_of(slug)[-1].name

    def latest_registry(self, slug: str) -> Run | None:
        """The newest run of the initiative made through its service registry (``registry:``), if any."""
        with_registry = [r for r in self.runs_of(slug) if r.registry is not None]
        return with_registry[-1] if with_registry else None

    def latest(self, slug: str, standard: str) -> Run | None:
        """The newest run of the initiative that checked ``standard`` (a run may check a subset)."""
        with_standard = [r for r in self.runs_of(slug) if r.services_of(standard)]
        return with_standard[-1] if with_standard else None


def worst_verdict(verdicts: Iterable[str]) -> str:
    seen = set(verdicts)
    return next((v for v in VERDICT_ORDER if v in seen), "incomplete")


def _service(raw: dict[str, Any]) -> ServiceRun:
    summary_raw = raw.get("summary")
    summary: dict[str, Any] = summary_raw if isinstance(summary_raw, dict) else {}
    checks = [c for c in raw.get("checks", []) if isinstance(c, dict)]
    verdict = str(raw.get("verdict", "incomplete"))
    return ServiceRun(
        key=str(raw.get("key", raw.get("standard", "?"))), standard=str(raw.get("standard", "?")),
        version=str(raw.get("version", "?")), url=str(raw.get("url", "")),
        name=raw.get("name") if isinstance(raw.get("name"), str) else None,
        verdict=verdict, verdict_waived=str(raw.get("verdict_with_expected_failures", verdict)),
        summary={k: int(v) for k, v in summary.items() if isinstance(v, int)},
        checks=checks,
        unreachable=raw.get("unreachable") if isinstance(raw.get("unreachable"), str) else None,
        untested=raw.get("untested") if isinstance(raw.get("untested"), str) else None)


def read_run(path: Path, slug_hint: str | None) -> Run:
    """Read one ``scorecard.json``; raise ValueError with the reason when it cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not readable as JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    fmt = data.get("format")
    if not isinstance(fmt, str) or not fmt.startswith(SCORECARD_FORMAT):
        raise ValueError(f"format {fmt!r} is not a GA4GH conformance scorecard")
    if fmt[len(SCORECARD_FORMAT):] != SCORECARD_MAJOR:
        raise ValueError(f"format {fmt!r}: this dashboard reads {SCORECARD_FORMAT}{SCORECARD_MAJOR}")
    services = data.get("services")
    if not isinstance(services, list):
        raise ValueError("no list of services")
    name = str(data.get("initiative") or slug_hint or "unnamed initiative")
    harness_raw = data.get("harness")
    harness: dict[str, Any] = harness_raw if isinstance(harness_raw, dict) else {}
    suites_raw = harness.get("suites")
    suites: dict[str, Any] = suites_raw if isinstance(suites_raw, dict) else {}
    return Run(
        directory=path.parent, slug=slugify(slug_hint or name), name=name,
        started=str(data.get("started", "")), finished=str(data.get("finished", "")),
        harness_version=str(harness.get("version", "unknown")), suites=dict(suites),
        services=[_service(s) for s in services if isinstance(s, dict)],
        interrupted=bool(data.get("interrupted", False)),
        contact=data.get("contact") if isinstance(data.get("contact"), str) else None,
        notices=[str(n) for n in data.get("notices", []) if isinstance(n, str)],
        registry=data.get("registry") if isinstance(data.get("registry"), dict) else None)


def _slug_hint(root: Path, scorecard: Path) -> str | None:
    """The initiative slug from the layout ``<root>/<slug>/<stamp>/scorecard.json``; when the given
    directory is itself an initiative's folder or a run directory, the folder names say it too."""
    run_dir = scorecard.parent
    relative = run_dir.relative_to(root).parts
    if len(relative) >= 2:
        return relative[-2]
    if len(relative) == 1:  # root is an initiative's folder
        return root.name
    return run_dir.parent.name or None  # root is a run directory


def collect(roots: Iterable[Path], exclude: Iterable[Path] = ()) -> Collection:
    """Every scorecard under ``roots`` (sites this package wrote, and ``exclude``, are not read)."""
    excluded = {p.resolve() for p in exclude}
    runs: list[Run] = []
    skipped: list[str] = []
    seen: set[Path] = set()
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            skipped.append(f"{root}: not a directory")
            continue
        for current, dirs, files in os.walk(root):
            here = Path(current)
            if here.resolve() in excluded or SITE_MARKER in files:
                dirs.clear()
                continue
            dirs.sort()
            if "scorecard.json" not in files:
                continue
            path = here / "scorecard.json"
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            try:
                runs.append(read_run(path, _slug_hint(root, path)))
            except ValueError as exc:
                skipped.append(f"{path}: {exc}")
    return Collection(runs, skipped)


def registry_counts(run: Run) -> dict[str, int]:
    """Of the services ``run``'s registry listed: how many, how many were tested, how many are conformant
    (a tested service whose result in the run is conformant), and how many could not be tested."""
    registry = run.registry or {}
    tested_raw = registry.get("tested")
    tested = [t for t in tested_raw if isinstance(t, dict)] if isinstance(tested_raw, list) else []
    not_tested = registry.get("not_tested")
    verdicts = {s.url.rstrip("/"): s.verdict for s in run.services}
    listed = registry.get("listed")
    return {"listed": listed if isinstance(listed, int) else 0, "tested": len(tested),
            "conformant": sum(1 for t in tested if verdicts.get(str(t.get("url", "")).rstrip("/")) == CONFORMANT),
            "not_tested": len(not_tested) if isinstance(not_tested, list) else 0}
