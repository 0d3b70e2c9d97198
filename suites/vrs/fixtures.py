"""Session fixtures of the VRS suite: one cached view of each profile entry per run."""

from __future__ import annotations

import pytest

from conformance import Run, Service

from .view import Vrs


@pytest.fixture(scope="session")
def vrs(service: Service, conformance_run: Run) -> Vrs:
    """The VRS documents under test, read and parsed once per run."""
    return Vrs.of(service, conformance_run)
