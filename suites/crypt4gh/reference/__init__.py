"""The crypt4gh reference file server: conformant unless the named faults of ``../faults.yaml`` are
injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import Crypt4ghApp

APPS = [Crypt4ghApp]

__all__ = ["APPS", "Crypt4ghApp"]
