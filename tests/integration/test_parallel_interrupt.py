"""Ctrl-C and SIGTERM of a run with ``--jobs 2`` (conformance/parallel.py): the workers are interrupted
through the parent, what they had finished is kept, every report says interrupted, no worker is left
running and no worker folder is left in the run directory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from test_interrupt import assert_says_interrupted, run_dirs

from conformance.testing import reference_entries

pytestmark = pytest.mark.integration


def start(tmp_path: Path) -> subprocess.Popen[str]:
    profile = tmp_path / "profile.yaml"
    services = [e for standard in ("htsget", "trs", "tes") for e in reference_entries(standard)]
    profile.write_text(yaml.safe_dump({"initiative": "parallel interrupt", "services": services}), encoding="utf-8")
    command = [sys.executable, "-c", "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))",
               "run", str(profile), "--jobs", "2", "--report-dir", str(tmp_path / "reports")]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
                            start_new_session=True)


def workers_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_reaches_every_worker_and_the_reports_say_interrupted(sig: int, tmp_path: Path) -> None:
    process = start(tmp_path)
    assert process.stdout is not None
    deadline = time.monotonic() + 300
    seen = 0
    while seen < 3:  # a few checks have ended: the workers are running
        line = process.stdout.readline()
        assert line and time.monotonic() < deadline, "the run ended before its checks were under way"
        seen += line.startswith(("PASS", "FAIL", "SKIP", "ERROR"))
    workers = workers_of(process.pid)
    assert len(workers) == 2
    os.kill(process.pid, sig)  # the parent only, as a CI job's cancel or a sweep's stop sends it
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2, out + err
    assert "Traceback" not in err, err
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    (run_dir,) = run_dirs(tmp_path / "reports")
    assert not list(run_dir.glob(".worker-*"))
    assert_says_interrupted(run_dir)
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert any(c["outcome"] == "passed" for s in card["services"] for c in s["checks"]), "finished checks were lost"
