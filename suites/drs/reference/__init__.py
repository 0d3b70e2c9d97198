"""The drs reference server: conformant unless the named faults of
``../faults.yaml`` are injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import DrsApp

APPS = [DrsApp]

__all__ = ["APPS", "DrsApp"]
