"""The WES suite against a third-party server: wes-service 5.0 (Apache-2.0, PyPI), the GA4GH WES reference
implementation, with its cwl_runner backend, read-only.

Its service-info runs ``cwl-runner --version``; no CWL runner is installed here, so a stub that prints
nothing stands in for it (the server then reports the engine version ``"b''"``, the bytes' repr). The server
starts with an empty work directory: it lists no run, so the checks of runs skip. The test asserts the
exact set of failed checks: the server's genuine deviations from WES 1.0.0, and no other.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from third_party_server import serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

STARTUP_SECONDS = 60.0

# Failed checks observed against wes-service 5.0, each a genuine deviation from WES 1.0.0.
EXPECTED_FAILURES = {
    # §GetRunLog, §GetRunStatus: 404 "The requested workflow run not found"; it answers 500 (FileNotFoundError
    # on the run's request.json).
    "wes.run.unknown-is-404": "GET /runs/<unknown> answers 500",
    "wes.property.unknown-runs-are-404": "every generated unknown id answers 500",
}


@pytest.fixture
def wes_service(tmp_path: Path) -> Iterator[str]:
    """The base URL of a running wes-server (its work directory in tmp_path); stopped by its PID."""
    beside = Path(sys.executable).parent / "wes-server"  # the test's own environment first
    server = str(beside) if beside.exists() else shutil.which("wes-server")
    if server is None:
        pytest.skip("wes-service is not installed (optional test dependency: pip install wes-service==5.0)")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    runner = stubs / "cwl-runner"
    runner.write_text("#!/bin/sh\nexit 0\n")
    runner.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    port = free_port()
    environment = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', '')}"}
    url = f"http://127.0.0.1:{port}/ga4gh/wes/v1"
    with serving("wes-server", [server, "--port", str(port), "--backend", "wes_service.cwl_runner"], f"{url}/runs",
                 work, env=environment, startup_seconds=STARTUP_SECONDS):
        yield url


def test_wes_service_fails_exactly_its_deviations(wes_service: str, report_root: Path,
                                                   specs_dir: str | None) -> None:
    entry = {"standard": "wes", "version": "1.0.0", "url": wes_service}
    result = run_profile({"initiative": "wes-service 5.0", "services": [entry]}, report_root,
                         specs_dir=specs_dir, standards=["wes"])
    failed = {name.split(":", 2)[1] for name in result.failed()}
    assert failed == set(EXPECTED_FAILURES), result.output
    assert result.errors() == [], result.output
    assert result.exit_code == 1
    # its service-info (engine version "b''" included) is a valid 1.0.0 ServiceInfo
    assert result.outcome("wes.service-info.answers-200") == "passed"
    if specs_dir is not None:
        assert result.outcome("wes.schema.service-info-valid") == "passed"


def test_one_unknown_run_cause_is_counted_once(wes_service: str, report_root: Path) -> None:
    # the 500 to an unknown run fails the fixed-id check and the generated-id property: one cause, grouped
    entry = {"standard": "wes", "version": "1.0.0", "url": wes_service}
    result = run_profile({"initiative": "wes-service 5.0", "services": [entry]}, report_root,
                         checks=["wes.run.unknown-is-404", "wes.property.unknown-runs-are-404"])
    assert result.check("wes.run.unknown-is-404").caused_by is None
    assert result.check("wes.property.unknown-runs-are-404").caused_by == "wes.run.unknown-is-404"
    assert result.scorecard.services[0].counts()["failed"] == 1
