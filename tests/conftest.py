"""Fixtures of the harness's own tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance import specs

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def specs_dir() -> str | None:
    """The official schemas (CONFORMANCE_SPECS_DIR, which .ci/run points at ../shared/specs)."""
    located = specs.locate(None)
    return str(located) if located else None


@pytest.fixture(scope="session")
def requires_specs(specs_dir: str | None) -> str:
    if specs_dir is None:
        pytest.skip(specs.HOW_TO_GET)
    return specs_dir


@pytest.fixture
def report_root(tmp_path: Path) -> Path:
    return tmp_path / "reports"


@pytest.fixture
def no_specs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine with no official schemas: no CONFORMANCE_SPECS_DIR and an empty cache."""
    monkeypatch.delenv(specs.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


# No test downloads the official schemas on first use (tests/core/test_specs.py turns it on where it tests it).
os.environ.setdefault(specs.NO_FETCH_ENV, "1")


def pytest_report_header(config: pytest.Config) -> str:
    return f"official schemas: {specs.locate(None) or 'none (' + specs.ENV + ' unset)'}; cwd {os.getcwd()}"
