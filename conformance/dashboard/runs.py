"""Scorecards on disk → runs, grouped by initiative and standard.

A run directory is ``<root>/<initiative slug>/<UTC stamp>/`` (DESIGN §1) holding ``scorecard.json``;
the dashboard accepts a reports root, an initiative's folder or a single run directory. A file that
is not a readable scorecard of a format version this code knows is skipped with a note, never fatal:
only regular files of at most :data:`MAX_SCORECARD_BYTES` are read (a FIFO would block, a device never end),
and a scorecard whose verdicts or counts do not follow from its own checks is not shown (the harness's
rules, :mod:`conformance.certify.consistency`, decide; the stored verdicts are never taken on trust).

An initiative is the one its scorecard names, whatever folder the scorecard was found in: by its
``initiative_id`` (the profile's ``id:``) when it carries one, so that a member that renames itself keeps its row
and two members that keep one name do not share one; else by the slug of its ``initiative`` name, as scorecards
without an id always were (:func:`assign_identities`). A run is identified by its initiative, its start and its
content, so a copy of a run found in another folder, or resent into the same one, is counted once.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from conformance.files import Unreadable
from conformance.files import read_regular as read_bounded
from conformance.profile import id_problem, slugify
from conformance.scorecard import CONFORMANT, UNREACHABLE

SCORECARD_FORMAT = "ga4gh-conformance-scorecard/"
SCORECARD_MAJOR = "1"
#: A file at the root of every site this package writes, so a rescan never reads a site as reports.
SITE_MARKER = ".ga4gh-conformance-site"

#: A scorecard (or a run's report.html) larger than this is not read: no run of the harness writes one this
#: large, and the dashboard holds each scorecard in memory and copies it into the site.
MAX_SCORECARD_BYTES = 64 * 2**20
#: Beside a run directory: the certification bundle ``conformance certify`` writes by default.
BUNDLE_SUFFIX = ".conformance.tar"

#: Worst first: the verdict a cell shows when an initiative declares several services of one standard.
VERDICT_ORDER = ("non-conformant", "unreachable", "incomplete", "conformant")



#: The limits that stop a run's checks once spent (those left are not run, or err); the others stop one
#: exchange (max_response_bytes, max_document_bytes, request_timeout_seconds, max_memory_mb), which the checks
#: concerned report, and the run goes on whole.
RUN_LIMITS = frozenset({"max_seconds", "max_requests", "max_run_bytes"})

@dataclass
class ServiceRun:
    """One service of one run: its verdicts and counts as the harness's rules give them from its checks."""

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
    #: A failed check that is a consequence of another's failure → that cause (as the harness links them).
    causes: dict[str, str] = field(default_factory=dict)

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c.get("outcome") == "failed"]

    @property
    def root_failures(self) -> list[dict[str, Any]]:
        """The failed checks that are no consequence of another: one root cause, one failure (the counts too)."""
        return [c for c in self.failed_checks if str(c.get("id")) not in self.causes]

    @property
    def nothing_ran(self) -> bool:
        """Unreachable: no check could run, so its counts (every check an error) say nothing."""
        return self.verdict == UNREACHABLE


