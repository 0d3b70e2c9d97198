"""``conformance``: run | demo | list-checks | reference | specs, and the commands suites add.

Exit codes (DESIGN §6): 0 conformant · 1 non-conformant · 2 incomplete or unreachable · 4 usage or
profile error. Every user error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import _thread
import argparse
import atexit
import contextlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from conformance import interrupts, specs
from conformance._version import __version__
from conformance.arguments import port_number, positive_int
from conformance.errors import ConformanceError, UsageError, did_you_mean, unknown
from conformance.limits import Budget

# pytest, the suites, the run and the scorecard (and through them jsonschema, hypothesis, pysam, requests)
# are imported by the commands that use them: `conformance --version` and `--help` start fast (issue 20).
if TYPE_CHECKING:
    from conformance.run import Run
    from conformance.scorecard import Scorecard

EXIT_USAGE = 4
#: When this process's command line began (the start-up phase of ``--profile-time`` counts from here).
_STARTED = time.monotonic()
INI = Path(__file__).with_name("pytest.ini")

Command = Callable[[argparse.Namespace], int]


def _budget_overrides(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("limits (override the profile's budget)")
    group.add_argument("--max-seconds", type=float, help="whole run")
    group.add_argument("--request-timeout", type=float, dest="request_timeout_seconds",
                       help="one request, connect to last byte")
    group.add_argument("--max-requests", type=int, help="requests in the whole run")
    group.add_argument("--requests-per-second", type=float,
                       help="cap of the run's rate (default 50): each remote origin is paced adaptively under it, "
                       "from 10/s, slower when answers slow down or a 429/503 comes; loopback servers are not "
                       "throttled unless a cap is set")
    group.add_argument("--max-response-bytes", type=int, help="one response body; a larger one is cut (noted)")
    group.add_argument("--max-run-bytes", type=int, help="all bytes downloaded in the run")
    group.add_argument("--max-examples", type=int, help="hypothesis examples per property check")
    group.add_argument("--max-document-bytes", type=int, help="one JSON (or other) document held to be parsed")
    group.add_argument("--max-memory-mb", type=int,
                       help="resident memory the run adds to what the process held when it began")
    group.add_argument("--concurrent-requests", type=int,
                       help="requests to one service in flight at once, where a suite fetches the answers several "
                       "checks need side by side (default 1: one at a time; at most 16): for a server a network away "
                       "that answers requests in parallel")


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The command line's limits, checked before anything starts."""
    values = {k: getattr(args, k) for k in Budget.fields() if getattr(args, k, None) is not None}
    for key, value in values.items():
        flag = "--request-timeout" if key == "request_timeout_seconds" else f"--{key.replace('_', '-')}"
        if not math.isfinite(value) or value <= 0:
            raise UsageError(f"{flag}: expected a positive number")
        if value > Budget.MAXIMA.get(key, math.inf):
            raise UsageError(f"{flag}: at most {Budget.MAXIMA[key]}")
    return values


@contextlib.contextmanager
def _interrupts_recorded(run: Run, *, raise_: bool = True) -> Iterator[threading.Event]:
    """SIGINT and SIGTERM mark the run interrupted before anything else can happen, then (with
    ``raise_``) raise KeyboardInterrupt: code that swallows the exception (issue 21.2: a hypothesis gc
    callback did) can no longer make an interrupted run look complete."""
    held = threading.Event()  # set: the verdict is final and printed as it stands; a signal changes nothing
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    active = True

    def recheck() -> None:
        # Raised inside a gc or weakref callback, the exception is printed and dropped: until the
        # session has seen it, interrupt the main thread again.
        if active and not run.interrupt_seen:
            _thread.interrupt_main()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if held.is_set():
            return
        run.interrupted = True
        if not raise_:
            return
        if frame is not None and frame.f_code.co_name == "gc_callback":
            # Inside a gc callback (hypothesis keeps one) the exception would be printed and dropped:
            # interrupt the main thread again a moment later, outside the callback.
            timer = threading.Timer(0.01, recheck)
            timer.daemon = True
            timer.start()
            return
        timer = threading.Timer(0.2, recheck)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield held
    finally:
        active = False
        for sig, handler in previous.items():
            signal.signal(sig, _too_late(previous) if held.is_set() else handler)
        if held.is_set():
            _ignore_late_signals_at_exit()


