"""The passports reference servers: conformant unless the named faults of
``../faults.yaml`` are injected. Loaded only when a server is wanted (``SUITE.reference``)."""

from .app import PassportBrokerApp, PassportClearinghouseApp

APPS = [PassportBrokerApp, PassportClearinghouseApp]

__all__ = ["APPS", "PassportBrokerApp", "PassportClearinghouseApp"]
