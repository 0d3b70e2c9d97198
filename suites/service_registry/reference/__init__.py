"""The service-registry reference server: conformant unless the named faults of ``../faults.yaml`` are
injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import RegistryApp

APPS = [RegistryApp]

__all__ = ["APPS", "RegistryApp"]
