"""The beacon reference server: conformant unless the named faults of
``../faults.yaml`` are injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import BeaconApp

APPS = [BeaconApp]

__all__ = ["APPS", "BeaconApp"]
