"""What Galaxy 26.1 (DRS 1.2.0 at /ga4gh/drs/v1, issue 19) showed, reproduced on the reference server:
its self_uri names ``drs.<host:port>`` of the request, its DrsObjects carry null optional fields, and a
dataset whose checksum is not computed yet answers 202 Accepted with Retry-After: 60."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from conformance_suites.drs.reference.app import DrsApp

from conformance import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile

NOT_READY = "blob-2"


class _GalaxySelfUri(DrsApp):
    """self_uri is ``drs://drs.<netloc of the request>/<id>``: on loopback, the service's own port under
    another host name (Galaxy's DatasetsService.get_drs_object)."""

    def self_uri(self, object_id: str) -> str:
        return f"drs://drs.{self.host()}/{quote(object_id, safe='')}"


class _GalaxyNulls(DrsApp):
    """Optional DrsObject fields sent as null, updated_time among them."""

    def blob_object(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        document: dict[str, Any] = super().blob_object(*args, **kwargs)
        document.update(updated_time=None, version=None, description=None, aliases=None, contents=None)
        return document


class _GalaxyNotReady(DrsApp):
    """One listed object answers 202 Accepted with Retry-After: 60 on every GET (Galaxy without a celery
    worker never computes the checksum it waits for)."""

    @route("GET", "/objects/{object_id}")
    def object_get(self, request: Request) -> Reply:
        if self.object_id(request) == NOT_READY:
            return json_reply({"status_code": 202, "msg": "required checksum task for DRS object response "
                               "launched."}, 202, {"Retry-After": "60"})
        return super().object_get(request)


class _RefusesMalformedIds(DrsApp):
    """400 "malformed" for an unknown id with characters outside the DRS id grammar, 404 for the others."""

    def unknown(self, object_id: str) -> Reply:
        if re.fullmatch(r"[A-Za-z0-9._~-]+", object_id) is None:
            return self.error(400, "malformed id")
        return super().unknown(object_id)


class _GalaxyIdScheme(_RefusesMalformedIds):
    """Galaxy's 400 to any id outside its ``hda-``/``ldda-`` scheme, a well-formed DRS id included."""

    def unknown(self, object_id: str) -> Reply:
        if not object_id.startswith(("hda-", "ldda-")):
            return self.error(400, "malformed id")
        return super().unknown(object_id)


class _BundleNotReady(DrsApp):
    """One listed bundle answers 202 Accepted with Retry-After: 60 on every GET."""

    @route("GET", "/objects/{object_id}")
    def object_get(self, request: Request) -> Reply:
        if self.object_id(request) == "bundle-controlled":
            return json_reply({"status_code": 202, "msg": "not ready"}, 202, {"Retry-After": "60"})
        return super().object_get(request)


def _run(app: DrsApp, report_root: Path, checks: list[str], objects: list[str] | None = None,
         specs_dir: str | None = None, bundles: list[str] | None = None) -> RunResult:
    with ReferenceServer(app) as server:
        entry = {"standard": "drs", "version": "1.2.0", "url": server.url,
                 "objects": objects or ["blob-1", "blob-2"], "bundles": bundles or []}
        return run_profile({"initiative": "drs galaxy", "services": [entry]}, report_root, checks=checks,
                           specs_dir=specs_dir)


def test_a_self_uri_with_the_services_own_port_on_loopback_is_not_judged(report_root: Path) -> None:
    # The port is the one the local deployment needs, whatever host name goes with it; another port still
    # fails (fault self-uri-with-another-port).
    result = _run(_GalaxySelfUri(version="1.2.0"), report_root, ["drs.uri.hostname-uri-has-no-port"])
    check = result.check("drs.uri.hostname-uri-has-no-port")
    assert check.outcome == "skipped", check.message
    assert "own port" in check.message


def test_a_null_updated_time_is_a_consequence_of_the_schema_failure(report_root: Path, requires_specs: str) -> None:
    # One root cause (null optional fields), one failure: drs.object.schema-valid; the time check names it.
    result = _run(_GalaxyNulls(version="1.2.0"), report_root,
                  ["drs.object.schema-valid", "drs.object.updated-time-is-rfc3339"], specs_dir=requires_specs)
    assert result.outcome("drs.object.schema-valid") == "failed"
    check = result.check("drs.object.updated-time-is-rfc3339")
    assert check.outcome == "failed"
    assert check.caused_by == "drs.object.schema-valid"


def test_an_object_that_is_not_ready_hides_none_of_the_others(report_root: Path) -> None:
    checks = ["drs.object.get-known-id-returns-200", "drs.object.id-always-returns-same-data",
              "drs.bundle.expand-ignored-for-blob", "drs.http.accepted-has-retry-after"]
    result = _run(_GalaxyNotReady(version="1.2.0"), report_root, checks, objects=[NOT_READY, "blob-1"])
    for check_id in checks:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
    cases = {case.case: case for case in result.check("drs.object.get-known-id-returns-200").cases}
    assert cases[NOT_READY].outcome == "skipped"
    # the skip says what happened: Retry-After 60 s is not waited for, so nothing was retried
    assert "Retry-After 60 s" in cases[NOT_READY].message
    assert "retries" not in cases[NOT_READY].message


def test_an_id_outside_the_drs_grammar_may_be_refused_as_malformed(report_root: Path) -> None:
    # DRS 1.2.0 §DRS IDs: "[A-Za-z0-9.-_~]"; an id with other characters is a malformed request (400).
    result = _run(_RefusesMalformedIds(version="1.2.0"), report_root, ["drs.object.unknown-id-is-404"])
    assert result.outcome("drs.object.unknown-id-is-404") == "passed", result.check("drs.object.unknown-id-is-404")


def test_a_well_formed_unknown_id_refused_as_malformed_fails(report_root: Path) -> None:
    # Galaxy 26.1 answers 400 to a well-formed DRS id outside its own scheme: not the 404 GetObject names.
    result = _run(_GalaxyIdScheme(version="1.2.0"), report_root, ["drs.object.unknown-id-is-404"])
    check = result.check("drs.object.unknown-id-is-404")
    assert check.outcome == "failed"
    assert "well-formed DRS id" in check.message


def test_a_bundle_that_is_not_ready_hides_none_of_the_others(report_root: Path) -> None:
    checks = ["drs.bundle.contents-objects-valid", "drs.bundle.contents-names-unique"]
    result = _run(_BundleNotReady(version="1.2.0"), report_root, checks,
                  bundles=["bundle-controlled", "bundle-1"])
    for check_id in checks:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
    alone = _run(_BundleNotReady(version="1.2.0"), report_root, checks, bundles=["bundle-controlled"])
    check = alone.check("drs.bundle.contents-objects-valid")
    assert check.outcome == "skipped" and "Retry-After 60 s" in check.message
