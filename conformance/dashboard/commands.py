"""``conformance dashboard`` and ``conformance sweep`` (added to the CLI when this package exists)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

from conformance import interrupts, specs
from conformance.arguments import positive_int
from conformance.dashboard.runs import Collection, collect
from conformance.dashboard.site import SweepLine, build_site, count_of, shared_ids, shared_names
from conformance.dashboard.sweep import (
    DEFAULT_JOBS,
    DEFAULT_KILL_MARGIN,
    DEFAULT_PER_HOST,
    Outcome,
    default_command,
    sweep,
    sweep_exit_code,
)
from conformance.errors import UsageError


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected 0 or more seconds")
    return value


def _build(report_dirs: list[Path], out: Path, sweep_lines: list[SweepLine] | None = None,
           keys_file: Path | None = None) -> Collection:
    collection = collect(report_dirs, exclude=[out])
    certified = None
    if keys_file is not None:
        from conformance.dashboard.certified import certified_runs, load_keys_file

        unused: list[str] = []
        certified = certified_runs(collection, load_keys_file(keys_file), unused)
        collection.skipped += [f"{keys_file}: {entry}; its keys were not used" for entry in unused]
    document = build_site(collection, out, sweep_lines, certified=certified)
    runs = count_of(len(collection.runs), "run")
    initiatives = count_of(len(document["initiatives"]), "initiative")
    standards = count_of(len(document["standards"]), "standard")
    print(f"Dashboard: {runs}, {initiatives}, {standards} → {out / 'index.html'}")
    for skipped in collection.skipped:
        print(f"  not read: {skipped}")
    return collection


def cmd_dashboard(args: argparse.Namespace) -> int:
    roots = [Path(d) for d in args.reports_dir]
    missing = [str(r) for r in roots if not r.is_dir()]
    if missing:
        raise UsageError(f"not a directory: {', '.join(missing)}")
    keys_file = Path(args.certification_keys) if args.certification_keys else None
    collection = _build(roots, Path(args.out), keys_file=keys_file)
    if not collection.runs:
        print("conformance: no scorecard.json could be read (those not read are listed above); the site says so"
              if collection.skipped else "conformance: no scorecard.json found (the dashboard reads run directories, "
              "<initiative>/<stamp>/scorecard.json, as `conformance run` writes them); the site says so",
              file=sys.stderr)
        return 2
    return 0


def run_jobs_default(profiles: int, jobs: int, cpus: int | None = None) -> int:
    """Worker processes of each run of a sweep: the CPUs the sweep's runs at once leave over (a sweep of one or
    two profiles on a machine with more CPUs checks each profile's services side by side), at least one."""
    cpus = cpus or os.cpu_count() or 1
    return max(1, cpus // max(1, min(profiles, jobs)))


def cmd_sweep(args: argparse.Namespace) -> int:
    profiles = [Path(p) for p in args.profile]
    report_dir = Path(args.report_dir)
    lock = threading.Lock()

    def report(outcome: Outcome) -> None:
        with lock:
            print(outcome.line, flush=True)

    print(f"Sweep: {count_of(len(profiles), 'profile')}, at most {args.jobs} at once → {report_dir}", flush=True)
    run_jobs = str(args.run_jobs or run_jobs_default(len(profiles), args.jobs))

    def command(profile: Path, reports: Path, specs_dir: str | None) -> list[str]:
        return [*default_command(profile, reports, specs_dir), "--jobs", run_jobs]

    # SIGTERM (a CI job cancelled), and SIGINT even where a script started the sweep with it ignored, stop the
    # runs under way as Ctrl-C does (each ends as an interrupted run with its partial reports) and start no other
    with interrupts.as_keyboard_interrupt():
        outcomes = sweep(profiles, report_dir, jobs=args.jobs, specs_dir=args.specs_dir,
                         kill_margin=args.kill_margin, on_outcome=report, per_host=args.per_host, command=command)
    code = sweep_exit_code([o.exit_code for o in outcomes])
    lines = [SweepLine(o.profile, o.outcome if o.initiative is None else f"{o.initiative}: {o.outcome}",
                       o.exit_code, o.initiative, o.initiative_id) for o in outcomes]
    if not args.no_dashboard:
        out = Path(args.out) if args.out else report_dir / "site"
        _build([report_dir], out, lines)
    for sharing in shared_names(lines).values():
        name = next(line.initiative for line in lines if line.profile == sharing[0])
        print(f"warning: {', '.join(sharing)} name the same initiative, {name!r}: the dashboard identifies an "
              "initiative without an `id` by its name, so their runs share one row and one history; give each "
              "member its own `id` (docs/profile.md)", flush=True)
    for initiative_id, claiming in shared_ids(lines).items():
        named = {line.profile: line.initiative for line in lines if line.initiative_id == initiative_id}
        shown = ", ".join(f"{profile} ({named[profile]!r})" for profile in claiming)
        print(f"warning: {shown} give the same id, {initiative_id!r}: the dashboard shows their runs as one "
              "initiative (one row, one history); if they are different members, give each its own `id`",
              flush=True)
    print(f"Sweep exit {code}: " + ", ".join(f"{sum(1 for o in outcomes if o.exit_code == c)} exit {c}"
                                             for c in sorted({o.exit_code for o in outcomes})))
    return code


def add_commands(sub: Any) -> None:
    dashboard = sub.add_parser("dashboard", help="build the static adoption site from report directories")
    dashboard.add_argument("reports_dir", nargs="+", metavar="REPORTS_DIR",
                           help="report roots (reports/<initiative>/<stamp>/), initiative folders or "
                                "run folders")
    dashboard.add_argument("--out", required=True, metavar="SITE_DIR",
                           help="where to write the site (rebuilt in full; must be new, empty or a site)")
    dashboard.add_argument("--certification-keys", metavar="KEYS_FILE",
                           help="initiative → public key files (under ids: by the initiative's id; at the top level "
                                "an initiative without an id, by its name); a cell whose run (the initiative's latest "
                                "whole run of that standard) has a bundle (REPORT_DIR.conformance.tar) verifying "
                                "against one gets a certified badge")
    dashboard.set_defaults(func=cmd_dashboard)

    run = sub.add_parser("sweep", help="run many profiles concurrently, then build the dashboard")
    run.add_argument("profile", nargs="+", metavar="PROFILE",
                     help="profile files, one initiative each (each run as `conformance run --profile` runs it)")
    run.add_argument("-j", "--jobs", type=positive_int, default=DEFAULT_JOBS,
                     help=f"profiles run at once (default {DEFAULT_JOBS}: a sweep waits on networks; profiles "
                          "with embedded or loopback servers run at most one per CPU at once)")
    run.add_argument("--run-jobs", type=positive_int, default=None, metavar="N",
                     help="worker processes of each run (`conformance run --jobs`; default: the CPUs left over "
                          "by the profiles run at once, at least 1)")
    run.add_argument("--per-host", type=positive_int, default=DEFAULT_PER_HOST,
                     help=f"runs at once against one host (default {DEFAULT_PER_HOST})")
    run.add_argument("--report-dir", default="reports", help="root of report directories (default: reports)")
    run.add_argument("--out", metavar="SITE_DIR", help="the dashboard (default: REPORT_DIR/site)")
    run.add_argument("--no-dashboard", action="store_true", help="only run the profiles")
    run.add_argument("--specs-dir", help=f"official GA4GH schemas (default: ${specs.ENV})")
    run.add_argument("--kill-margin", type=_non_negative, default=DEFAULT_KILL_MARGIN,
                     help="seconds past a profile's budget.max_seconds before its run is stopped "
                          f"(default {DEFAULT_KILL_MARGIN:g})")
    run.set_defaults(func=cmd_sweep)