@dataclass
class Run:
    """One scorecard: one initiative's run of the harness."""

    directory: Path
    #: The initiative's row: its id, else the slug of its name (see :func:`assign_identities`).
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
    #: The run's ``--check`` filter (None: not filtered); such a run is partial: never a cell of the matrix.
    selected_checks: list[str] | None = None
    #: The run's ``--standard`` filter (None: not filtered); such a run is whole for the standards it ran.
    selected_standards: list[str] | None = None
    #: Whether the scorecard records its selection at all (a scorecard that does not may have been filtered).
    selection_recorded: bool = True
    #: The budget limits that cut the run short (``usage.limits_hit``).
    limits_hit: list[str] = field(default_factory=list)
    #: The profile file the run was made from, as the scorecard records it.
    profile_path: str | None = None
    #: SHA-256 of the scorecard's bytes as read (a certification bundle must hold these very bytes).
    sha256: str = ""
    #: The report.html of the run directory, when it is a regular file of at most MAX_SCORECARD_BYTES.
    report: Path | None = None
    #: The scorecard's ``initiative_id`` (the profile's ``id:``), or None: an older scorecard, or a profile without.
    initiative_id: str | None = None

    @property
    def name_slug(self) -> str:
        """The slug of the name the run gives its initiative (how a run without an id is grouped)."""
        return slugify(self.name)

    @property
    def stamp(self) -> str:
        return self.directory.name

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.started, self.stamp)

    @property
    def has_report(self) -> bool:
        return self.report is not None

    @property
    def filtered(self) -> bool:
        """Filtered with ``--check``: a few checks only, which stand for no standard's result."""
        return bool(self.selected_checks)

    def partial_reasons(self) -> list[str]:
        """Why the run is not a whole run of the standards it checked (a certified badge needs none)."""
        reasons = []
        if self.filtered:
            reasons.append(f"filtered with --check ({len(self.selected_checks or [])} checks)")
        if not self.selection_recorded:
            reasons.append("its scorecard does not record whether it was filtered")
        if self.interrupted:
            reasons.append("interrupted")
        cut = [limit for limit in self.limits_hit if limit in RUN_LIMITS]
        if cut:
            reasons.append(f"cut short by a limit ({', '.join(cut)})")
        return reasons

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
class Identity:
    """What the dashboard knows an initiative (one row) by: its id, or its name when its runs carry none."""

    #: The row's key (``Run.slug`` of its runs; the page ``initiatives/<key>.html``, matrix.json's ``slug``).
    key: str
    #: The initiative id its runs carry; None: its runs carry none and it is known by its name.
    id: str | None = None
    #: The names its runs gave, oldest first, each with the start of the first run under it (a name given again
    #: after another is listed again: the names alternate).
    names: list[tuple[str, str]] = field(default_factory=list)
    #: The slug of the name a row without an id is known by (the sweep's shared-name warning matches it).
    name_slug: str = ""
    #: Runs without an id shown as this id's history (made under one of its names before it took the id).
    adopted: int = 0
    #: Warnings on whose runs the row shows (runs shown apart, names that alternate), one sentence each.
    notes: list[str] = field(default_factory=list)

    def adoption(self) -> str | None:
        """What the row's earlier runs without an id are, when it shows some."""
        if not self.adopted:
            return None
        return (f"{self.adopted} earlier run{'s' if self.adopted != 1 else ''} without an id shown as its history "
                "(made before its first run with the id, under a name no other initiative with an id gives)")

    @property
    def renamed(self) -> bool:
        return len(self.names) > 1

    @property
    def alternating(self) -> bool:
        """A name given again after another: two profiles may give one id (a rename goes one way)."""
        return len({name for name, _ in self.names}) < len(self.names)


