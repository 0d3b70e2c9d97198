"""The TES reference server: conformant unless the named faults of ``../faults.yaml`` are injected.
Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import TesApp

APPS = [TesApp]

__all__ = ["APPS", "TesApp"]
