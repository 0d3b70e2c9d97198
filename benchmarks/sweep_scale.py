"""A sweep of 8 demo profiles against a sweep of 1 (issue 20 asks within 2×), interleaved rounds.

Writes the embedded demo profile (``conformance demo --print-profile``) as ``--profiles`` copies, each its
own initiative, then alternately runs ``conformance sweep --no-dashboard`` on one of them and on all of
them (with the default ``-j`` unless ``--jobs`` is given), and prints the medians and their ratio.

Each demo profile starts its own embedded reference servers on loopback: a demo sweep is bound by this
machine's CPUs, not by a network, so its ratio shows what the cores allow (about profiles / CPUs when
one demo run keeps a core busy); a sweep of remote deployments waits on their networks instead.

    python benchmarks/sweep_scale.py [--rounds 1] [--profiles 8] [--jobs N] [--run-jobs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profiles", type=int, default=8)
    parser.add_argument("--jobs", type=int, help="sweep -j (default: the sweep's own default)")
    parser.add_argument("--run-jobs", type=int, help="sweep --run-jobs: worker processes of each run (default 1)")
    args = parser.parse_args()
    script = shutil.which("conformance") or str(Path(sys.executable).with_name("conformance"))
    printed = subprocess.run([script, "demo", "--print-profile"], check=True, capture_output=True, text=True).stdout
    document = yaml.safe_load(printed)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n in range(1, args.profiles + 1):
            path = Path(tmp) / f"demo-{n}.yaml"
            path.write_text(yaml.safe_dump({**document, "initiative": f"Demo {n}"}, sort_keys=False))
            paths.append(str(path))
        base = [script, "sweep", "--no-dashboard", "--report-dir", str(Path(tmp) / "reports")]
        if args.jobs:
            base += ["-j", str(args.jobs)]
        if args.run_jobs:
            base += ["--run-jobs", str(args.run_jobs)]
        commands = {"sweep of 1": [*base, paths[0]], f"sweep of {args.profiles}": [*base, *paths]}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, argv in commands.items():  # interleaved: the machine's load weighs on both alike
                started = time.perf_counter()
                done = subprocess.run(argv, capture_output=True, text=True)
                seconds = time.perf_counter() - started
                if done.returncode != 0:
                    raise SystemExit(f"{name} exited {done.returncode}:\n{done.stdout[-3000:]}")
                header = done.stdout.splitlines()[0] if done.stdout else ""
                print(f"  {name}: {seconds:.1f} s  ({header})", flush=True)
                times[name].append(seconds)
    one, many = (statistics.median(values) for values in times.values())
    print(f"sweep of 1: median {one:.1f} s; sweep of {args.profiles}: median {many:.1f} s; "
          f"ratio {many / one:.2f} (goal ≤ 2; {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
