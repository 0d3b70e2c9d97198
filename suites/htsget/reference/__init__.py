"""The htsget reference server: conformant unless the named faults of
``../faults.yaml`` are injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import HtsgetApp

APPS = [HtsgetApp]

__all__ = ["APPS", "HtsgetApp"]
