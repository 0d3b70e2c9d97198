"""Session fixtures of the htsget suite: one cached view of each htsget service per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Htsget


@pytest.fixture(scope="session")
def hts(service: Service, conformance_run: Run) -> Htsget:
    """The htsget service under test: its tickets, blocks and decoded records kept once per run (the
    run closes the view, and so removes its temporary directory, when it ends)."""
    return Htsget.of(service, conformance_run)
