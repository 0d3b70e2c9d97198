"""Session fixtures of the seqcol suite: one cached view of each sequence collections service per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Seqcol


@pytest.fixture(scope="session")
def seqcol(service: Service, conformance_run: Run) -> Seqcol:
    """The seqcol service under test, its answers fetched once per run."""
    return Seqcol.of(service, conformance_run)
