"""Peak memory and wall time of a whole `conformance run` against hostile servers (issue 23).

One profile puts a DRS, an htsget and a Beacon service at the same corpus server, which misbehaves on
every path (``everywhere=True``), so that every standard's checks meet the behaviour; the harness runs
in a subprocess under ``/usr/bin/time -v`` (the run is one process: its maximum resident set is the
peak of the whole run). Each row is printed beside the baseline, the same profile against the
well-behaved corpus server, with the ratio. Also checks what the issue asks of each run: exit 1 or 2,
every report file valid (JSON parses, JUnit is XML), no traceback. No assertions; prints a table.

    python benchmarks/hostile_memory.py [MODE ...]            # default: every mode
    python benchmarks/hostile_memory.py --max-seconds 60 endless-body gzip-bomb
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import corpus  # noqa: E402 - the corpus lives with the tests

#: Modes that are not a misbehaviour of one server (a redaction fixture, a two-server redirect).
SKIP = {"echo-secrets", "redirect-other-host"}
SERVICES: list[dict[str, Any]] = [
    {"standard": "drs", "version": "1.5.0", "objects": ["blob-1"]},
    {"standard": "htsget", "version": "1.3.0", "reads": [{"id": "NA12878", "referenceName": "chr1"}]},
    {"standard": "beacon", "version": "2.1.1"},
]


#: A bearer token every service is given: it must appear in no report file and no output.
TOKEN = "hostile-" + secrets.token_hex(16)


def profile(url: str, name: str, max_seconds: float, timeout: float) -> dict[str, Any]:
    return {"initiative": f"hostile {name}",
            "services": [{**service, "url": url, "name": service["standard"],
                          "auth": {"bearer_token_env": "HOSTILE_TOKEN"}} for service in SERVICES],
            "budget": {"request_timeout_seconds": timeout, "max_seconds": max_seconds,
                       "max_run_bytes": 8 * 1024**3}}


def run_seconds(reports: Path) -> float:
    """The run's own clock (scorecard started → finished): the wall time less the start-up, which a
    loaded machine stretches."""
    found = sorted(reports.rglob("scorecard.json"))
    if not found:
        return float("nan")
    try:
        data = json.loads(found[-1].read_text(encoding="utf-8"))
        started, finished = (dt.datetime.fromisoformat(data[k].replace("Z", "+00:00")) for k in ("started", "finished"))
    except (ValueError, KeyError):
        return float("nan")
    return (finished - started).total_seconds()


def reports_valid(reports: Path) -> str:
    """'ok', or what is wrong with the report files of the run."""
    runs = sorted(p.parent for p in reports.rglob("scorecard.json"))
    if not runs:
        return "no scorecard"
    for path in runs[-1].rglob("*"):
        try:
            if path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
            elif path.suffix == ".xml":
                ET.parse(path)
        except (ValueError, ET.ParseError) as exc:
            return f"{path.name} invalid ({str(exc)[:40]})"
    return "ok"


def measure(name: str, workdir: Path, specs_dir: str | None, max_seconds: float, timeout: float) -> dict[str, Any]:
    server = corpus.CorpusServer(name, everywhere=True).start()
    try:
        path = workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(profile(server.url, name, max_seconds, timeout)), encoding="utf-8")
        reports = workdir / f"reports-{name}"
        command = [sys.executable, "-m", "conformance.cli", "run", "--profile", str(path), "--report-dir",
                   str(reports), "--quiet"] + (["--specs-dir", specs_dir] if specs_dir else [])
        started = time.monotonic()
        process = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, cwd=REPO,
                                 timeout=max_seconds * 3 + 60, env={**os.environ, "HOSTILE_TOKEN": TOKEN})
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", process.stderr)
    return {"name": name, "exit": process.returncode, "seconds": elapsed, "run_seconds": run_seconds(reports),
            "peak_mb": int(match.group(1)) / 1024 if match else float("nan"),
            "reports": reports_valid(reports), "traceback": "Traceback" in process.stdout + process.stderr,
            "leaked": leaked(reports, process.stdout + process.stderr)}


def leaked(reports: Path, output: str) -> bool:
    """Whether the token appears in the run's output or any file it wrote."""
    files = (p for p in reports.rglob("*") if p.is_file())
    return TOKEN in output or any(TOKEN in p.read_text(encoding="utf-8", errors="replace") for p in files)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("modes", nargs="*")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--request-timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    modes = args.modes or [n for n in corpus.BEHAVIOURS if n not in SKIP and n != "conformant"]
    from conformance import specs

    located = specs.locate(None)
    specs_dir = str(located) if located else None
    print(f"profile: drs + htsget + beacon at one server; max_seconds={args.max_seconds:g}, "
          f"request_timeout_seconds={args.request_timeout:g}")
    print(f"{'mode':<22} {'exit':>4} {'wall s':>7} {'run s':>6} {'peak RSS MB':>12} {'× baseline':>10}  reports  "
          "traceback  token leaked")
    with tempfile.TemporaryDirectory() as tmp:
        base = measure("conformant", Path(tmp), specs_dir, args.max_seconds, args.request_timeout)
        for name in ["conformant", *modes]:
            row = base if name == "conformant" else measure(name, Path(tmp), specs_dir, args.max_seconds,
                                                             args.request_timeout)
            print(f"{row['name']:<22} {row['exit']:>4} {row['seconds']:>7.1f} {row['run_seconds']:>6.1f} "
                  f"{row['peak_mb']:>12.0f} "
                  f"{row['peak_mb'] / base['peak_mb']:>10.2f}  {row['reports']:<8} "
                  f"{'YES' if row['traceback'] else 'no':<9}  {'YES' if row['leaked'] else 'no'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