@dataclass
class Collection:
    runs: list[Run]
    skipped: list[str]
    #: Row key → its identity (:func:`assign_identities`); a row not here is known by its name.
    identities: dict[str, Identity] = field(default_factory=dict)

    def identity(self, slug: str) -> Identity:
        found = self.identities.get(slug)
        if found is None:
            runs = self.runs_of(slug)
            found = Identity(slug, None, _names(runs), runs[-1].name_slug if runs else slug)
        return found

    def initiatives(self) -> list[str]:
        """Slugs, ordered by the initiative's name (no ranking)."""
        names = {r.slug: self.display_name(r.slug) for r in self.runs}
        return sorted(names, key=lambda slug: (names[slug].casefold(), slug))

    def standards(self) -> list[str]:
        return sorted({s for r in self.runs for s in r.standards()})

    @cached_property
    def _by_slug(self) -> dict[str, list[Run]]:
        """Each row's runs, oldest first (the collection's runs are read once and never change)."""
        rows: dict[str, list[Run]] = {}
        for run in sorted(self.runs, key=lambda r: r.sort_key):
            rows.setdefault(run.slug, []).append(run)
        return rows

    @cached_property
    def _shared_names(self) -> set[str]:
        """The display names (case-folded) more than one row gives."""
        seen = Counter(self.display_name(slug).casefold() for slug in self._by_slug)
        return {name for name, count in seen.items() if count > 1}

    def runs_of(self, slug: str) -> list[Run]:
        """Oldest first."""
        return list(self._by_slug.get(slug, ()))

    def display_name(self, slug: str) -> str:
        """The name the initiative's newest scorecard gives."""
        return self.runs_of(slug)[-1].name

    def label(self, slug: str) -> str:
        """The display name, with the id (or the row's key) after it where another initiative has that name too:
        two members that keep one name, each with its own id, are told apart wherever they are listed."""
        name = self.display_name(slug)
        if name.casefold() in self._shared_names:
            return f"{name} ({self.identity(slug).id or slug})"
        return name

    def latest_registry(self, slug: str) -> Run | None:
        """The newest run of the initiative made through its service registry (``registry:``), if any."""
        with_registry = [r for r in self.runs_of(slug) if r.registry is not None and not r.filtered]
        return with_registry[-1] if with_registry else None

    def latest(self, slug: str, standard: str) -> Run | None:
        """The newest run of the initiative that checked ``standard`` in full: a run filtered with ``--check``
        is partial and never stands for the initiative's result (one filtered with ``--standard`` is whole for
        the standards it ran)."""
        with_standard = [r for r in self.runs_of(slug) if r.services_of(standard) and not r.filtered]
        return with_standard[-1] if with_standard else None

    def only_partial(self, slug: str, standard: str) -> bool:
        """The initiative checked ``standard`` only in runs filtered with ``--check``."""
        return self.latest(slug, standard) is None and any(r.services_of(standard) for r in self.runs_of(slug))


def worst_verdict(verdicts: Iterable[str]) -> str:
    seen = set(verdicts)
    return next((v for v in VERDICT_ORDER if v in seen), "incomplete")


# -- reading one file -------------------------------------------------------------------------------------

def read_regular(path: Path, limit: int = MAX_SCORECARD_BYTES) -> bytes:
    """The bytes of ``path`` when it is a regular file (a symbolic link to one is) of at most ``limit`` bytes;
    else ValueError with the reason (conformance/files.py: a FIFO or a device is never read)."""
    try:
        return read_bounded(path, limit)
    except Unreadable as exc:
        raise ValueError({
            "missing": "no such file (a broken symbolic link?)",
            "folder": "not a regular file (a folder), so not read",
            "special": f"not a regular file ({exc.detail}), so not read",
            "large": f"larger than {limit // 2**20} MiB, more than any scorecard or report; not read",
        }.get(exc.problem, f"cannot read ({exc.detail})")) from None


def _parse(raw: bytes) -> Any:
    from conformance.documents import nesting_problem

    problem = nesting_problem(raw)
    if problem is not None:
        raise ValueError(f"not readable as JSON ({problem})")
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("not readable as JSON (nested too deeply to parse)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not readable as JSON ({exc.__class__.__name__})") from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _listed(value: Any) -> list[str] | None:
    return [str(v) for v in value] if isinstance(value, list) and value else None


