"""Adding a standard, as ARCHITECTURE.md walks through it: a minimal new standard written as an installed
kit (a package outside the repository, registered under the ``ga4gh_conformance.suites`` entry point),
then its fault matrix run the way a user would, with ``conformance`` commands.

The commands run in one fresh subprocess whose PYTHONPATH is the kit's folder, through
``conformance.cli.main`` (what the console script calls), so that the discovery caches of this test
process (``conformance.suite.discover``) never see the kit.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import conformance

pytestmark = pytest.mark.integration

STANDARD = "hello"
PACKAGE = "hello_kit"
CHECK_ID = "hello.message.is-string"
FAULT = "message-not-string"

#: The kit, file by file: exactly what "Adding a standard, step by step" in ARCHITECTURE.md lists.
KIT: dict[str, str] = {
    "__init__.py": '''
        """The Hello API 1.0.0: one endpoint, GET /hello."""

        from conformance import Suite

        SUITE = Suite(
            standard="hello",
            title="Hello API",
            versions=("1.0.0",),
            reference=".reference:APPS",
        )
        ''',
    "requirements.yaml": """
        requirements:
          - id: hello.message.is-string
            level: MUST
            citation: "Hello 1.0.0 §GET /hello"
            text: GET /hello answers 200 with a JSON object whose message is a string.
        """,
    "faults.yaml": """
        faults:
        - name: message-not-string
          description: '`message` is a number'
          catches:
          - hello.message.is-string
        """,
    "view.py": '''
        """The Hello API's view of one service: every answer several checks need, fetched once per run."""

        from __future__ import annotations

        from conformance import Response, ServiceView


        class Hello(ServiceView):
            def greeting(self) -> Response:
                """GET /hello (once per run)."""
                return self.memo("greeting", lambda: self.client.get("/hello"))
        ''',
    "fixtures.py": '''
        """Session fixtures of the Hello suite: one view of each Hello service per run."""

        from __future__ import annotations

        import pytest
        from conformance import Run, Service

        from .view import Hello


        @pytest.fixture(scope="session")
        def hello(service: Service, conformance_run: Run) -> Hello:
            return Hello.of(service, conformance_run)
        ''',
    "check_hello.py": '''
        """Checks of GET /hello (Hello 1.0.0 §GET /hello)."""

        from __future__ import annotations

        from conformance import check, fail, json_type

        from .view import Hello


        @check("hello.message.is-string")
        def test_message_is_a_string(hello: Hello) -> None:
            """GET /hello answers 200 with a JSON object whose message is a string (Hello 1.0.0 §GET /hello)."""
            response = hello.greeting()
            body = response.json_object()
            if response.status != 200 or body is None:
                raise fail(f"GET /hello answered {response.status}, not 200 with a JSON object", response)
            if not isinstance(body.get("message"), str):
                raise fail(f"message is a JSON {json_type(body.get('message'))}, not a string", response)
        ''',
    "reference/__init__.py": '''
        """The Hello reference server, loaded only when a server is wanted (SUITE.reference)."""

        from .app import HelloApp

        APPS = [HelloApp]
        ''',
    "reference/app.py": '''
        """The Hello reference server: conformant unless a fault of ../faults.yaml is injected."""

        from __future__ import annotations

        from conformance import ReferenceApp, Reply, Request, json_reply, route


        class HelloApp(ReferenceApp):
            @route("GET", "/hello")
            def hello(self, request: Request) -> Reply:
                return json_reply({"message": 42 if self.has("message-not-string") else "hello"})
        ''',
}


def write_kit(site: Path) -> None:
    """The kit in ``site`` (a folder on nobody's path but the subprocesses'), installed: a package and
    the ``*.dist-info`` folder whose entry point registers it."""
    for relative, text in KIT.items():
        path = site / PACKAGE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    dist_info = site / "hello_kit-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-kit\nVersion: 1.0\n", encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(f"[ga4gh_conformance.suites]\n{STANDARD} = {PACKAGE}\n",
                                                encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    write_kit(folder)
    return folder


def write_profile(site: Path, name: str, reference: Any) -> Path:
    """A profile of one Hello service served by the kit's reference server (``reference:``)."""
    profile = site / f"{name}.yaml"
    document = {"initiative": name, "services": [{"standard": STANDARD, "version": "1.0.0", "reference": reference}]}
    profile.write_text(yaml.safe_dump(document), encoding="utf-8")
    return profile


#: Runs ``conformance.cli.main`` (what the ``conformance`` console script runs) once per command line
#: given as JSON, and prints each exit code and output as JSON. One process for the four commands: the
#: CLI's start-up (about two seconds of CPU, mostly jsonschema's import) is paid once.
DRIVER = """
import contextlib, io, json, sys
from conformance.cli import main
done = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    done.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
print(json.dumps(done))
"""


@pytest.fixture(scope="module")
def commands(site: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """The walkthrough's commands, as ``conformance ARGS``, in a fresh process that has the kit installed
    (on its PYTHONPATH) and the working directory ``site``."""
    argvs = {
        "list-checks": ["list-checks", "--standard", STANDARD, "--format", "json"],
        "faults": ["reference", "faults", STANDARD],
        "conformant": ["run", "--profile", str(write_profile(site, "conformant", True)),
                       "--report-dir", str(site / "reports-conformant")],
        "faulty": ["run", "--profile", str(write_profile(site, "faulty", {"faults": [FAULT]})),
                   "--report-dir", str(site / "reports-faulty")],
    }
    env = {**os.environ, "PYTHONPATH": str(site)}
    process = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(list(argvs.values()))], cwd=site, env=env,
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    results = json.loads(process.stdout.splitlines()[-1])
    return {name: subprocess.CompletedProcess(argv, r["code"], r["stdout"], r["stderr"])
            for (name, argv), r in zip(argvs.items(), results, strict=True)}


def scorecard_of(site: Path, name: str) -> dict[str, Any]:
    scorecards = sorted((site / f"reports-{name}").rglob("scorecard.json"))
    assert len(scorecards) == 1, scorecards
    data: dict[str, Any] = json.loads(scorecards[0].read_text(encoding="utf-8"))
    return data


def check_of(scorecard: dict[str, Any], check_id: str) -> dict[str, Any]:
    [service] = scorecard["services"]
    found: dict[str, Any] = next(c for c in service["checks"] if c["id"] == check_id)
    return found


def test_the_kit_uses_only_the_kit_api(site: Path) -> None:
    """Every core import of the kit is ``from conformance import <a name of conformance.__all__>``."""
    for path in sorted((site / PACKAGE).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("conformance"):
                assert node.module == "conformance", f"{path.name}: from {node.module} import ..."
                assert {a.name for a in node.names} <= set(conformance.__all__), path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("conformance") for a in node.names), path.name


def test_list_checks_shows_the_new_check(commands: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = commands["list-checks"]
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["standard"], r["id"], r["check"]) for r in rows] == [
        (STANDARD, CHECK_ID, "check_hello.test_message_is_a_string")]


def test_reference_faults_lists_the_fault(commands: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = commands["faults"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{STANDARD}:"
    assert FAULT in result.stdout and f"[caught by: {CHECK_ID}]" in result.stdout


def test_conformant_reference_server_passes(site: Path, commands: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = commands["conformant"]
    assert result.returncode == 0, result.stdout + result.stderr
    scorecard = scorecard_of(site, "conformant")
    assert check_of(scorecard, CHECK_ID)["outcome"] == "passed"
    assert scorecard["services"][0]["verdict"] == "conformant"


def test_injected_fault_fails_the_check_it_names(site: Path,
                                                 commands: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = commands["faulty"]
    assert result.returncode == 1, result.stdout + result.stderr
    scorecard = scorecard_of(site, "faulty")
    check = check_of(scorecard, CHECK_ID)
    assert check["outcome"] == "failed"
    assert check["message"] == "message is a JSON integer, not a string"
    assert scorecard["services"][0]["verdict"] == "non-conformant"
    [case] = check["cases"]
    assert case["evidence"][0]["response_body"] == '{"message": 42}', "the failure carries the answer as evidence"
