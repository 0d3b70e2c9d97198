"""``conformance demo`` wall time (issue 20 asks under 5 s on the 2-core machine), interleaved rounds.

Runs ``conformance demo --quiet --profile-time`` and ``python -c pass`` alternately, prints each demo's
wall time with the phases its time profile reports (start-up, checks, report writing; ``close`` is what
remains: stopping the embedded servers and the process's exit), the median, and the ratios to the goal
and to a bare interpreter, each with the CPU seconds it used (what others' load on the machine
moves least). ``--compare ARGS`` adds a second demo command line, run interleaved with the
first (for example ``--compare "--standard drs"``), and prints the ratio of the two medians.
``--baseline DIR`` adds the demo of another commit, interleaved: DIR is that commit's tree (``git archive
COMMIT | tar -x -C DIR``), put first on PYTHONPATH (with a ``conformance_suites`` link to its ``suites``).

    python benchmarks/demo_time.py [--rounds 3] [--compare "EXTRA DEMO ARGS"] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL = 5.0
#: CPU seconds (user + system) of each command timed, in order: on a machine others load, wall times swing
#: with their work while a command's own CPU time barely moves.
CPU: list[float] = []


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started, cpu = time.perf_counter(), cpu_of_children()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    CPU.append(cpu_of_children() - cpu)
    if done.returncode != 0 and "demo" in argv:
        raise SystemExit(f"{shlex.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, done.stdout


def phases(stdout: str) -> dict[str, Any]:
    reports = [line.split("Reports: ", 1)[1].strip() for line in stdout.splitlines() if line.startswith("Reports: ")]
    if not reports:
        return {}
    path = Path(reports[-1]) / "time-profile.json"
    return json.loads(path.read_text())["phases"] if path.is_file() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", help="extra arguments of a second demo command, run interleaved")
    parser.add_argument("--baseline", type=Path, help="another commit's tree, its demo run interleaved")
    args = parser.parse_args()
    script = shutil.which("conformance") or str(Path(sys.executable).with_name("conformance"))
    with tempfile.TemporaryDirectory() as tmp:
        demo = [script, "demo", "--quiet", "--profile-time", "--report-dir", tmp]
        commands = {"python -c pass": [sys.executable, "-c", "pass"], "conformance demo": demo}
        if args.compare:
            commands[f"demo {args.compare}"] = [*demo, *shlex.split(args.compare)]
        envs: dict[str, dict[str, str]] = {}
        if args.baseline:
            tree = args.baseline.resolve()
            link = tree / "conformance_suites"
            if not link.exists():
                link.symlink_to(tree / "suites")
            # -P: the working directory (this checkout) is not put before PYTHONPATH, or `-m` would run this
            # tree's code as the baseline
            commands["baseline demo"] = [sys.executable, "-P", "-m", "conformance.cli", *demo[1:]]
            envs["baseline demo"] = {**os.environ, "PYTHONPATH": str(tree)}
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, argv in commands.items():  # interleaved: the machine's load weighs on each alike
                seconds, stdout = timed(argv, envs.get(name))
                times[name].append(seconds)
                cpus[name].append(CPU[-1])
                if name != "python -c pass":
                    found = phases(stdout)
                    shown = ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in found.items()
                                      if k in ("start_up", "checks", "report_writing"))
                    print(f"  {name}: {seconds:.2f} s, CPU {CPU[-1]:.2f} s ({shown})", flush=True)
    base = statistics.median(times["python -c pass"])
    for name, values in times.items():
        median = statistics.median(values)
        extra = f"  ratio to the {GOAL:g} s goal {median / GOAL:5.2f}" if name != "python -c pass" else ""
        print(f"{name:<28} median {median:6.2f} s (CPU {statistics.median(cpus[name]):6.2f} s)  "
              f"ratio to python -c pass {median / base:6.1f}{extra}")
    demo_median = statistics.median(times["conformance demo"])
    if args.compare:
        print(f"ratio demo {args.compare} / demo: {statistics.median(times[f'demo {args.compare}']) / demo_median:.2f}")
    if args.baseline:
        print(f"ratio demo / baseline demo: {demo_median / statistics.median(times['baseline demo']):.2f} "
              f"(CPU {statistics.median(cpus['conformance demo']) / statistics.median(cpus['baseline demo']):.2f})")


if __name__ == "__main__":
    main()