def _services(data: dict[str, Any]) -> list[ServiceRun]:
    """The services with the verdicts and counts the harness's own rules give from their checks; ValueError
    when the scorecard records others (hand-edited, or written under other rules), or cannot be read back."""
    from conformance.certify.consistency import Malformed, load, verdict_problems

    try:
        problems = verdict_problems(data)
        card = load(data, [])
    except Malformed as exc:
        raise ValueError(f"not a scorecard the harness can read back ({exc})") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise ValueError(f"not a scorecard the harness can read back ({exc.__class__.__name__})") from None
    if problems:
        more = f"; and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise ValueError(f"its verdicts or counts do not follow from its own checks ({problems[0]}{more}): edited "
                         "after the run, or written by a release with other rules; not shown")
    services = []
    for raw, result in zip(data["services"], card.services):
        verdict = result.verdict()
        services.append(ServiceRun(
            key=result.key or "?", standard=result.standard or "?", version=result.version or "?",
            url=result.url, name=result.name, verdict=verdict, verdict_waived=result.verdict(waive=True),
            summary=result.counts(), checks=[c for c in raw.get("checks", []) if isinstance(c, dict)],
            unreachable=_text(raw.get("unreachable")) or ("unreachable" if verdict == UNREACHABLE else None),
            untested=_text(raw.get("untested")),
            causes={c.id: c.caused_by for c in result.checks if c.consequence and c.caused_by}))
    return services


def read_run(path: Path, slug_hint: str | None, raw: bytes | None = None) -> Run:
    """Read one ``scorecard.json``; raise ValueError with the reason when it cannot be used. The initiative is
    the one the scorecard names; ``slug_hint`` (the folder's name) only when it names none."""
    if raw is None:
        raw = read_regular(path)
    data = _parse(raw)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    fmt = data.get("format")
    if not isinstance(fmt, str) or not fmt.startswith(SCORECARD_FORMAT):
        raise ValueError(f"format {str(fmt)[:80]!r} is not a GA4GH conformance scorecard")
    if fmt[len(SCORECARD_FORMAT):] != SCORECARD_MAJOR:
        raise ValueError(f"format {fmt[:80]!r}: this dashboard reads {SCORECARD_FORMAT}{SCORECARD_MAJOR}")
    if not isinstance(data.get("services"), list):
        raise ValueError("no list of services")
    services = _services(data)
    initiative_id = data.get("initiative_id")
    problem = id_problem(initiative_id) if initiative_id is not None else None
    if problem:  # never written by the harness: grouped by its name, it would join another initiative's row
        raise ValueError(f"initiative_id: {problem}; not read")
    initiative = _text(data.get("initiative"))
    name = initiative.strip() if initiative and initiative.strip() else (slug_hint or "unnamed initiative")
    harness_raw = data.get("harness")
    harness: dict[str, Any] = harness_raw if isinstance(harness_raw, dict) else {}
    suites_raw = harness.get("suites")
    suites: dict[str, Any] = suites_raw if isinstance(suites_raw, dict) else {}
    selection = data.get("selection")
    usage_raw, profile_raw = data.get("usage"), data.get("profile")
    usage: dict[str, Any] = usage_raw if isinstance(usage_raw, dict) else {}
    profile: dict[str, Any] = profile_raw if isinstance(profile_raw, dict) else {}
    registry = data.get("registry") if isinstance(data.get("registry"), dict) else None
    return Run(
        directory=path.parent, slug=initiative_id or slugify(name), name=name, initiative_id=initiative_id,
        started=str(data.get("started", "")), finished=str(data.get("finished", "")),
        harness_version=str(harness.get("version", "unknown")), suites=dict(suites),
        services=services,
        interrupted=bool(data.get("interrupted", False)),
        contact=_text(data.get("contact")),
        notices=[str(n) for n in data.get("notices", []) if isinstance(n, str)]
        if isinstance(data.get("notices"), list) else [],
        registry=registry,
        selected_checks=_listed(selection.get("checks")) if isinstance(selection, dict) else None,
        selected_standards=_listed(selection.get("standards")) if isinstance(selection, dict) else None,
        selection_recorded=isinstance(selection, dict),
        limits_hit=[str(x) for x in usage.get("limits_hit") or [] if isinstance(x, str)]
        if isinstance(usage.get("limits_hit"), list) else [],
        profile_path=_text(profile.get("path")),
        sha256=hashlib.sha256(raw).hexdigest(),
        report=_report(path.parent))


