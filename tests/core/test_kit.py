"""The kit API (``conformance.__all__``): what suites may import from the core. Pinned here, so that a
change to it is a deliberate change of the contract with every suite, in and out of this repository."""

from __future__ import annotations

import subprocess
import sys

import conformance

KIT = [
    "BudgetExceeded", "CheckFailure", "Document", "DocumentApp", "DocumentUnavailable", "Exchange",
    "FORMAT_CHECKER", "Fault", "HarnessError", "Level", "ParallelHashes", "ReferenceApp", "ReferenceServer",
    "Reply", "Request", "Requirement", "Response", "Run", "Service", "ServiceClient", "ServiceView", "SpecStore",
    "SpecsUnavailable", "Suite", "UsageError", "__version__", "check", "fail", "json_reply", "json_type",
    "origin_of", "may_carry_credentials",
    "read_document", "retry_after", "route", "schema_errors", "service_info_document", "suite_for",
    "versions", "stream_document", "document_file", "load_yaml",
]


def test_kit_is_pinned() -> None:
    assert sorted(conformance.__all__) == sorted(KIT)


def test_every_kit_name_resolves() -> None:
    for name in conformance.__all__:
        assert getattr(conformance, name) is not None, name


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        conformance.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("conformance.NoSuchThing resolved")


def test_importing_the_package_or_a_suite_loads_neither_servers_nor_pysam() -> None:
    """The kit loads lazily: importing a suite (its SUITE declaration) imports no reference server,
    no pysam and no HTTP stack."""
    code = ("import sys, conformance, conformance_suites.htsget, conformance_suites.drs;"
            "bad = [m for m in ('pysam', 'requests', 'conformance_suites.htsget.reference', "
            "'conformance_suites.drs.reference') if m in sys.modules];"
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_fail_declares_a_consequence_by_keyword() -> None:
    """``fail(message, evidence, caused_by=<check id>)``: the kit's way to declare one root cause, one
    failure (issue 19); keyword-only, so existing calls keep their meaning."""
    import inspect

    parameter = inspect.signature(conformance.fail).parameters["caused_by"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is None
    failure = conformance.fail("m", conformance.Exchange.__new__(conformance.Exchange), caused_by="a.b")
    assert isinstance(failure, conformance.CheckFailure) and failure.caused_by == "a.b"
