"""Follow-ups of the DRS precision review: conformant servers that choose differently where the text lets them
get no failed check, and a check that judged nothing skips with its reason instead of passing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.drs.reference.app import Blob, DrsApp
from conformance_suites.drs.view import HEX_LENGTH, hasher
from drs_stand_ins import run_demo_entry

from conformance import Request, route
from conformance.testing import RunResult


def _run(app: DrsApp, report_root: Path, checks: list[str], **entry_changes: Any) -> RunResult:
    return run_demo_entry(app, report_root, checks, initiative="drs follow-ups", **entry_changes)


class _AccessIdPerAnswer(DrsApp):
    """Each answer names its access methods' access_ids afresh (an access_id is "An arbitrary string to be
    passed to the /access method", unique within one object, DRS 1.2.0 §Models › AccessMethod.access_id;
    nothing asks it to stay the same from one answer to the next)."""

    def access_methods(self, blob: Blob) -> list[dict[str, Any]]:
        methods: list[dict[str, Any]] = super().access_methods(blob)
        self._issued = getattr(self, "_issued", 0) + 1
        return [{**m, "access_id": f"{m['access_id']}-{self._issued}"} if "access_id" in m else m for m in methods]


def test_expand_on_a_blob_is_judged_on_the_object_data_not_its_access_ids(report_root: Path) -> None:
    check = "drs.bundle.expand-ignored-for-blob"
    result = _run(_AccessIdPerAnswer(), report_root, [check])
    assert result.outcome(check) == "passed", result.output
    changed = _run(DrsApp(faults=["expand-on-blob-changes-it"]), report_root, [check])
    assert changed.outcome(check) == "failed", changed.output


class _FirstBundleGone(DrsApp):
    """bundle-1 answers 404 (the profile lists an id the server no longer holds); bundle-controlled holds the
    protected object, whose size a caller without credentials cannot read."""

    @route("GET", "/objects/{object_id}")
    def object_get(self, request: Request) -> Any:
        if self.object_id(request) == "bundle-1":
            return self.error(404, "no such bundle")
        return super().object_get(request)


def test_a_bundle_size_check_that_judged_no_bundle_skips(report_root: Path) -> None:
    check = "drs.bundle.size-is-sum-of-contents"
    result = _run(_FirstBundleGone(), report_root, [check])
    assert result.outcome(check) == "skipped", result.output
    assert "bundle-controlled" in result.check(check).message and "bundle-1" in result.check(check).message
    assert _run(DrsApp(faults=["bundle-size-not-sum"]), report_root, [check]).outcome(check) == "failed"


BUNDLE_CHECKS = ["drs.bundle.size-is-sum-of-contents", "drs.bundle.checksum-over-sorted-child-checksums",
                 "drs.bundle.contents-objects-valid", "drs.bundle.contents-id-required-at-top-level",
                 "drs.bundle.contents-names-unique", "drs.bundle.expand-false-is-not-recursive"]


def test_a_blob_listed_among_bundles_is_not_judged_as_a_bundle(report_root: Path) -> None:
    # a blob has no contents ("If not set, this DrsObject is a single blob", DRS 1.2.0 §Models ›
    # DrsObject.contents): its size and checksum are over its bytes, not over children it has none of
    result = _run(DrsApp(), report_root, BUNDLE_CHECKS, bundles=["blob-2"])
    assert {c: result.outcome(c) for c in BUNDLE_CHECKS} == dict.fromkeys(BUNDLE_CHECKS, "skipped"), result.output


class _RecursiveOnExpandFalse(DrsApp):
    """Expands nested bundles when asked expand=false (a defect), not when the parameter is left out."""

    @route("GET", "/objects/{object_id}")
    def object_get(self, request: Request) -> Any:
        self._recursive = request.arg("expand") == "false"
        try:
            return super().object_get(request)
        finally:
            self._recursive = False

    def has(self, fault: str) -> bool:
        return (fault == "bundle-always-expanded" and getattr(self, "_recursive", False)) or super().has(fault)


def test_expand_false_is_asked_of_a_bundle_holding_a_bundle(report_root: Path) -> None:
    # the check asks expand=false of bundle-1, which holds bundle-inner, whatever its answer without expand
    check = "drs.bundle.expand-false-is-not-recursive"
    assert _run(DrsApp(), report_root, [check]).outcome(check) == "passed"
    result = _run(_RecursiveOnExpandFalse(), report_root, [check])
    assert result.outcome(check) == "failed", result.output


class _AccessNotReady(DrsApp):
    """Every GET access answers 202 with a Retry-After longer than the harness waits (GetAccessURL lists 202)."""

    @route("GET", "/objects/{object_id}/access/{access_id}")
    def access_get(self, request: Request) -> Any:
        return self.error(202, "preparing the URL, try again", {"Retry-After": "60"})


def test_an_access_check_with_every_answer_not_ready_skips(report_root: Path) -> None:
    check = "drs.access.get-returns-access-url"
    result = _run(_AccessNotReady(), report_root, [check])
    assert result.outcome(check) == "skipped", result.output


class _NoAccessHeaders(DrsApp):
    """AccessURLs list no headers (headers is optional, DRS 1.2.0 §Models › AccessURL)."""

    def access_url(self, object_id: str) -> dict[str, Any]:
        return {"url": self.bytes_url(object_id)}


def test_header_lines_with_no_headers_listed_does_not_apply(report_root: Path) -> None:
    check = "drs.access.headers-are-header-lines"
    result = _run(_NoAccessHeaders(), report_root, [check])
    assert result.outcome(check) == "skipped", result.output
    assert result.check(check).message.startswith("does not apply: ")


def test_range_slice_with_no_206_does_not_apply(report_root: Path) -> None:
    check = "drs.access.range-partial-content-is-exact-slice"
    result = _run(DrsApp(faults=["range-ignored"]), report_root, [check], objects=["blob-2"])
    assert result.outcome(check) == "skipped", result.output
    assert result.check(check).message.startswith("does not apply: ")
    assert _run(DrsApp(faults=["range-off-by-one"]), report_root, [check]).outcome(check) == "failed"


class _ProblemJsonErrors(DrsApp):
    """Errors are served as application/problem+json, a JSON media type (RFC 6839 §3.1: the +json suffix
    names the JSON syntax); DRS asks JSON of its responses ("It uses JSON in requests and responses", DRS 1.2.0
    §DRS API Principles › Standards) and the Error body is still an Error (every field optional)."""

    def error(self, status: int, msg: str, headers: dict[str, str] | None = None) -> Any:
        reply = super().error(status, msg, headers)
        reply.headers["Content-Type"] = "application/problem+json"
        return reply


def test_an_error_served_as_a_json_media_type_is_judged_alike_by_both_checks(report_root: Path) -> None:
    checks = ["drs.http.json-content-type", "drs.error.body-is-json-error"]
    result = _run(_ProblemJsonErrors(), report_root, checks)
    assert [result.outcome(c) for c in checks] == ["passed", "passed"], result.output
    plain = _run(DrsApp(faults=["content-type-text-plain"]), report_root, checks)
    assert plain.outcome("drs.http.json-content-type") == "failed", plain.output


class _ChecksumTypeAlias(DrsApp):
    """Checksums typed "sha256" (not the IANA "sha-256"; other values MAY be used, DRS 1.2.0 §Models ›
    Checksum.type), and a k12-256 beside them (an IANA Hash Name String the harness cannot compute)."""

    def checksums(self, blob: Blob) -> list[dict[str, str]]:
        found: list[dict[str, str]] = [{**c, "type": "sha256"} if c["type"] == "sha-256" else c
                                       for c in super().checksums(blob)]
        return [*found, {"type": "k12-256", "checksum": "0" * 64}]


def test_a_sha256_named_without_hyphen_is_verified_against_the_bytes(report_root: Path) -> None:
    checks = ["drs.object.checksum-matches-bytes", "drs.checksum.type-is-known-name",
              "drs.checksum.hex-length-matches-type"]
    result = _run(_ChecksumTypeAlias(), report_root, checks, objects=["10.5072/FK2805660V"])
    outcomes = {c: result.outcome(c) for c in checks}
    # "sha256" is off the SHOULD list (a warning), k12-256 is on it; the sha256 is verified (passed, not skipped)
    assert outcomes == {"drs.object.checksum-matches-bytes": "passed", "drs.checksum.type-is-known-name": "failed",
                        "drs.checksum.hex-length-matches-type": "passed"}, result.output
    assert "'sha256'" in result.check("drs.checksum.type-is-known-name").message
    wrong = _run(_ChecksumTypeAlias(faults=["checksum-wrong"]), report_root, checks[:1], objects=["blob-1"])
    assert wrong.outcome("drs.object.checksum-matches-bytes") == "failed", wrong.output
    assert "sha256" in wrong.check("drs.object.checksum-matches-bytes").message


@pytest.mark.parametrize(("kind", "name", "size"), [("sha-256-32", "sha256", 4), ("blake2b-256", "blake2b", 32),
                                                    ("blake2s-256", "blake2s", 32), ("sha-384", "sha384", 48)])
def test_every_iana_name_with_a_standard_library_hash_is_computed(kind: str, name: str, size: int) -> None:
    made = hasher(kind)
    assert not isinstance(made, str), made
    digest, keep = made
    digest.update(b"abc")
    full = hashlib.new(name, b"abc", **({"digest_size": 32} if name.startswith("blake2") else {})).hexdigest()
    assert (digest.hexdigest()[:keep] if keep else digest.hexdigest()) == full[:size * 2]
    assert HEX_LENGTH[kind] == size * 2


class _Aggregator(DrsApp):
    """blob-1 is held by another DRS server: its self_uri names that server and the id there ("A drs://
    hostname-based URI ... that tells clients how to access this object", DRS 1.2.0 §Models ›
    DrsObject.self_uri); the id is not one of this server's."""

    def self_uri(self, object_id: str) -> str:
        return "drs://drs.origin.example.org/origin-7" if object_id == "blob-1" else super().self_uri(object_id)


