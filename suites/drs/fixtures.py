"""Session fixtures of the DRS suite: one cached view of each DRS service per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance import Run, Service

from .clearinghouse import DrsClearinghouse
from .view import Drs


@pytest.fixture(scope="session")
def drs(service: Service, conformance_run: Run) -> Drs:
    """The DRS service under test, its answers fetched once per run (every listed object's side by side)."""
    return Drs.checked(service, conformance_run)


@pytest.fixture(scope="session")
def drs_clearinghouse(service: Service, conformance_run: Run) -> Iterator[DrsClearinghouse]:
    """The DRS service as a Passport Clearinghouse: only where the profile declares protected objects."""
    if not service.options.get("protected_objects"):
        pytest.skip("does not apply: the profile declares no protected_objects, so this DRS service is not "
                    "attacked as a Passport Clearinghouse")
    view = DrsClearinghouse.of(service, conformance_run)
    yield view
    view.close()
