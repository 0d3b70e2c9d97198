"""The DRS suite beyond the generic fault tests: each declared version, the local-deployment rules,
the byte budget, and that the passport never reaches a report."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conformance_suites.drs import check_service, check_uris

from conformance.errors import CheckFailure
from conformance.profile import Service
from conformance.testing import reference_entries, run_profile, run_reference

BULK_AND_OPTIONS = ["drs.bulk.objects-endpoint-supported", "drs.bulk.summary-counts-add-up",
                    "drs.service-info.max-bulk-request-length-present", "drs.auth.options-response-valid",
                    "drs.object.schema-valid", "drs.service-info.schema-valid",
                    "drs.passport.post-object-returns-drs-object", "drs.access-method.authorizations-valid",
                    # one check every version has that reads no official schema: without the schemas
                    # (CONFORMANCE_SPECS_DIR unset), 1.2.0 would otherwise decide no MUST check (incomplete)
                    "drs.object.size-is-non-negative-integer"]


@pytest.mark.parametrize("version", ["1.2.0", "1.3.0", "1.4.0"])
def test_each_version_is_conformant_and_skips_what_it_lacks(version: str, report_root: Path,
                                                            specs_dir: str | None) -> None:
    result = run_reference("drs", report_root, version=version, specs_dir=specs_dir,
                           checks=BULK_AND_OPTIONS)
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.exit_code == 0
    bulk = result.outcome("drs.bulk.objects-endpoint-supported")
    options = result.outcome("drs.auth.options-response-valid")
    assert bulk == ("passed" if version >= "1.4.0" else "skipped")
    assert options == ("passed" if version >= "1.3.0" else "skipped")


def test_loopback_http_service_skips_public_rules_with_reason(report_root: Path) -> None:
    # a third check that passes: a run in which every check is skipped is incomplete
    result = run_reference("drs", report_root, checks=["drs.http.https-on-port-443",
                                                       "drs.uri.hostname-uri-has-no-port",
                                                       "drs.uri.self-uri-uses-drs-scheme"])
    for check_id in ("drs.http.https-on-port-443", "drs.uri.hostname-uri-has-no-port"):
        check = result.check(check_id)
        assert check.outcome == "skipped", check
        assert "loopback" in check.message
        assert check.skip_kind == "not-applicable", check  # a rule of public deployments: not undecided
    assert result.exit_code == 0


class _StubDrs:
    """Just enough of suites/drs/view.Drs for the URI and transport rules."""

    def __init__(self, self_uri: str) -> None:
        self.document: dict[str, Any] = {"id": "x", "self_uri": self_uri, "access_methods": []}
        self.response = SimpleNamespace(exchange=None)

    def require_documents(self) -> list[tuple[str, dict[str, Any], Any]]:
        return [("x", self.document, self.response)]

    def documents(self) -> list[tuple[str, dict[str, Any], Any]]:
        return self.require_documents()

    def service_info_response(self) -> Any:
        return self.response


def _service(url: str) -> Service:
    return Service(index=0, standard="drs", version="1.4.0", url=url)


def test_public_service_with_port_in_self_uri_fails() -> None:
    service = _service("https://drs.example.org/ga4gh/drs/v1")
    with pytest.raises(CheckFailure, match="port"):
        check_uris.test_self_uri_names_this_service(service, _StubDrs("drs://drs.example.org:8443/x"))
    check_uris.test_self_uri_names_this_service(service, _StubDrs("drs://drs.example.org/x"))


def test_public_service_on_plain_http_fails_https_rule() -> None:
    with pytest.raises(CheckFailure, match="https on port 443"):
        check_service.test_https_on_port_443(_service("http://drs.example.org/ga4gh/drs/v1"),
                                             _StubDrs("drs://drs.example.org/x"))
    with pytest.raises(CheckFailure, match="https on port 443"):
        check_service.test_https_on_port_443(_service("https://drs.example.org:8443/ga4gh/drs/v1"),
                                             _StubDrs("drs://drs.example.org/x"))
    check_service.test_https_on_port_443(_service("https://drs.example.org/ga4gh/drs/v1"),
                                         _StubDrs("drs://drs.example.org/x"))


def test_local_self_uri_may_name_its_own_port_or_any_host_but_no_other_port() -> None:
    service = _service("http://127.0.0.1:8080/ga4gh/drs/v1")
    with pytest.raises(CheckFailure, match="includes a port"):
        check_uris.test_self_uri_names_this_service(service, _StubDrs("drs://127.0.0.1:1/x"))
    with pytest.raises(pytest.skip.Exception, match="loopback"):
        check_uris.test_self_uri_names_this_service(service, _StubDrs("drs://127.0.0.1:8080/x"))
    # a service behind a proxy names its public host, without a port: DRS 1.2.0 forbids only the port
    check_uris.test_self_uri_names_this_service(service, _StubDrs("drs://127.0.0.1/x"))
    check_uris.test_self_uri_names_this_service(service, _StubDrs("drs://drs.example.org/x"))


def test_byte_budget_too_small_is_an_error_naming_the_limit(report_root: Path) -> None:
    document = {"initiative": "budget", "services": reference_entries("drs"),
                "budget": {"max_run_bytes": 50_000}}
    result = run_profile(document, report_root, checks=["drs.object.size-matches-bytes"])
    check = result.check("drs.object.size-matches-bytes")
    assert check.outcome == "error", check
    assert "max_run_bytes" in check.message
    assert result.failed() == []


def test_passport_is_used_and_never_reported(report_root: Path) -> None:
    granted = run_reference("drs", report_root, checks=["drs.passport.post-object-accepts-passports",
                                                        "drs.passport.invalid-passport-rejected",
                                                        "drs.bulk.passports-accepted-in-body"])
    assert granted.exit_code == 0, granted.output
    assert all(c.outcome == "passed" for s in granted.scorecard.services for c in s.checks)
    # a failure whose evidence is a request carrying the passport in its body
    refused = run_reference("drs", report_root, ["passport-access-ignored"],
                            checks=["drs.passport.post-access-accepts-passports"])
    assert refused.outcome("drs.passport.post-access-accepts-passports") == "failed"
    issued = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ")  # the reference server's passports are JWTs
    for run in (granted, refused):
        for path in run.run_dir.rglob("*"):
            if path.is_file():
                assert not issued.search(path.read_text(encoding="utf-8", errors="replace")), path
