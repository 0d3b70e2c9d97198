"""Conformant DRS servers that choose differently where the spec lets them get no failed check: expand
defaulting to true, inline signed URLs in bulk answers, uppercase hex, compact self_uris parsed by the
first colon, 202 to a bulk request or an expanded blob; a malformed checksum is one failure, not two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.drs import check_uris
from conformance_suites.drs.reference.app import DrsApp
from drs_stand_ins import StubDrs, run_demo_entry

from conformance import Request, route
from conformance.errors import CheckFailure
from conformance.profile import Service
from conformance.testing import RunResult


def _run(app: DrsApp, report_root: Path, checks: list[str], specs_dir: str | None = None) -> RunResult:
    return run_demo_entry(app, report_root, checks, initiative="drs precision", specs_dir=specs_dir)


class _ExpandByDefault(DrsApp):
    """GetObject's expand declares no default (DRS 1.2.0 - 1.5.0 §Objects › expand): this server expands
    unless asked ``expand=false``."""

    @staticmethod
    def expand(request: Request, body: Any = None) -> bool:
        if isinstance(body, dict) and "expand" in body:
            return body["expand"] is True
        return (request.arg("expand") or "true").lower() != "false"


def test_expand_without_a_default_is_judged_on_expand_false(report_root: Path) -> None:
    result = _run(_ExpandByDefault(), report_root, ["drs.bundle.expand-false-is-not-recursive"])
    assert result.outcome("drs.bundle.expand-false-is-not-recursive") == "passed", result.output
    always = _run(DrsApp(faults=["bundle-always-expanded"]), report_root, ["drs.bundle.expand-false-is-not-recursive"])
    assert always.outcome("drs.bundle.expand-false-is-not-recursive") == "failed", always.output


class _InlineUrlsInBulk(DrsApp):
    """Bulk answers hand out signed inline URLs where GET of one object gives an access_id (how the bytes are
    reached is no object data, DRS 1.2.0 §DRS IDs; GetBulkObjects: "a list of access methods")."""

    @route("POST", "/objects")
    def bulk_objects(self, request: Request) -> Any:
        self._bulk = True
        try:
            return super().bulk_objects(request)
        finally:
            self._bulk = False

    def access_methods(self, blob: Any) -> list[dict[str, Any]]:
        methods: list[dict[str, Any]] = super().access_methods(blob)
        if getattr(self, "_bulk", False):
            methods = [{"type": "https", "access_url": self.access_url(blob.id)} if "access_id" in m else m
                       for m in methods]
        return methods


def test_bulk_answers_may_reach_the_bytes_another_way(report_root: Path) -> None:
    check = "drs.bulk.resolved-objects-equal-single-answers"
    assert _run(_InlineUrlsInBulk(), report_root, [check]).outcome(check) == "passed"
    assert _run(DrsApp(faults=["bulk-objects-differ"]), report_root, [check]).outcome(check) == "failed"


@pytest.mark.parametrize("uri", ["drs://drs.42:10.5072/FK2805660V", "drs://n2t/drs.42:a/b", "drs://drs.42:314159"])
def test_a_compact_self_uri_is_one_failure_of_the_hostname_rule(uri: str) -> None:
    # DRS 1.2.0 §Compact Identifier-Based URIs: an accession "can contain any characters" ("/" too) and is
    # split off at the first colon; such a self_uri breaks only drs.uri.self-uri-is-hostname-based
    service = Service(index=0, standard="drs", version="1.4.0", url="https://api.example.org/ga4gh/drs/v1")
    stub: Any = StubDrs(uri)
    with pytest.raises(CheckFailure, match="not a hostname-based"):
        check_uris.test_self_uri_is_hostname_based(stub)
    # no hostname-based URI: nothing for the rules of that form to judge (not a pass)
    with pytest.raises(pytest.skip.Exception, match=r"^does not apply: "):
        check_uris.test_self_uri_names_this_service(service, stub)
    with pytest.raises(pytest.skip.Exception, match=r"^does not apply: "):
        check_uris.test_self_uri_id_is_percent_encoded(stub)
    assert check_uris.split_hostname_uri(uri) is None


@pytest.mark.parametrize(("uri", "split"), [("drs://drs.example.org:8443/x", ("drs.example.org:8443", "x")),
                                            ("drs://drs.example.org/10.5072%2FFK2805660V",
                                             ("drs.example.org", "10.5072%2FFK2805660V"))])
def test_a_hostname_uri_with_or_without_port_stays_hostname_based(uri: str, split: tuple[str, str]) -> None:
    assert check_uris.split_hostname_uri(uri) == split


@pytest.mark.parametrize(("fault", "cause"), [("checksum-base64", "drs.checksum.value-is-hex"),
                                              ("checksum-truncated", "drs.checksum.hex-length-matches-type")])
def test_a_malformed_checksum_is_one_failure(fault: str, cause: str, report_root: Path) -> None:
    # a base64 md5 or a 63-digit sha-256 cannot equal any digest: the byte check's mismatch is its consequence
    result = _run(DrsApp(faults=[fault]), report_root, [cause, "drs.object.checksum-matches-bytes"])
    assert result.causes() == {cause: None, "drs.object.checksum-matches-bytes": cause}, result.output


class _UppercaseHex(DrsApp):
    """Blobs give their checksums in uppercase hex (still "the hex-string encoded checksum", DRS 1.2.0 §Models ›
    Checksum); a bundle's checksum is computed over its children's checksums lowercased."""

    def blob_object(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        document: dict[str, Any] = super().blob_object(*args, **kwargs)
        if not getattr(self, "_in_bundle", False):
            document["checksums"] = [{**c, "checksum": c["checksum"].upper()} for c in document["checksums"]]
        return document

    def bundle_object(self, bundle_id: str, expand: bool) -> dict[str, Any]:
        self._in_bundle = True
        try:
            return super().bundle_object(bundle_id, expand)  # type: ignore[no-any-return]
        finally:
            self._in_bundle = False


def test_a_bundle_checksum_over_lowercased_child_checksums_is_no_failure(report_root: Path) -> None:
    check = "drs.bundle.checksum-over-sorted-child-checksums"
    assert _run(_UppercaseHex(), report_root, [check]).outcome(check) == "passed"
    assert _run(DrsApp(faults=["bundle-checksum-unsorted"]), report_root, [check]).outcome(check) == "failed"


class _BulkAcceptedFirst(DrsApp):
    """The first bulk request is answered 202 Accepted with Retry-After: 0 (GetBulkObjects lists 202)."""

    @route("POST", "/objects")
    def bulk_objects(self, request: Request) -> Any:
        if not getattr(self, "_bulk_seen", False):
            self._bulk_seen = True
            return self.error(202, "preparing the objects, try again", {"Retry-After": "0"})
        return super().bulk_objects(request)


def test_a_bulk_request_answered_202_first_is_asked_again(report_root: Path) -> None:
    checks = ["drs.bulk.objects-endpoint-supported", "drs.bulk.unknown-ids-reported-unresolved"]
    result = _run(_BulkAcceptedFirst(), report_root, checks)
    assert [result.outcome(c) for c in checks] == ["passed", "passed"], result.output


class _ExpandedBlobNotReady(DrsApp):
    """GET of a blob with expand=true answers 202 with a Retry-After longer than the harness waits."""

    @route("GET", "/objects/{object_id}")
    def object_get(self, request: Request) -> Any:
        if self.expand(request) and request.params["object_id"] in self.blobs:
            return self.error(202, "preparing the object, try again", {"Retry-After": "60"})
        return super().object_get(request)


def test_an_expanded_blob_answered_202_is_not_failed(report_root: Path) -> None:
    check = "drs.bundle.expand-ignored-for-blob"
    assert _run(_ExpandedBlobNotReady(), report_root, [check]).outcome(check) == "skipped"