def _too_late(previous: Mapping[signal.Signals, Any]) -> Callable[[int, FrameType | None], None]:
    """Once the verdict is final and printed, the first SIGINT or SIGTERM changes nothing (the process is
    ending: the console, the exit code and the reports agree on the complete run); it puts the previous
    handlers back, so that a second one stops a process stuck on its way out."""

    def ignore(signum: int, frame: FrameType | None) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    ignore.too_late = True  # type: ignore[attr-defined]

    return ignore


_AT_EXIT_REGISTERED: list[bool] = []


def _ignore_late_signals_at_exit() -> None:
    """Python's teardown gives a signal handled in Python back its default action, so a Ctrl-C then ended the
    process by the signal, its exit code lost, after the verdict was printed and the reports written; an
    ignored signal stays ignored. From atexit on, where no first signal came yet, both are ignored."""
    if _AT_EXIT_REGISTERED:
        return
    _AT_EXIT_REGISTERED.append(True)

    def ignore_if_too_late() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            if getattr(signal.getsignal(sig), "too_late", False):
                signal.signal(sig, signal.SIG_IGN)

    atexit.register(ignore_if_too_late)


EXIT_CODES = ("exit codes: 0 conformant; 1 non-conformant (a MUST check failed); 2 incomplete (a check could not "
              "be decided) or unreachable; 4 usage or profile error. A failed SHOULD or MAY check is a warning.")


#: The pytest plugins of the harness's own session: its own and hypothesis's. Other plugins installed beside it
#: are not loaded: one that reorders or reruns tests, reseeds random, or times them out would change how checks
#: run (the harness's session is its own, as its configuration is), and loading them all cost start-up time.
SESSION_PLUGINS = ("conformance.plugin", "_hypothesis_pytestplugin")


#: What pytest reads from the environment that would change the harness's session: options added to every
#: session (a CI job's ``PYTEST_ADDOPTS="--timeout=60"``, of a plugin the session does not load, made every run
#: a pytest usage error; ``-x`` would stop a run at its first failure) and plugins imported into it.
FOREIGN_PYTEST_ENVIRON = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")


@contextlib.contextmanager
def _own_pytest_environ() -> Iterator[None]:
    """The harness's session runs without the pytest settings of the environment it is started from
    (:data:`FOREIGN_PYTEST_ENVIRON`), as it runs without the user's configuration files; they are restored
    after it."""
    held = {name: os.environ[name] for name in FOREIGN_PYTEST_ENVIRON if name in os.environ}
    try:
        for name in held:
            del os.environ[name]
        yield
    finally:
        for name in FOREIGN_PYTEST_ENVIRON:  # as it was: a value set meanwhile is not kept
            if name in held:
                os.environ[name] = held[name]
            else:
                os.environ.pop(name, None)


def _session_args(plugin: Any) -> list[str]:
    """The arguments of the harness's pytest session (``conformance run``/``demo``, and each worker's)."""
    root = min((Path(d).parent for d in plugin.suite_dirs()), default=Path.cwd())
    loaded = [arg for name in SESSION_PLUGINS for arg in ("-p", name)]
    return [*plugin.suite_dirs(), "-c", str(INI), "--rootdir", str(root), "--noconftest",
            "--disable-plugin-autoload", *loaded, "-p", "no:cacheprovider", "-p", "no:terminal",
            # pytest's unraisable-exception plugin collects garbage twice at the end of a session to report
            # objects' unraisable exceptions as warnings, which the harness's session never shows
            "-p", "no:unraisableexception",
            "--continue-on-collection-errors"]


def execute(run: Run, *, progress: bool = True, quiet: bool = False, jobs: int | None = 1) -> int:
    """Run the checks of a prepared run in a pytest session (with ``jobs`` above 1, or None for one per CPU,
    in worker processes: :mod:`conformance.parallel`); return the exit code of DESIGN §6."""
    from conformance.plugin import hypothesis_storage

    with hypothesis_storage():
        return _execute(run, progress=progress, quiet=quiet, jobs=jobs)


