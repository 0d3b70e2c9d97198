"""Developer tasks; CI (.ci/run) calls these unchanged."""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = os.environ.get("NOX_PYTHON") or None  # the interpreter nox runs under, unless told otherwise


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The harness's own tests, against the installed package (not the source tree)."""
    session.install(".[test]")
    if not os.environ.get("CONFORMANCE_SPECS_DIR"):
        # The tests judge whole runs of the reference servers, schema checks included: without a copy of the
        # official schemas named by CONFORMANCE_SPECS_DIR, the pinned files are fetched into the user cache
        # (online, with the installs; files already there with the pinned hash are not fetched again).
        session.run_install("conformance", "specs", "fetch")
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", "conformance", "suites", "tests", "benchmarks", "noxfile.py", "setup.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The embedded demo: every reference server, every suite, reports under reports/demo/."""
    session.install(".")
    session.run("conformance", "demo", *session.posargs, success_codes=[0])
