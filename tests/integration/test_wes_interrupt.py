"""Ctrl-C leaves no WES run behind (issue 14): a run with writes against a fake engine whose runs never
finish is interrupted while the suite follows the run it submitted; the run is cancelled all the same."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from conformance_suites.wes.reference.app import SUBMIT, WesApp

from conformance.reference.server import ReferenceServer

pytestmark = pytest.mark.integration

COMMAND = [sys.executable, "-c", "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))"]


class NeverFinishes(WesApp):
    submitted_trajectory: ClassVar[tuple[str, ...]] = ("QUEUED", "RUNNING")


def test_sigint_while_following_a_run_cancels_it(tmp_path: Path) -> None:
    app = NeverFinishes(version="1.1.0")
    with ReferenceServer(app) as server:
        profile = tmp_path / "profile.yaml"
        profile.write_text(yaml.safe_dump({
            "initiative": "interrupted wes", "budget": {"requests_per_second": 200, "max_seconds": 300},
            "services": [{"standard": "wes", "version": "1.1.0", "url": server.url, "writes": True,
                          "submit": dict(SUBMIT), "auth": {"bearer_token_env": "WES_TOKEN"}}]}))
        process = subprocess.Popen([*COMMAND, "run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"),
                                    "--quiet", "--check", "wes.state.terminal-states-never-change"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "WES_TOKEN": app.token})
        deadline = time.monotonic() + 60
        # the suite polls the run it submitted (which never finishes) for a third of max_seconds
        while not any(run.submitted and run.reads > 2 for run in list(app.runs.values())):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the suite never followed a submitted run"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
        submitted = [run for run in app.runs.values() if run.submitted]
    assert process.returncode != 0
    assert submitted and all(run.state in ("CANCELING", "CANCELED") for run in submitted), \
        [(r.run_id, r.state) for r in submitted]
    # the interrupted run's report lists the run it created, cancelled
    (scorecard,) = (tmp_path / "r").glob("*/*/scorecard.json")
    created = json.loads(scorecard.read_text(encoding="utf-8"))["services"][0]["created"]
    assert [c["id"] for c in created] == [run.run_id for run in submitted]
    assert all(c["kind"] == "run" and c["outcome"] == "cancelled" for c in created), created
