"""The service-info reference server: conformant unless the named faults of
``../faults.yaml`` are injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import ServiceInfoApp

APPS = [ServiceInfoApp]

__all__ = ["APPS", "ServiceInfoApp"]
