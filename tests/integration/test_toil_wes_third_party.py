"""The WES suite against a third-party server: toil 9.6.0's WES server (``toil server``, Apache-2.0, PyPI),
WES 1.0.0, with writes.

The server runs without Celery (``--bypass_celery``) and runs CWL with its own ``toil-cwl-runner``, locally, no
container: the profile submits a one-step CWL tool (``echo``) as an attachment, so the suite follows a real run
to COMPLETE and cancels another; a second, read-only pass names the runs the first left, for the RunLog checks.
The test asserts the exact set of failed checks of each pass: the server's genuine deviations from WES 1.0.0,
and no other.

The server is found through ``CONFORMANCE_TOIL``, the path of a ``toil`` executable (``.ci/run`` installs
``toil[server,cwl,aws]==9.6.0`` into a virtual environment of its own: its dependencies are not the harness's;
the server imports botocore, hence ``aws``).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from third_party_server import executable_from, serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

STARTUP_SECONDS = 60.0

HELLO_CWL = """\
cwlVersion: v1.2
class: CommandLineTool
baseCommand: echo
stdout: out.txt
inputs:
  message: {type: string, inputBinding: {position: 1}}
outputs:
  out: {type: stdout}
"""

SUBMIT: dict[str, Any] = {"workflow_type": "CWL", "workflow_type_version": "v1.2", "workflow_url": "hello.cwl",
                          "workflow_params": {"message": "conformance"}, "attachments": {"hello.cwl": HELLO_CWL}}

# Failed checks observed against toil 9.6.0, each a genuine deviation from WES 1.0.0.
EXPECTED_FAILURES = {
    # WES 1.0.0 Swagger definitions/RunListResponse: the runs are listed under `runs`; toil lists them under
    # `workflows` (WES 0.3's name), so the run just submitted is in no `runs` list.
    "wes.submit.run-is-listed": "GET /runs lists {workflows, next_page_token}",
    # WES 1.0.0 Swagger §RunWorkflow: 400 "The request is malformed."; workflow_params that are not JSON are
    # answered 500 (a SHOULD in the suite: a warning).
    "wes.submit.invalid-refused": "unparseable workflow_params answer 500",
}

# Read-only, with those runs named in the profile.
EXPECTED_RUN_LOG_FAILURES = {
    # WES 1.0.0 Swagger definitions/Log: start_time and end_time are strings, exit_code an integer; the run
    # toil makes of a request with unparseable workflow_params (SYSTEM_ERROR) gives all three as null.
    "wes.schema.run-log-valid": "run_log start_time, end_time, exit_code null",
}


@pytest.fixture
def toil_service(tmp_path: Path) -> Iterator[str]:
    """The base URL of a running ``toil server`` (its work directory in tmp_path); stopped by its PID."""
    server = executable_from("CONFORMANCE_TOIL", "pip install 'toil[server,cwl,aws]==9.6.0'")
    port = free_port()
    # toil-cwl-runner beside toil, first on PATH: the server calls it by name
    environment = {**os.environ, "PATH": f"{Path(server).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    url = f"http://127.0.0.1:{port}/ga4gh/wes/v1"
    # its own process group: the server's workers and the runs they start are stopped with it
    with serving("toil server", [server, "server", "--host", "127.0.0.1", "--port", str(port), "--bypass_celery",
                                 "--work_dir", str(tmp_path / "workflows")],
                 f"{url}/service-info", tmp_path, env=environment, startup_seconds=STARTUP_SECONDS, own_group=True):
        yield url


def test_toil_wes_fails_exactly_its_deviations(toil_service: str, report_root: Path,
                                               specs_dir: str | None) -> None:
    entry = {"standard": "wes", "version": "1.0.0", "url": toil_service, "writes": True, "submit": SUBMIT}
    result = run_profile({"initiative": "toil 9.6.0", "services": [entry]}, report_root,
                         specs_dir=specs_dir, standards=["wes"])
    failed = {name.split(":", 2)[1] for name in result.failed()}
    assert failed == set(EXPECTED_FAILURES), result.output
    assert result.errors() == [], result.output
    assert result.exit_code == 1
    for check_id in ("wes.submit.returns-run-id", "wes.submit.request-echoed", "wes.run.unknown-is-404"):
        assert result.outcome(check_id) == "passed", (check_id, result.output)
    if specs_dir is not None:  # its pages have no `runs` key, which RunListResponse does not require
        assert result.outcome("wes.schema.run-list-valid") == "passed", result.output

    # Read-only, naming the runs the first pass left (toil lists them under `workflows`): the RunLog checks.
    with urllib.request.urlopen(f"{toil_service}/runs", timeout=10) as answer:
        runs = {item["run_id"]: item["state"] for item in json.load(answer)["workflows"]}
    # the followed run, the cancelled one, and a SYSTEM_ERROR run for each invalid submission toil took in
    states = sorted(runs.values())
    assert states[:2] == ["CANCELED", "COMPLETE"] and set(states[2:]) == {"SYSTEM_ERROR"}, runs
    entry = {"standard": "wes", "version": "1.0.0", "url": toil_service, "runs": sorted(runs)}
    result = run_profile({"initiative": "toil 9.6.0 runs", "services": [entry]}, report_root,
                         specs_dir=specs_dir, standards=["wes"])
    failed = {name.split(":", 2)[1] for name in result.failed()}
    assert failed == (set(EXPECTED_RUN_LOG_FAILURES) if specs_dir is not None else set()), result.output
    assert result.errors() == [], result.output
    for check_id in ("wes.run.log-answers-200", "wes.run.status-agrees-with-log", "wes.run.timestamps-ordered",
                     "wes.run.complete-has-end-time-and-outputs", "wes.state.terminal-states-never-change"):
        assert result.outcome(check_id) == "passed", (check_id, result.output)
