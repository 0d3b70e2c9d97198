"""The static adoption site: plain HTML and CSS, no script, no network, readable from ``file://``.

Layout of SITE_DIR (everything a page links to is inside it, so the folder can be moved, copied or
published as it is)::

    index.html                  the matrix: initiatives × standards, the latest run of each pair
    initiatives/<slug>.html     an initiative's runs over time, a verdict per standard (``<slug>``: the
                                initiative's id, else the slug of its name; see ``runs.assign_identities``)
    standards/<standard>.html   each requirement's failing fraction across initiatives, worst first
    runs/<slug>/<stamp>/        a copy of each run's report.html and scorecard.json
    matrix.json                 the matrix for other tools (``ga4gh-conformance-matrix/1``, see
                                :func:`matrix_document`)
    dashboard.css
    .ga4gh-conformance-site     marks the folder as a site (never read back as reports)

Verdicts are always words with a symbol (✔ ✘ ◐ ⊘); colour only repeats them. There is no overall
score per initiative: the forum compares standards, not members. Results of runs made with different
harness or suite versions are never pooled or compared silently: the pages say where they differ.
A cell is the initiative's latest whole run of the standard: a run filtered with ``--check`` is shown only in
the initiative's history, marked partial; a cell older than the initiative's latest run says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from packaging.version import InvalidVersion, Version

from conformance._version import __version__
from conformance.dashboard.runs import (
    RUN_LIMITS,
    SITE_MARKER,
    Collection,
    Identity,
    Run,
    ServiceRun,
    read_regular,
    registry_counts,
    worst_verdict,
)
from conformance.dashboard.sweep import EXIT_USAGE
from conformance.errors import UsageError
from conformance.profile import slugify

MATRIX_FORMAT = "ga4gh-conformance-matrix/1"
SYMBOLS = {"conformant": "✔", "non-conformant": "✘", "incomplete": "◐", "unreachable": "⊘"}
_SAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._-]+")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _href(*segments: str) -> str:
    return "/".join(quote(s) for s in segments)


def verdict_badge(verdict: str) -> str:
    symbol = SYMBOLS.get(verdict, "?")
    return (f'<span class="verdict v-{_e(verdict)}"><span aria-hidden="true">{symbol}</span> '
            f"{_e(verdict)}</span>")


def _date(stamp: str) -> str:
    return stamp.replace("T", " ").replace("Z", " UTC") if stamp else "unknown time"


@dataclass
class SweepLine:
    """One profile's outcome in a sweep, shown on the index page (see :mod:`.sweep`)."""

    profile: str
    outcome: str
    exit_code: int | None
    #: The initiative the profile names (None: the profile could not be read).
    initiative: str | None = None
    #: The profile's ``id:`` (None: it gives none, or could not be read).
    initiative_id: str | None = None


def _several(profiles: dict[str, list[str]]) -> dict[str, list[str]]:
    distinct = {key: list(dict.fromkeys(names)) for key, names in profiles.items()}
    return {key: names for key, names in distinct.items() if len(names) > 1}


def shared_names(sweep: list[SweepLine] | None) -> dict[str, list[str]]:
    """Initiative slug → the profiles of the sweep without an ``id`` that name it, where more than one does: the
    dashboard identifies an initiative without an id by its name, so such members' runs share one row and one
    history."""
    profiles: dict[str, list[str]] = {}
    for line in sweep or []:
        if line.initiative and not line.initiative_id:
            profiles.setdefault(slugify(line.initiative), []).append(line.profile)
    return _several(profiles)


def shared_ids(sweep: list[SweepLine] | None) -> dict[str, list[str]]:
    """Initiative id → the profiles of the sweep that give it, where more than one does: their runs are one
    initiative's on the dashboard (one row, one history), which is right only when they are one member's."""
    profiles: dict[str, list[str]] = {}
    for line in sweep or []:
        if line.initiative_id:
            profiles.setdefault(line.initiative_id, []).append(line.profile)
    return _several(profiles)


# -- the site ---------------------------------------------------------------------------------------------


def prepare_out(out: Path) -> None:
    """Empty ``out`` for a rebuild, but only when it is a site this code wrote (or empty/new)."""
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"--out {out}: exists and is not a directory")
        if any(out.iterdir()) and not (out / SITE_MARKER).is_file():
            raise UsageError(f"--out {out}: a non-empty folder that is not a dashboard site; refusing to "
                             "overwrite it (give a new or empty folder)")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def assign_site_paths(collection: Collection) -> None:
    used: set[str] = set()
    for run in sorted(collection.runs, key=lambda r: (r.slug, r.sort_key)):
        base = f"runs/{run.slug}/{_SAFE_SEGMENT.sub('-', run.stamp).strip('-') or 'run'}"
        path, n = base, 1
        while path in used:
            n += 1
            path = f"{base}-{n}"
        used.add(path)
        run.site_path = path


