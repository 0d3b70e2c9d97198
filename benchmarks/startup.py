"""Start-up time of the command line (issue 20): ``conformance --version`` and ``conformance --help``
against ``python -c pass``, interleaved rounds, medians and their ratios.

The absolute times depend on the machine's load; the ratio to a bare interpreter is what to read.

    python benchmarks/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    script = shutil.which("conformance") or str(Path(sys.executable).with_name("conformance"))
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                "conformance --version": [script, "--version"],
                "conformance --help": [script, "--help"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, argv in commands.items():  # interleaved: the load weighs on each alike
            times[name].append(timed(argv))
    base = statistics.median(times["python -c pass"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<24} median {median * 1000:7.0f} ms   ratio to python -c pass {median / base:5.2f}")


if __name__ == "__main__":
    main()
