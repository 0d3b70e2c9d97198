"""The seqcol reference server: conformant unless the named faults of ``../faults.yaml`` are injected.
Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import SeqcolApp

APPS = [SeqcolApp]

__all__ = ["APPS", "SeqcolApp"]