def _execute(run: Run, *, progress: bool, quiet: bool, jobs: int | None) -> int:
    import pytest

    from conformance.plugin import RunPlugin, finish_interrupted

    packed = _packed(run, jobs)
    plugin = RunPlugin(run, progress=progress)
    args = _session_args(plugin)
    status: int | pytest.ExitCode = pytest.ExitCode.INTERRUPTED
    try:
        with _interrupts_recorded(run):
            try:
                if packed is not None:
                    from conformance.parallel import run_workers

                    run_workers(run, packed, progress=progress, session=worker_session)
                    status = pytest.ExitCode.OK
                else:
                    with _own_pytest_environ():
                        status = pytest.main(args, plugins=[plugin])
            finally:
                run.close()
    except KeyboardInterrupt:
        run.interrupted = run.interrupt_seen = True
    # From here on a Ctrl-C only marks the run: its reports are rewritten to say so, and it exits non-zero.
    with _interrupts_recorded(run, raise_=False) as held:
        if run.interrupted:
            run.close()
            if run.scorecard is None or not run.scorecard.interrupted:
                finish_interrupted(run)
        scorecard = run.scorecard
        if scorecard is None:
            raise ConformanceError(f"the check session ended before any result (pytest exit {int(status)})")
        held.set()  # from here the verdict is final: a Ctrl-C now comes too late to cut anything short
        if run.interrupted and not scorecard.interrupted:
            scorecard = finish_interrupted(run)
        print(run.redactor.text("\n".join(_verdict_lines(run, scorecard, quiet=quiet))), flush=True)
        if run.time_profile is not None:
            from conformance.timeprofile import summary_lines

            print("\n".join(summary_lines(run.time_profile)), flush=True)
        return scorecard.exit_code()


def worker_session(run: Run, plugins: list[object], progress: bool, last: Callable[[], None]) -> None:
    """One worker's pytest session (``--jobs``, :mod:`conformance.parallel`): as :func:`execute`'s, but its
    results go to the parent (``plugins``, then ``last``), which writes the reports."""
    import pytest

    from conformance.plugin import RunPlugin

    plugin = RunPlugin(run, progress=progress)
    args = _session_args(plugin)
    try:
        with _interrupts_recorded(run):
            try:
                with _own_pytest_environ():
                    pytest.main(args, plugins=[plugin, *plugins])
            finally:
                run.clean_up()
                run.close()
    except KeyboardInterrupt:
        run.interrupted = run.interrupt_seen = True
    with _interrupts_recorded(run, raise_=False) as held:
        held.set()  # what the worker has is sent whole; the parent says the run was interrupted
        last()


def _packed(run: Run, jobs: int | None) -> list[Any] | None:
    """``--jobs``: the run's services in bins of worker processes, or None for one in-process session."""
    if jobs == 1 or not hasattr(os, "fork"):  # workers are forked (conformance.parallel): POSIX only
        return None
    from conformance import parallel

    packed = parallel.bins(run, jobs if jobs is not None else parallel.default_jobs(run))
    return packed if len(packed) > 1 else None


def _verdict_lines(run: Run, scorecard: Scorecard, *, quiet: bool) -> list[str]:
    """The verdict line (and the verdict with expected failures waived, which the exit code follows, where it
    differs), then per service its counts, why a service was unreachable or untested, what fails the run, the
    skip reasons and notices. ``--quiet`` drops the counts and skip reasons, never the others:
    each says why the build is red or that the run or the profile needs a look (checks not run for want of a
    token, a url to declare otherwise, an expected failure that expired)."""
    from conformance.scorecard import counted

    lines = [f"\n{scorecard.initiative}: {scorecard.headline()}", *_waived_line(scorecard)]
    # why a service could not be checked (at all, or in what it serves) is what its counts do not say
    unchecked = [f"  {s.key} unreachable: {s.unreachable}" if s.unreachable else f"  {s.key} incomplete: {s.untested}"
                 for s in scorecard.services if s.unreachable or s.untested]
    if quiet:
        lines += unchecked
        lines += _failure_lines(scorecard)
        lines += [f"  notice: {notice}" for notice in scorecard.notices]
    else:
        lines.append(f"  seed {scorecard.seed}{' (explore)' if scorecard.explore else ''}: "
                     "`--seed` with this value repeats the run's generated requests")
        standard_width = max((len(s.standard) for s in scorecard.services), default=0)
        version_width = max((len(s.version) for s in scorecard.services), default=0)
        for service in scorecard.services:
            counts = service.counts()
            lines.append(f"  {service.standard:<{standard_width}} {service.version:<{version_width}} "
                         f"{service.verdict():<15} "
                         f"MUST {counts['must_passed']}/{counts['must_total']}, "
                         f"{counted(counts['warnings'], 'warning')}, {counted(counts['error'], 'error')}, "
                         f"{counts['not_applicable']} not applicable, "
                         f"{counts['undecided']} undecided  {service.url}")
        lines += unchecked
        lines += _failure_lines(scorecard)
        lines += _skip_summary(scorecard)
        lines += [f"  notice: {notice}" for notice in scorecard.notices]
    if scorecard.schemas_not_checked:
        lines.append(f"  schemas not checked: {scorecard.specs.get('how_to_get') or specs.HOW_TO_GET}")
    lines.append(f"Reports: {run.run_dir}")
    return lines