def test_a_self_uri_naming_another_server_is_not_resolved_here(report_root: Path) -> None:
    check = "drs.uri.self-uri-resolves-to-this-object"
    result = _run(_Aggregator(), report_root, [check], objects=["blob-1"], bundles=[], protected_objects=[])
    assert result.outcome(check) == "skipped", result.output
    assert "drs.origin.example.org" in result.check(check).message
    assert _run(DrsApp(faults=["self-uri-wrong-id"]), report_root, [check]).outcome(check) == "failed"


def test_https_on_port_443_is_judged_at_the_level_of_its_text(report_root: Path) -> None:
    # "standard HTTPS on port 443" (DRS 1.2.0 - 1.5.0 §DRS API Principles › Standards) carries no RFC 2119
    # keyword: a plain http access URL is a warning, not non-conformance
    check = "drs.http.https-on-port-443"
    result = _run(DrsApp(faults=["access-url-plain-http-public"]), report_root, [check])
    assert (result.outcome(check), result.check(check).level) == ("failed", "SHOULD"), result.output


class _AccessUrlsWithoutUrl(DrsApp):
    """Every AccessURL, inline and from /access, lacks its url (broken where the schema check judges it)."""

    def access_methods(self, blob: Blob) -> list[dict[str, Any]]:
        methods: list[dict[str, Any]] = super().access_methods(blob)
        return [{**m, "access_url": {"headers": []}} if "access_url" in m else m for m in methods]

    def access_url(self, object_id: str) -> dict[str, Any]:
        return {"headers": []}