def copy_runs(collection: Collection, out: Path) -> None:
    """Each run's scorecard.json and report.html into the site, read as the scorecards were (regular files of
    at most MAX_SCORECARD_BYTES): a file changed since it was read is not copied, and its cell says so."""
    for run in collection.runs:
        target = out / run.site_path
        target.mkdir(parents=True, exist_ok=True)
        for name in ("scorecard.json", "report.html"):
            if name == "report.html" and run.report is None:
                continue
            try:
                data = read_regular(run.directory / name)
            except ValueError as exc:
                collection.skipped.append(f"{run.directory / name}: {exc}; not copied into the site")
                data = None
            if name == "scorecard.json" and data is not None and hashlib.sha256(data).hexdigest() != run.sha256:
                collection.skipped.append(f"{run.directory / name}: changed while the dashboard was built; "
                                          "not copied into the site")
                data = None
            if data is not None:
                (target / name).write_bytes(data)
            elif name == "report.html":
                run.report = None


def build_site(collection: Collection, out: Path, sweep: list[SweepLine] | None = None, *,
               certified: Mapping[Path, Any] | None = None) -> dict[str, Any]:
    """Write the whole site into ``out`` and return the matrix document written to ``matrix.json``.
    ``certified``: run directory → its certification (:func:`conformance.dashboard.certified.certified_runs`)."""
    prepare_out(out)
    assign_site_paths(collection)
    copy_runs(collection, out)
    css = resources.files("conformance.dashboard").joinpath("dashboard.css")
    (out / "dashboard.css").write_text(css.read_text(encoding="utf-8"), encoding="utf-8")
    generated = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    (out / "index.html").write_text(matrix_page(collection, generated, sweep, certified=certified), encoding="utf-8")
    (out / "initiatives").mkdir()
    for slug in collection.initiatives():
        (out / "initiatives" / f"{slug}.html").write_text(initiative_page(collection, slug, generated),
                                                          encoding="utf-8")
    (out / "standards").mkdir()
    for standard in collection.standards():
        (out / "standards" / f"{standard_slug(standard)}.html").write_text(
            standard_page(collection, standard, generated), encoding="utf-8")
    document = matrix_document(collection, generated, certified=certified)
    (out / "matrix.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    (out / SITE_MARKER).write_text("written by `conformance dashboard`; rebuilt in full each time\n",
                                   encoding="utf-8")
    return document


def standard_slug(standard: str) -> str:
    return slugify(standard)


# -- page frame -------------------------------------------------------------------------------------------


def _page(title: str, body: str, generated: str, depth: int) -> str:
    up = "../" * depth
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{_e(title)} · GA4GH adoption dashboard</title>\n"
        f"<link rel=\"stylesheet\" href=\"{up}dashboard.css\">\n</head>\n<body>\n"
        f"<header><nav><a href=\"{up}index.html\">Adoption matrix</a> · "
        f"<a href=\"{up}matrix.json\">matrix.json</a></nav><h1>{_e(title)}</h1></header>\n<main>\n"
        f"{body}\n</main>\n<footer>Built {_e(_date(generated))} by the GA4GH conformance harness "
        f"{_e(__version__)} from each initiative's <code>scorecard.json</code>. Verdicts per standard only: "
        "there is deliberately no overall score per initiative.</footer>\n</body>\n</html>\n"
    )


def _legend() -> str:
    items = "".join(f"<li>{verdict_badge(v)}</li>" for v in ("conformant", "non-conformant", "incomplete",
                                                           "unreachable"))
    return (f'<ul class="legend" aria-label="verdicts">{items}<li><span class="verdict v-none">— not checked'
            "</span></li></ul>")


def _service_summary(service: ServiceRun) -> str:
    counts = service.summary
    if service.nothing_ran:  # every check an error for want of the service: no fraction of anything
        return f"v{_e(service.version)} · no check could run"
    parts = [f"v{_e(service.version)}",
             f"MUST {counts.get('must_passed', 0)}/{counts.get('must_total', 0)}",
             f"{counts.get('warnings', 0)} SHOULD warning{'s' if counts.get('warnings', 0) != 1 else ''}"]
    if counts.get("error"):
        parts.append(f"{counts['error']} error{'s' if counts['error'] != 1 else ''}")
    if counts.get("undecided"):
        parts.append(f"{counts['undecided']} not decided")
    if counts.get("not_applicable"):
        parts.append(f"{counts['not_applicable']} not applicable")
    return " · ".join(parts)


