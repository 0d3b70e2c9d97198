"""Session fixtures of the Beacon suite: one cached view of each beacon per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Beacon


@pytest.fixture(scope="session")
def beacon(service: Service, conformance_run: Run) -> Beacon:
    """The beacon under test, its answers fetched once per run."""
    return Beacon.of(service, conformance_run)
