"""Peak memory and time of `conformance run` on large VRS documents, VRS 1.3 and 2.0.

Writes, for each version, a document of N distinct Alleles (locations on one refget sequence, literal states)
stating their computed identifiers (1.3 ``_id``; 2.0 ``id`` and ``digest``, nested ones too: every identifier
check judges every object), and the reference server's small ``alleles.json`` of that version as the
baseline. Each is run through the real command (`python -m conformance.cli run` of a profile naming the
document, every VRS check) in a child process that reports its own peak resident set and CPU time. The runs
are interleaved (baseline and large of each version, ``--rounds`` times); each row gives the median, the
peak's growth over the baseline and that growth per MB of document, and the time's ratio to the baseline.
No assertions; prints a table and whether every run gave the same outcome for every check.

    CONFORMANCE_SPECS_DIR=... python benchmarks/vrs_memory.py [--count 20000] [--rounds 1]

At 20,000 Alleles the 2.0 document is about 8 MB, the 1.3 one about 8.4 MB (over the default
``budget.max_document_bytes``: the profile raises it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from conformance_suites.vrs.reference.documents import CHR7, documents, identify_1, identify_2, location_1, location_2

REPO = Path(__file__).resolve().parent.parent

#: The child: the real command, then its own peak resident set (KiB) and CPU seconds on stderr. The peak is
#: /proc's VmHWM, which starts at the child's exec: getrusage's ru_maxrss keeps the forking parent's (this
#: script's, which built the large documents) when larger.
CHILD = """\
import re, resource, runpy, sys
sys.argv = ["conformance", *sys.argv[1:]]
try:
    runpy.run_module("conformance.cli", run_name="__main__")
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    try:
        with open("/proc/self/status") as status:
            peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
    except (OSError, AttributeError):
        peak = usage.ru_maxrss
    print(f"BENCH {peak} {usage.ru_utime + usage.ru_stime}", file=sys.stderr)
"""


def alleles(version: str, count: int) -> list[dict[str, Any]]:
    bases = "ACGT"
    if version.startswith("1."):
        return [identify_1({"type": "Allele", "location": location_1(CHR7, 1000 + i, 1001 + i),
                            "state": {"type": "LiteralSequenceExpression", "sequence": bases[i % 4] * (1 + i % 3)}})
                for i in range(count)]
    return [identify_2({"type": "Allele", "location": location_2(CHR7, 1000 + i, 1001 + i),
                        "state": {"type": "LiteralSequenceExpression", "sequence": bases[i % 4] * (1 + i % 3)}})
            for i in range(count)]


def run(document: Path, version: str, workdir: Path, specs_dir: str | None) -> dict[str, Any]:
    profile = workdir / f"{document.stem}.yaml"
    profile.write_text(yaml.safe_dump({
        "initiative": f"vrs {document.stem}",
        "services": [{"standard": "vrs", "version": version, "documents": [str(document)]}],
        "budget": {"max_document_bytes": 512 * 1024 * 1024, "max_seconds": 3600}}), encoding="utf-8")
    reports = workdir / f"reports-{document.stem}"
    command = [sys.executable, "-c", CHILD, "run", "--profile", str(profile), "--report-dir", str(reports),
               "--quiet"] + (["--specs-dir", specs_dir] if specs_dir else [])
    started = time.monotonic()
    process = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=3600)
    elapsed = time.monotonic() - started
    line = next((x for x in process.stderr.splitlines() if x.startswith("BENCH ")), "BENCH nan nan")
    peak_kib, cpu = (float(x) for x in line.split()[1:3])
    outcomes: dict[str, str] = {}
    found = sorted(reports.rglob("scorecard.json"))
    if found:
        data = json.loads(found[-1].read_text(encoding="utf-8"))
        outcomes = {c["id"]: c["outcome"] for c in data["services"][0]["checks"]}
    return {"exit": process.returncode, "seconds": elapsed, "cpu": cpu, "peak_mb": peak_kib / 1024,
            "outcomes": outcomes, "traceback": "Traceback" in process.stdout + process.stderr}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=20_000, help="Alleles of each large document")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved runs of each document")
    parser.add_argument("--specs-dir", default=os.environ.get("CONFORMANCE_SPECS_DIR"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vrs-memory-") as tmp:
        workdir = Path(tmp)
        cases: list[tuple[str, str, Path]] = []
        for version in ("1.3", "2.0"):
            tag = version.replace(".", "")
            small = workdir / f"baseline-{tag}.json"
            small.write_bytes(documents(version, ())["alleles.json"])
            large = workdir / f"alleles-{tag}-{args.count}.json"
            large.write_text(json.dumps(alleles(version, args.count)), encoding="utf-8")
            cases += [(version, "baseline", small), (version, f"{args.count} Alleles", large)]
        results: dict[tuple[str, str], list[dict[str, Any]]] = {(v, n): [] for v, n, _ in cases}
        for _ in range(args.rounds):
            for version, name, path in cases:
                results[(version, name)].append(run(path, version, workdir, args.specs_dir))
        sizes = {(v, n): p.stat().st_size for v, n, p in cases}
    print(f"{'VRS':<4} {'document':<14} {'size MB':>8} {'peak MB':>8} {'growth MB':>10} {'growth/doc':>10} "
          f"{'seconds':>8} {'cpu s':>7} {'cpu ratio':>9} {'exit':>4}")
    for version, name, _ in cases:
        rows = results[(version, name)]
        base = results[(version, "baseline")]
        peak, base_peak = (statistics.median(r["peak_mb"] for r in rs) for rs in (rows, base))
        cpu, base_cpu = (statistics.median(r["cpu"] for r in rs) for rs in (rows, base))
        size = sizes[(version, name)] / 1e6
        growth = peak - base_peak
        print(f"{version:<4} {name:<14} {size:>8.2f} {peak:>8.1f} {growth:>10.1f} {growth / size:>10.2f} "
              f"{statistics.median(r['seconds'] for r in rows):>8.1f} {cpu:>7.1f} {cpu / base_cpu:>9.2f} "
              f"{max(r['exit'] for r in rows):>4}" + ("  TRACEBACK" if any(r["traceback"] for r in rows) else ""))
    for version in ("1.3", "2.0"):
        runs = [r for (v, n), rs in results.items() if v == version and n != "baseline" for r in rs]
        differing = sorted({c for r in runs for c, o in r["outcomes"].items() if o != runs[0]["outcomes"].get(c)})
        outcomes = ", ".join(f"{c.removeprefix('vrs.')} {o}" for c, o in sorted(runs[0]["outcomes"].items()))
        print(f"VRS {version}: " + (f"every run: {outcomes}" if not differing
                                    else f"outcomes differ between runs: {', '.join(differing)}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
