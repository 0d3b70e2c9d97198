"""Findings of a developer trial of the DRS suite against a tiny stdlib http.server: a bulk answer that is no
JSON object, OPTIONS not implemented (501), checks that judged nothing, and cascades where one defect of a
naive server failed several MUST checks as separate root causes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.drs.reference.app import Blob, DrsApp
from drs_stand_ins import run_demo_entry

from conformance import Request, route
from conformance.reference.app import Reply
from conformance.testing import RunResult

#: A MUST check the reference server passes: a run whose MUST checks all skip is incomplete, not conformant.
PASSING_MUST = "drs.object.required-fields-present"
#: What http.server's send_error writes: an HTML page, labelled so.
HTML_PAGE = b"<!DOCTYPE HTML><html><body><h1>Error response</h1></body></html>"
HTML = {"Content-Type": "text/html;charset=utf-8"}


def _run(app: DrsApp, report_root: Path, checks: list[str], **entry_changes: Any) -> RunResult:
    return run_demo_entry(app, report_root, checks, initiative="drs trial", **entry_changes)


def _causes(result: RunResult, checks: list[str]) -> dict[str, str | None]:
    """Check id → its outcome when it did not fail, else the cause it names (None: a root cause)."""
    causes = result.causes()
    return {c: causes[c] if c in causes else result.outcome(c) for c in checks}


# -- 1. a bulk answer that is no JSON object, a bulk endpoint not implemented -------------------------------

BODY_FORM = "drs.bulk.objects-response-valid"
READS_THE_BODY = ["drs.bulk.summary-counts-add-up", "drs.bulk.summary-requested-matches-request",
                  "drs.bulk.summary-resolved-matches-array", "drs.bulk.unknown-ids-reported-unresolved",
                  "drs.bulk.resolved-ids-were-requested"]


class _BulkBody(DrsApp):
    """POST /objects answers 200 with a fixed JSON body that is no object."""

    body = b"null"

    @route("POST", "/objects")
    def bulk_objects(self, request: Request) -> Any:
        return Reply(200, self.body, {"Content-Type": "application/json"})


@pytest.mark.parametrize("body", [b"null", b"[]"])
def test_a_bulk_answer_that_is_no_object_is_one_failure(body: bytes, report_root: Path,
                                                        requires_specs: str) -> None:
    app = _BulkBody()
    app.body = body
    checks = [BODY_FORM, *READS_THE_BODY, "drs.bulk.resolved-objects-equal-single-answers"]
    result = _run(app, report_root, checks)
    assert result.errors() == [], result.output  # no AttributeError of a check reading the body
    assert _causes(result, checks) == {BODY_FORM: None, **dict.fromkeys(READS_THE_BODY, BODY_FORM),
                                       "drs.bulk.resolved-objects-equal-single-answers": "skipped"}, result.output


class _NoBulk(DrsApp):
    """POST /objects answers 501 (http.server without do_POST)."""

    @route("POST", "/objects")
    def bulk_objects(self, request: Request) -> Any:
        return Reply(501, HTML_PAGE, dict(HTML))


BULK_STATUS = ["drs.bulk.objects-endpoint-supported", "drs.bulk.unknown-ids-reported-unresolved",
               "drs.bulk.over-max-is-413"]


def test_a_missing_bulk_endpoint_is_one_failure(report_root: Path) -> None:
    result = _run(_NoBulk(), report_root, BULK_STATUS)
    assert _causes(result, BULK_STATUS) == {BULK_STATUS[0]: None, **dict.fromkeys(BULK_STATUS[1:], BULK_STATUS[0])}, \
        result.output
    # a bulk endpoint that answers, but not 413 over the maximum: its own failure
    unenforced = _run(DrsApp(faults=["bulk-max-not-enforced"]), report_root, BULK_STATUS)
    assert _causes(unenforced, BULK_STATUS) == {BULK_STATUS[0]: "passed", BULK_STATUS[1]: "passed",
                                                BULK_STATUS[2]: None}, unenforced.output


# -- 2. OPTIONS not implemented ----------------------------------------------------------------------------

class _NoOptions(DrsApp):
    """OPTIONS answers 501 as http.server does for a method it has no handler for."""

    @route("OPTIONS", "/objects/{object_id}")
    def object_options(self, request: Request) -> Any:
        return Reply(501, HTML_PAGE, dict(HTML))

    @route("OPTIONS", "/objects")
    def bulk_options(self, request: Request) -> Any:
        return Reply(501, HTML_PAGE, dict(HTML))


def test_options_not_implemented_breaks_only_the_should(report_root: Path) -> None:
    # "Implementers should indicate how to authenticate ... by implementing the OptionsObject API" (DRS 1.3.0
    # §Authorization & Authentication › Discovery): no sentence makes OPTIONS a MUST
    checks = ["drs.auth.options-response-valid", "drs.bulk.options-response-valid",
              "drs.auth.options-object-implemented"]
    result = _run(_NoOptions(), report_root, [*checks, PASSING_MUST])
    for check in checks[:2]:
        assert result.outcome(check) == "skipped", result.output
        assert result.check(check).message.startswith("does not apply: ") and "501" in result.check(check).message
    assert (result.outcome(checks[2]), result.check(checks[2]).level) == ("failed", "SHOULD")
    assert result.exit_code == 0, result.output
    for fault, check in (("options-cors-empty-200", checks[0]), ("bulk-options-cors-empty", checks[1])):
        assert _run(DrsApp(faults=[fault]), report_root, [check]).outcome(check) == "failed"


# -- 3. checks that judged nothing -------------------------------------------------------------------------

HOSTNAME_FORM = ["drs.uri.self-uri-is-hostname-based", "drs.uri.hostname-uri-has-no-port",
                 "drs.uri.hostname-uri-id-is-percent-encoded"]


def test_an_http_self_uri_fails_once(report_root: Path) -> None:
    # "We require all URIs to begin with drs://": an http self_uri breaks that rule; the rules of the drs:// forms
    # have nothing to judge
    result = _run(DrsApp(faults=["self-uri-https-scheme"]), report_root,
                  ["drs.uri.self-uri-uses-drs-scheme", *HOSTNAME_FORM])
    assert result.outcome("drs.uri.self-uri-uses-drs-scheme") == "failed", result.output
    for check in HOSTNAME_FORM:
        assert result.outcome(check) == "skipped", (check, result.check(check).message)
        assert result.check(check).message.startswith("does not apply: "), result.check(check).message


def test_max_bulk_at_least_one_without_the_field_does_not_apply(report_root: Path) -> None:
    check = "drs.service-info.max-bulk-request-length-at-least-one"
    # 1.4.0: 1.5.0 gives the field in its drs section too
    result = _run(DrsApp(faults=["service-info-no-max-bulk"], version="1.4.0"), report_root, [check], version="1.4.0")
    assert result.outcome(check) == "skipped", result.output
    assert result.check(check).message.startswith("does not apply: ")
    assert _run(DrsApp(), report_root, [check]).outcome(check) == "passed"


# -- 4. cascades: one defect, one failure ------------------------------------------------------------------

class _HtmlErrors(DrsApp):
    """Every error is http.server's send_error page (text/html), whatever its status."""

    def error(self, status: int, msg: str, headers: dict[str, str] | None = None) -> Reply:
        if status < 400:
            return super().error(status, msg, headers)
        return Reply(status, HTML_PAGE, {**HTML, **(headers or {})})


