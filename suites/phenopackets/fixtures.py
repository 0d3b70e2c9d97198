"""Session fixtures of the Phenopackets suite: one cached view of each profile entry per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Phenopackets


@pytest.fixture(scope="session")
def phenopackets(service: Service, conformance_run: Run) -> Phenopackets:
    """The Phenopackets documents under test, read and parsed once per run."""
    return Phenopackets.of(service, conformance_run)