def _service_block(service: ServiceRun, several: bool) -> str:
    label = f'<span class="svc">{_e(service.name or service.key)}</span> ' if several else ""
    waived = ""
    if service.verdict_waived != service.verdict:
        waived = f'<div class="note">{_e(service.verdict_waived)} with expected failures waived</div>'
    why = service.unreachable or service.untested
    unreachable = f'<div class="note">{_e(why)}</div>' if why else ""
    # the root causes, as the counts have them; a failure grouped under its cause is counted with it
    failed_musts = [str(c.get("id")) for c in service.root_failures if c.get("level") == "MUST"]
    grouped = len(service.failed_checks) - len(service.root_failures)
    failing = ""
    if failed_musts:
        shown = ", ".join(f"<code>{_e(cid)}</code>" for cid in failed_musts[:3])
        more = f" and {len(failed_musts) - 3} more" if len(failed_musts) > 3 else ""
        under = "it" if len(failed_musts) == 1 else "them"
        consequences = f" ({count_of(grouped, 'consequence')} grouped under {under})" if grouped else ""
        failing = f'<div class="note failing">MUST failed: {shown}{more}{consequences}</div>'
    return (f'<div class="service">{label}{verdict_badge(service.verdict)}'
            f'<div class="counts">{_service_summary(service)}</div>{failing}{waived}{unreachable}</div>')


def _run_cell(run: Run, standard: str, up: str, mark: str = "", initiative: str = "") -> str:
    services = run.services_of(standard)
    verdict = worst_verdict(s.verdict for s in services)
    blocks = "".join(_service_block(s, len(services) > 1) for s in services)
    interrupted = '<div class="note">run interrupted</div>' if run.interrupted else ""
    cut = [limit for limit in run.limits_hit if limit in RUN_LIMITS]
    if cut:  # its checks left were not run, or erred: the counts are of a run cut short
        interrupted += f'<div class="note">run cut short by a limit ({_e(", ".join(cut))})</div>'
    if run.has_report:
        link = (f'<a class="report" href="{up}{_href(*run.site_path.split("/"), "report.html")}">'
                f"report of {_e(_date(run.started))}</a>")
    else:
        link = f'<span class="note">no report.html ({_e(_date(run.started))})</span>'
    return (f'<td class="cell v-{_e(verdict)}" data-initiative="{_e(initiative or run.slug)}" '
            f'data-standard="{_e(standard)}" data-verdict="{_e(verdict)}">{blocks}{interrupted}{mark}'
            f"<div>{link}</div></td>")


def _empty_cell(slug: str, standard: str, only_partial: bool = False) -> str:
    partial = ('<div class="note">only in runs filtered with --check (partial): see the initiative\'s history'
               "</div>") if only_partial else ""
    return (f'<td class="cell v-none" data-initiative="{_e(slug)}" data-standard="{_e(standard)}" '
            f'data-verdict="not-checked"><span class="verdict v-none">— not checked</span>{partial}</td>')


def count_of(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _comparability_label(key: tuple[str, str]) -> str:
    return f"harness {key[0]}, {key[1]}"


# -- the matrix -------------------------------------------------------------------------------------------


def certified_badge(kid: str) -> str:
    """The badge of a cell whose run has a verified bundle and is whole (conformance/dashboard/certified.py)."""
    return (f'<div class="certified" title="this run is certified: its bundle verifies against key {_e(kid)}">'
            "✔ certified</div>")


def _version_rank(version: str) -> tuple[int, Version]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, Version("0"))


def reference_of(collection: Collection, standard: str) -> tuple[tuple[str, str], set[tuple[str, str]]]:
    """The (harness version, suite) the cells of ``standard`` are compared under, and the others among them.
    The reference is the newest harness release by version order (then the suite most cells share, then the
    newest run): one member's late submission made with an old release never marks everyone else."""
    latest = [r for r in (collection.latest(s, standard) for s in collection.initiatives()) if r is not None]
    if not latest:
        return ("", ""), set()
    keys = [r.comparability(standard) for r in latest]
    newest = {k: max(r.sort_key for r in latest if r.comparability(standard) == k) for k in keys}
    reference = max(set(keys), key=lambda k: (_version_rank(k[0]), keys.count(k), newest[k]))
    return reference, set(keys) - {reference}


def earlier_note(collection: Collection, run: Run, standard: str) -> str | None:
    """Why a cell's run is not the initiative's latest run (the cell is from an earlier run), or None."""
    newest = collection.runs_of(run.slug)[-1]
    if newest.sort_key <= run.sort_key:
        return None
    if newest.filtered:
        why = "was partial (filtered with --check)"
    elif not newest.services_of(standard):
        why = f"did not check {standard}"
    else:
        why = f"checked {standard} too"
    return f"from an earlier run ({_date(run.started)}): the latest run, of {_date(newest.started)}, {why}"


