"""The VRS checks against the reference sequence over many alleles, beside the companion refget server.

Writes a VRS 2.0 document of N substitution alleles (each stating its reference base) on the companion
refget server's 600-base sequence, then runs, in process, the document check alone and the three checks
against refget (``suites/vrs/check_reference.py``) on it, after one warm-up run.

    CONFORMANCE_SPECS_DIR=... python benchmarks/vrs_on_refget.py [--count N]

Prints the wall time of each run, their ratio, and the rate of the three checks (alleles per second).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from conformance_suites.vrs.reference.app import VrsApp
from conformance_suites.vrs.reference.documents import SEQ_A, SQ_A, identify_2, location_2, other_base

from conformance.testing import run_profile

CHECKS = ["vrs.location.inside-sequence-expected", "vrs.location.reference-state-matches", "vrs.allele.normalized"]


def alleles(count: int) -> list[dict[str, Any]]:
    rng = random.Random(1)
    found = []
    for _ in range(count):
        p = rng.randrange(1, len(SEQ_A) - 10)
        found.append(identify_2({"type": "Allele", "location": {**location_2(SQ_A, p, p + 1), "sequence": SEQ_A[p]},
                                 "state": {"type": "LiteralSequenceExpression", "sequence": other_base(SEQ_A[p])}}))
    return found


def timed(document: Path, root: Path, checks: list[str]) -> float:
    started = time.perf_counter()
    result = run_profile({"initiative": "benchmark", "services": [
        {"standard": "vrs", "version": "2.0", "documents": [str(document)]}, *VrsApp.companion_entries()]},
        root, checks=checks)
    elapsed = time.perf_counter() - started
    outcomes = {c.id: c.outcome for s in result.scorecard.services for c in s.checks if c.id in checks}
    assert set(outcomes.values()) == {"passed"}, outcomes
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        document = root / "alleles.json"
        document.write_text(json.dumps(alleles(args.count)), encoding="utf-8")
        timed(document, root / "warm-up", ["vrs.document.objects"])
        alone = timed(document, root / "document", ["vrs.document.objects"])
        both = timed(document, root / "reference", CHECKS)
    print(f"{args.count} alleles: document check alone {alone:.2f} s | with the three refget checks {both:.2f} s "
          f"| ratio {both / alone:.2f} | {args.count / both:,.0f} alleles/s")


if __name__ == "__main__":
    main()
