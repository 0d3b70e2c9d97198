"""The Phenopackets reference document server: conformant unless the named faults of ``../faults.yaml``
are injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import PhenopacketsApp

APPS = [PhenopacketsApp]

__all__ = ["APPS", "PhenopacketsApp"]
