"""The TRS reference server: conformant unless the named faults of ``../faults.yaml`` are injected.
Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import TrsApp

APPS = [TrsApp]

__all__ = ["APPS", "TrsApp"]
