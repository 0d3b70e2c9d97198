"""Side-by-side timings of whole runs (issue 20), interleaved rounds, medians and ratios:

* ``drs``: ``conformance run`` on a DRS 1.2.0 reference server (checks per second: those run to a verdict,
  and with the skipped ones) vs ``drs-compliance-suite`` 1.0.3 on the same server (test cases per second).
  The peer is not a project dependency: install it in a virtual environment of its own (it pins old
  requests, urllib3 and pytest) and name its command with ``--peer``.
* ``demo``: ``conformance demo`` (the embedded reference servers of every standard).
* ``sweep``: ``conformance sweep`` of 8 demo profiles vs 1 (default ``-j``).

The machine's load weighs on every round alike; read the ratios, and the load printed with them.

    python benchmarks/side_by_side.py drs --peer /path/to/venv/bin/drs-compliance-suite [--rounds 3]
    python benchmarks/side_by_side.py demo [--rounds 3]
    python benchmarks/side_by_side.py sweep [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CONFORMANCE = shutil.which("conformance") or str(Path(sys.executable).with_name("conformance"))


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _timed(argv: list[str], **kwargs: object) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


def _checks_run(report_root: Path, *, executed: bool = False) -> int:
    """The checks of the newest scorecard under ``report_root``; ``executed``: only those that ran to a verdict
    (passed, failed or error), not the skipped ones (a peer's test cases are all run)."""
    cards = sorted(report_root.rglob("scorecard.json"), key=lambda p: p.stat().st_mtime)
    card = json.loads(cards[-1].read_text(encoding="utf-8"))
    return sum(1 for service in card.get("services", []) for check in service.get("checks", [])
               if not executed or check.get("outcome") != "skipped")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_drs(rounds: int, peer: str | None, work: Path) -> None:
    port = _free_port()
    # DRS 1.2.0, the release drs-compliance-suite 1.0.3 knows, spoken and declared
    server = subprocess.Popen([CONFORMANCE, "reference", "serve", "drs", "--version", "1.2.0", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # the server's own start-up, outside every clock
        url = f"http://127.0.0.1:{port}"
        profile = work / "drs.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "bench", "services": [{
            "standard": "drs", "version": "1.2.0", "url": url + "/ga4gh/drs/v1",
            "objects": ["blob-1", "blob-2"], "bundles": ["bundle-1"]}]}))
        none = {"auth_type": "none", "auth_token": ""}
        config = work / "peer-config.json"
        config.write_text(json.dumps({
            "service_info": none,
            "drs_object_info": [{**none, "drs_id": i, "is_bundle": i.startswith("bundle")}
                                for i in ("blob-1", "blob-2", "bundle-1")],
            "drs_object_access": [{**none, "drs_id": i} for i in ("blob-1", "blob-2")]}))
        ours: list[float] = []
        theirs: list[float] = []
        checks = executed = 0
        for _ in range(rounds):
            ours.append(_timed([CONFORMANCE, "run", "--profile", str(profile), "--quiet", "--no-fetch-specs",
                                "--profile-time", "--report-dir", str(work / "reports")]))
            checks = _checks_run(work / "reports")
            executed = _checks_run(work / "reports", executed=True)
            if peer:
                theirs.append(_timed([peer, "--server_base_url", url + "/ga4gh/drs/v1", "--platform_name", "bench",
                                      "--platform_description", "bench", "--drs_version", "1.2.0",
                                      "--config_file", str(config), "--report_path", str(work / "peer.json")],
                                     cwd=work))
        mine = statistics.median(ours)
        print(f"load {_load()}")
        timing = sorted((work / "reports").rglob("time-profile.json"), key=lambda p: p.stat().st_mtime)[-1]
        print("our phases (last round):", json.loads(timing.read_text(encoding="utf-8"))["phases"])
        print(f"conformance run (DRS reference): {mine:6.2f} s, {executed} checks run to a verdict "
              f"({executed / mine:6.1f}/s), {checks} with the skipped ({checks / mine:6.1f}/s)")
        if theirs:
            peer_cases = _peer_cases(work / "peer.json")
            other = statistics.median(theirs)
            print(f"drs-compliance-suite 1.0.3:      {other:6.2f} s, {peer_cases} cases, "
                  f"{peer_cases / other:6.1f} cases/s")
            rate = max(peer_cases / other, 1e-9)
            print(f"ratio ours ÷ peer per second: checks run to a verdict {(executed / mine) / rate:.2f}, "
                  f"with the skipped {(checks / mine) / rate:.2f}")
    finally:
        server.terminate()
        server.wait(10)


def _peer_cases(path: Path) -> int:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    count = 0

    def walk(node: object) -> None:
        nonlocal count
        if isinstance(node, dict):
            if "cases" in node and isinstance(node["cases"], list):
                count += len(node["cases"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(report)
    return count


def bench_demo(rounds: int, work: Path) -> None:
    times = [_timed([CONFORMANCE, "demo", "--quiet", "--report-dir", str(work / "demo")]) for _ in range(rounds)]
    print(f"load {_load()}")
    print(f"conformance demo: median {statistics.median(times):.2f} s over {rounds} rounds, "
          f"{_checks_run(work / 'demo')} checks")


def bench_sweep(rounds: int, work: Path) -> None:
    demo = subprocess.run([CONFORMANCE, "demo", "--print-profile"], capture_output=True, text=True, check=True).stdout
    profiles = []
    for index in range(8):
        document = yaml.safe_load(demo)
        document["initiative"] = f"Demo {index}"
        path = work / f"demo-{index}.yaml"
        path.write_text(yaml.safe_dump(document))
        profiles.append(str(path))
    one: list[float] = []
    eight: list[float] = []
    for _ in range(rounds):
        one.append(_timed([CONFORMANCE, "sweep", profiles[0], "--report-dir", str(work / "s1")]))
        eight.append(_timed([CONFORMANCE, "sweep", *profiles, "--report-dir", str(work / "s8")]))
    a, b = statistics.median(one), statistics.median(eight)
    print(f"load {_load()}")
    print(f"sweep of 1 demo profile {a:.1f} s, of 8 {b:.1f} s: ratio {b / a:.2f} (the issue's bound is 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["drs", "demo", "sweep"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer", help="the drs-compliance-suite command (in its own virtual environment)")
    args = parser.parse_args()
    os.environ.setdefault("CONFORMANCE_NO_FETCH_SPECS", "1")
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as tmp:
        work = Path(tmp)
        if args.what == "drs":
            bench_drs(args.rounds, args.peer, work)
        elif args.what == "demo":
            bench_demo(args.rounds, work)
        else:
            bench_sweep(args.rounds, work)


if __name__ == "__main__":
    main()
