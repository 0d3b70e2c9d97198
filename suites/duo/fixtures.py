"""Session fixtures of the DUO suite: one cached view of each DUO profile entry per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Duo


@pytest.fixture(scope="session")
def duo(service: Service, conformance_run: Run) -> Duo:
    """The DUO documents under test, read and parsed once per run."""
    return Duo.of(service, conformance_run)