def _report(run_dir: Path) -> Path | None:
    """The run's report.html when it can be copied into the site (a regular file, not too large)."""
    path = run_dir / "report.html"
    try:
        info = os.stat(path)
    except OSError:
        return None
    return path if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_SCORECARD_BYTES else None


def _slug_hint(root: Path, scorecard: Path) -> str | None:
    """The initiative slug from the layout ``<root>/<slug>/<stamp>/scorecard.json``, for a scorecard that names
    no initiative; when the given directory is itself an initiative's folder or a run directory, the folder
    names say it too."""
    run_dir = scorecard.parent
    relative = run_dir.relative_to(root).parts
    if len(relative) >= 2:
        return relative[-2]
    if len(relative) == 1:  # root is an initiative's folder
        return root.name
    return run_dir.parent.name or None  # root is a run directory


def _identity(run: Run, raw: bytes) -> tuple[str, str, str]:
    """What tells one run from another: its initiative, its start, and its content (two runs of one initiative
    can start in the same second: the harness then writes ``<stamp>-2``). Equal documents are one run,
    however they are spaced."""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, RecursionError):  # read_run parsed it already; never here in practice
        canonical = raw.decode("utf-8", "replace")
    return (run.slug, run.started, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def _bundle(run: Run) -> Path:
    return run.directory.parent / f"{run.directory.name}{BUNDLE_SUFFIX}"


def collect(roots: Iterable[Path], exclude: Iterable[Path] = ()) -> Collection:
    """Every scorecard under ``roots`` (sites this package wrote, and ``exclude``, are not read). A run found
    twice (a copy in another folder, a resent copy) is counted once: the copy with a certification bundle
    beside it, else with a report, else the first found; the others are listed as not read."""
    excluded = {p.resolve() for p in exclude}
    found: list[tuple[Run, tuple[str, str, str], Path]] = []
    skipped: list[str] = []
    seen: set[Path] = set()
    run_dirs: set[Path] = set()
    bundles: list[Path] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            skipped.append(f"{root}: not a directory")
            continue

        def unlisted(error: OSError) -> None:
            skipped.append(f"{error.filename}: cannot list the folder ({error.strerror or error}); not read")

        for current, dirs, files in os.walk(root, onerror=unlisted):
            here = Path(current)
            if here.resolve() in excluded or SITE_MARKER in files:
                dirs.clear()
                continue
            dirs.sort()
            bundles += [here / f for f in sorted(files) if f.endswith(BUNDLE_SUFFIX)]
            if "scorecard.json" in dirs:
                dirs.remove("scorecard.json")
                skipped.append(f"{here / 'scorecard.json'}: a folder, not a scorecard; not read")
            if "scorecard.json" not in files:
                continue
            path = here / "scorecard.json"
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            run_dirs.add(here.resolve())
            try:
                raw = read_regular(path)
                run = read_run(path, _slug_hint(root, path), raw)
            except ValueError as exc:
                skipped.append(f"{path}: {exc}")
                continue
            found.append((run, _identity(run, raw), path))
    for bundle in bundles:
        beside = bundle.parent / bundle.name[:-len(BUNDLE_SUFFIX)]
        if beside.resolve() not in run_dirs:
            skipped.append(f"{bundle}: a certification bundle without its run directory beside it; not read (the "
                           f"dashboard reads run directories, <slug>/<stamp>/scorecard.json: give the folder "
                           f"{beside.name}/ the run wrote, and a bundle beside it earns the certified badge)")
    runs = _once(found, skipped)
    identities = assign_identities(runs)
    return Collection(sorted(runs, key=lambda r: (r.slug, r.sort_key)), skipped, identities)


def _names(runs: list[Run]) -> list[tuple[str, str]]:
    """The names ``runs`` (oldest first) give, each with the start of the first run under it."""
    names: list[tuple[str, str]] = []
    for run in runs:
        if not names or names[-1][0] != run.name:
            names.append((run.name, run.started))
    return names


def assign_identities(runs: list[Run]) -> dict[str, Identity]:
    """Give each run its row (``Run.slug``) and return each row's identity.

    - A run whose scorecard carries an ``initiative_id`` is in that id's row, whatever name it gives: a rename
      keeps the row (the row shows the newest name and notes the former ones), and two members that keep one
      name but each have an id get a row each.
    - A run without an id is in the row of its name's slug, as scorecards always were, with one exception: the
      runs of a name that exactly one id's runs also give, all of them made before that id's first run, are
      that initiative's runs from before it took its id, and are shown as its history. Where that is not
      certain (two ids give the name; a run without an id came after the id's first run: another member with
      that name, or a profile that lost its id) they keep a row of their own, which says why.
    - A name row whose slug is some id gets the key ``<slug>--name`` (no id and no slug of a name holds ``--``),
      so an id is never shared with a name."""
    by_id: dict[str, list[Run]] = {}
    by_name: dict[str, list[Run]] = {}
    for run in sorted(runs, key=lambda r: r.sort_key):
        if run.initiative_id:
            by_id.setdefault(run.initiative_id, []).append(run)
        else:
            by_name.setdefault(run.name_slug, []).append(run)
    names_of = {initiative_id: {r.name_slug for r in members} for initiative_id, members in by_id.items()}
    adopted: dict[str, list[Run]] = {}
    apart: dict[str, list[str]] = {}
    for name_slug, members in list(by_name.items()):
        claimants = sorted(i for i, names in names_of.items() if name_slug in names)
        if len(claimants) == 1 and all(r.sort_key < by_id[claimants[0]][0].sort_key for r in members):
            adopted.setdefault(claimants[0], []).extend(members)
            del by_name[name_slug]
        elif claimants:
            apart[name_slug] = claimants
    identities: dict[str, Identity] = {}
    for initiative_id, members in by_id.items():
        earlier = adopted.get(initiative_id, [])
        for run in (*earlier, *members):
            run.slug = initiative_id
        everything = sorted((*earlier, *members), key=lambda r: r.sort_key)
        identity = Identity(initiative_id, initiative_id, _names(everything), members[-1].name_slug,
                            adopted=len(earlier))
        if identity.alternating:
            shown = ", ".join(name for name, _ in identity.names)
            identity.notes.append(f"its runs go back and forth between names ({shown}): two profiles may give the "
                                  f"id {initiative_id!r}; each member needs its own")
        identities[initiative_id] = identity
    for name_slug, members in by_name.items():
        key = f"{name_slug}--name" if name_slug in by_id else name_slug
        for run in members:
            run.slug = key
        identity = Identity(key, None, _names(members), name_slug)
        claimants = apart.get(name_slug, [])
        if len(claimants) > 1:
            identity.notes.append(f"the initiatives with ids {', '.join(claimants)} give this name too; these runs "
                                  "carry no id, so whose they are cannot be told: shown apart")
        elif claimants:
            identity.notes.append(f"the initiative with id {claimants[0]!r} gives this name too; these runs carry "
                                  "no id and some came after its first run with the id (another member with this "
                                  "name, or a profile that lost its id): shown apart")
        identities[key] = identity
    return identities


def _once(found: list[tuple[Run, tuple[str, str, str], Path]], skipped: list[str]) -> list[Run]:
    groups: dict[tuple[str, str, str], list[tuple[int, Run, Path]]] = {}
    for position, (run, identity, path) in enumerate(found):
        groups.setdefault(identity, []).append((position, run, path))
    runs = []
    for copies in groups.values():
        best = min(copies, key=lambda c: (not _bundle(c[1]).is_file(), not c[1].has_report, c[0]))
        runs.append(best[1])
        for _, run, path in copies:
            if run is not best[1]:
                skipped.append(f"{path}: the same run as {best[2]} ({run.name}, started {run.started}); "
                               "counted once")
    return runs


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