def _waived_line(scorecard: Scorecard) -> list[str]:
    """Where the profile's expected failures change the verdict: the one the exit code follows. The headline
    keeps the true verdict, which alone would show a passing build as non-conformant."""
    from conformance.reports.summary import waived_verdict

    waived = waived_verdict(scorecard)
    return [f"  {waived} (exit code {scorecard.exit_code()})"] if waived else []


def _failure_lines(scorecard: Scorecard, limit: int = 12) -> list[str]:
    """Why the build is red, one line each, at the end of the log where a CI system shows it: every failed MUST
    check that is no consequence of another and no waived expected failure, with its citation and message, then
    the MUST checks of reachable services that erred (the harness could not tell), one line per service and
    message. The FAIL and ERROR lines above are among hundreds; an unreachable service has its own line."""
    failed: list[str] = []
    errors: dict[tuple[str, str], list[str]] = {}
    for service in scorecard.services:
        for check in service.checks:
            if check.level != "MUST":
                continue
            if check.outcome == "failed" and not check.consequence and not check.waived:
                failed.append(f"  failed: {service.key} {check.id} ({check.citation}): {_clipped(check.message)}")
            elif check.outcome == "error" and not service.unreachable:
                errors.setdefault((service.key, check.message), []).append(check.id)
    lines = failed + [
        f"  error: {key} {ids[0]}{f' and {len(ids) - 1} more checks' if len(ids) > 1 else ''}: {_clipped(message)}"
        for (key, message), ids in errors.items()]
    if len(lines) > limit:
        lines = [*lines[:limit - 1], f"  ... and {len(lines) - limit + 1} more (see summary.md)"]
    return lines


