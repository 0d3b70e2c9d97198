"""A DRS profile naming 50 objects against one naming 1 (issue 20: within 2×), interleaved runs.

Starts the reference DRS server (``suites/drs/reference``) holding 50 extra small objects, then runs
``conformance run`` on two profiles of that one server, alternately: one names a single object, the
other all 50. Prints the median wall time of each, its checks per second, and the ratio 50/1.

    python benchmarks/drs_objects.py [--rounds 3] [--objects 50] [--size 4096] [--latency MS]
                                     [--concurrent-requests N] [--baseline DIR]

``--latency MS`` puts the server a network away: the profiles name it through benchmarks/parallel_services.py's
proxy, which holds every piece of a request back that many milliseconds; the server names the proxy as its
own address (self_uri, AccessURLs), so the bytes come through it too. ``--concurrent-requests N`` sets the
profiles' ``budget.concurrent_requests`` (side by side is opt-in); the baseline's profiles leave it out.

``--baseline DIR`` runs the two profiles with another commit's harness too, interleaved: DIR is that
commit's tree (``git archive COMMIT | tar -x -C DIR``), put first on PYTHONPATH.

Both runs pay the same start-up, collection and reports; what the extra objects cost is the per-object
checks (their requests and hashing) and the per-object work of the harness around them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from conformance_suites.drs.reference.app import Blob, DrsApp

from conformance.reference.server import ReferenceServer

sys.path.insert(0, str(Path(__file__).parent))
from parallel_services import latency_proxy


class ManyObjects(DrsApp):
    """The reference DRS server with ``count`` more objects (bench-1 … bench-N, sha-256 and md5)."""

    count = 50
    size = 4096

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        for n in range(1, self.count + 1):
            blob = Blob(f"bench-{n}", f"bench-{n}.bin", 1000 + n, self.size, ("sha-256", "md5"))
            blob.compute()
            self.blobs[blob.id] = blob


def profile(url: str, objects: list[str], concurrent: int | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "initiative": f"benchmark drs {len(objects)} objects", "contact": "bench@example.org",
        "services": [{"standard": "drs", "version": DrsApp.versions[-1], "url": url, "objects": objects}]}
    if concurrent is not None:
        document["budget"] = {"concurrent_requests": concurrent}
    return document


def timed(argv: list[str], env: dict[str, str] | None) -> tuple[float, int, int]:
    """Seconds, exit code and the number of checks run (from the run's scorecard)."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    reports = [line.split("Reports: ", 1)[1].strip() for line in done.stdout.splitlines() if "Reports: " in line]
    checks = 0
    if reports:
        scorecard = json.loads((Path(reports[-1]) / "scorecard.json").read_text())
        checks = sum(len(service.get("checks", [])) for service in scorecard["services"])
    return seconds, done.returncode, checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--objects", type=int, default=50)
    parser.add_argument("--size", type=int, default=4096, help="bytes of each extra object")
    parser.add_argument("--latency", type=float, default=0.0, help="milliseconds added to each request")
    parser.add_argument("--concurrent-requests", type=int, help="budget.concurrent_requests of the profiles")
    parser.add_argument("--baseline", type=Path, help="another commit's tree, run interleaved")
    args = parser.parse_args()
    ManyObjects.count, ManyObjects.size = args.objects, args.size
    script = shutil.which("conformance") or str(Path(sys.executable).with_name("conformance"))
    envs: dict[str, dict[str, str] | None] = {}
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        app = ManyObjects()
        url = stack.enter_context(ReferenceServer(app)).url
        if args.latency:
            url = stack.enter_context(latency_proxy(url, args.latency / 1000))
            app.root_url = "http://" + urlsplit(url).netloc
        ids = [f"bench-{n}" for n in range(1, args.objects + 1)]
        variants = {"1 object": ids[:1], f"{args.objects} objects": ids}
        commands = {}
        for name, objects in variants.items():
            path = Path(tmp) / f"{len(objects)}.yaml"
            path.write_text(yaml.safe_dump(profile(url, objects, args.concurrent_requests), sort_keys=False))
            rest = ["run", "--profile", str(path), "--report-dir", str(Path(tmp) / "reports"), "--quiet"]
            commands[name] = [script, *rest]
            if args.baseline:
                tree = args.baseline.resolve()
                if not (tree / "conformance_suites").exists():
                    (tree / "conformance_suites").symlink_to(tree / "suites")
                plain = Path(tmp) / f"{len(objects)}-baseline.yaml"  # a tree before the key would refuse it
                plain.write_text(yaml.safe_dump(profile(url, objects), sort_keys=False))
                commands[f"baseline {name}"] = [sys.executable, "-P", "-m", "conformance.cli", "run", "--profile",
                                                str(plain), *rest[3:]]
                envs[f"baseline {name}"] = {**os.environ, "PYTHONPATH": str(tree)}
        times: dict[str, list[float]] = {name: [] for name in commands}
        checks: dict[str, int] = {}
        for _ in range(args.rounds):
            for name, argv in commands.items():  # interleaved: the machine's load weighs on both alike
                seconds, code, count = timed(argv, envs.get(name))
                if code != 0:
                    raise SystemExit(f"{name}: conformance run exited {code} (expected 0, conformant)")
                times[name].append(seconds)
                checks[name] = count
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:<21} median {median:6.2f} s  ({checks[name]} checks, {checks[name] / median:5.1f} checks/s)  "
              f"runs: {', '.join(f'{t:.2f}' for t in times[name])}")
    for prefix in ("", "baseline ") if args.baseline else ("",):
        one, many = medians[f"{prefix}1 object"], medians[f"{prefix}{args.objects} objects"]
        print(f"{prefix}ratio {args.objects} objects / 1 object: {many / one:.2f} (goal ≤ 2)")


if __name__ == "__main__":
    main()
