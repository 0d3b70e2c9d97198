"""Reading the demo through its reference service registry (``registry: reference``, issue 15) adds
little to the demo's run time.

Runs the demo profile, each run in a fresh process and the two kinds alternating (the machine's load
drifts): as ``conformance demo`` does (registry: reference) and the same profile without the ``registry``
key (the demo before issue 15: every service named, no registry started or read).

    python benchmarks/demo_registry.py [--rounds N]

Prints each run's wall time, the median of each kind and their ratio (with the registry over without).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_RUN = """
import sys
from conformance.cli import execute
from conformance.demo import demo_document
from conformance.profile import parse_profile
from conformance.run import prepare
from conformance.suite import discover
document = demo_document()
if sys.argv[2] == "without":
    del document["registry"]
profile = parse_profile(document, source="<demo profile>", standards=discover())
run = prepare(profile, report_root=sys.argv[1])
code = execute(run, progress=False)
assert code == 0 and (run.registry is not None) == (sys.argv[2] == "with"), (code, run.registry)
"""


def _time(kind: str, report_root: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _RUN, str(report_root / kind), kind], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            for kind in ("without", "with") if round_ % 2 == 0 else ("with", "without"):
                times[kind].append(_time(kind, Path(folder)))
                print(f"round {round_ + 1}: {kind:7} registry {times[kind][-1]:6.1f} s", flush=True)
    without, with_ = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"median: without registry {without:.1f} s, with registry {with_:.1f} s, ratio {with_ / without:.3f}")


if __name__ == "__main__":
    main()
