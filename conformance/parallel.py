"""``--jobs N``: the services of one profile checked by several worker processes at once (issue 20).

The parent prepares the run (profile, embedded reference servers, registry) as for a sequential run. It splits
the profile's services into *groups* that must stay together, packs the groups into at most ``jobs`` bins
(by what each service took in the previous complete run, :func:`costs`),
and forks one worker process per bin, which runs a pytest session over a sub-profile holding the bin's
services and its share of the budget. A forked worker starts from the parent as it is: the suites loaded, the
credentials registered, and the per-process state a suite shares with its embedded reference server (keys
its checks sign with that its server trusts); the reference servers stay in the parent, reached over
loopback. Nothing is written to a file: the worker streams its results back through a pipe (what it
collected, then each check as it ends, then its usage); the parent merges them into its own run and writes
every report once, from the same results a sequential run has: the scorecard lists the services in profile
order and each service's checks in the order a sequential session runs them.

Groups. Services served from one remote host (or one loopback origin) stay in one worker: a host sees its
own services checked one connection at a time, with its adaptive rate, exactly as in a sequential run. Every
worker's profile holds all the run's services, of which it checks its bin's (``Run.service_keys``): a
cross-standard check reads the services it needs (the service a document's sequences or URIs resolve on, a
service whose records carry the terms a data standard defines) wherever they are checked, as in a run of the
whole profile. Such a read may reach a host another worker checks: a host then sees at most one connection
per worker, and the rate cap, split between the workers, still bounds the whole run.

Budget (the run stays within the profile's): ``max_requests`` and ``max_run_bytes`` are one pool that every
worker draws from (:class:`~conformance.http.policy.SharedPool`, counters in memory the forked processes
share, starting from what the parent spent), so a worker whose services need more than others never stops
where a sequential run would go on; ``max_memory_mb`` (what the run adds to the memory of the process it
runs in) is split in proportion to the bins' requirement counts (:func:`weight`: what a service may hold in
memory follows what it is asked, not how long it took, which packs the bins); ``requests_per_second``, the
cap of the whole run, is split evenly between the bins (a host is in one bin: its adaptive rate is its own);
``max_seconds`` is the parent's deadline, the same for every worker (they run side by side); the other
limits bound one request or one document and are unchanged.

SIGINT and SIGTERM of the parent are forwarded to every worker (each in a session of its own, so that a
terminal's Ctrl-C reaches it once, through the parent); a worker whose parent is gone interrupts itself.
A worker that dies leaves the results it streamed; its checks that did not end count as not run (its
services are incomplete) and a notice names the worker, its services and how it ended.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from conformance import interrupts
from conformance import suite as suites
from conformance.http.policy import SharedPool, is_loopback
from conformance.profile import Service
from conformance.run import Run
from conformance.scorecard import CaseResult, Created

#: Seconds a worker gets to end after the interruption is forwarded to it, before it is killed.
INTERRUPT_GRACE = 20.0
#: Seconds past the run's max_seconds after which workers still running are stopped (a check stuck in a call
#: that never returns; every check starts before the deadline and each request is bounded by its timeout).
OVERRUN = 60.0

# -- groups and bins ---------------------------------------------------------------------------------


def _place(service: Service) -> str | None:
    """Where a service is served from, as far as politeness goes: a remote host, or a loopback origin."""
    if not service.url:
        return None
    parts = urlsplit(service.url)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if is_loopback(host):
        # localhost is 127.0.0.1 or ::1: one server may be named either way, so they are one place
        name = "localhost" if host.strip("[]") in ("localhost", "127.0.0.1", "::1") else host
        return f"{parts.scheme}://{name}:{parts.port or ''}"
    return host


def groups(services: Sequence[Service]) -> list[list[Service]]:
    """The services that must be checked by one worker (those served from one place), each group in profile
    order, groups ordered by their first service."""
    found: dict[str, list[Service]] = {}
    for service in services:
        place = _place(service)
        found.setdefault(place if place is not None else f"\0{service.key}", []).append(service)
    return list(found.values())


def weight(service: Service, selected: set[str]) -> int:
    """The work a service is expected to take: the requirements of the suites that check it (a service
    only read by another's checks, outside ``--standard``, weighs one)."""
    if service.key not in selected:
        return 1
    return max(1, sum(len(suite.requirements) for suite in suites.discover().values()
                      if suite.applies_to_standard(service.standard)))


#: An earlier run's scorecard larger than this is not read for its times: parsing it would cost more start-up
#: than a better packing saves.
HISTORY_MAX_BYTES = 32 * 1024 * 1024
#: How many of the latest earlier runs are looked at for one that is complete (an interrupted run's times
#: stop where it did).
HISTORY_RUNS = 10


def previous_seconds(run: Run) -> dict[str, float]:
    """Each service's seconds of checks (its cases' durations summed) in the latest earlier complete run
    (:func:`_complete`) of the same initiative, in the same report folder, with the same ``--standard`` and
    ``--check`` selection, by
    service key; only services of the same standard and version there. Empty when there is none or it cannot
    be read: the times are a hint for packing the work, never a reason to stop."""
    selection = {"standards": sorted(run.standards) if run.standards else None,
                 "checks": sorted(run.selected_checks) if run.selected_checks else None}
    known = {s.key: (s.standard, s.version) for s in run.profile.services}
    if not run.run_dir.name:  # no run folder yet: nothing to be beside
        return {}
    try:
        earlier = sorted((d for d in run.run_dir.parent.iterdir() if d.is_dir() and d != run.run_dir),
                         key=lambda d: d.name, reverse=True)[:HISTORY_RUNS]
    except OSError:
        return {}
    for directory in earlier:
        card = directory / "scorecard.json"
        try:
            if card.stat().st_size > HISTORY_MAX_BYTES:
                continue
            data = json.loads(card.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # unreadable, no JSON, or nested past the parser
            continue
        if not _complete(data, selection):
            continue
        try:
            return _seconds_of(data, known)
        except (TypeError, AttributeError):  # valid JSON of another shape than a scorecard's
            continue
    return {}


def _complete(data: object, selection: dict[str, Any]) -> bool:
    """Whether a scorecard is one of a whole run with ``selection``: not interrupted, no limit hit (the times
    of a run cut short stop where it did)."""
    if not isinstance(data, dict) or data.get("interrupted") or data.get("selection") != selection:
        return False
    usage = data.get("usage")
    return isinstance(usage, dict) and not usage.get("limits_hit")


def _seconds_of(data: dict[str, Any], known: dict[str, tuple[str, str]]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for service in data.get("services") or []:
        if known.get(str(service.get("key"))) != (service.get("standard"), service.get("version")):
            continue
        total = 0.0
        for entry in service.get("checks") or []:
            for case in entry.get("cases") or []:
                duration = case.get("duration")
                if isinstance(duration, (int, float)) and 0 <= duration < 86400:
                    total += duration
        seconds[str(service["key"])] = total
    return seconds


def costs(run: Run, selected: set[str]) -> dict[str, float]:
    """What each service of the profile is expected to cost, for packing: its seconds in the previous run
    (:func:`previous_seconds`), and for a service that run did not time, its :func:`weight` in the seconds a
    requirement took there; without an earlier run, its weight. Issue 20: requirement counts guess a
    service's time within a factor of ten (a few property checks outweigh a hundred quick ones), and the
    worker that drew the slow services set the run's time."""
    weights = {s.key: weight(s, selected) for s in run.profile.services}
    history = {k: v for k, v in previous_seconds(run).items() if k in weights}
    timed = sum(weights[k] for k in history)
    seconds = sum(history.values())
    if not history or seconds <= 0:
        return {k: float(w) for k, w in weights.items()}
    per_weight = seconds / timed
    return {k: history.get(k, w * per_weight) for k, w in weights.items()}


def bins(run: Run, jobs: int) -> list[list[Service]]:
    """The groups of the run's services packed into at most ``jobs`` bins (heaviest group first into the
    lightest bin, by :func:`costs`; deterministic for the same costs), each bin in profile order; bins with
    nothing selected (``--standard``) are dropped."""
    selected = {s.key for s in run.services}
    found = _selected_groups(run, selected)
    count = max(1, min(jobs, len(found)))
    cost = costs(run, selected) if count > 1 else {}
    packed: list[list[Service]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for group in sorted(found, key=lambda g: (-sum(cost.get(s.key, 0.0) for s in g), g[0].index)):
        target = min(range(count), key=lambda b: (loads[b], b))
        packed[target].extend(group)
        loads[target] += sum(cost.get(s.key, 0.0) for s in group)
    order = {s.key: n for n, s in enumerate(run.profile.services)}
    return [sorted(b, key=lambda s: order[s.key]) for b in packed if b]


def _selected_groups(run: Run, selected: set[str]) -> list[list[Service]]:
    return [g for g in groups(run.profile.services) if any(s.key in selected for s in g)]


def default_jobs(run: Run) -> int:
    """One worker per CPU, at most one per group of services."""
    return max(1, min(os.cpu_count() or 1, len(_selected_groups(run, {s.key for s in run.services}))))


# -- what a worker gets ------------------------------------------------------------------------------


@dataclass
class WorkerSpec:
    """What a worker starts from (it is forked: nothing is written to a file or sent anywhere)."""

    number: int
    profile: Any  # conformance.profile.Profile holding every service of the run, with the bin's budget share
    service_keys: list[str]  # the services it checks (its bin), in profile order
    report_dir: str
    seed: int
    explore: bool
    specs_root: str | None
    standards: list[str] | None
    checks: list[str] | None
    throttle_loopback: bool
    pool: SharedPool  # the run's request and byte budget, shared by every worker
    deadline: float  # time.monotonic() of the parent's deadline (one clock for every process of a machine)
    progress: bool
    profile_time: bool
    started: float


def _shares(run: Run, packed: list[list[Service]]) -> list[Any]:
    """Each bin's budget: the run's requests and bytes are one pool for all (:class:`SharedPool`), so only
    what bounds one process (memory) and the rate cap of the whole run are split."""
    budget = run.profile.budget
    selected = {s.key for s in run.services}
    weights = [max(1, sum(weight(s, selected) for s in b)) for b in packed]
    total = sum(weights)
    return [replace(budget,
                    max_memory_mb=max(1, budget.max_memory_mb * w // total),
                    requests_per_second=budget.requests_per_second / len(packed)) for w in weights]


def _specs(run: Run, packed: list[list[Service]], *, progress: bool) -> list[WorkerSpec]:
    selected = sorted(run.standards) if run.standards else None
    throttle = run.limits.throttles(("http", "127.0.0.1", 0))
    pool = SharedPool(run.limits.requests, run.limits.bytes)  # what the parent spent already counts
    specs = []
    for number, (services, share) in enumerate(zip(packed, _shares(run, packed), strict=True), start=1):
        profile = replace(run.profile, registry=None, budget=share)
        specs.append(WorkerSpec(
            number=number, profile=profile, service_keys=[s.key for s in services],
            report_dir=str(run.run_dir / f".worker-{number}"), seed=run.seed,
            explore=run.explore, specs_root=str(run.specs.root) if run.specs.root else None, standards=selected,
            checks=sorted(run.selected_checks) if run.selected_checks else None, throttle_loopback=throttle,
            pool=pool,
            deadline=run.limits.deadline, progress=progress, profile_time=run.timing is not None,
            started=run.timing.started if run.timing is not None else time.monotonic()))
    return specs


# -- the parent ---------------------------------------------------------------------------------------


@dataclass
class _Worker:
    spec: WorkerSpec
    pid: int
    channel: IO[bytes]
    reader: threading.Thread
    status: int | None = None  # os.waitpid's, once it ended
    collected: list[tuple[str, str, str]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: dict[str, Any] | None = None
    crash: str | None = None
    secrets: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"worker {self.spec.number} ({', '.join(self.spec.service_keys)})"

    def poll(self) -> bool:
        """Whether it has ended (and was reaped)."""
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0  # reaped elsewhere: nothing more to learn
            if pid == 0:
                return False
            self.status = status
        return True

    def ending(self) -> str:
        if self.status is None:
            return "still running"
        if os.WIFSIGNALED(self.status):
            return f"killed by signal {os.WTERMSIG(self.status)}"
        return f"exit {os.waitstatus_to_exitcode(self.status)}"


def _start(spec: WorkerSpec, session: Session) -> _Worker:
    """Fork a worker: it starts from this process as it is (suites loaded, the per-process state they share
    with the embedded reference servers, such as a test issuer's keys), in a session of its own."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        code = 70
        try:
            os.close(read_end)
            os.setsid()
            code = worker_main(spec, write_end, session)
        except _Reported:
            pass  # worker_main said what happened, redacted
        except BaseException as exc:  # a defect of the harness before the run existed: its kind only (the
            # message could hold a secret no redactor of this worker has seen), never a traceback
            with contextlib.suppress(BaseException):
                crash = {"kind": "crash", "error": f"{type(exc).__name__} before the worker's run began"}
                os.write(write_end, (json.dumps(crash) + "\n").encode())
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
            os._exit(code)
    os.close(write_end)
    channel = os.fdopen(read_end, "rb")
    worker = _Worker(spec, pid, channel, threading.Thread())
    worker.reader = threading.Thread(target=_read_channel, args=(worker,), name="conformance-worker", daemon=True)
    worker.reader.start()
    return worker


def _read_channel(worker: _Worker) -> None:
    for line in worker.channel:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        kind = message.get("kind")
        if kind == "collected":
            worker.collected = [tuple(item) for item in message["items"]]
        elif kind == "result":
            worker.results[message["result"]["nodeid"]] = message["result"]
        elif kind == "redactor":
            worker.secrets.extend(message["secrets"])
            worker.shown.extend(message["shown"])
        elif kind == "done":
            worker.done = message
        elif kind == "crash":
            worker.crash = str(message.get("error"))


def _signal_all(workers: list[_Worker], sig: int) -> None:
    for worker in workers:
        if not worker.poll():
            with contextlib.suppress(OSError):
                os.killpg(worker.pid, sig)


def _wait(workers: list[_Worker], deadline: float | None) -> bool:
    """Wait for every worker (until ``deadline``, a monotonic time); whether all ended."""
    while True:
        if all(w.poll() for w in workers):
            return True
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _stop(workers: list[_Worker]) -> None:
    """Interrupt the workers (each ends as an interrupted run, sending what it has), kill those that do not
    end within :data:`INTERRUPT_GRACE`."""
    _signal_all(workers, signal.SIGINT)
    grace = time.monotonic() + INTERRUPT_GRACE
    while True:
        try:
            if not _wait(workers, grace):
                _signal_all(workers, signal.SIGKILL)
                _wait(workers, time.monotonic() + 5)
            return
        except KeyboardInterrupt:  # a second Ctrl-C: the first is on its way; keep collecting
            continue


def run_workers(run: Run, packed: list[list[Service]], *, progress: bool, session: Session) -> None:
    """Check the bins' services in worker processes, merge their results into ``run`` and write the reports
    (the parent's session). A KeyboardInterrupt (Ctrl-C, SIGTERM: see ``cli._interrupts_recorded``) is
    forwarded to the workers; their partial results are merged, then it is raised again."""
    # What the workers start from is theirs to the end: out of the collector's reach, their full collections
    # no longer walk it, nor write to (and so copy) its pages; the parent's report writing gains alike.
    # (A session in a process that froze before keeps its own freeze: only what was frozen here is unfrozen.)
    froze = gc.get_freeze_count() == 0
    if froze:
        gc.freeze()
    try:
        _run_workers(run, packed, progress=progress, session=session)
    finally:
        if froze:
            gc.unfreeze()


def _run_workers(run: Run, packed: list[list[Service]], *, progress: bool, session: Session) -> None:
    workers: list[_Worker] = []
    interrupted = False
    try:
        for spec in _specs(run, packed, progress=progress):
            workers.append(_start(spec, session))
        if not _wait(workers, run.limits.deadline + OVERRUN):
            # A check that never returns (each stops at the deadline otherwise): the run still ends.
            run.limits.hit.add("max_seconds")
            run.notices.append(f"workers still running {OVERRUN:g} s after the run's max_seconds were stopped; "
                               "their checks that did not end count as not run")
            _stop(workers)
    except KeyboardInterrupt:
        interrupted = True
        run.interrupted = run.interrupt_seen = True
        _stop(workers)
    finally:
        if not all(w.poll() for w in workers):  # an exception of our own: leave nothing running
            _signal_all(workers, signal.SIGKILL)
            _wait(workers, time.monotonic() + 5)
        for worker in workers:
            worker.reader.join(timeout=5)
            with contextlib.suppress(Exception):
                worker.channel.close()
    try:
        _merge(run, workers)
    finally:
        # An interrupted run's reports are written next, saying so (cli.execute). The workers' junit.xml
        # are merged whole first: a Ctrl-C meanwhile would leave no junit.xml and their folders behind.
        with interrupts.deferred():
            merge_junit(run)
    if interrupted:
        raise KeyboardInterrupt
    finish(run)


def _merge(run: Run, workers: list[_Worker]) -> None:
    parts: dict[str, dict[str, tuple[str, str]]] = {}  # service key → its nodeids in the worker's order
    origins: dict[str, Any] = {}
    for worker in workers:
        for secret in worker.secrets:  # first: whatever is merged and written next is redacted with them
            run.redactor.add(secret)
        for token in worker.shown:
            run.redactor.show(token)
        for nodeid, check_id, key in worker.collected:
            parts.setdefault(key, {})[nodeid] = (check_id, key)
        for nodeid, data in worker.results.items():
            run.results[nodeid] = CaseResult(**data)
        done = worker.done
        if done is None:
            why = f": {worker.crash}" if worker.crash else ""
            run.notices.append(run.redactor.text(
                f"{worker.label} ended without finishing ({worker.ending()}{why}); its checks that did not "
                "end count as not run"))
            if not worker.collected:  # it died before it knew its checks: its services are not run at all
                for key in worker.spec.service_keys:
                    parts.setdefault(key, {})[f"<{worker.label}>::{key}"] = ("", key)
            continue
        if done.get("interrupted"):
            run.interrupted = True
        run.broken_standards |= set(done["broken_standards"])
        run.probes.update(done["probes"])
        run.service_infos.update(done["service_infos"])
        for key, created in done["created"].items():
            run.created[key] = [Created(**c) for c in created]
        run.unusable.update(done["unusable"])
        for key, reason, notice in done["skip_counts"]:
            run.skip_counts[(key, reason)] = notice
        run.notices.extend(n for n in done["notices"] if n not in run.notices)
        run.limits.requests += done["requests"]
        run.limits.bytes += done["bytes"]
        run.limits.hit |= set(done["limits_hit"])
        run.limits.rate_wait += done["rate_wait"]
        for origin, rate in done["origins"].items():
            origins[origin] = _summed(origins[origin], rate) if origin in origins else rate
        timing = done.get("timing")
        if run.timing is not None and timing:
            _merge_timing(run, timing)
    run.worker_origins.update(origins)
    order = {s.key: n for n, s in enumerate(run.profile.services)}
    for key in sorted(parts, key=lambda k: order.get(k, len(order))):
        run.collected.update(parts[key])


def _summed(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The rate summaries of one origin that two workers paced side by side (one checks its services, the
    other read one of them): their rates, slow-downs, busy answers and waits add up."""
    summed = dict(one)
    for key, value in other.items():
        mine = summed.get(key)
        if isinstance(mine, (int, float)) and isinstance(value, (int, float)):
            summed[key] = round(mine + value, 3)
        elif mine is None:
            summed[key] = value
    return summed


def _merge_timing(run: Run, timing: dict[str, Any]) -> None:
    from conformance.timeprofile import CheckTime

    profile = run.timing
    assert profile is not None
    first, last = timing.get("first_check"), timing.get("last_check")
    if first is not None:
        profile.first_check = first if profile.first_check is None else min(profile.first_check, first)
    if last is not None:
        profile.last_check = last if profile.last_check is None else max(profile.last_check, last)
    profile.request_seconds += timing["request_seconds"]
    profile.stream_seconds += timing["stream_seconds"]
    for check_id, (seconds, runs, requests) in timing["checks"].items():
        entry = profile.checks.setdefault(check_id, CheckTime())
        entry.seconds += seconds
        entry.runs += runs
        entry.requests += requests


def finish(run: Run) -> None:
    """What the session's last hooks do in a sequential run: the scorecard, every report, the causes in
    junit.xml, the last redaction, the time profile."""
    from conformance.plugin import mark_session_reports
    from conformance.reports import redact_tree, write_reports
    from conformance.reports.junit import annotate

    writing = time.monotonic()
    scorecard = run.build_scorecard()
    write_reports(scorecard, run)
    annotate(run.run_dir / "junit.xml", scorecard)
    if run.interrupted:
        mark_session_reports(run.run_dir)
    redact_tree(run.run_dir, run.redactor)
    if run.timing is not None:
        run.timing.report_seconds += time.monotonic() - writing
        run.time_profile = run.timing.write(run.run_dir, run.limits.rate_wait)


def merge_junit(run: Run) -> None:
    """The workers' ``junit.xml`` as one file of one test suite (counts summed, test cases in worker order,
    the suite's time the longest worker's: they run side by side); the workers' folders are removed."""
    import shutil
    import xml.etree.ElementTree as ET

    from conformance.reports.junit import write

    parts = sorted(run.run_dir.glob(".worker-*"), key=lambda p: int(p.name.rsplit("-", 1)[-1]))
    merged: ET.Element | None = None
    for folder in parts:
        path = folder / "junit.xml"
        with contextlib.suppress(ET.ParseError, OSError):
            root = ET.parse(path).getroot() if path.is_file() else None
            suite = root if root is None or root.tag == "testsuite" else root.find("testsuite")
            if suite is None:
                continue
            if merged is None:
                merged = suite
                continue
            for name in ("tests", "errors", "failures", "skipped"):
                merged.set(name, str(int(merged.get(name, "0")) + int(suite.get(name, "0"))))
            merged.set("time", f"{max(float(merged.get('time', '0')), float(suite.get('time', '0'))):.3f}")
            for case in suite.iter("testcase"):
                merged.append(case)
    if merged is not None:
        suites_root = ET.Element("testsuites")
        suites_root.append(merged)
        write(ET.ElementTree(suites_root), run.run_dir / "junit.xml")
    for folder in parts:
        shutil.rmtree(folder, ignore_errors=True)


# -- the worker ---------------------------------------------------------------------------------------


class _Stream:
    """A worker's pytest plugin: what it collected, then each check's result as it ends, to the parent."""

    def __init__(self, run: Run, channel: IO[str]) -> None:
        self.run = run
        self.channel = channel
        self.sent: set[str] = set()
        self.secrets: frozenset[str] = frozenset()  # the parent has those of the profile; the rest are news
        self.shown = 0

    def send_redactor(self) -> None:
        """What the worker's redactor learnt since (secrets the checks registered, tokens shown as evidence):
        the parent's reports and its last redaction pass must know them as a sequential run's do. Through the
        pipe only, never in a file or a log."""
        secrets = self.run.redactor.secrets
        shown = self.run.redactor.shown
        if secrets != self.secrets or len(shown) != self.shown:
            self.send({"kind": "redactor", "secrets": sorted(secrets - self.secrets), "shown": shown[self.shown:]})
            self.secrets, self.shown = secrets, len(shown)

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.channel.write(json.dumps(message, default=str) + "\n")
            self.channel.flush()

    def pytest_collection_finish(self, session: Any) -> None:
        self.send({"kind": "collected", "items": [[n, c, k] for n, (c, k) in self.run.collected.items()]})

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        result = self.run.results.get(nodeid)
        if result is not None and nodeid not in self.sent:
            self.send_redactor()
            self.sent.add(nodeid)
            self.send({"kind": "result", "result": asdict(result)})


def _watch_parent(parent: int) -> None:
    """A worker whose parent is gone (killed) interrupts itself: partial results, nobody waiting."""
    while os.getppid() == parent:
        time.sleep(0.5)
    with contextlib.suppress(OSError):
        os.kill(os.getpid(), signal.SIGTERM)


def _worker_run(spec: WorkerSpec) -> Run:
    from conformance import specs
    from conformance.http import HttpClient, RunLimits, credentials_for

    run = Run(profile=spec.profile, report_root=Path(spec.report_dir), seed=spec.seed, explore=spec.explore,
              specs=specs.SpecStore(Path(spec.specs_root) if spec.specs_root else None),
              standards=set(spec.standards) if spec.standards else None,
              selected_checks=set(spec.checks) if spec.checks else None, service_keys=set(spec.service_keys))
    budget = spec.profile.budget
    now = time.monotonic()
    run.limits = RunLimits(replace(budget, max_seconds=max(0.001, spec.deadline - now)), started=now,
                           throttle_loopback=spec.throttle_loopback)
    run.limits.budget = budget  # the share as the profile gives it; the deadline is the parent's
    run.limits.pool = spec.pool
    run.http.close()
    run.http = HttpClient(run.limits, run.redactor, ca_bundle=spec.profile.ca_bundle, proxy=spec.profile.proxy)
    run.deferred_reports = True
    run.run_dir = Path(spec.report_dir)
    run.run_dir.mkdir(parents=True, exist_ok=True)
    for service in spec.profile.services:
        credentials_for(service, run.redactor)  # register every secret before anything is logged
    if spec.profile_time:
        from conformance.timeprofile import TimeProfile

        run.measure_time(TimeProfile(started=spec.started))
    return run


def _done(run: Run) -> dict[str, Any]:
    origins = run.limits.rate_summary()["origins"]
    timing = None
    if run.timing is not None:
        timing = {"first_check": run.timing.first_check, "last_check": run.timing.last_check,
                  "request_seconds": run.timing.request_seconds, "stream_seconds": run.timing.stream_seconds,
                  "checks": {k: [v.seconds, v.runs, v.requests] for k, v in run.timing.checks.items()}}
    # What it learnt of its own services only: a cross-standard check probes the service it reads too, and that
    # probe (a timeout on a busy host, a spent budget) must not stand in for the owner's.
    own = {s.key for s in run.services}
    return {
        "kind": "done", "interrupted": run.interrupted, "broken_standards": sorted(run.broken_standards),
        "probes": {k: v for k, v in run.probes.items() if k in own},
        "service_infos": {k: v for k, v in run.service_infos.items() if k in own},
        "created": {k: [asdict(c) for c in v] for k, v in run.created.items() if k in own},
        "unusable": {k: v for k, v in run.unusable.items() if k in own},
        "skip_counts": [[k, r, n] for (k, r), n in run.skip_counts.items()], "notices": run.notices,
        "requests": run.limits.requests, "bytes": run.limits.bytes, "limits_hit": sorted(run.limits.hit),
        "rate_wait": run.limits.rate_wait, "origins": origins, "timing": timing,
    }


#: One worker's pytest session (``cli.worker_session``): the run, the plugins to add, the progress flag and
#: what to call once the session is over (it sends the worker's last results and usage).
Session = Callable[[Run, list[object], bool, Callable[[], None]], None]


def worker_main(spec: WorkerSpec, channel_fd: int, session: Session) -> int:
    """One worker of a parallel run, in the forked process: its pytest session over its services."""
    channel = os.fdopen(channel_fd, "w", encoding="utf-8")
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="conformance-parent").start()
    run = _worker_run(spec)
    stream = _Stream(run, channel)

    def last() -> None:
        for nodeid in list(run.results):
            stream.pytest_runtest_logfinish(nodeid, None)
        stream.send_redactor()
        stream.send(_done(run))

    try:
        session(run, [stream], spec.progress, last)
    except BaseException as exc:  # a defect of the harness: said to the parent, redacted, never a traceback
        with contextlib.suppress(BaseException):
            stream.send_redactor()
            stream.send({"kind": "crash", "error": run.redactor.text(f"{type(exc).__name__}: {exc}")[:500]})
        raise _Reported from None
    channel.close()
    return 0


class _Reported(Exception):
    """The worker's failure has been sent to the parent, redacted by the worker's own redactor."""
