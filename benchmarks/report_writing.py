"""Report writing of one demo scorecard (issue 20), this tree against another commit's, interleaved rounds.

Runs ``conformance demo`` once in-process and keeps the scorecard and redactor it writes its reports from
(pickled to a temporary file); then, round after round, writes every report of that scorecard into a fresh
folder (the writers of ``conformance.reports`` and the last redaction pass, ``redact_tree``), once with
this tree and once with ``--baseline DIR`` first on PYTHONPATH (``git archive COMMIT | tar -x -C DIR``).
Prints each round's wall and CPU times, the medians and their ratio, and whether the two trees wrote byte-identical
files.

    python benchmarks/report_writing.py --baseline DIR [--rounds 3]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WRITE = """
import pickle, sys, time
from pathlib import Path
from conformance.reports import WRITERS, redact_tree
scorecard, redactor = pickle.loads(Path(sys.argv[1]).read_bytes())
if hasattr(redactor, "_texts"):
    redactor._texts = {}  # what the run redacted before its reports is not counted as done
out = Path(sys.argv[2])
started, cpu = time.perf_counter(), time.process_time()
for writer in WRITERS:
    writer(scorecard, out, redactor)
redact_tree(out, redactor)
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def capture(path: Path, report_dir: Path) -> None:
    """One in-process demo; the scorecard and redactor its reports are written from, pickled to ``path``."""
    import conformance.reports as reports
    from conformance.cli import main

    real = reports.write_reports

    def keep(scorecard: object, run: object) -> None:
        path.write_bytes(pickle.dumps((scorecard, run.redactor)))  # type: ignore[attr-defined]
        real(scorecard, run)  # type: ignore[arg-type]

    reports.write_reports = keep  # type: ignore[assignment]
    try:
        main(["demo", "--quiet", "--report-dir", str(report_dir)])
    finally:
        reports.write_reports = real


def same_files(left: Path, right: Path) -> bool:
    names = sorted(p.name for p in left.iterdir())
    if names != sorted(p.name for p in right.iterdir()):
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    return not mismatch and not errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, required=True, help="another commit's tree")
    args = parser.parse_args()
    tree = args.baseline.resolve()
    link = tree / "conformance_suites"
    if not link.exists():
        link.symlink_to(tree / "suites")
    with tempfile.TemporaryDirectory() as tmp:
        card = Path(tmp) / "scorecard.pickle"
        capture(card, Path(tmp) / "demo")
        envs = {"this tree": dict(os.environ), "baseline": {**os.environ, "PYTHONPATH": str(tree)}}
        times: dict[str, list[float]] = {name: [] for name in envs}
        cpus: dict[str, list[float]] = {name: [] for name in envs}
        outputs: dict[str, Path] = {}
        for index in range(args.rounds):
            for name, env in envs.items():  # interleaved: the machine's load weighs on each alike
                out = Path(tmp) / f"{name.replace(' ', '-')}-{index}"
                out.mkdir()
                done = subprocess.run([sys.executable, "-c", WRITE, str(card), str(out)], env=env,
                                      capture_output=True, text=True, check=True)
                wall, cpu = (float(x) for x in done.stdout.split())
                times[name].append(wall)
                cpus[name].append(cpu)
                outputs[name] = out
                print(f"  {name}: {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
        now, before = statistics.median(times["this tree"]), statistics.median(times["baseline"])
        print(f"report writing, median of {args.rounds}: this tree {now:.2f} s, baseline {before:.2f} s, "
              f"ratio {now / before:.2f} ({before / now:.1f}x faster)")
        now, before = statistics.median(cpus["this tree"]), statistics.median(cpus["baseline"])
        print(f"CPU seconds, median: this tree {now:.2f} s, baseline {before:.2f} s, ratio {now / before:.2f}")
        print("report files byte-identical: " + ("yes" if same_files(outputs["this tree"], outputs["baseline"])
                                                  else "NO"))


if __name__ == "__main__":
    main()
