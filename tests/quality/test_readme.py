"""The README's path (issue 21.6): what it tells a new user to run exists and works.

The quick tests read the README: the profiles it names exist, the profiles it shows parse, it links
no page the repository does not have. The integration tests run its Quickstart commands in a copy of
the repository with no official schemas and an empty cache: the installs read the package index this
machine is configured with, and what runs after them has no network at all (a network namespace with
only loopback).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conformance import profile as profiles
from conformance import suite as suites

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
ENV_NAME = re.compile(r"\b\w+_env:\s*([A-Za-z_][A-Za-z0-9_]*)")


def quickstart() -> list[str]:
    """The commands of the Quickstart's shell block, comments cut."""
    section = README.split("## Quickstart", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.strip().splitlines() if line.strip()]


def test_quickstart_creates_a_virtual_environment_first() -> None:
    commands = quickstart()
    assert re.match(r"python3? -m venv \S+ && \. \S+/bin/activate$", commands[0]), commands[0]
    assert commands[1:] == ["pip install . && conformance demo", "pip install nox && python -m nox"]
    assert "virtual environment first" in README


def test_the_profiles_the_readme_names_exist() -> None:
    named = set(re.findall(r"(?<![\w/])(profiles/[\w./*-]+\.yaml)", README))
    assert named, "the README names no profile"
    for name in named:
        assert list(REPO.glob(name)), f"the README names {name}, which is not in the repository"
    assert re.search(r"conformance run --profile profiles/examples/\S+\.yaml", README)


def test_the_readme_links_only_pages_of_the_repository() -> None:
    assert "DESIGN §" not in README  # the design page is not part of the repository
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith(("http://", "https://")):
            assert (REPO / target).exists(), f"the README links {target}, which is not in the repository"


def test_the_profile_the_readme_shows_parses() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    documents = [yaml.safe_load(b) for b in blocks]
    shown = [d for d in documents if isinstance(d, dict) and "services" in d]
    assert shown
    for document, block in zip(shown, blocks):
        environ = {name: "placeholder" for name in ENV_NAME.findall(block)}
        profiles.parse_profile(document, "README.md", environ, standards=suites.discover())


def test_the_ci_job_the_readme_shows_runs_a_command_the_harness_takes(tmp_path: Path) -> None:
    """The CI job's `conformance run` line parses (its options exist) and is quiet; its later steps read the run
    folder where the run writes it, <report-dir>/<initiative>/<stamp>/."""
    from conformance.cli import build_parser
    from conformance.run import new_run_dir

    job = next(yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", README, flags=re.S) if "jobs:" in b)
    runs = [step["run"] for step in job["jobs"]["conformance"]["steps"] if "run" in step]
    command = next(r for r in runs if r.startswith("conformance run "))
    args = build_parser().parse_args(command.split()[1:])
    assert args.quiet and args.report_dir == "reports"
    assert 'cat reports/*/*/summary.md >> "$GITHUB_STEP_SUMMARY"' in runs
    made = new_run_dir(tmp_path / "reports", "x", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert list((tmp_path / "reports").glob("*/*/")) == [made]


# -- the commands, run ---------------------------------------------------------------------------------------


def _copy_of_the_repository(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the README's commands run from a clone")
    for name in listed.stdout.decode().split("\0"):
        if name and (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def _offline() -> list[str]:
    """A prefix that runs a command with no network but loopback."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("cutting the network needs root, unshare and ip")
    probe = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n is not allowed here: {probe.stderr.decode().strip()}")
    return ["unshare", "-n"]


#: Set in the environment of the commands this module runs: the test suite that the README's nox command
#: runs includes this module, which must not start nox again inside it.
NESTED = "CONFORMANCE_README_COMMANDS"
#: The nox step runs the whole test suite a second time: it runs only when asked for (.ci/run itself is
#: that command on a fresh machine).
RUN_NOX = "CONFORMANCE_README_NOX"


def _clean_environment(home: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("CONFORMANCE_SPECS_DIR", "VIRTUAL_ENV", "PYTHONPATH", "NOXSESSION")}
    # no virtual environment of ours on the PATH: the README's own must be the one that runs
    bin_dirs = [p for p in environ.get("PATH", "").split(os.pathsep)
                if p and not (Path(p).parent / "pyvenv.cfg").exists()]
    environ["PATH"] = os.pathsep.join(bin_dirs)
    environ["XDG_CACHE_HOME"] = str(home / "cache")  # an empty cache: no schemas fetched before
    environ[NESTED] = "1"
    return environ


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("step", [1, 2], ids=["install-and-demo", "nox"])
def test_the_quickstart_succeeds_offline_without_schemas(step: int, tmp_path: Path) -> None:
    """Each Quickstart line is `install && run`: the install reads the package index (the one thing a
    new machine must download), the run has no network at all. For nox, whose sessions install their
    own tools (and whose tests session fetches the official schemas, which its tests need), `--install-only`
    does the downloads first and `--no-install` the run."""
    if os.environ.get(NESTED):
        pytest.skip("already inside the README's commands: the test suite they run does not start them again")
    if step == 2 and not os.environ.get(RUN_NOX):
        pytest.skip(f"runs the whole test suite a second time, inside this one; {RUN_NOX}=1 runs it")
    offline = _offline()
    clone = _copy_of_the_repository(tmp_path / "clone")
    commands = quickstart()
    install, run = commands[step].split(" && ", 1)
    environ = _clean_environment(tmp_path)
    online_steps = [install] + ([f"{run} --install-only"] if step == 2 else [])
    offline_steps = [f"{run} --no-install" if step == 2 else run]
    scripts = [([], [commands[0], *online_steps]),
               (offline, ["ip link set lo up", ". .venv/bin/activate", *offline_steps])]
    output = ""
    for prefix, lines in scripts:
        done = subprocess.run([*prefix, "bash", "-c", "\n".join(["set -e", f"cd {clone}", *lines])], env=environ,
                              capture_output=True, text=True, check=False, timeout=3500)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{lines[-1]}: exit {done.returncode}\n{output[-4000:]}"
    if step == 1:
        runs = list((clone / "reports" / "demo").iterdir())
        assert len(runs) == 1
        assert {"scorecard.json", "report.html", "summary.md", "junit.xml"} <= {p.name for p in runs[0].iterdir()}
        assert "Traceback" not in output
        assert "incomplete (schemas not checked)" in output  # the verdict line says what was not checked
