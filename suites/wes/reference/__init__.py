"""The WES reference server: conformant unless the named faults of ``../faults.yaml`` are injected.
Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import WesApp

APPS = [WesApp]

__all__ = ["APPS", "WesApp"]
