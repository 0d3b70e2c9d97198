"""Session fixtures of the passports suite: the run's one view of a broker or of a clearinghouse, each
given only to the checks of a service declared in that role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance import Run, Service

from .view import Broker, Clearinghouse


def role_of(service: Service) -> str:
    return str(service.options.get("role") or "")


def require_role(service: Service, role: str) -> None:
    if role_of(service) != role:
        pytest.skip(f"does not apply: a {role} check; this service is declared as role {role_of(service) or '(none)'}")


@pytest.fixture(scope="session")
def broker(service: Service, conformance_run: Run) -> Broker:
    require_role(service, "broker")
    return Broker.of(service, conformance_run)


@pytest.fixture(scope="session")
def clearinghouse(service: Service, conformance_run: Run) -> Iterator[Clearinghouse]:
    require_role(service, "clearinghouse")
    view = Clearinghouse.of(service, conformance_run)
    yield view
    view.close()