def test_absolute_urls_with_no_url_read_does_not_apply(report_root: Path) -> None:
    result = _run(_AccessUrlsWithoutUrl(), report_root, ["drs.access.url-is-absolute"])
    check = result.check("drs.access.url-is-absolute")
    assert check.outcome == "skipped" and "no AccessURL with a url was read" in check.message, check


def test_bundle_members_without_ids_leave_the_protected_member_undecided(report_root: Path) -> None:
    """bundle-controlled holds the protected object; with no ids on its members the skip says that, not that no
    bundle holds one."""
    from conformance.testing import run_reference

    result = run_reference("drs", report_root, ["bundle-contents-missing-id"],
                           checks=["drs.auth.bundle-does-not-reveal-protected-object"])
    check = result.check("drs.auth.bundle-does-not-reveal-protected-object")
    assert check.outcome == "skipped" and "'bundle-controlled' name no id" in check.message, check


@pytest.mark.parametrize(("fault", "check_id"), [("missing-self-uri", "drs.object.required-fields-present"),
                                                 ("checksums-empty", "drs.object.checksums-non-empty"),
                                                 ("access-method-type-unknown", "drs.access-method.type-in-enum")])
def test_a_field_the_schema_refuses_too_is_one_failure(fault: str, check_id: str, report_root: Path,
                                                       requires_specs: str) -> None:
    """A missing required field, an empty checksums array, an access method type outside the enum: the DrsObject
    schema refuses each, so drs.object.schema-valid reports the defect and the field's own check is its
    consequence."""
    from conformance.testing import run_reference

    result = run_reference("drs", report_root, [fault], specs_dir=requires_specs,
                           checks=["drs.object.schema-valid", check_id])
    assert result.causes() == {"drs.object.schema-valid": None, check_id: "drs.object.schema-valid"}, result.output
