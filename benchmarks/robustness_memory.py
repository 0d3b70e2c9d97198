"""Peak memory and wall time of `conformance run` against every corpus server (issue 8).

Each corpus server runs in this process; the harness runs in a subprocess under ``/usr/bin/time -v``
(or, without it, is measured by getrusage of the children) with the production default for
max_response_bytes (100 MiB) and a small request timeout. Prints one row per corpus server; no
assertions (tests/integration/test_robustness.py asserts the bounds).

    python benchmarks/robustness_memory.py [NAME ...]
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import corpus  # noqa: E402 - the corpus lives with the tests

SKIP = {"echo-secrets"}  # a redaction fixture, not a misbehaviour


def measure(name: str, workdir: Path, specs_dir: str | None) -> dict[str, object]:
    extra: list[corpus.CorpusServer] = []
    options: dict[str, object] = {}
    if name == "redirect-other-host":
        other = corpus.CorpusServer("conformant", host="127.0.0.2").start()
        extra.append(other)
        options["target"] = f"{other.url}/service-info"
    server = corpus.CorpusServer(name, **options).start()
    try:
        profile = workdir / f"{name}.yaml"
        budget = {"request_timeout_seconds": 5 if name in corpus.BEHAVIOURS and corpus.BEHAVIOURS[name].heavy
                  else 2, "max_seconds": 120, "max_run_bytes": 8 * 1024**3}
        profile.write_text(yaml.safe_dump({
            "initiative": f"corpus {name}",
            "services": [{"standard": "service-info", "version": "1.0.0", "artifact": "service-info",
                          "url": server.url}],
            "budget": budget}), encoding="utf-8")
        reports = workdir / f"reports-{name}"
        command = [sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile), "--report-dir",
                   str(reports), "--quiet"] + (["--specs-dir", specs_dir] if specs_dir else [])
        time_bin = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
        started = time.monotonic()
        if time_bin:
            process = subprocess.run([time_bin, "-v", *command], capture_output=True, text=True, cwd=REPO,
                                     timeout=600)
            match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", process.stderr)
            peak = int(match.group(1)) / 1024 if match else float("nan")
        else:
            import resource

            process = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        elapsed = time.monotonic() - started
    finally:
        server.stop()
        for other in extra:
            other.stop()
    verdict, limits = "?", ""
    found = sorted(reports.rglob("scorecard.json"))
    if found:
        data = json.loads(found[-1].read_text(encoding="utf-8"))
        verdict = data["services"][0]["verdict"]
        limits = ",".join(data["usage"]["limits_hit"])
    traceback = "Traceback" in process.stdout + process.stderr
    return {"name": name, "exit": process.returncode, "verdict": verdict, "seconds": elapsed, "peak_mb": peak,
            "limits": limits or "-", "traceback": traceback}


def main(argv: list[str]) -> int:
    names = argv or [n for n in corpus.BEHAVIOURS if n not in SKIP]
    from conformance import specs

    located = specs.locate(None)
    specs_dir = str(located) if located else None
    print(f"{'corpus server':<22} {'exit':>4} {'verdict':<15} {'seconds':>8} {'peak RSS MB':>12}  "
          f"{'limits hit':<28} traceback")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            row = measure(name, Path(tmp), specs_dir)
            print(f"{row['name']:<22} {row['exit']:>4} {row['verdict']:<15} {row['seconds']:>8.1f} "
                  f"{row['peak_mb']:>12.0f}  {row['limits']:<28} {'YES' if row['traceback'] else 'no'}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
