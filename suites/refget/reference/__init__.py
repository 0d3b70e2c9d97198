"""The refget reference server: conformant unless the named faults of ``../faults.yaml`` are injected.
Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import RefgetApp

APPS = [RefgetApp]

__all__ = ["APPS", "RefgetApp"]
