"""Session fixtures of the WES suite: one cached view of each WES service per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Wes


@pytest.fixture(scope="session")
def wes(service: Service, conformance_run: Run) -> Wes:
    """The WES service under test, its answers fetched once per run (runs it started cancelled at the end)."""
    return Wes.of(service, conformance_run)
