"""The TRS suite against a third-party server: the Galaxy Tool Shed 26.1.2 (AFL-3.0, PyPI ``galaxy-tool-shed``),
which serves its tools at ``/api/ga4gh/trs/v2``, read-only.

The Tool Shed starts from a tool_shed.yml in the test's directory (SQLite, no repository uploaded). Its TRS
routes serve Galaxy's stock tools (``Filter1``, ``Grouping1``, ``cat1``, ...) by id without any repository,
so the profile names three of them. It declares TRS 2.1.0 in its service-info; the harness checks TRS 2.0.0
and 2.0.1, so the profile declares 2.0.1, the nearest. The test asserts the exact set of failed checks: the
server's genuine deviations from TRS 2.0.1 (and the version mismatch the declaration causes), and no other.

The server is found through ``CONFORMANCE_TOOL_SHED``, the python of a virtual environment of its own holding
``galaxy-tool-shed==26.1.2`` (its dependencies are not the harness's; about 1.2 GB and four minutes to
install): the test starts ``python -m uvicorn`` with the Tool Shed's app factory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from third_party_server import executable_from, serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

STARTUP_SECONDS = 180.0
TOOLS = ["Filter1", "Grouping1", "cat1"]

# Failed checks observed against the Galaxy Tool Shed 26.1.2 (declared as TRS 2.0.1), each a genuine deviation
# but the version mismatch; a consequence of another failure is named after its cause.
EXPECTED_FAILURES = {
    # GA4GH service-info 1.0.0 Service: contactUrl, documentationUrl, createdAt, updatedAt, environment are
    # strings (not nullable, OpenAPI 3.0); the Tool Shed sends null for them.
    "service-info.schema.valid": "optional Service fields are null",
    "service-info.urls.are-uris": "consequence: contactUrl null",
    "service-info.timestamps.rfc3339": "consequence: createdAt null",
    # Not a deviation of the server: its service-info says type.version 2.1.0 (a TRS release the harness has no
    # suite for), the profile declares 2.0.1.
    "service-info.type.version-matches-declared": "type.version '2.1.0', declared 2.0.1",
    # TRS 2.0.1 OpenAPI (3.0.0) components › schemas › Tool and ToolVersion: no property is nullable; the Tool
    # Shed sends null for aliases, checker_url, has_checker, meta_version and, in each version, name, images,
    # is_production, descriptor_type_version, signed, included_apps, ...
    "trs.tool.schema": "optional Tool and ToolVersion fields are null",
    # TRS 2.0.1 OpenAPI, paths › /tools ("List all tools", "returns all tools available"): GET /tools answers []
    # (filtered or not) while GET /tools/Filter1 serves the tool.
    "trs.tools.lists-served-tools": "GET /tools lists none of the tools it serves by id",
    # Consequence of trs.tool.schema: the same null ToolVersion fields in GET /tools/{id}/versions (TRS 2.0.1
    # OpenAPI, /tools/{id}/versions › 200: an array of ToolVersion), the versions of GET /tools/{id} as they are.
    "trs.versions.match-tool": "consequence: optional ToolVersion fields are null",
    # TRS 2.0.1 OpenAPI, paths › /tools/{id}/versions/{version_id} › 200 (a ToolVersion): the Tool Shed has no
    # such route; a version it lists answers 404 text/html.
    "trs.version.schema": "GET /tools/Filter1/versions/1.1.0 answers 404",
    # Consequence of trs.version.schema (TRS 2.0.1 OpenAPI, /tools/{id}/versions/{version_id} › 404: an Error): the
    # missing route answers an unknown version with the HTML page it answers a listed one with.
    "trs.version.unknown-404": "consequence: an unknown version answers 404 text/html, as a listed one does",
    # TRS 2.0.1 OpenAPI, paths › /tools/{id}/versions/{version_id}/{type}/descriptor › 200 and …/{type}/files ›
    # 200: each version lists descriptor_type [GALAXY], but neither route exists (404 text/html).
    "trs.descriptor.schema": "the GALAXY descriptor of a listed version answers 404",
    "trs.files.schema": "the GALAXY files of a listed version answer 404",
}

# The checks that need the official schemas (without them they skip; the rest fail on the status, the media
# type or a field's own format, service-info's URLs and timestamps then as root causes).
SCHEMA_CHECKS = {"service-info.schema.valid", "trs.tool.schema", "trs.versions.match-tool", "trs.descriptor.schema",
                 "trs.files.schema"}


def _tool_shed_yml(root: Path) -> Path:
    data = root / "database"
    for folder in ("repos", "hgweb", "whoosh", "tmp"):
        (data / folder).mkdir(parents=True)
    config = {"tool_shed": {
        "database_connection": f"sqlite:///{data}/community.sqlite?isolation_level=IMMEDIATE",
        "file_path": str(data / "repos"), "hgweb_config_dir": str(data / "hgweb"),
        "whoosh_index_dir": str(data / "whoosh"), "new_file_path": str(data / "tmp"),
        "id_secret": "conformance-tool-shed-id-secret",
    }}
    path = root / "tool_shed.yml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


@pytest.fixture
def tool_shed_trs(tmp_path: Path) -> Iterator[str]:
    """The TRS base URL of a running Tool Shed (all its state in tmp_path); stopped by its PID."""
    python = executable_from("CONFORMANCE_TOOL_SHED", "pip install galaxy-tool-shed==26.1.2")
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/ga4gh/trs/v2"
    env = {**os.environ, "TOOL_SHED_CONFIG_FILE": str(_tool_shed_yml(tmp_path)), "PYTHONWARNINGS": "ignore"}
    command = [python, "-m", "uvicorn", "--factory", "tool_shed.webapp.fast_factory:factory",
               "--host", "127.0.0.1", "--port", str(port)]
    with serving("tool-shed", command, f"{url}/toolClasses", tmp_path, env=env, startup_seconds=STARTUP_SECONDS):
        yield url


def test_tool_shed_fails_exactly_its_deviations(tool_shed_trs: str, report_root: Path,
                                                specs_dir: str | None) -> None:
    profile = {"initiative": "Galaxy Tool Shed 26.1.2", "services": [
        {"standard": "trs", "version": "2.0.1", "url": tool_shed_trs, "tools": TOOLS}]}
    result = run_profile(profile, report_root, specs_dir=specs_dir, standards=["trs"])
    failed = {c.id for s in result.scorecard.services for c in s.checks if c.outcome == "failed"}
    expected = set(EXPECTED_FAILURES) - (SCHEMA_CHECKS if specs_dir is None else set())
    assert failed == expected, result.failed()
    assert result.errors() == [], result.output
    assert result.exit_code == 1
    if specs_dir is None:
        return
    # one root cause, one failure: the consequences name their cause
    assert result.check("service-info.urls.are-uris").caused_by == "service-info.schema.valid"
    assert result.check("trs.versions.match-tool").caused_by == "trs.tool.schema"
    assert result.check("trs.version.unknown-404").caused_by == "trs.version.schema"
    assert result.check("trs.tools.lists-served-tools").caused_by is None
    # what the Tool Shed does serve as TRS 2.0.1 asks
    for check_id in ("trs.tool-classes.schema", "trs.tools.schema", "trs.tool.matches-list",
                     "trs.tool.unknown-404", "trs.property.unknown-ids-are-404"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
