"""GA4GH conformance harness: checks deployed GA4GH APIs and writes an adoption scorecard.

This package's namespace is the **kit API**: everything a suite (``suites/<standard>/``, or an
installed kit) imports from the core, and nothing else. Suites write ``from conformance import check,
fail, ServiceView``; the names load on first use, so importing a suite stays cheap. ``__all__`` is
pinned by ``tests/core/test_kit.py``: a change to it is a change of the kit's contract.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from conformance import _stand_ins
from conformance._version import __version__

_stand_ins.install_all()  # before anything imports jsonschema (issue 20: start-up)

if TYPE_CHECKING:
    from conformance import versions as versions
    from conformance.checks import Level as Level
    from conformance.checks import Requirement as Requirement
    from conformance.checks import check as check
    from conformance.checks import fail as fail
    from conformance.checks import json_type as json_type
    from conformance.documents import Document as Document
    from conformance.documents import document_file as document_file
    from conformance.documents import read_document as read_document
    from conformance.documents import stream_document as stream_document
    from conformance.errors import BudgetExceeded as BudgetExceeded
    from conformance.errors import CheckFailure as CheckFailure
    from conformance.errors import DocumentUnavailable as DocumentUnavailable
    from conformance.errors import HarnessError as HarnessError
    from conformance.errors import SpecsUnavailable as SpecsUnavailable
    from conformance.errors import UsageError as UsageError
    from conformance.exchange import Exchange as Exchange
    from conformance.hashing import ParallelHashes as ParallelHashes
    from conformance.http.client import ServiceClient as ServiceClient
    from conformance.http.models import Response as Response
    from conformance.http.policy import retry_after as retry_after
    from conformance.http.redirects import may_carry_credentials as may_carry_credentials
    from conformance.http.redirects import origin_of as origin_of
    from conformance.profile import Service as Service
    from conformance.reference.app import DocumentApp as DocumentApp
    from conformance.reference.app import Fault as Fault
    from conformance.reference.app import ReferenceApp as ReferenceApp
    from conformance.reference.app import Reply as Reply
    from conformance.reference.app import Request as Request
    from conformance.reference.app import json_reply as json_reply
    from conformance.reference.app import route as route
    from conformance.reference.server import ReferenceServer as ReferenceServer
    from conformance.reference.service_info import service_info_document as service_info_document
    from conformance.run import Run as Run
    from conformance.specs import FORMAT_CHECKER as FORMAT_CHECKER
    from conformance.specs import SpecStore as SpecStore
    from conformance.specs import schema_errors as schema_errors
    from conformance.suite import Suite as Suite
    from conformance.suite import suite_for as suite_for
    from conformance.view import ServiceView as ServiceView
    from conformance.yaml_data import load_yaml as load_yaml

#: Kit name → the core module that defines it.
_KIT: dict[str, str] = {
    # declaring a standard and its checks
    "Suite": "conformance.suite",
    "suite_for": "conformance.suite",
    "check": "conformance.checks",
    "fail": "conformance.checks",
    "json_type": "conformance.checks",
    "Level": "conformance.checks",
    "Requirement": "conformance.checks",
    # outcomes other than a failure
    "CheckFailure": "conformance.errors",
    "HarnessError": "conformance.errors",
    "BudgetExceeded": "conformance.errors",
    "SpecsUnavailable": "conformance.errors",
    "UsageError": "conformance.errors",
    # the service under test
    "Service": "conformance.profile",
    "Run": "conformance.run",
    "ServiceView": "conformance.view",
    "versions": "conformance",
    # talking to it
    "ServiceClient": "conformance.http.client",
    "Response": "conformance.http.models",
    "Exchange": "conformance.exchange",
    "retry_after": "conformance.http.policy",
    "origin_of": "conformance.http.redirects",
    "may_carry_credentials": "conformance.http.redirects",
    # the documents of a data standard
    "Document": "conformance.documents",
    "document_file": "conformance.documents",
    "read_document": "conformance.documents",
    "stream_document": "conformance.documents",
    "load_yaml": "conformance.yaml_data",
    "DocumentUnavailable": "conformance.errors",
    # streamed bodies: several digests at once
    "ParallelHashes": "conformance.hashing",
    # official schemas
    "SpecStore": "conformance.specs",
    "schema_errors": "conformance.specs",
    "FORMAT_CHECKER": "conformance.specs",
    # reference servers
    "ReferenceApp": "conformance.reference.app",
    "DocumentApp": "conformance.reference.app",
    "Fault": "conformance.reference.app",
    "Request": "conformance.reference.app",
    "Reply": "conformance.reference.app",
    "route": "conformance.reference.app",
    "json_reply": "conformance.reference.app",
    "ReferenceServer": "conformance.reference.server",
    "service_info_document": "conformance.reference.service_info",
}

__all__ = ["__version__", *sorted(_KIT)]


def __getattr__(name: str) -> Any:
    module_name = _KIT.get(name)
    if module_name is None:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}")
    if module_name == "conformance":  # a submodule offered as a whole
        value: Any = importlib.import_module(f"conformance.{name}")
    else:
        value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
