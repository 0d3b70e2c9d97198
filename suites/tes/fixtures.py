"""Session fixtures of the TES suite: one cached view of each TES service per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Tes


@pytest.fixture(scope="session")
def tes(service: Service, conformance_run: Run) -> Tes:
    """The TES service under test, its answers fetched once per run."""
    return Tes.of(service, conformance_run)
