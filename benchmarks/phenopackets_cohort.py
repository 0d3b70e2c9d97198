"""Peak memory of `conformance run` on large Phenopackets Cohorts (issue 16: "a 50 MB Phenopackets cohort in
flat memory").

Builds conformant Cohort documents of the reference server's phenopackets (each member a full phenopacket
with features, biosample, disease, an interpretation with its VRS Allele, Haplotype or CopyNumber, and a
file), of a few sizes, writes each to a temporary file and runs the whole Phenopackets suite on it
through the real command (`python -m conformance.cli run` of a profile with a `documents` entry, in a
subprocess under ``/usr/bin/time -v``: its maximum resident set is the run's peak). Each row is printed
beside the baseline (the reference's small C1 cohort) with the peak's growth over it and that growth per
MB of document; the last line compares the largest document's growth with the smallest large one's.
Also prints each run's verdict and checks that every size gives the same outcome for every check. No
assertions; prints a table.

    python benchmarks/phenopackets_cohort.py [--sizes 5 50] [--specs-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from conformance_suites.phenopackets.reference.documents import cohort, phenopacket

REPO = Path(__file__).resolve().parent.parent

VARIATIONS = ("allele", "haplotype", "copyNumber")


def build(megabytes: float) -> tuple[bytes, int]:
    """A conformant Cohort of about ``megabytes`` MB (JSON) and its number of members."""
    document = cohort()
    one = len(json.dumps(phenopacket("C1-P0", "C1-0", with_meta=False)).encode())
    count = max(1, int(megabytes * 1_000_000 / one))
    document["members"] = [phenopacket(f"C1-P{i}", f"C1-{i}", with_meta=False, variation=VARIATIONS[i % 3])
                           for i in range(count)]
    return json.dumps(document).encode(), count


def run(path: Path, workdir: Path, specs_dir: str | None) -> dict[str, Any]:
    profile = workdir / f"{path.stem}.yaml"
    profile.write_text(yaml.safe_dump({
        "initiative": f"cohort {path.stem}",
        "services": [{"standard": "phenopackets", "version": "2.0", "documents": [str(path)]}],
        "budget": {"max_document_bytes": 512 * 1024 * 1024, "max_seconds": 3600}}), encoding="utf-8")
    reports = workdir / f"reports-{path.stem}"
    command = [sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile), "--report-dir",
               str(reports), "--quiet"] + (["--specs-dir", specs_dir] if specs_dir else [])
    started = time.monotonic()
    process = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, cwd=REPO,
                             timeout=3600)
    elapsed = time.monotonic() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", process.stderr)
    outcomes: dict[str, str] = {}
    verdict = "?"
    found = sorted(reports.rglob("scorecard.json"))
    if found:
        data = json.loads(found[-1].read_text(encoding="utf-8"))
        verdict = data["services"][0]["verdict"]
        outcomes = {c["id"]: c["outcome"] for c in data["services"][0]["checks"]}
    return {"exit": process.returncode, "seconds": elapsed, "verdict": verdict, "outcomes": outcomes,
            "peak_mb": int(match.group(1)) / 1024 if match else float("nan"),
            "traceback": "Traceback" in process.stdout + process.stderr}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=float, nargs="+", default=[5.0, 50.0], help="document sizes, MB")
    parser.add_argument("--specs-dir", default=os.environ.get("CONFORMANCE_SPECS_DIR"))
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="cohort-bench-") as tmp:
        workdir = Path(tmp)
        baseline = workdir / "baseline.json"
        baseline.write_bytes(json.dumps(cohort()).encode())
        rows.append(("baseline (C1)", baseline.stat().st_size, len(cohort()["members"]),
                     run(baseline, workdir, args.specs_dir)))
        for size in args.sizes:
            path = workdir / f"cohort-{size:g}MB.json"
            data, count = build(size)
            path.write_bytes(data)
            del data
            rows.append((f"cohort {size:g} MB", path.stat().st_size, count, run(path, workdir, args.specs_dir)))
            path.unlink()
    base = rows[0][3]["peak_mb"]
    print(f"{'document':<16} {'size MB':>8} {'members':>8} {'peak MB':>8} {'growth MB':>10} {'growth/doc':>10} "
          f"{'seconds':>8} {'exit':>4}  verdict")
    for name, size, count, result in rows:
        growth = result["peak_mb"] - base
        print(f"{name:<16} {size / 1e6:>8.1f} {count:>8} {result['peak_mb']:>8.1f} {growth:>10.1f} "
              f"{growth / (size / 1e6):>10.2f} {result['seconds']:>8.1f} {result['exit']:>4}  {result['verdict']}"
              + ("  TRACEBACK" if result["traceback"] else ""))
    if len(rows) >= 3:
        small, large = rows[1], rows[-1]
        ratio = (large[3]["peak_mb"] - base) / max(small[3]["peak_mb"] - base, 0.1)
        print(f"\ndocument {large[1] / small[1]:.1f}x larger ({small[0]} -> {large[0]}): peak growth over the "
              f"baseline {ratio:.1f}x; peak {large[3]['peak_mb'] / small[3]['peak_mb']:.2f}x")
    differing = sorted({c for _, _, _, r in rows[1:] for c, o in r["outcomes"].items()
                        if o != rows[1][3]["outcomes"].get(c)})
    print("every size: the same outcome for every check" if not differing
          else f"outcomes differ between sizes: {', '.join(differing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
