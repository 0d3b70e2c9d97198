"""The WES suite against a third-party server: GenPEI 1.0.1 (Apache-2.0, PyPI `genpei`), a WES 1.0.0 server
that runs CWL with cwltool. First a writes run submits a one-step CWL workflow (an attachment) and cancels a
second submission; then a read-only run reads the runs it left. The test asserts the exact set of failed checks
of each: GenPEI's genuine deviations from WES 1.0.0, and no other.

GenPEI needs `workflow_engine_parameters` in a run request although WES 1.0.0 makes it OPTIONAL (without it
the run ends SYSTEM_ERROR on a KeyError); the submit block gives it, so the run really executes.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from third_party_server import serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

STARTUP_SECONDS = 60.0

WORKFLOW = """cwlVersion: v1.2
class: CommandLineTool
baseCommand: echo
inputs:
  message:
    type: string
    inputBinding: {position: 1}
outputs:
  out:
    type: stdout
stdout: out.txt
"""

# Failed checks of the writes run, each a genuine deviation from WES 1.0.0.
WRITES_FAILURES = {
    # §RunWorkflow responses 400 "The request is malformed": workflow_params "{not json" is accepted with 200
    # (the run it creates ends SYSTEM_ERROR). SHOULD: a warning.
    "wes.submit.invalid-refused",
}

# Failed checks of the read-only run over the runs the writes run left.
READ_ONLY_FAILURES = {
    # definitions/RunLog.request is a RunRequest, whose workflow_params is `type: object`: GenPEI echoes the
    # JSON string the form carried.
    "wes.schema.run-log-valid",
    # §ListRuns page_size: "The implementation must not return more items than `page_size`"; every run is
    # returned whatever page_size asks.
    "wes.runs.page-size-respected",
}


@pytest.fixture
def genpei(tmp_path: Path) -> Iterator[str]:
    """The base URL of a running GenPEI (its run directory in tmp_path); stopped by its PID."""
    beside = Path(sys.executable).parent / "genpei"  # the test's own environment first
    server = str(beside) if beside.exists() else shutil.which("genpei")
    if server is None:
        pytest.skip("GenPEI is not installed (optional test dependency: pip install genpei==1.0.1)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving("genpei", [server, "--host", "127.0.0.1", "--port", str(port), "--run-dir", str(tmp_path / "run")],
                 f"{url}/service-info", tmp_path, startup_seconds=STARTUP_SECONDS):
        yield url


def _failed(entry: dict[str, Any], report_root: Path, specs_dir: str | None) -> tuple[set[str], Any]:
    result = run_profile({"initiative": "GenPEI 1.0.1", "services": [entry]}, report_root,
                         specs_dir=specs_dir, standards=["wes"])
    assert result.errors() == [], result.output
    return {name.split(":", 2)[1] for name in result.failed()}, result


def test_genpei_fails_exactly_its_deviations(genpei: str, report_root: Path, specs_dir: str | None) -> None:
    submit = {"workflow_url": "workflow.cwl", "workflow_type": "CWL", "workflow_type_version": "v1.2",
              "workflow_params": {"message": "hello"}, "workflow_engine_parameters": {},
              "attachments": {"workflow.cwl": WORKFLOW}}
    writes = {"standard": "wes", "version": "1.0.0", "url": genpei, "writes": True, "submit": submit}
    failed, result = _failed(writes, report_root / "writes", specs_dir)
    assert failed == WRITES_FAILURES, result.output
    # the echoed workflow_params, a JSON string, are the parameters submitted (its type is the schema's finding)
    assert result.outcome("wes.submit.request-echoed") == "passed"
    assert result.outcome("wes.submit.run-is-listed") == "passed"

    read_only = {"standard": "wes", "version": "1.0.0", "url": genpei}
    failed, result = _failed(read_only, report_root / "read-only", specs_dir)
    expected = READ_ONLY_FAILURES if specs_dir is not None else READ_ONLY_FAILURES - {"wes.schema.run-log-valid"}
    assert failed == expected, result.output
    assert result.outcome("wes.run.unknown-is-404") == "passed"
