"""Session fixtures of the TRS suite: one cached view of each tool registry per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Trs


@pytest.fixture(scope="session")
def trs(service: Service, conformance_run: Run) -> Trs:
    """The TRS service under test, its answers fetched once per run."""
    return Trs.of(service, conformance_run)
