"""Ctrl-C leaves no TES task behind (issue 14): a run with writes against a fake engine whose created tasks
never finish is interrupted while the suite follows the task it created; the task is cancelled all the same."""

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
from conformance_suites.tes.reference.app import TesApp

from conformance.reference.server import ReferenceServer

pytestmark = pytest.mark.integration

COMMAND = [sys.executable, "-c", "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))"]


def test_sigint_while_following_a_task_cancels_it(tmp_path: Path) -> None:
    app = TesApp(["task-never-ends"], version="1.1.0")
    entry = next(e for e in TesApp.fault_entries() if e.get("writes"))
    with ReferenceServer(app) as server:
        profile = tmp_path / "profile.yaml"
        profile.write_text(yaml.safe_dump({
            "initiative": "interrupted tes", "budget": {"requests_per_second": 200, "max_seconds": 300},
            "services": [{"standard": "tes", "version": "1.1.0", "url": server.url, "writes": True,
                          "submit": entry["submit"], "poll_seconds": 120,
                          "auth": {"bearer_token_env": "TES_TOKEN"}}]}))
        process = subprocess.Popen([*COMMAND, "run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"),
                                    "--quiet", "--check", "tes.submit.final-state"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "TES_TOKEN": app.token})
        deadline = time.monotonic() + 60
        # the suite polls the task it created (which never finishes) for up to poll_seconds
        while not any(app.tasks[t]["state"] == "RUNNING" for t in list(app.submitted)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the suite never followed a created task"
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
        states = {t: app.tasks[t]["state"] for t in app.submitted}
    assert process.returncode != 0
    assert states and all(state in ("CANCELED", "CANCELING") for state in states.values()), states
    # the interrupted run's report lists the task it created, cancelled
    (scorecard,) = (tmp_path / "r").glob("*/*/scorecard.json")
    created = json.loads(scorecard.read_text(encoding="utf-8"))["services"][0]["created"]
    assert sorted(c["id"] for c in created) == sorted(states)
    assert all(c["kind"] == "task" and c["outcome"] == "cancelled" for c in created), created