def _clipped(text: str, width: int = 240) -> str:
    """A message's first line, cut at ``width`` characters with an ellipsis that says it was cut."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[:width - 1].rstrip() + "…"


def _skip_summary(scorecard: Scorecard, limit: int = 8) -> list[str]:
    """Skipped checks grouped by reason, most frequent first, does-not-apply apart from undecided."""
    from conformance.scorecard import NOT_APPLICABLE, UNDECIDED, counted, skip_reasons

    lines: list[str] = []
    for kind, title, one in ((UNDECIDED, "could not be decided", "could not be decided"),
                             (NOT_APPLICABLE, "do not apply", "does not apply")):
        ranked = skip_reasons(scorecard, kind)
        if not ranked:
            continue
        total = sum(count for _, count in ranked)
        lines.append(f"  {counted(total, 'skipped check')} {one if total == 1 else title}:")
        shown = ranked if len(ranked) <= limit + 1 else ranked[:limit]  # never "1 × 1 other reasons"
        lines += [f"    {count:>4} × {_clipped(reason, 200)}" for reason, count in shown]
        if len(shown) < len(ranked):
            rest = sum(count for _, count in ranked[limit:])
            lines.append(f"    {rest:>4} × {len(ranked) - limit} other reasons (see summary.md / scorecard.json)")
    return lines


# -- commands ----------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from conformance.run import prepare

    if (args.profile is None) == (args.profile_file is None):
        raise UsageError("conformance run: name one profile, as `conformance run PROFILE` or `--profile PROFILE`")
    args.profile = args.profile or args.profile_file
    overrides = _overrides(args)
    baseline = None
    if args.baseline:  # read before anything starts: a wrong path is a usage error, not a lost run
        from conformance.diff import load_scorecard

        baseline = load_scorecard(args.baseline)
    run = prepare(args.profile, report_root=args.report_dir, seed=args.seed, explore=args.explore,
                  specs_dir=args.specs_dir, standards=args.standard or None, checks=args.check or None,
                  budget=overrides)
    _measure_time(run, args)
    _specs_on_first_use(run, args)
    run.baseline = baseline
    return execute(run, progress=not args.quiet, quiet=args.quiet, jobs=args.jobs)


def _measure_time(run: Run, args: argparse.Namespace) -> None:
    if getattr(args, "profile_time", False):
        from conformance.timeprofile import TimeProfile

        run.measure_time(TimeProfile(started=_STARTED))


def _specs_on_first_use(run: Run, args: argparse.Namespace) -> None:
    """Without a specs directory, fetch the pinned official files the run's standards need into the user
    cache (bounded; one line if it cannot), unless ``--no-fetch-specs`` or the environment opts out."""
    if args.no_fetch_specs or not specs.fetch_wanted(args.specs_dir):
        return
    from conformance import suite as suites

    wanted = {s.standard for s in run.services}
    pin_files = [suite.path / "specs_pins.json" for suite in suites.discover().values()
                 if (suite.standard in wanted or suite.shared) and (suite.path / "specs_pins.json").is_file()]
    log = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    specs.fetch_on_first_use(pin_files, log=log, base_override=os.environ.get(specs.MIRROR_ENV) or None)
    run.specs = specs.SpecStore(specs.locate(None))


def cmd_demo(args: argparse.Namespace) -> int:
    from conformance.demo import demo_profile, demo_profile_yaml
    from conformance.run import prepare
    from conformance.scorecard import CONFORMANT

    if args.print_profile:
        print(demo_profile_yaml(), end="")
        return 0
    overrides = _overrides(args)
    run = prepare(demo_profile(), report_root=args.report_dir, seed=args.seed, specs_dir=args.specs_dir,
                  standards=args.standard or None, budget=overrides)
    _measure_time(run, args)
    _specs_on_first_use(run, args)
    status = execute(run, progress=not args.quiet, quiet=args.quiet, jobs=args.jobs)
    card = run.scorecard
    if status == 2 and card is not None and card.schemas_not_checked and not card.interrupted and card.services \
            and all(s.verdict(waive=True, schemas_required=False) == CONFORMANT for s in card.services):
        # The demo checks the harness on its own reference servers: without the official schemas its
        # verdict stays "incomplete (schemas not checked)", but the demo itself did what it should.
        print("The demo ran as expected: every reference service met every check that could run. "
              "Schema checks need the official schemas: `conformance specs fetch` or --specs-dir DIR. (The "
              "reports give the verdict `conformance run` would: incomplete, exit code 2.)", flush=True)
        return 0
    return status


def cmd_list_checks(args: argparse.Namespace) -> int:
    from conformance import suite as suites
    from conformance.catalogue import catalogue_rows, render_markdown

    known = suites.known_standards()
    for standard in args.standard or []:
        if standard not in known:
            raise UsageError(f"--standard {standard}: {unknown('standard', standard, known)}")
    rows = catalogue_rows(args.standard or None)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(render_markdown(rows), end="")
    return 0


def cmd_reference_serve(args: argparse.Namespace) -> int:
    import yaml

    from conformance import reference

    options: dict[str, Any] = {"role": args.role} if args.role else {}
    for item in args.option or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option {item}: expected KEY=VALUE")
        try:
            options[key] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            raise UsageError(f"--option {key}: the value is not a YAML scalar or list") from None
    version = args.version
    if version is not None:  # a profile's version is checked with the profile; this one is checked here
        version = reference.speaks(reference.find_app(args.standard, args.role), version)
    server = reference.start(args.standard, args.fault or [], version, port=args.port, options=options or None)
    faults = ", ".join(args.fault) if args.fault else "none (conformant)"
    print(f"{args.standard} reference server at {server.url} (faults: {faults}); Ctrl-C to stop", flush=True)
    issued = server.app.issued_secrets()
    if issued:
        # Test credentials of a loopback server, printed so that a profile can name them (issue 21).
        print("  issued for this server (set each in the environment variable your profile names):", flush=True)
    for key, value in issued.items():
        print(f"    auth.{key}: {value}", flush=True)
    print("  a profile entry for it (the test data it serves" + ("; each credential above in the variable named"
          if issued else "") + "):", flush=True)
    entry = yaml.safe_dump([_served_entry(server, options, issued)], sort_keys=False, default_flow_style=None)
    print("".join(f"    {line}\n" for line in entry.splitlines()), end="", flush=True)
    stop = threading.Event()
    with interrupts.as_keyboard_interrupt():  # SIGTERM too, and SIGINT where a script ignored it
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    return 0


def _served_entry(server: Any, options: dict[str, Any], issued: dict[str, str]) -> dict[str, Any]:
    """The profile entry that checks a server ``reference serve`` started: the test data it names
    (:meth:`ReferenceApp.served_entry`: objects, reads, sequences, documents...), the options given that a
    profile entry takes too, and an environment variable's name for each credential it issued."""
    from conformance import suite as suites

    app = server.app
    entry: dict[str, Any] = {"standard": app.standard, "version": app.version, "url": server.url.rstrip("/")}
    accepted = set(suites.for_standard(app.standard).service_options) | {"role"}
    entry.update(app.served_entry())
    entry.update({k: v for k, v in options.items() if k in accepted})
    if issued:
        prefix = re.sub(r"[^A-Z0-9]+", "_", app.standard.upper())
        entry["auth"] = {key: f"{prefix}_{key.removesuffix('_env').upper()}" for key in issued}
    return entry


