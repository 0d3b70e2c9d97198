"""The DUO reference document server: conformant unless the named faults of ``../faults.yaml`` are
injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import DuoApp

APPS = [DuoApp]

__all__ = ["APPS", "DuoApp"]
