"""``conformance sweep``: many profiles at once, then the dashboard.

Each profile runs in its own process (``python -m conformance.cli run --profile P --report-dir D``), at
most ``jobs`` at a time, so one target that fails, crashes or hangs never stops the others. A sweep
waits on its targets' networks, so many run at once by default (:data:`DEFAULT_JOBS`), but at most
``per_host`` against one host, and profiles with embedded reference servers or loopback services (whose
servers use this machine's CPUs) at most one per CPU at once (issue 20). A run
that outlives its profile's ``budget.max_seconds`` plus ``kill_margin`` seconds is sent SIGTERM (which
the CLI turns into an interrupted run with partial reports, verdict incomplete) and, after
``TERM_GRACE`` more seconds, SIGKILL. Each run's output goes to ``D/sweep-logs/<stamp>/<n>-<name>.log``.

Exit code of a sweep (DESIGN §6 over many profiles, with the precedence of ``Scorecard.exit_code``):
4 if any profile could not be used (or the sweep itself was misused), else 1 if any run was
non-conformant, else 2 if any was incomplete, unreachable, hung, or crashed, else 0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from conformance import interrupts
from conformance import suite as suites
from conformance.errors import ConformanceError
from conformance.profile import Profile, load_profile

#: Runs at once by default: a sweep waits on the targets' networks, not on this machine.
DEFAULT_JOBS = 16
#: Runs at once against one host by default: a deployment never gets a whole sweep's traffic at once.
DEFAULT_PER_HOST = 2
#: The host of embedded reference servers and loopback services: this machine, bound by its CPUs.
THIS_MACHINE = "this machine"
_LOOPBACK = {"localhost", "::1"}
#: Seconds between SIGTERM and SIGKILL for a run past its budget.
TERM_GRACE = 10.0
DEFAULT_KILL_MARGIN = 60.0
EXIT_USAGE = 4
_REPORTS_LINE = re.compile(r"^Reports: (.+)$", re.MULTILINE)
#: The runs' processes alive right now (so an interrupted sweep can stop them).
_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


@dataclass
class Outcome:
    """How one profile's run ended."""

    profile: str
    exit_code: int
    outcome: str
    seconds: float
    run_dir: Path | None = None
    log: Path | None = None
    initiative: str | None = None
    #: The profile's ``id:`` (None: it gives none, or could not be read).
    initiative_id: str | None = None

    @property
    def line(self) -> str:
        where = f" → {self.run_dir}" if self.run_dir else ""
        return f"exit {self.exit_code}  {self.profile}: {self.outcome} ({self.seconds:.1f} s){where}"


def sweep_exit_code(codes: Sequence[int]) -> int:
    """4 beats 1 beats 2 beats 0: a broken profile is the sweep's own problem to fix first; then, as for
    one run, a non-conformance outweighs a result that could not be decided."""
    for code in (EXIT_USAGE, 1, 2):
        if code in codes:
            return code
    return 0 if all(c == 0 for c in codes) else 2


def default_command(profile: Path, report_dir: Path, specs_dir: str | None) -> list[str]:
    command = [sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile),
               "--report-dir", str(report_dir)]
    if specs_dir:
        command += ["--specs-dir", specs_dir]
    return command


CommandFactory = Callable[[Path, Path, "str | None"], list[str]]


def _describe(code: int, run_dir: Path | None, log_tail: str) -> str:
    if code == 0:
        return "conformant"
    if code == 1:
        return "non-conformant" if run_dir else f"crashed: {log_tail or 'exit 1 without a scorecard'}"
    if code == 2:
        return _incomplete(run_dir) if run_dir else f"no verdict: {log_tail or 'exit 2'}"
    if code == EXIT_USAGE:
        return f"profile not usable: {log_tail or 'exit 4'}"
    return f"crashed (exit {code}): {log_tail}"


def _incomplete(run_dir: Path) -> str:
    """Exit 2 as the run's scorecard says it: unreachable, incomplete, interrupted."""
    try:
        card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
        verdict = str(card["verdict"])
    except (OSError, ValueError, KeyError, TypeError):
        return "incomplete or unreachable"
    return f"{verdict} (interrupted)" if card.get("interrupted") is True else verdict