ERROR_BODY = "drs.error.body-is-json-error"
ERROR_PAGES = ["drs.http.json-content-type", "drs.object.unknown-id-is-404", "drs.access.unknown-object-id-is-404",
               "drs.access.unknown-access-id-is-404"]


def test_html_error_pages_are_one_failure(report_root: Path) -> None:
    result = _run(_HtmlErrors(), report_root, [ERROR_BODY, *ERROR_PAGES])
    expected = {ERROR_BODY: None, **dict.fromkeys(ERROR_PAGES, ERROR_BODY)}
    assert _causes(result, [ERROR_BODY, *ERROR_PAGES]) == expected, result.output


class _JsonErrorsAsTextPlain(DrsApp):
    """Errors are JSON Error bodies labelled text/plain: the media type alone is wrong."""

    def error(self, status: int, msg: str, headers: dict[str, str] | None = None) -> Reply:
        reply = super().error(status, msg, headers)
        reply.headers["Content-Type"] = "text/plain"
        return reply


def test_a_json_error_under_another_label_is_the_content_type_failure(report_root: Path) -> None:
    checks = ["drs.http.json-content-type", ERROR_BODY]
    result = _run(_JsonErrorsAsTextPlain(), report_root, checks)
    assert _causes(result, checks) == {"drs.http.json-content-type": None, ERROR_BODY: "drs.http.json-content-type"}


class _OnlyUnknownIdsHtml(DrsApp):
    """The plain unknown id answers a JSON Error; an id outside the DRS id grammar answers an HTML page (another
    defect)."""

    def unknown(self, object_id: str) -> Reply:
        if not re.fullmatch(r"[A-Za-z0-9._~-]+", object_id):
            return Reply(404, HTML_PAGE, dict(HTML))
        return super().unknown(object_id)


