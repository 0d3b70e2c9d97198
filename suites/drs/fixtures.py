"""Session fixtures of the DRS suite: one cached view of each DRS service per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Drs


@pytest.fixture(scope="session")
def drs(service: Service, conformance_run: Run) -> Drs:
    """The DRS service under test, its answers fetched once per run."""
    return Drs.of(service, conformance_run)
