"""Session fixtures of the service-registry suite: one cached view of each registry per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Registry


@pytest.fixture(scope="session")
def registry(service: Service, conformance_run: Run) -> Registry:
    """The service registry under test, its answers fetched once per run."""
    return Registry.of(service, conformance_run)