def _run_id(run_dir: Path | None, profile_id: str | None) -> str | None:
    """The initiative id the run's scorecard records (what the dashboard will know the run by), or the profile's
    when the run wrote none that can be read."""
    if run_dir is None:
        return profile_id
    try:
        card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return profile_id
    recorded = card.get("initiative_id") if isinstance(card, dict) else None
    return recorded if isinstance(recorded, str) else None


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the run's process group, then SIGKILL it if it is still there after TERM_GRACE."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(TERM_GRACE)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def run_one(index: int, profile: Path, report_dir: Path, log_dir: Path, *, specs_dir: str | None,
            kill_margin: float, command: CommandFactory = default_command,
            stopping: threading.Event | None = None) -> Outcome:
    started = time.monotonic()
    log = log_dir / f"{index:02d}-{re.sub(r'[^A-Za-z0-9._-]+', '-', profile.stem)}.log"
    try:
        loaded = load_profile(profile, standards=suites.discover())
    except ConformanceError as exc:
        log.write_text(f"{exc}\n", encoding="utf-8")
        return Outcome(str(profile), EXIT_USAGE, f"profile not usable: {exc}", time.monotonic() - started,
                       log=log)
    limit = loaded.budget.max_seconds + kill_margin
    hung = False
    with log.open("wb") as sink:
        # Its own session: the kill reaches every process the run started, and only those.
        process = subprocess.Popen(command(profile, report_dir, specs_dir), stdout=sink,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        with _LIVE_LOCK:
            _LIVE.add(process)
            stopped = stopping is not None and stopping.is_set()
        if stopped:  # the sweep was stopped while this run started: it missed the SIGTERM the others got
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        try:
            code = process.wait(limit)
        except subprocess.TimeoutExpired:
            hung = True
            _terminate(process)
            code = process.returncode
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(process)
    text = log.read_text(encoding="utf-8", errors="replace")
    found = _REPORTS_LINE.findall(text)
    run_dir = Path(found[-1].strip()) if found else None
    if run_dir is not None and not (run_dir / "scorecard.json").is_file():
        run_dir = None
    seconds = time.monotonic() - started
    if hung:
        note = "partial reports kept" if run_dir else "no reports"
        return Outcome(str(profile), 2, f"hung: stopped after {limit:g} s (budget.max_seconds "
                       f"{loaded.budget.max_seconds:g} + {kill_margin:g}); {note}", seconds, run_dir, log,
                       loaded.initiative, _run_id(run_dir, loaded.id))
    if code < 0:  # killed by a signal from outside
        return Outcome(str(profile), 2, f"killed by signal {-code}", seconds, run_dir, log, loaded.initiative,
                       _run_id(run_dir, loaded.id))
    return Outcome(str(profile), code, _describe(code, run_dir, _last_line(text)), seconds, run_dir, log,
                   loaded.initiative, _run_id(run_dir, loaded.id))


def hosts_of(profile: Profile) -> set[str]:
    """The hosts a profile's run talks to; :data:`THIS_MACHINE` for embedded and loopback servers."""
    hosts: set[str] = set()
    for service in profile.services:
        host = (urlsplit(service.url).hostname or "").lower() if service.url else ""
        local = service.reference is not None or not host or host in _LOOPBACK or host.startswith("127.")
        hosts.add(THIS_MACHINE if local else host)
    return hosts


def _profile_hosts(path: Path) -> set[str]:
    try:
        return hosts_of(load_profile(path, standards=suites.discover()))
    except Exception:  # run_one says what is wrong with the profile; it holds no host meanwhile
        return set()


def sweep(profiles: Sequence[Path], report_dir: Path, *, jobs: int, specs_dir: str | None = None,
          kill_margin: float = DEFAULT_KILL_MARGIN, command: CommandFactory = default_command,
          on_outcome: Callable[[Outcome], None] | None = None, per_host: int = DEFAULT_PER_HOST) -> list[Outcome]:
    """Run every profile, at most ``jobs`` at once and at most ``per_host`` against one host (one per CPU
    on this machine's own servers); return the outcomes in the order of ``profiles``."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    log_dir = report_dir / "sweep-logs" / stamp
    log_dir.mkdir(parents=True)
    limits: dict[str, threading.BoundedSemaphore] = {}
    limits_lock = threading.Lock()
    stopping = threading.Event()

    def slots(hosts: set[str]) -> list[threading.BoundedSemaphore]:
        with limits_lock:
            for host in hosts:
                if host not in limits:
                    size = max(1, os.cpu_count() or 1) if host == THIS_MACHINE else max(1, per_host)
                    limits[host] = threading.BoundedSemaphore(size)
            return [limits[host] for host in sorted(hosts)]  # one order for all: no two jobs wait on each other

    def job(item: tuple[int, Path]) -> Outcome:
        started = time.monotonic()
        held: list[threading.BoundedSemaphore] = []
        try:
            for slot in slots(_profile_hosts(item[1])):
                slot.acquire()
                held.append(slot)
            if stopping.is_set():
                outcome = Outcome(str(item[1]), 2, "not run: the sweep was interrupted", time.monotonic() - started)
            else:
                outcome = run_one(item[0], item[1], report_dir, log_dir, specs_dir=specs_dir,
                                  kill_margin=kill_margin, command=command, stopping=stopping)
        except Exception as exc:  # one target's trouble never ends the sweep
            outcome = Outcome(str(item[1]), 2, f"could not be run: {exc.__class__.__name__}: {exc}",
                              time.monotonic() - started)
        finally:
            for slot in held:
                slot.release()
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="sweep")
    try:
        return list(pool.map(job, enumerate(profiles, start=1)))
    except KeyboardInterrupt:
        # The runs live in their own sessions, so Ctrl-C does not reach them: pass it on as SIGTERM
        # (each ends as an interrupted run with partial reports) and start no other. A second signal
        # meanwhile would leave some of them unsignalled, each going on to its max_seconds.
        with interrupts.ignored():
            with _LIVE_LOCK:  # a run started from now on sees it set (run_one); one started before is here
                stopping.set()
                running = list(_LIVE)
            pool.shutdown(wait=False, cancel_futures=True)
            for process in running:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        raise
    finally:
        pool.shutdown(wait=True)