def test_an_error_page_of_other_ids_is_not_hidden_behind_the_error_body_check(report_root: Path) -> None:
    check = "drs.object.unknown-id-is-404"
    result = _run(_OnlyUnknownIdsHtml(), report_root, [ERROR_BODY, check])
    assert _causes(result, [ERROR_BODY, check]) == {ERROR_BODY: "passed", check: None}, result.output


class _NoServiceType(DrsApp):
    """service-info without its type object."""

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Any:
        document = json.loads(super().service_info(request).body)
        del document["type"]
        return self.reply(document)


def test_a_service_info_without_type_fails_the_schema_once(report_root: Path, requires_specs: str) -> None:
    checks = ["drs.service-info.schema-valid", "drs.service-info.type-group-is-org-ga4gh"]
    result = _run(_NoServiceType(), report_root, checks)
    assert _causes(result, checks) == {checks[0]: None, checks[1]: checks[0]}, result.output
    wrong = _run(DrsApp(faults=["service-info-wrong-group"]), report_root, checks)
    assert _causes(wrong, checks) == {checks[0]: "passed", checks[1]: None}, wrong.output


def test_what_the_generic_service_schema_refuses_is_the_shared_checks_failure(report_root: Path,
                                                                              requires_specs: str) -> None:
    """No type: the generic Service schema refuses it, so the shared service-info.schema.valid is the one
    failure and the DRS schema check (and the group check under it) its consequences; a defect only DrsService
    knows (maxBulkRequestLength a string) stays the DRS check's own."""
    checks = ["service-info.schema.valid", "drs.service-info.schema-valid", "drs.service-info.type-group-is-org-ga4gh"]
    result = _run(_NoServiceType(), report_root, checks)
    assert _causes(result, checks) == {checks[0]: None, checks[1]: checks[0], checks[2]: checks[0]}, result.output
    own = _run(DrsApp(faults=["service-info-max-bulk-string"]), report_root, checks[:2])
    assert _causes(own, checks[:2]) == {checks[0]: "passed", checks[1]: None}, own.output


TIME_CHECKS = ["drs.object.schema-valid", "drs.object.created-time-is-rfc3339", BODY_FORM]


def test_a_time_without_zone_is_one_failure(report_root: Path, requires_specs: str) -> None:
    result = _run(DrsApp(faults=["created-time-not-rfc3339"]), report_root, TIME_CHECKS)
    assert _causes(result, TIME_CHECKS) == {TIME_CHECKS[0]: None, TIME_CHECKS[1]: TIME_CHECKS[0],
                                            BODY_FORM: TIME_CHECKS[0]}, result.output


def test_a_bulk_envelope_defect_beside_a_bad_time_stands_alone(report_root: Path, requires_specs: str) -> None:
    result = _run(DrsApp(faults=["created-time-not-rfc3339", "bulk-summary-string"]), report_root, TIME_CHECKS)
    assert _causes(result, TIME_CHECKS) == {TIME_CHECKS[0]: None, TIME_CHECKS[1]: TIME_CHECKS[0],
                                            BODY_FORM: None}, result.output


class _SizeAsString(DrsApp):
    """Every blob's size is a JSON string ("12")."""

    def blob_object(self, blob: Blob) -> dict[str, Any]:
        document: dict[str, Any] = super().blob_object(blob)
        return {**document, "size": str(document["size"])}


def test_a_string_size_is_one_failure(report_root: Path, requires_specs: str) -> None:
    checks = ["drs.object.schema-valid", "drs.object.size-is-non-negative-integer"]
    result = _run(_SizeAsString(), report_root, checks)
    assert _causes(result, checks) == {checks[0]: None, checks[1]: checks[0]}, result.output
    # a negative size, which the schema allows, is the size check's own failure
    negative = _run(DrsApp(faults=["size-negative"]), report_root, checks)
    assert _causes(negative, checks) == {checks[0]: "passed", checks[1]: None}, negative.output


# -- 5. an HTTP rule that DRS does not state ---------------------------------------------------------------

def test_a_405_without_allow_is_a_warning_as_a_401_without_www_authenticate(report_root: Path) -> None:
    result = _run(DrsApp(faults=["405-without-allow", "401-without-www-authenticate"]), report_root,
                  ["drs.http.405-has-allow", "drs.auth.401-has-www-authenticate", PASSING_MUST])
    levels = {c: (result.outcome(c), result.check(c).level)
              for c in ("drs.http.405-has-allow", "drs.auth.401-has-www-authenticate")}
    assert levels == dict.fromkeys(levels, ("failed", "SHOULD")), result.output
    assert result.exit_code == 0, result.output