def cmd_reference_faults(args: argparse.Namespace) -> int:
    from conformance import reference

    known = reference.standards()
    if args.standard and args.standard not in known:
        raise UsageError(f"no reference server for {args.standard} ({did_you_mean(args.standard, known)}"
                         f"reference servers: {', '.join(known)})")
    for app in reference.apps():
        if args.standard and app.standard != args.standard:
            continue
        role = f" ({app.role})" if app.role else ""
        print(f"{app.standard}{role}:")
        for fault in app.FAULTS.values():
            print(f"  {fault.name:<34} {fault.description}  [caught by: {', '.join(fault.catches)}]")
    return 0


def cmd_specs_fetch(args: argparse.Namespace) -> int:
    from conformance import suite as suites

    destination = Path(args.dest).expanduser() if args.dest else specs.cache_dir()
    pin_files = [s.path / "specs_pins.json" for s in suites.discover().values()
                 if (s.path / "specs_pins.json").is_file()]
    specs.fetch(destination, base_override=args.mirror or os.environ.get(specs.MIRROR_ENV) or None,
                pin_files=pin_files)
    return 0


def cmd_specs_where(args: argparse.Namespace) -> int:
    located = specs.locate(args.specs_dir)
    print(located if located else specs.HOW_TO_GET)
    return 0 if located else 2


