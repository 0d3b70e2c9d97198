"""Session fixtures of the service-info suite: one view of each service's service-info per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import ServiceInfo


@pytest.fixture(scope="session")
def info(service: Service, conformance_run: Run) -> ServiceInfo:
    """The service-info documents of the service under test, fetched once per run."""
    return ServiceInfo.of(service, conformance_run)