def _profile_broke(collection: Collection, slug: str, sweep: list[SweepLine] | None) -> str | None:
    """The outcome of the last sweep's line for the profile of the initiative's latest run, when that line made
    no run (a profile no longer usable, a run that crashed before its scorecard), else None."""
    profile = collection.runs_of(slug)[-1].profile_path
    for line in sweep or []:
        if profile and line.profile == profile and (line.exit_code == EXIT_USAGE or line.outcome.startswith(
                ("profile not usable", "crashed", "no verdict", "could not be run"))):
            return line.outcome
    return None


def matrix_page(collection: Collection, generated: str, sweep: list[SweepLine] | None = None, *,
                certified: Mapping[Path, Any] | None = None) -> str:
    standards = collection.standards()
    initiatives = collection.initiatives()
    # Per standard, the newest harness release sets the reference; cells made otherwise are marked.
    reference: dict[str, tuple[str, str]] = {}
    differing: dict[str, set[tuple[str, str]]] = {}
    for standard in standards:
        reference[standard], differing[standard] = reference_of(collection, standard)

    head = "".join(f'<th scope="col"><a href="standards/{_href(standard_slug(s) + ".html")}">{_e(s)}</a></th>'
                   for s in standards)
    rows = []
    shared, claimed = shared_names(sweep), shared_ids(sweep)
    for slug in initiatives:
        cells = []
        for standard in standards:
            run = collection.latest(slug, standard)
            if run is None:
                cells.append(_empty_cell(slug, standard, collection.only_partial(slug, standard)))
                continue
            mark = ""
            if run.comparability(standard) != reference[standard]:
                label = _comparability_label(run.comparability(standard))
                mark = (f'<div class="note differs">≠ made with {_e(label)}'
                        "; not comparable with the other cells of this column</div>")
            earlier = earlier_note(collection, run, standard)
            if earlier:
                mark += f'<div class="note earlier">{_e(earlier)}</div>'
            if certified and run.directory in certified:
                mark += certified_badge(certified[run.directory].kid)
            cells.append(_run_cell(run, standard, "", mark))
        name = collection.display_name(slug)
        identity = collection.identity(slug)
        broke = _profile_broke(collection, slug, sweep)
        note = identity_notes(identity, brief=True)
        note += (f'<div class="note earlier">the last sweep made no run of its profile ({_e(broke)}): its cells '
                 "are from earlier runs</div>") if broke else ""
        if identity.id is None and identity.name_slug in shared:
            profiles = shared[identity.name_slug]
            note += (f'<div class="note shared">{len(profiles)} profiles of the last sweep name this '
                     f'initiative ({_e(", ".join(profiles))}) and give no <code>id</code>: their runs share this '
                     "row and its history; give each member its own <code>id</code></div>")
        if identity.id is not None and identity.id in claimed:
            profiles = claimed[identity.id]
            note += (f'<div class="note shared">{len(profiles)} profiles of the last sweep give the id '
                     f'<code>{_e(identity.id)}</code> ({_e(", ".join(profiles))}): their runs are this one row and '
                     "its history; if they are different members, give each its own <code>id</code></div>")
        rows.append(f'<tr><th scope="row"><a href="initiatives/{_href(slug + ".html")}">{_e(name)}</a>{note}</th>'
                    + "".join(cells) + "</tr>")
    notes = []
    for standard in standards:
        if differing[standard]:
            others = "; ".join(_comparability_label(k) for k in sorted(differing[standard]))
            notes.append(f"<li><b>{_e(standard)}</b>: compared under the newest harness release, "
                         f"{_e(_comparability_label(reference[standard]))}; cells marked ≠ were made with "
                         f"{_e(others)} and are not comparable with them.</li>")
    body = [
        "<p>Each cell is the latest whole run of that standard by that initiative (a run filtered with "
        "<code>--check</code> is only in the initiative's history, marked partial): the version it declares, "
        "the verdict, MUST checks passed of those that ran, and SHOULD warnings. A cell older than the "
        "initiative's latest run says so. Each cell links to its full report. Column headers open each "
        "standard's requirements, most widely failed first.</p>",
        _legend(),
    ]
    if not collection.runs:
        body.append('<p class="empty">No scorecards found.</p>')
    else:
        caption = (f'{count_of(len(initiatives), "initiative")} × {count_of(len(standards), "standard")}, '
                   f'{count_of(len(collection.runs), "run")}')
        body.append(f'<table class="matrix" id="matrix"><caption>{caption}</caption>'
                    f'<thead><tr><th scope="col">Initiative</th>{head}</tr></thead>'
                    f"<tbody>{''.join(rows)}</tbody></table>")
    registries = registries_table(collection, initiatives)
    if registries:
        body.append(registries)
    if notes:
        body.append(f'<h2>Not comparable</h2><ul class="notes">{"".join(notes)}</ul>')
    if sweep:
        lines = "".join(f"<tr><td><code>{_e(s.profile)}</code></td><td>{_e(s.outcome)}</td>"
                        f"<td>{'' if s.exit_code is None else s.exit_code}</td></tr>" for s in sweep)
        body.append('<h2>Last sweep</h2><table class="plain" id="sweep"><thead><tr><th>Profile</th>'
                    f"<th>Outcome</th><th>Exit</th></tr></thead><tbody>{lines}</tbody></table>")
    if collection.skipped:
        items = "".join(f"<li><code>{_e(s)}</code></li>" for s in collection.skipped)
        body.append(f'<h2>Inputs not read</h2><ul class="notes">{items}</ul>')
    return _page("GA4GH adoption matrix", "\n".join(body), generated, 0)


