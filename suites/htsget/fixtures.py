"""Session fixtures of the htsget suite: one cache of tickets, blocks and decoded records per service."""

from __future__ import annotations

import pytest

from conformance import Service

from .view import Htsget


@pytest.fixture(scope="session")
def hts(service: Service) -> Htsget:
    return Htsget(service)
