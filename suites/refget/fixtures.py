"""Session fixtures of the refget suite: one cached view of each refget service per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Refget


@pytest.fixture(scope="session")
def refget(service: Service, conformance_run: Run) -> Refget:
    """The refget service under test, its answers (and streamed sequences) fetched once per run (every listed
    sequence's side by side)."""
    return Refget.checked(service, conformance_run)
