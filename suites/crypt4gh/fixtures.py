"""Session fixtures of the crypt4gh suite: one cached view of each crypt4gh profile entry per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Crypt4gh


@pytest.fixture(scope="session")
def crypt4gh(service: Service, conformance_run: Run) -> Crypt4gh:
    """The crypt4gh files under test, read and examined once per run."""
    return Crypt4gh.of(service, conformance_run)
