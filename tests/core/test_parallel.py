"""``--jobs``: services checked by forked workers (conformance/parallel.py), merged into one run's reports.

The equality with a sequential run is the proof: the same checks, outcomes and messages, in the same order."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import signal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import yaml

from conformance import parallel
from conformance.cli import main
from conformance.limits import Budget
from conformance.profile import Service
from conformance.testing import reference_entries, run_profile


def service(index: int, standard: str, url: str) -> Service:
    return Service(index=index, standard=standard, version="1.0.0", url=url)


def keys(found: list[list[Service]]) -> list[list[str]]:
    return [[s.key for s in group] for group in found]


def test_services_that_share_a_place_stay_together_and_readers_go_apart() -> None:
    services = [service(0, "seqcol", "http://127.0.0.1:1001"), service(1, "htsget", "https://a.example.org/htsget"),
                service(2, "refget", "http://127.0.0.1:1002"), service(3, "wes", "https://a.example.org/wes"),
                service(4, "tes", "http://127.0.0.1:1003"), service(5, "trs", "https://b.example.org:8443")]
    assert keys(parallel.groups(services)) == [
        ["seqcol-0"],  # seqcol reads refget: every worker's profile holds both
        ["htsget-1", "wes-3"],  # one remote host: one connection at a time, as in a sequential run
        ["refget-2"],
        ["tes-4"],  # another loopback port is another server
        ["trs-5"]]


def test_localhost_and_its_addresses_are_one_place() -> None:
    services = [service(0, "htsget", "http://localhost:1001/htsget"), service(1, "wes", "http://127.0.0.1:1001/wes"),
                service(2, "tes", "http://[::1]:1001/tes"), service(3, "trs", "http://127.0.0.2:1001/trs"),
                service(4, "drs", "http://localhost:1002/drs")]
    assert keys(parallel.groups(services)) == [["htsget-0", "wes-1", "tes-2"], ["trs-3"], ["drs-4"]]


def entries(*standards: str) -> list[dict[str, Any]]:
    return [entry for standard in standards for entry in reference_entries(standard)]


def test_bins_are_deterministic_in_profile_order_and_shares_stay_within_the_budget(tmp_path: Path) -> None:
    from conformance.profile import parse_profile
    from conformance.run import prepare
    from conformance.suite import discover

    document = {"initiative": "bins", "services": entries("trs", "htsget", "refget", "seqcol", "tes"),
                "budget": {"max_requests": 1001, "max_run_bytes": 10_000_001, "requests_per_second": 30}}
    run = prepare(parse_profile(document, source="<test>", standards=discover()), report_root=tmp_path)
    try:
        packed = parallel.bins(run, 2)
        assert packed == parallel.bins(run, 2)
        assert len(packed) == 2
        order = [s.index for s in run.profile.services]
        for bin_ in packed:
            assert [s.index for s in bin_] == sorted(s.index for s in bin_)
        assert sorted(s.index for b in packed for s in b) == sorted(order)
        shares = parallel._shares(run, packed)
        # requests and bytes are one pool shared by the workers (SharedPool), never split
        assert {b.max_requests for b in shares} == {1001}
        assert {b.max_run_bytes for b in shares} == {10_000_001}
        assert sum(b.max_memory_mb for b in shares) <= Budget().max_memory_mb
        assert sum(b.requests_per_second for b in shares) <= 30 + 1e-9
        assert parallel.bins(run, 1) == [list(run.profile.services)]
    finally:
        run.close()



def _earlier_run(run: Any, name: str, seconds: dict[str, float], **more: Any) -> Path:
    """A scorecard.json of an earlier run beside ``run``'s folder, each service's time in one case."""
    folder = run.run_dir.parent / name
    folder.mkdir()
    services = [{"key": s.key, "standard": s.standard, "version": s.version,
                 "checks": [{"id": "x", "cases": [{"duration": seconds.get(s.key, 0.0)}]}]}
                for s in run.profile.services]
    card = {"interrupted": False, "selection": {"standards": None, "checks": None}, "usage": {"limits_hit": []},
            "services": services, **more}
    (folder / "scorecard.json").write_text(json.dumps(card))
    return folder


def test_bins_are_packed_by_the_times_of_the_previous_complete_run(tmp_path: Path) -> None:
    """Issue 20: requirement counts guess a service's time badly (a few property checks outweigh a hundred quick
    checks); the previous run of the initiative in the same report folder says what each service took. An
    interrupted run, one of another selection or an unreadable one is passed over; without any, the weights."""
    from conformance.profile import parse_profile
    from conformance.run import prepare
    from conformance.suite import discover

    document = {"initiative": "bins", "services": entries("trs", "htsget", "refget", "tes")}
    run = prepare(parse_profile(document, source="<test>", standards=discover()), report_root=tmp_path)
    try:
        by_weight = keys(parallel.bins(run, 2))
        slow = next(s.key for s in run.profile.services if s.standard == "tes")
        alone = [[slow], [s.key for s in run.profile.services if s.key != slow]]
        assert by_weight != alone
        times = {s.key: 1.0 for s in run.profile.services} | {slow: 99.0}
        _earlier_run(run, "20200101T000000Z", times)  # the oldest: the next ones are passed over
        assert keys(parallel.bins(run, 2)) == alone
        _earlier_run(run, "20200102T000000Z", {}, interrupted=True)
        _earlier_run(run, "20200103T000000Z", {}, selection={"standards": ["tes"], "checks": None})
        (_earlier_run(run, "20200104T000000Z", {}) / "scorecard.json").write_text("{not json")
        _earlier_run(run, "20200104T000001Z", {}, usage={"limits_hit": ["max_seconds"]})  # cut short
        (_earlier_run(run, "20200104T000002Z", {}) / "scorecard.json").write_text(
            json.dumps({"selection": {"standards": None, "checks": None}, "usage": {}, "services": 5}))
        assert parallel.previous_seconds(run) == times
        assert keys(parallel.bins(run, 2)) == alone
        _earlier_run(run, "20200105T000000Z", {s.key: 1.0 for s in run.profile.services})  # the latest counts
        assert set(parallel.previous_seconds(run).values()) == {1.0}
        assert keys(parallel.bins(run, 2)) != alone
    finally:
        run.close()
    bare = prepare(parse_profile(document, source="<test>", standards=discover()), report_root=tmp_path / "new")
    try:
        assert parallel.previous_seconds(bare) == {}
        assert keys(parallel.bins(bare, 2)) == by_weight
    finally:
        bare.close()

def test_the_shared_pool_is_one_budget_across_forked_processes() -> None:
    from conformance.errors import BudgetExceeded
    from conformance.http.policy import RunLimits, SharedPool

    pool = SharedPool(requests=2)
    pids = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:  # each child takes requests until the run's budget of 20 is spent
            code = 1
            try:
                limits = RunLimits(Budget(max_requests=20))
                limits.pool = pool
                taken = 0
                with contextlib.suppress(BudgetExceeded):
                    for _ in range(20):
                        limits._count()
                        taken += 1
                code = 0 if taken <= 18 else 3
            finally:
                os._exit(code)
        pids.append(pid)
    assert [os.waitpid(pid, 0)[1] for pid in pids] == [0, 0, 0]
    assert not pool.take_request(20)  # 2 spent before the fork + 18 by the children: the budget, exactly


def test_a_worker_needing_more_than_its_weighted_share_still_finishes(tmp_path: Path) -> None:
    """The budget is one pool: a bin whose services take most of the requests is not stopped at a share
    weighted by requirements (which made a parallel run incomplete where a sequential one finished)."""
    one = run_profile({**small_profile(), "budget": {"requests_per_second": 500}}, tmp_path / "1", jobs=1)
    spent = one.scorecard.requests
    two = run_profile({**small_profile(), "budget": {"max_requests": spent + 5, "requests_per_second": 500}},
                      tmp_path / "2", jobs=2)
    assert "max_requests" not in two.scorecard.limits_hit, two.output
    assert two.exit_code == one.exit_code == 0, two.output


VARYING = {"started", "finished", "duration", "elapsed_seconds", "usage"}


def stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VARYING and k.lower() != "date"}
    if isinstance(value, list):
        return [stable(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value)
    return value


def scorecard(run_dir: Path) -> dict[str, Any]:
    card: dict[str, Any] = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    return card


def test_a_demo_with_two_jobs_gives_the_scorecard_of_one(tmp_path: Path, requires_specs: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cards = {}
    for jobs in ("1", "2"):
        root = tmp_path / jobs
        code = main(["demo", "--quiet", "--jobs", jobs, "--report-dir", str(root), "--specs-dir", requires_specs])
        (run_dir,) = [p for p in root.glob("*/*") if p.is_dir()]
        assert code == 0, (capsys.readouterr().out[-2000:], _not_passed(scorecard(run_dir)))
        assert not list(run_dir.glob(".worker-*")), "a worker's folder was left"
        cards[jobs] = scorecard(run_dir)
    one, two = cards["1"], cards["2"]
    assert [s["key"] for s in two["services"]] == [s["key"] for s in one["services"]]
    for first, second in zip(one["services"], two["services"], strict=True):
        assert [(c["id"], c["outcome"], c["message"]) for c in second["checks"]] == \
            [(c["id"], c["outcome"], c["message"]) for c in first["checks"]], first["key"]
    # everything else too, but for times, ports and the usage (the same requests, counted by two processes)
    assert stable(two) == stable(one)


def _not_passed(card: dict[str, Any]) -> list[str]:
    """What made a run other than conformant: its errors and failures, and its limits (a failure's message)."""
    found = [f"{s['key']} {c['id']} {c['outcome']}: {c['message'][:300]}" for s in card["services"]
             for c in s["checks"] if c["outcome"] in ("error", "failed")]
    return [*found[:20], f"limits hit: {card.get('usage', {}).get('limits_hit')}"]


def small_profile() -> dict[str, Any]:
    return {"initiative": "parallel", "services": entries("htsget", "trs")}


def test_a_worker_that_dies_leaves_its_services_incomplete_and_says_so(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    started = parallel.worker_main

    def dies_if_second(spec: parallel.WorkerSpec, channel_fd: int, session: parallel.Session) -> int:
        if spec.number == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return started(spec, channel_fd, session)

    monkeypatch.setattr(parallel, "worker_main", dies_if_second)
    result = run_profile(small_profile(), tmp_path, jobs=2)
    verdicts = {s.standard: s.verdict() for s in result.scorecard.services}
    assert verdicts == {"htsget": "conformant", "trs": "incomplete"}
    notice = next(n for n in result.scorecard.notices if n.startswith("worker 2"))
    assert "trs-1" in notice and "killed by signal 9" in notice
    assert result.exit_code == 2


def test_a_worker_crash_is_said_without_the_secrets_it_learnt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A defect that ends worker 2's session is a notice naming it, redacted by the worker's own redactor
    (a secret its checks registered never reached the parent's)."""
    started = parallel.worker_main
    secret = "worker-secret-4f1d9c0b7a"

    def crashes_if_second(spec: parallel.WorkerSpec, channel_fd: int, session: parallel.Session) -> int:
        if spec.number != 2:
            return started(spec, channel_fd, session)

        def boom(run: Any, plugins: Any, progress: Any, last: Any) -> None:
            run.redactor.add(secret)
            raise RuntimeError(f"the server sent {secret} back")

        return started(spec, channel_fd, boom)

    monkeypatch.setattr(parallel, "worker_main", crashes_if_second)
    result = run_profile(small_profile(), tmp_path, jobs=2)
    notices = "\n".join(result.scorecard.notices)
    assert "RuntimeError: the server sent" in notices, notices
    assert secret not in notices
    assert not [p for p in result.run_dir.rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]


def test_two_jobs_give_the_results_of_one_on_a_small_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[bool] = []
    started = parallel._run_workers

    def noting_the_freeze(*args: Any, **kwargs: Any) -> None:
        frozen.append(gc.get_freeze_count() > 0)
        started(*args, **kwargs)

    monkeypatch.setattr(parallel, "_run_workers", noting_the_freeze)
    one = run_profile(small_profile(), tmp_path / "1", jobs=1)
    two = run_profile(small_profile(), tmp_path / "2", jobs=2)
    assert frozen == [True]  # the parent froze what its workers start from before it forked them
    assert stable(scorecard(two.run_dir)) == stable(scorecard(one.run_dir))
    assert two.exit_code == one.exit_code == 0
    junit = (two.run_dir / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<testcase") == sum(len(c.cases) for s in two.scorecard.services for c in s.checks)
    assert gc.get_freeze_count() == 0  # and unfroze it after


def test_a_ctrl_c_while_the_workers_junit_files_are_merged_leaves_them_merged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The signal waits for the merge: the interrupted run's junit.xml is whole and says interrupted, and
    neither a worker's folder nor a temporary file is left in the run directory."""
    from conformance.reports import junit

    written = junit.write
    parent = os.getpid()

    def interrupted_while_writing(tree: Any, path: Path) -> None:
        if os.getpid() == parent and not path.parent.name.startswith(".worker"):
            signal.raise_signal(signal.SIGINT)
        written(tree, path)

    monkeypatch.setattr(junit, "write", interrupted_while_writing)
    result = run_profile(small_profile(), tmp_path, jobs=2)
    assert result.scorecard.interrupted and result.exit_code != 0
    assert sorted(p.name for p in result.run_dir.iterdir() if p.name.startswith(".")) == []
    junit_text = (result.run_dir / "junit.xml").read_text(encoding="utf-8")
    assert '<property name="interrupted" value="true"' in junit_text
    assert junit_text.count("<testcase") == sum(len(c.cases) for s in result.scorecard.services for c in s.checks)


def test_a_worker_reads_the_services_of_another_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """seqcol's checks against refget read the profile's refget services: checked in the other worker, they
    are read all the same, and the results are a sequential run's."""
    from conformance.demo import demo_profile_yaml

    demo = yaml.safe_load(demo_profile_yaml())["services"]
    document = {"initiative": "apart", "services": [e for e in demo if e["standard"] in ("refget", "seqcol")]}
    one = run_profile(document, tmp_path / "1", jobs=1)
    packed: list[list[list[Service]]] = []
    real = parallel.bins
    monkeypatch.setattr(parallel, "bins", lambda run, jobs: packed.append(real(run, jobs)) or packed[-1])
    two = run_profile(document, tmp_path / "2", jobs=2)
    assert [sorted({s.standard for s in b}) for b in packed[-1]] in ([["refget"], ["seqcol"]],
                                                                     [["refget"], ["refget", "seqcol"]],
                                                                     [["refget", "seqcol"], ["refget"]]), packed[-1]
    assert stable(scorecard(two.run_dir)) == stable(scorecard(one.run_dir))
    read = [c for s in two.scorecard.services if s.standard == "seqcol" for c in s.checks
            if c.id in ("seqcol.sequences.resolve-on-refget", "seqcol.collection.sequences-on-refget-server")
            and c.outcome == "passed"]
    assert read, "no seqcol check read a refget service"


def test_a_worker_sends_what_it_learnt_of_its_own_services_only(tmp_path: Path) -> None:
    """A cross-standard check probes the service it reads: a timeout there (a busy host) must not make the
    service its own worker checked unreachable in the parent's merge."""
    from conformance.profile import parse_profile
    from conformance.run import prepare
    from conformance.suite import discover

    document = {"initiative": "probes", "services": [
        {"standard": "refget", "version": "2.0.0", "url": "http://127.0.0.1:9/a"},
        {"standard": "seqcol", "version": "1.0.0", "url": "http://127.0.0.1:9/b"}]}
    run = prepare(parse_profile(document, source="<test>", standards=discover()), report_root=tmp_path)
    try:
        read, own = run.profile.services
        run.service_keys = {own.key}
        run.probes = {own.key: None, read.key: "timed out"}
        run.service_infos = {own.key: {"id": "b"}, read.key: {"id": "a"}}
        done = parallel._done(run)
        assert done["probes"] == {own.key: None}
        assert done["service_infos"] == {own.key: {"id": "b"}}
    finally:
        run.close()


def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--jobs", "0"]) == 4
    assert "--jobs" in capsys.readouterr().err


def test_secrets_a_worker_learns_are_redacted_from_the_parents_reports(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "worker-learnt-s3cret-value"
    made = parallel._worker_run

    def learns_a_secret(spec: parallel.WorkerSpec) -> Any:
        run = made(spec)
        run.redactor.add(secret)  # as a suite's view registers a token it was handed
        run.notices.append(f"a notice naming {secret}")
        return run

    monkeypatch.setattr(parallel, "_worker_run", learns_a_secret)
    result = run_profile(small_profile(), tmp_path, jobs=2)
    files = [p for p in result.run_dir.rglob("*") if p.is_file()]
    assert files and not [p.name for p in files if secret in p.read_text(encoding="utf-8", errors="replace")]
    assert any("a notice naming" in n for n in result.scorecard.notices)


def test_the_merged_junit_suite_lasts_as_long_as_its_longest_worker(tmp_path: Path) -> None:
    """Workers run side by side: the suite's time is the longest one's, not their sum (a run of 8 s said 29 s)."""
    for number, seconds in ((1, 7.5), (2, 6.25)):
        folder = tmp_path / f".worker-{number}"
        folder.mkdir()
        (folder / "junit.xml").write_text(f'<testsuites><testsuite name="pytest" tests="1" errors="0" failures="0" '
                                          f'skipped="0" time="{seconds}"><testcase name="t{number}"/></testsuite>'
                                          "</testsuites>")
    parallel.merge_junit(cast(Any, SimpleNamespace(run_dir=tmp_path)))
    text = (tmp_path / "junit.xml").read_text()
    assert 'time="7.500"' in text and 'tests="2"' in text and not list(tmp_path.glob(".worker-*"))
