"""Session fixtures of the Beacon suite: one cached view of each beacon per run."""

from __future__ import annotations

import pytest
from conformance_suites.beacon._beacon import Beacon

from conformance.profile import Service
from conformance.run import Run


@pytest.fixture(scope="session")
def beacon(service: Service, conformance_run: Run) -> Beacon:
    """The beacon under test, its answers fetched once per run."""
    return Beacon(service, conformance_run)