def build_parser() -> argparse.ArgumentParser:
    from conformance import suite as suites

    parser = argparse.ArgumentParser(prog="conformance", description="Check deployed GA4GH APIs against their "
                                     "specifications and write an adoption scorecard.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--report-dir", default="reports", help="root of report directories (default: reports)")
        p.add_argument("--specs-dir", help=f"official GA4GH schemas (default: ${specs.ENV}, else the user cache, "
                       "filled with the pinned files on first use)")
        p.add_argument("--no-fetch-specs", action="store_true",
                       help=f"never download the official schemas on first use (also {specs.NO_FETCH_ENV}=1)")
        p.add_argument("--seed", type=int, help="seed of the property checks (default 0)")
        p.add_argument("--standard", action="append", help="only this standard (repeatable)")
        p.add_argument("--quiet", action="store_true",
                       help="no progress lines or per-service counts: the verdict, what makes it fail (each failed "
                            "MUST check, each MUST check that erred), the notices and the reports' folder")
        p.add_argument("--profile-time", action="store_true",
                       help="measure where the run spends its time (start-up, requests, rate-limit waits, hashing, "
                       "report writing, each check): time-profile.json in the report folder and a summary here")
        p.add_argument("--jobs", type=positive_int, metavar="N",
                       help="worker processes checking the profile's services side by side (default: one per "
                       "CPU, at most one per host the profile's services are on: a host's services are "
                       "checked by one worker); each gets its share of the budget; 1: one process")
        _budget_overrides(p)

    run = sub.add_parser("run", help="check the services a profile declares", epilog=EXIT_CODES)
    run.add_argument("profile_file", nargs="?", metavar="PROFILE", help="the initiative's profile (YAML)")
    run.add_argument("--profile", help="the same, as an option")
    run.add_argument("--check", action="append", help="only this check id, or the checks whose ids begin with it "
                     "and a dot (`<standard>.<area>`) (repeatable)")
    run.add_argument("--explore", action="store_true", help="property checks search with a random, recorded seed")
    run.add_argument("--baseline", metavar="OLD", help="an earlier run (directory, scorecard.json or bundle): "
                     "summary.md and report.html open with what changed since")
    common(run)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="start the embedded reference servers and check them")
    demo.add_argument("--print-profile", action="store_true", help="print the demo profile and exit")
    common(demo)
    demo.set_defaults(func=cmd_demo, report_dir="reports")

    checks = sub.add_parser("list-checks", help="the requirement catalogue with its checks")
    checks.add_argument("--standard", action="append",
                        help="only this standard's checks (repeatable; default: every standard)")
    checks.add_argument("--format", choices=["md", "json"], default="md",
                        help="md: a table per standard (default); json: one object per check, for other tools")
    checks.set_defaults(func=cmd_list_checks)

    ref = sub.add_parser("reference", help="embedded reference servers").add_subparsers(
        dest="reference_command", required=True, metavar="SUBCOMMAND")
    serve = ref.add_parser("serve", help="run a reference server on 127.0.0.1")
    served = sorted(s.standard for s in suites.discover().values() if s.reference)
    serve.add_argument("standard", help=f"the standard whose reference server to run (one of: {', '.join(served)})")
    serve.add_argument("--port", type=port_number, default=0, help="the port on 127.0.0.1 (default 0: a free one)")
    serve.add_argument("--fault", action="append", help="inject a named fault (repeatable)")
    serve.add_argument("--version", help="spec version to speak (default: the newest)")
    serve.add_argument("--role", help="for standards with several servers: the role of the one to run "
                       "(`conformance reference faults` lists them)")
    serve.add_argument("--option", action="append", metavar="KEY=VALUE",
                       help="a server option, as the profile entry would give it (repeatable; e.g. "
                       "test_issuer_keys=FILE: a standard's option naming the keys of an issuer to trust)")
    serve.set_defaults(func=cmd_reference_serve)
    faults = ref.add_parser("faults", help="list the named faults of the reference servers")
    faults.add_argument("standard", nargs="?", help="only this standard's faults (default: every standard)")
    faults.set_defaults(func=cmd_reference_faults)

    spec = sub.add_parser("specs", help="the official GA4GH schemas").add_subparsers(
        dest="specs_command", required=True, metavar="SUBCOMMAND")
    fetch = spec.add_parser("fetch", help="download pinned, hash-checked copies")
    fetch.add_argument("--dest", help=f"directory (default: {specs.cache_dir()})")
    fetch.add_argument("--mirror", help=argparse.SUPPRESS)
    fetch.set_defaults(func=cmd_specs_fetch)
    where = spec.add_parser("where", help="print the specs directory in use")
    where.add_argument("--specs-dir", help=f"the directory to look in (default: ${specs.ENV}, else the user cache)")
    where.set_defaults(func=cmd_specs_where)

    for extension in _extensions():
        extension(sub)
    return parser


def _extensions() -> list[Callable[[Any], None]]:
    """Commands contributed by suites (``Suite.cli``) and by optional core modules."""
    from conformance import suite as suites

    found: list[Callable[[Any], None]] = []
    for suite in suites.discover().values():
        if suite.cli is not None:
            found.append(suite.cli)
    with contextlib.suppress(ImportError):
        from conformance.dashboard.commands import add_commands

        found.append(add_commands)
    with contextlib.suppress(ImportError):
        from conformance.certify.commands import add_commands as add_certify_commands

        found.append(add_certify_commands)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Answered before the parser is built: building it discovers the suites (issue 20: start-up).
        print(f"conformance {__version__}")
        return 0
    # Hypothesis's own plugins (entry points of other installed packages, such as trio's) have no part in the
    # harness's property checks; loading them cost start-up time (issue 20). Set before hypothesis is imported.
    os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")
    # A console that cannot show a character (PYTHONIOENCODING=ascii, an old Windows code page) shows a
    # replacement: printing the verdict's "×" raised UnicodeEncodeError after the reports were written.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    try:
        parser = build_parser()
    except ConformanceError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2 → 4)
        return 0 if exc.code == 0 else EXIT_USAGE
    from conformance.console import quiet_when_unread

    try:
        with quiet_when_unread():  # `conformance demo | head`: the run goes on, its console falls silent
            code: int = args.func(args)
        return code
    except UsageError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConformanceError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # a defect of the harness: one line, never a traceback
        said = " ".join(str(exc).split())[:300]  # one line: a YAML error's message spans three
        print(f"conformance: internal error ({type(exc).__name__}: {said}); please report it", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