def _registry_cells(run: Run) -> str:
    counts = registry_counts(run)
    return (f"<td>{counts['listed']}</td><td>{counts['tested']}</td><td>{counts['conformant']}</td>"
            f"<td>{counts['not_tested']}</td>")


def registries_table(collection: Collection, initiatives: list[str]) -> str:
    """Per initiative tested through its service registry: services listed, tested, conformant, not tested."""
    rows = []
    for slug in initiatives:
        run = collection.latest_registry(slug)
        if run is None:
            continue
        rows.append(f'<tr><th scope="row"><a href="initiatives/{_href(slug + ".html")}">'
                    f"{_e(collection.display_name(slug))}</a></th>{_registry_cells(run)}</tr>")
    if not rows:
        return ""
    return ('<h2>Service registries</h2><p>Initiatives tested from their GA4GH service registry (latest such '
            "run): the services it lists, those the harness tested, those of them found conformant, and those "
            "it could not test (the run's report says why).</p>"
            '<table class="plain" id="registries"><thead><tr><th scope="col">Initiative</th>'
            '<th scope="col">Listed in its registry</th><th scope="col">Tested</th><th scope="col">Conformant</th>'
            f'<th scope="col">Not tested</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


# -- an initiative's identity -----------------------------------------------------------------------------


def identity_notes(identity: Identity, *, brief: bool = False) -> str:
    """The row's id, its former names and what else a reader must know of whose runs the row shows. ``brief``
    (the matrix): the id and the renames only, and the notes that warn."""
    parts = []
    if identity.id is not None:
        parts.append(f'<div class="note id">id <code>{_e(identity.id)}</code></div>')
    # renames belong to an id's row (a name's row keeps one name, in its spellings), told only when they went one way
    if identity.id is not None and identity.renamed and not identity.alternating:
        steps = " → ".join(f"{_e(name)}" + (f" ({_e(_date(since))})" if position else "")
                           for position, (name, since) in enumerate(identity.names))
        parts.append(f'<div class="note renamed">renamed: {steps}</div>')
    adoption = identity.adoption()
    if adoption and not brief:  # the initiative's page says it; the matrix's row only warns
        parts.append(f'<div class="note adopted">{_e(adoption)}</div>')
    parts += [f'<div class="note shared">{_e(text)}</div>' for text in identity.notes]
    return "".join(parts)


def _identity_json(identity: Identity) -> dict[str, Any]:
    notes = [text for text in (identity.adoption(), *identity.notes) if text]
    return {"id": identity.id, "names": [{"name": name, "since": since} for name, since in identity.names],
            **({"identity_notes": notes} if notes else {})}


# -- an initiative's history ------------------------------------------------------------------------------


def initiative_page(collection: Collection, slug: str, generated: str) -> str:
    runs = collection.runs_of(slug)
    standards = sorted({s for r in runs for s in r.standards()})
    previous: dict[str, Run] = {}
    rows = []
    for run in runs:  # oldest first, to know each run's predecessor; shown newest first
        cells = []
        for standard in standards:
            if not run.services_of(standard):
                cells.append('<td class="cell v-none"><span class="verdict v-none">— not checked</span></td>')
                continue
            before = previous.get(standard)
            mark = ""
            if run.filtered:  # a few checks only: no result for the standard, and nothing to compare
                count = len(run.selected_checks or [])
                mark = (f'<div class="note partial">partial run: only {count} check{"s" if count != 1 else ""} '
                        "selected with --check; not a result for the standard</div>")
                cells.append(_run_cell(run, standard, "../", mark))
                continue
            if before is not None:
                now_verdict = worst_verdict(s.verdict for s in run.services_of(standard))
                then_verdict = worst_verdict(s.verdict for s in before.services_of(standard))
                if before.comparability(standard) != run.comparability(standard):
                    label = _comparability_label(before.comparability(standard))
                    mark = (f'<div class="note differs">≠ previous run made with {_e(label)}: '
                            "not comparable</div>")
                elif now_verdict != then_verdict:
                    mark = f'<div class="note change">was {_e(then_verdict)}</div>'
            cells.append(_run_cell(run, standard, "../", mark))
            previous[standard] = run
        partial = '<div class="note partial">partial (--check)</div>' if run.filtered else ""
        rows.append(f'<tr><th scope="row">{_e(_date(run.started))}{partial}</th>'
                    f"<td>harness {_e(run.harness_version)}</td>{''.join(cells)}</tr>")
    head = "".join(f'<th scope="col"><a href="../standards/{_href(standard_slug(s) + ".html")}">'
                   f"{_e(s)}</a></th>" for s in standards)
    body = (identity_notes(collection.identity(slug)) +
            f"<p>{len(runs)} run{'s' if len(runs) != 1 else ''}, newest first. “was …” marks a verdict that "
            "changed since the previous comparable whole run; a run filtered with <code>--check</code> is marked "
            "partial and is never the initiative's result on the matrix.</p>" + _legend()
            + f'<table class="matrix history" id="history"><thead><tr><th scope="col">Run started</th>'
            f'<th scope="col">Harness</th>{head}</tr></thead>'
            f'<tbody>{"".join(reversed(rows))}</tbody></table>')
    registry_run = collection.latest_registry(slug)
    if registry_run is not None:
        counts = registry_counts(registry_run)
        url = (registry_run.registry or {}).get("url")
        body += (f'<p id="registry">Service registry <code>{_e(url if isinstance(url, str) else "?")}</code> '
                 f"({_e(_date(registry_run.started))}): {counts['listed']} listed in its registry, "
                 f"{counts['tested']} tested, {counts['conformant']} conformant, "
                 f"{counts['not_tested']} not tested.</p>")
    return _page(collection.display_name(slug), body, generated, 1)


# -- a standard's requirements across initiatives ---------------------------------------------------------


@dataclass
class RequirementRow:
    id: str
    level: str
    text: str
    citation: str
    failed: list[tuple[str, Run]]
    passed: list[str]
    errored: list[str]
    skipped: list[str]
    #: Of ``skipped``: those where the harness could not decide (issue 21.12); the rest do not apply.
    undecided: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return len(self.failed) + len(self.passed) + len(self.errored)

    @property
    def decided(self) -> int:
        """Initiatives where the check passed or failed: an error (an unreachable service, say) tells neither."""
        return len(self.failed) + len(self.passed)

    @property
    def failing_fraction(self) -> float:
        return len(self.failed) / self.decided if self.decided else 0.0

    def sort_key(self) -> tuple[float, int, int, str]:
        return (-self.failing_fraction, -len(self.failed), 0 if self.level == "MUST" else 1, self.id)


_OUTCOME_RANK = {"failed": 3, "error": 2, "passed": 1, "skipped": 0}


def requirement_rows(collection: Collection, standard: str, runs: Iterable[Run]) -> list[RequirementRow]:
    """Each check's outcome per initiative (the worst over the initiative's services of the standard)."""
    rows: dict[str, RequirementRow] = {}
    for run in runs:
        outcomes: dict[str, str] = {}
        undecided: set[str] = set()
        for service in run.services_of(standard):
            for check in service.checks:
                cid = str(check.get("id", "?"))
                outcome = str(check.get("outcome", "error"))
                if outcome == "skipped" and check.get("skip_kind") != "not-applicable":
                    undecided.add(cid)  # older scorecards have no skip_kind: not known to be inapplicable
                if cid not in rows:
                    rows[cid] = RequirementRow(cid, str(check.get("level", "?")),
                                               str(check.get("requirement", "")),
                                               str(check.get("citation", "")), [], [], [], [])
                if _OUTCOME_RANK.get(outcome, 2) >= _OUTCOME_RANK.get(outcomes.get(cid, "skipped"), 0):
                    outcomes[cid] = outcome
        name = collection.label(run.slug)
        for cid, outcome in outcomes.items():
            row = rows[cid]
            if outcome == "failed":
                row.failed.append((name, run))
            elif outcome == "passed":
                row.passed.append(name)
            elif outcome == "skipped":
                row.skipped.append(name)
                if cid in undecided:
                    row.undecided.append(name)
            else:
                row.errored.append(name)
    return sorted(rows.values(), key=RequirementRow.sort_key)


def comparable_groups(collection: Collection, standard: str) -> list[tuple[tuple[str, str], list[Run]]]:
    """The latest run per initiative of ``standard``, grouped by (harness version, suite), the newest harness
    release first."""
    groups: dict[tuple[str, str], list[Run]] = {}
    for slug in collection.initiatives():
        run = collection.latest(slug, standard)
        if run is not None:
            groups.setdefault(run.comparability(standard), []).append(run)
    return sorted(groups.items(), key=lambda item: (_version_rank(item[0][0]), max(r.sort_key for r in item[1])),
                  reverse=True)


def _requirements_table(rows: list[RequirementRow], standard: str) -> str:
    lines = []
    for row in rows:
        percent = round(100 * row.failing_fraction)
        failing = ", ".join(
            f'<a href="../{_href(*run.site_path.split("/"), "report.html")}">{_e(name)}</a>'
            if run.has_report else _e(name) for name, run in row.failed)
        others = []
        if row.errored:
            others.append(f"could not tell at {len(row.errored)}")
        if len(row.skipped) > len(row.undecided):
            others.append(f"not applicable at {len(row.skipped) - len(row.undecided)}")
        if row.undecided:
            others.append(f"not decided at {len(row.undecided)}")
        lines.append(
            f'<tr data-check="{_e(row.id)}" data-failed="{len(row.failed)}" data-ran="{row.ran}">'
            f"<td><code>{_e(row.id)}</code><div class=\"req\">{_e(row.text)}</div>"
            f'<div class="note">{_e(row.citation)}</div></td><td>{_e(row.level)}</td>'
            f'<td class="rate"><span class="track"><span class="bar" style="width:{percent}%"></span></span>'
            f"<span class=\"ratetext\">failed at {len(row.failed)} of {row.decided} ({percent}%)</span>"
            f"{'<div class=note>' + _e('; '.join(others)) + '</div>' if others else ''}</td>"
            f"<td>{failing or '—'}</td></tr>")
    return ('<table class="plain requirements"><thead><tr><th scope="col">Requirement</th>'
            '<th scope="col">Level</th><th scope="col">Failing (of initiatives where it was decided)</th>'
            f'<th scope="col">Failing at</th></tr></thead><tbody>{"".join(lines)}</tbody></table>')


def standard_page(collection: Collection, standard: str, generated: str) -> str:
    groups = comparable_groups(collection, standard)
    declared: dict[str, list[str]] = {}
    for _, runs in groups:
        for run in runs:
            for service in run.services_of(standard):
                declared.setdefault(service.version, []).append(collection.label(run.slug))
    versions = "; ".join(f"{_e(v)}: {_e(', '.join(sorted(set(names))))}"
                         for v, names in sorted(declared.items()))
    body = [f"<p>Each requirement's failing fraction over the initiatives whose latest run checked "
            f"{_e(standard)}, the most widely failed first: the common challenges. Declared versions: "
            f"{versions}.</p>"]
    if len(groups) > 1:
        body.append('<p class="differs">These latest runs were made with different harness or suite '
                    "versions; their results are not pooled: one table per version, the newest release first.</p>")
    for key, runs in groups:
        names = ", ".join(sorted(collection.label(r.slug) for r in runs))
        body.append(f"<h2>Runs made with {_e(_comparability_label(key))} ({len(runs)} "
                    f"initiative{'s' if len(runs) != 1 else ''}: {_e(names)})</h2>")
        body.append(_requirements_table(requirement_rows(collection, standard, runs), standard))
    return _page(f"Standard: {standard}", "\n".join(body), generated, 1)


# -- matrix.json ------------------------------------------------------------------------------------------


def matrix_document(collection: Collection, generated: str, *,
                    certified: Mapping[Path, Any] | None = None) -> dict[str, Any]:
    """``matrix.json``: ``{"format": "ga4gh-conformance-matrix/1", "generated", "harness": {"version"},
    "standards": [name], "initiatives": [{"slug" (its id, else the slug of its name), "name" (its newest run's),
    "id" (the initiative_id its runs carry; null: known by its name), "names": [{"name", "since"}] (the names its
    runs gave, oldest first), "identity_notes"?: [text], "page", "runs": [{"started", "harness_version",
    "report", "scorecard"}], "registry"?: {"url", "listed", "tested", "conformant", "not_tested"},
    "certified"?: {"kid"} (every cell of the initiative is certified by that key)}], "runs" also have "partial": bool
    (filtered with --check: never a cell), "cells": [{"initiative": slug, "standard", "verdict" (worst of its
    services), "started", "harness_version", "suite", "comparable_with_newest": bool (made with the reference:
    the newest harness release among the column's cells), "earlier_than_latest"?: text (the initiative has a
    newer run that did not check the standard in full), "certified"?: {"kid"} (the cell's run has a verifying
    bundle of --certification-keys and is whole), "report", "scorecard",
    "services": [{"key", "name", "version", "url", "verdict", "verdict_with_expected_failures",
    "must_passed", "must_total", "warnings", "errors", "skipped", "not_applicable", "undecided",
    "failed_checks": [{"id", "level", "caused_by"? (a consequence of that failed check, counted with it)}],
    "unreachable"?, "untested"?}]}], "requirements": {standard: [{"group": {"harness_version", "suite"}, "id",
    "level", "failed_at": [slug], "ran_at": int, "decided_at": int}]}, "skipped_inputs": [text]}``. A pair
    with no cell was never checked. Paths are relative to the site. Fields are added, never renamed, within ``/1``."""
    cells = []
    for standard in collection.standards():
        latest = [r for r in (collection.latest(s, standard) for s in collection.initiatives()) if r]
        newest, _ = reference_of(collection, standard)
        for run in latest:
            services = run.services_of(standard)
            earlier = earlier_note(collection, run, standard)
            cells.append({
                "initiative": run.slug, "standard": standard,
                "verdict": worst_verdict(s.verdict for s in services),
                "started": run.started, "harness_version": run.harness_version,
                "suite": run.suite_signature(standard),
                "comparable_with_newest": run.comparability(standard) == newest,
                "interrupted": run.interrupted,
                "report": f"{run.site_path}/report.html" if run.has_report else None,
                "scorecard": f"{run.site_path}/scorecard.json",
                "services": [_service_json(s) for s in services],
                **({"earlier_than_latest": earlier} if earlier else {}),
                **({"certified": {"kid": certified[run.directory].kid}}
                   if certified and run.directory in certified else {}),
            })
    requirements: dict[str, list[dict[str, Any]]] = {}
    for standard in collection.standards():
        for (harness_version, suite), runs in comparable_groups(collection, standard):
            for row in requirement_rows(collection, standard, runs):
                requirements.setdefault(standard, []).append({
                    "group": {"harness_version": harness_version, "suite": suite},
                    "id": row.id, "level": row.level, "failed_at": [r.slug for _, r in row.failed],
                    "ran_at": row.ran, "decided_at": row.decided})
    return {
        "format": MATRIX_FORMAT,
        "generated": generated,
        "harness": {"version": __version__},
        "standards": collection.standards(),
        "initiatives": [
            {"slug": slug, "name": collection.display_name(slug), **_identity_json(collection.identity(slug)),
             "page": f"initiatives/{slug}.html",
             "runs": [{"started": r.started, "harness_version": r.harness_version, "partial": r.filtered,
                       "report": f"{r.site_path}/report.html" if r.has_report else None,
                       "scorecard": f"{r.site_path}/scorecard.json"} for r in collection.runs_of(slug)],
             **_registry_json(collection, slug),
             **_certified_json(cells, slug)}
            for slug in collection.initiatives()],
        "cells": cells,
        "requirements": requirements,
        "skipped_inputs": collection.skipped,
    }


def _certified_json(cells: list[dict[str, Any]], slug: str) -> dict[str, Any]:
    """``{"certified": {"kid"}}`` when every cell of the initiative shows a run certified by one key."""
    kids = {str((c.get("certified") or {}).get("kid")) if c.get("certified") else None
            for c in cells if c["initiative"] == slug}
    return {"certified": {"kid": kids.pop()}} if len(kids) == 1 and None not in kids else {}


def _registry_json(collection: Collection, slug: str) -> dict[str, Any]:
    """``{"registry": {"url", "listed", "tested", "conformant", "not_tested"}}`` of the initiative's latest
    run made through its service registry; nothing when it has none."""
    run = collection.latest_registry(slug)
    if run is None:
        return {}
    url = (run.registry or {}).get("url")
    return {"registry": {"url": url if isinstance(url, str) else None, **registry_counts(run)}}


def _service_json(service: ServiceRun) -> dict[str, Any]:
    counts = service.summary
    data: dict[str, Any] = {
        "key": service.key, "name": service.name, "version": service.version, "url": service.url,
        "verdict": service.verdict, "verdict_with_expected_failures": service.verdict_waived,
        "must_passed": counts.get("must_passed", 0), "must_total": counts.get("must_total", 0),
        "warnings": counts.get("warnings", 0), "errors": counts.get("error", 0),
        "skipped": counts.get("skipped", 0),
        "not_applicable": counts.get("not_applicable", 0), "undecided": counts.get("undecided", 0),
        "failed_checks": [{"id": c.get("id"), "level": c.get("level"),
                           **({"caused_by": service.causes[str(c.get("id"))]} if str(c.get("id")) in service.causes
                              else {})} for c in service.failed_checks],
    }
    if service.unreachable:
        data["unreachable"] = service.unreachable
    if service.untested:
        data["untested"] = service.untested
    return data
