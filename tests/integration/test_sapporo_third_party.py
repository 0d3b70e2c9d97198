"""The WES suite against a third-party server: sapporo-service 2.4.0 (Apache-2.0, PyPI), which declares WES 1.1.0
with its own extensions (``sapporo-wes-2.1.0``), read-only.

Its workflow engines run in containers (run.sh calls docker), which this test does not have: the server starts
with an empty run directory, lists no run, and the checks of runs skip. The test asserts the exact set of
failed checks: the server's genuine deviations from WES 1.1.0, and no other.

The server is found through ``CONFORMANCE_SAPPORO``, the path of a ``sapporo`` executable (``.ci/run`` installs
``sapporo==2.4.0`` into a virtual environment of its own: its dependencies are not the harness's).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from third_party_server import executable_from, serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

STARTUP_SECONDS = 60.0

# Failed checks observed against sapporo-service 2.4.0 (WES 1.1.0), each a genuine deviation.
EXPECTED_FAILURES = {
    # GA4GH service-info 1.0.0 Service.environment is a string (not nullable); sapporo sends "environment": null.
    "service-info.schema.valid": "environment is null",
    # service-info 1.0.0 ServiceType.group: "Use `org.ga4gh` for implementations compliant with official GA4GH
    # specifications" (a SHOULD: a warning); sapporo uses "sapporo-wes".
    "service-info.type.group-is-org-ga4gh": "type.group is 'sapporo-wes'",
    # WES 1.1.0 §GetRunLog and §GetRunStatus: 404 "The requested workflow run not found"; the operations define
    # no 400. sapporo answers 400 to a run id that is not a UUID (it answers 404 to an unknown UUID).
    "wes.run.unknown-is-404": "GET /runs/<unknown non-UUID id> answers 400",
    "wes.property.unknown-runs-are-404": "generated unknown ids answer 400",
    # WES 1.1.0 components/schemas/RunListResponse.next_page_token is a string ("An empty string indicates there
    # are no more items"); sapporo sends null.
    "wes.schema.run-list-valid": "next_page_token is null",
    # WES 1.1.0 components/schemas/ServiceInfo.default_workflow_engine_parameters is an array of
    # DefaultWorkflowEngineParameter; sapporo sends an object keyed by engine.
    "wes.schema.service-info-valid": "default_workflow_engine_parameters is an object",
}


@pytest.fixture
def sapporo_service(tmp_path: Path) -> Iterator[str]:
    """The base URL of a running sapporo (its run directory in tmp_path); stopped by its PID."""
    server = executable_from("CONFORMANCE_SAPPORO", "pip install sapporo==2.4.0")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving("sapporo", [server, "--host", "127.0.0.1", "--port", str(port), "--run-dir", str(run_dir)],
                 f"{url}/service-info", tmp_path, startup_seconds=STARTUP_SECONDS):
        yield url


def test_sapporo_fails_exactly_its_deviations(sapporo_service: str, report_root: Path,
                                              specs_dir: str | None) -> None:
    entry = {"standard": "wes", "version": "1.1.0", "url": sapporo_service}
    result = run_profile({"initiative": "sapporo-service 2.4.0", "services": [entry]}, report_root,
                         specs_dir=specs_dir, standards=["wes"])
    failed = {name.split(":", 2)[1] for name in result.failed()}
    expected = set(EXPECTED_FAILURES)
    if specs_dir is None:  # the schema checks need the official schemas
        expected -= {"service-info.schema.valid", "wes.schema.run-list-valid", "wes.schema.service-info-valid"}
    assert failed == expected, result.output
    assert result.errors() == [], result.output
    assert result.exit_code == 1
    assert result.outcome("wes.service-info.answers-200") == "passed"
    assert result.outcome("wes.runs.list-answers-200") == "passed"
