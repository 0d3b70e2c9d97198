"""Conformant DRS variants get no failed check (signed inline URLs, checksums in another order, open
metadata with protected access, 202 then 200, an external bundle member, gzip-stored bytes); a canonical
hostname in self_uri; the tampered passport and AccessURL header values never reach a report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.drs import check_uris
from conformance_suites.drs.check_auth import _mutated
from conformance_suites.drs.reference.app import VARIANTS, DrsApp
from conformance_suites.drs.view import Drs, same_object_data, secret_header_values
from drs_stand_ins import StubDrs, demo_entry

from conformance.errors import CheckFailure
from conformance.profile import Service
from conformance.reference.app import Reply, Request
from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile

MUST_PASS = ["drs.object.get-known-id-returns-200", "drs.object.id-always-returns-same-data",
             "drs.bulk.resolved-objects-equal-single-answers", "drs.bundle.expand-ignored-for-blob",
             "drs.auth.protected-object-requires-credentials",
             "drs.bundle.contents-id-required-at-top-level", "drs.object.size-matches-bytes",
             "drs.object.checksum-matches-bytes", "drs.access.range-partial-content-is-exact-slice",
             "drs.http.accepted-has-retry-after", "drs.uri.self-uri-resolves-to-this-object"]


def test_conformant_variants_get_no_failed_check(report_root: Path, specs_dir: str | None) -> None:
    app = DrsApp(options={"variants": list(VARIANTS)})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "drs variants", "services": [demo_entry(server)]}, report_root,
                             specs_dir=specs_dir, standards=["drs"], environ={"DRS_TEST_PASSPORT": app.passport})
    assert result.failed() == [], result.output
    assert result.errors() == [], result.output
    for check_id in MUST_PASS:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id))
    # every request the DRS API answers without credentials is open here (the bytes need credentials got out
    # of band): no refusal to judge the status of
    assert result.outcome("drs.auth.missing-credentials-is-401") == "skipped"


def test_a_self_uri_naming_the_public_host_is_no_failure(report_root: Path) -> None:
    """A service behind a proxy names its public host in self_uri while the harness reaches it at another
    address (seen with a third-party DRS on loopback): DRS 1.2.0 §Hostname-based DRS URIs forbids only a
    port, so the check passes."""
    app = DrsApp(options={"variants": ["public-hostname"]})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "drs public host", "services": [demo_entry(server)]}, report_root,
                             checks=["drs.uri.hostname-uri-has-no-port", "drs.uri.self-uri-is-hostname-based"],
                             environ={"DRS_TEST_PASSPORT": app.passport})
    assert result.outcome("drs.uri.hostname-uri-has-no-port") == "passed", result.output


def test_access_header_values_and_tampered_passport_never_reported(report_root: Path) -> None:
    app = DrsApp(faults=["access-url-dead", "bad-passport-accepted"])
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "drs secrets", "services": [demo_entry(server)]}, report_root,
                             checks=["drs.access.url-is-fetchable", "drs.passport.invalid-passport-rejected"],
                             environ={"DRS_TEST_PASSPORT": app.passport})
    assert result.outcome("drs.access.url-is-fetchable") == "failed"
    assert result.outcome("drs.passport.invalid-passport-rejected") == "failed"
    secrets = [app._access_token, app.passport, _mutated(app.passport)]
    for path in result.run_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not any(secret in text for secret in secrets), path


def test_public_self_uri_may_name_the_canonical_hostname() -> None:
    service = Service(index=0, standard="drs", version="1.4.0", url="https://api.example.org/ga4gh/drs/v1")
    check_uris.test_self_uri_names_this_service(service, StubDrs("drs://drs.example.org/x"))  # type: ignore[arg-type]
    with pytest.raises(CheckFailure, match="port"):
        check_uris.test_self_uri_names_this_service(service, StubDrs("drs://drs.example.org:443/x"))  # type: ignore[arg-type]


@pytest.mark.parametrize("passport", ["aaaa.bbbb.c2lnbmF0dXJlLWJ5dGVzLWhlcmU", "ref-passport." + "0f" * 32, "AAAA"])
def test_tampered_passport_changes_the_middle_of_the_signature(passport: str) -> None:
    tampered = _mutated(passport)
    assert len(tampered) == len(passport)
    differences = [i for i, (a, b) in enumerate(zip(passport, tampered, strict=True)) if a != b]
    assert len(differences) == 1
    assert differences[0] < len(passport) - 1


def test_order_of_checksums_and_signed_urls_do_not_count_as_other_data() -> None:
    first = {"size": 3, "checksums": [{"type": "md5", "checksum": "AB"}, {"type": "sha-256", "checksum": "cd"}],
             "access_methods": [{"type": "https", "access_url": {"url": "https://x/o?sig=1"}}]}
    second = {"size": 3, "checksums": [{"type": "sha-256", "checksum": "CD"}, {"type": "MD5", "checksum": "ab"}],
              "access_methods": [{"type": "https", "access_url": {"url": "https://x/o?sig=2"}}]}
    assert same_object_data(first, second, ("size", "checksums")) is None  # access methods are no object data
    assert same_object_data(first, {**second, "size": 4}, ("size", "checksums")) == "size"


def test_secret_header_values_and_short_repr() -> None:
    body = {"url": "https://x", "headers": ["Authorization: Bearer tok-123456", "X-Token: abcdef"]}
    assert {"Bearer tok-123456", "tok-123456", "abcdef"} <= set(secret_header_values(body))
    drs = Drs.__new__(Drs)
    drs.service = Service(index=0, standard="drs", version="1.4.0", url="https://drs.example.org/ga4gh/drs/v1")
    assert repr(drs) == "Drs(https://drs.example.org/ga4gh/drs/v1)"


class _NullContents(DrsApp):
    """Galaxy 26.1 (issue 19.9): every blob carries ``"contents": null``."""

    def blob_object(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        document: dict[str, Any] = super().blob_object(*args, **kwargs)
        document["contents"] = None
        return document


def test_a_blob_with_null_contents_gets_its_bytes_checked(report_root: Path) -> None:
    # A blob is any object without a non-empty contents list: the byte checks run, and pass, on it.
    app = _NullContents()
    byte_checks = ["drs.object.size-matches-bytes", "drs.object.checksum-matches-bytes",
                   "drs.access.url-is-fetchable", "drs.access.range-partial-content-is-exact-slice"]
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "drs null contents", "services": [demo_entry(server)]}, report_root,
                             checks=byte_checks, environ={"DRS_TEST_PASSPORT": app.passport})
    for check_id in byte_checks:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)


def test_post_not_offered_is_no_malformed_request(report_root: Path) -> None:
    # issue 19.7 (refget's FASTA-DRS router): POST answered 405 where the service offers no POST is "not
    # offered", not "malformed input accepted"; a 422 to the same body still fails (fault malformed-body-422).
    app = DrsApp(options={"variants": ["post-for-passports-only"]})
    with ReferenceServer(app) as server:
        entry = demo_entry(server)
        entry.pop("protected_objects", None)
        result = run_profile({"initiative": "drs no post", "services": [entry]}, report_root,
                             checks=["drs.http.malformed-request-is-400"], environ={"DRS_TEST_PASSPORT": app.passport})
    assert result.outcome("drs.http.malformed-request-is-400") == "skipped", result.output
    assert "not offered" in result.check("drs.http.malformed-request-is-400").message


def test_a_url_stopping_before_the_prefix_is_unreachable_with_the_url_to_declare(report_root: Path) -> None:
    """The profile names the server, not the API under /ga4gh/drs/v1 (a service registry's url may): no
    check can tell anything at that url, so none fails; the service is unreachable there, and the reason
    names the url to declare. The API declared with its prefix is conformant."""
    app = DrsApp()
    with ReferenceServer(app) as server:
        root = server.url.removesuffix("/ga4gh/drs/v1")
        assert root != server.url
        entry = {**demo_entry(server), "url": root}
        result = run_profile({"initiative": "drs root", "services": [entry]}, report_root,
                             checks=["drs.http.api-prefix-is-ga4gh-drs-v1", "drs.object.get-known-id-returns-200"],
                             environ={"DRS_TEST_PASSPORT": app.passport})
        served = run_profile({"initiative": "drs api", "services": [demo_entry(server)]}, report_root,
                             checks=["drs.http.api-prefix-is-ga4gh-drs-v1"],
                             environ={"DRS_TEST_PASSPORT": app.passport})
    assert result.exit_code == 2, result.output
    service = result.scorecard.services[0]
    assert service.verdict() == "unreachable" and not [c for c in service.checks if c.outcome == "failed"]
    assert f"declare url: {server.url}" in (service.unreachable or ""), service.unreachable
    assert f"declare url: {server.url}" in result.output
    assert served.exit_code == 0 and served.outcome("drs.http.api-prefix-is-ga4gh-drs-v1") == "passed", served.output


def test_the_claims_beside_an_objects_bytes_are_that_objects_own(report_root: Path) -> None:
    """The evidence of drs.object.checksum-matches-bytes for one object holds that object's answers (the
    DrsObject, and its access_id's AccessURL when it has one) beside the bytes, never those of the object
    read just before it."""
    app = DrsApp(faults=["checksum-wrong"])
    with ReferenceServer(app) as server:
        entry = {**demo_entry(server), "objects": ["blob-1", "blob-2"]}
        entry.pop("protected_objects", None)
        result = run_profile({"initiative": "drs claims", "services": [entry]}, report_root,
                             checks=["drs.access.get-returns-access-url", "drs.object.checksum-matches-bytes"],
                             environ={"DRS_TEST_PASSPORT": app.passport})
    cases = [c for c in result.check("drs.object.checksum-matches-bytes").cases if c.outcome == "failed"]
    assert {c.case for c in cases} == {"blob-1", "blob-2"}, result.output
    for case in cases:
        claimed = [e["url"] for e in case.evidence[1:]]
        assert claimed and all(f"/objects/{case.case}" in url for url in claimed), (case.case, claimed)


def test_a_service_whose_entry_names_no_objects_is_incomplete(report_root: Path) -> None:
    """DRS offers no listing: an entry naming no objects, bundles or protected_objects leaves every DrsObject,
    access URL and byte unchecked, so the service is incomplete however many other checks pass (Suite.test_data),
    with --check too (a check it asked for may have needed them)."""
    with ReferenceServer(DrsApp()) as server:
        entry = {"standard": "drs", "version": DrsApp.versions[-1], "url": server.url}
        result = run_profile({"initiative": "drs no objects", "services": [entry]}, report_root, standards=["drs"])
        selected = run_profile({"initiative": "drs no objects", "services": [entry]}, report_root,
                               checks=["drs.http.api-prefix-is-ga4gh-drs-v1"])
    service = result.scorecard.services[0]
    assert result.failed() == [] and result.errors() == [], result.output
    assert service.verdict() == "incomplete" and result.exit_code == 2
    assert service.untested and "names no objects, bundles or protected_objects" in service.untested
    assert f"  drs-0 incomplete: {service.untested}" in result.output
    scorecard = json.loads((result.run_dir / "scorecard.json").read_text())
    assert scorecard["services"][0]["untested"] == service.untested
    assert f"Untested: {service.untested}" in (result.run_dir / "summary.md").read_text()
    assert selected.exit_code == 2 and selected.scorecard.services[0].untested == service.untested, selected.output
    # a run that asks nothing of DRS does not judge the DRS entry on it
    with ReferenceServer(DrsApp()) as server:
        entry = {"standard": "drs", "version": DrsApp.versions[-1], "url": server.url}
        other = run_profile({"initiative": "drs no objects", "services": [entry]}, report_root,
                            checks=["service-info.endpoint.answers-200"])
    assert other.scorecard.services[0].untested is None, other.output



class OpenBytesDrs(DrsApp):
    """Its AccessURLs' bytes are served to anyone: a protected object open at every step."""

    def bytes_private(self, request: Request) -> Reply:
        blob = self.blobs[request.params["object_id"]]
        return self.serve(blob, request)


@pytest.mark.parametrize(("app_class", "outcome"), [(DrsApp, "passed"), (OpenBytesDrs, "failed")])
def test_a_protected_object_may_guard_its_bytes_alone(app_class: type[DrsApp], outcome: str,
                                                       report_root: Path) -> None:
    """Metadata and GET access open, the AccessURL's bytes needing a credential got out of band ("private content
    that requires the caller to have out-of-band auth knowledge", DRS 1.2.0 §Authorization & Authentication ›
    Fetching DRS Objects): protected where the bytes refuse a caller without credentials, not where they serve
    one."""
    app = app_class(options={"variants": ["bytes-out-of-band"]})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "drs out of band", "services": [demo_entry(server)]}, report_root,
                             checks=["drs.auth.protected-object-requires-credentials"],
                             environ={"DRS_TEST_PASSPORT": app.passport})
    assert result.outcome("drs.auth.protected-object-requires-credentials") == outcome, result.output
