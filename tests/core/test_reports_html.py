"""report.html (conformance/reports/html.py): the harness's own page, rendered from the scorecard.

Issue 21.8: the page a person reads first is no stock pytest-html table: scorecard first, then per
service each requirement with its checks, failures first with their evidence, skip reasons grouped and
counted, no install paths, no Python function names, no raw tuples; self-contained and escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.redact import MASK, Redactor
from conformance.reports import WRITERS, html
from conformance.scorecard import CaseResult, CheckResult, Scorecard, ServiceResult, aggregate
from conformance.testing import reference_entries, run_profile

SECRET = "tok-Secret-0123456789abcdef"
STARTED = dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=dt.timezone.utc)
FINISHED = dt.datetime(2026, 11, 24, 10, 1, 12, tzinfo=dt.timezone.utc)
HOSTILE = "<script>alert('x')</script>"
INSTALL = "/home/u/venv/lib/python3.11/site-packages/conformance_suites/drs/check_access.py"
VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "embed", "source", "track", "wbr"}


class _Page(HTMLParser):
    """Well-formedness (every element closed in order), the visible text, and what the page would load."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    return parser


def visible(page: str) -> str:
    """The text a reader sees, one space between words and none inside brackets or before punctuation."""
    return squash(" ".join(parse(page).text))


def squash(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([):,.])", r"\1", text))


def exchange(body: str = '{"msg": "oops"}', content_type: str = "application/json") -> dict[str, Any]:
    return {"curl": f"curl -sS -i -H 'Authorization: Bearer {SECRET}' 'https://drs.example.org/objects/o1'",
            "method": "GET", "url": "https://drs.example.org/objects/o1", "status": 500, "error": None,
            "response_headers": {"Content-Type": content_type, "X-Echo": HOSTILE},
            "response_body": body, "body_bytes": len(body), "truncated": False, "redirected_from": []}


def case(check_id: str, outcome: str, message: str = "", *, label: str | None = None,
         evidence: list[dict[str, Any]] | None = None) -> CaseResult:
    return CaseResult(nodeid=f"drs/check_access.py::test_{check_id.replace('.', '_')}[drs-0]", check_id=check_id,
                      service_key="drs-0", case=label, outcome=outcome, message=message, evidence=evidence or [])


def check(check_id: str, level: str, *cases: CaseResult) -> CheckResult:
    return aggregate(check_id, level, f"DRS 1.4.0 §{check_id}", f"the text of {check_id}", cases)


def scorecard(services: list[ServiceResult], **extra: Any) -> Scorecard:
    fields: dict[str, Any] = {"initiative": "Example <National> Genomics", "harness_version": "0.1.0",
                              "started": STARTED, "finished": FINISHED, "services": services, "seed": 7,
                              "specs": {"available": True}}
    fields.update(extra)
    return Scorecard(**fields)


def drs_service() -> ServiceResult:
    skipped = [check(f"drs.broker.b{i}", "MUST", case(f"drs.broker.b{i}", "skipped",
                                                      "a broker check; this service is declared as role clearinghouse"))
               for i in range(87)]
    return ServiceResult(key="drs-0", standard="drs", version="1.4.0", url="https://drs.example.org/ga4gh/drs/v1",
                         name=None, checks=[
                             check("drs.a.passes", "MUST", case("drs.a.passes", "passed")),
                             check("drs.b.should", "SHOULD", case("drs.b.should", "failed", "no Accept-Ranges")),
                             check("drs.c.must", "MUST",
                                   case("drs.c.must", "passed", label="blob-1"),
                                   case("drs.c.must", "failed", f"bad checksum {HOSTILE} read from {INSTALL}",
                                        label="blob-2", evidence=[exchange(f"body {HOSTILE}")])),
                             check("drs.d.error", "MUST", case("drs.d.error", "error",
                                                                "the harness could not complete the check")),
                             *skipped,
                         ])


def test_page_is_scorecard_first_then_failures_with_evidence() -> None:
    page = html.render(scorecard([drs_service()]).to_dict())
    text = visible(page)
    assert text.index("Scorecard") < text.index("Failed: 1 MUST requirement") < text.index("Warnings: 1")
    assert text.index("Warnings: 1") < text.index("Errors (the harness could not tell): 1") < text.index("Passed: 1")
    # the requirement: id, text, level, citation, then the failing case with its evidence
    assert "drs.c.must" in text and "the text of drs.c.must" in text and "(DRS 1.4.0 §drs.c.must)" in text
    assert "case blob-2" in text and "HTTP 500" in text and "curl -sS -i" in text
    assert "X-Echo: <script>alert('x')</script>" in text  # shown as text
    assert "MUST passed" in text and "1/3" in text


def test_page_escapes_server_text_and_loads_nothing() -> None:
    page = html.render(scorecard([drs_service()]).to_dict())
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    tags = parse(page).tags
    assert {t for t, _ in tags} & {"script", "link", "img", "iframe", "object", "embed"} == set()
    for _, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), attrs  # no event handler attributes
        assert not str(attrs.get("href") or "#").startswith(("http", "//")), attrs  # only anchors in the page
    style = page[page.index("<style>"):page.index("</style>")]
    assert "url(" not in style and "@import" not in style


def test_page_names_no_function_no_node_id_no_install_path_no_tuple() -> None:
    page = html.render(scorecard([drs_service()]).to_dict())
    assert "test_drs_" not in page and "::" not in page and "[drs-0]" not in page
    assert "site-packages" not in page and "/home/u/venv" not in page
    assert "read from conformance_suites/drs/check_access.py" in visible(page)  # the path inside the package
    assert "('" not in visible(page).replace("('x')", "")  # no tuple repr (the hostile text aside)


def test_installed_source_paths_are_cut() -> None:
    root = str(Path(html.__file__).resolve().parents[2])
    service = ServiceResult("s-0", "drs", "1.4.0", "https://x.example", None, checks=[
        check("drs.x", "MUST", case("drs.x", "error", f"KeyError in {root}/suites/drs/view.py line 3"))])
    page = html.render(scorecard([service]).to_dict())
    assert root not in page and "KeyError in suites/drs/view.py line 3" in page


def test_skip_reasons_are_grouped_and_counted() -> None:
    page = html.render(scorecard([drs_service()]).to_dict())
    text = visible(page)
    assert text.count("87 × a broker check; this service is declared as role clearinghouse") == 1
    assert "Could not be decided: 87" in text  # the scorecard names every skip's kind (undecided unless a suite says)


def test_skip_kinds_are_counted_apart() -> None:
    data = scorecard([drs_service()]).to_dict()
    for item in data["services"][0]["checks"]:
        if item["outcome"] == "skipped":
            item["skip_kind"] = "not-applicable" if item["id"] < "drs.broker.b5" else "undecided"
    data["services"][0]["checks"][-1]["message"] = "no visas to examine"
    text = visible(html.render(data))
    undecided = sum(1 for c in data["services"][0]["checks"] if c.get("skip_kind") == "undecided")
    applicable = 87 - undecided
    assert f"Not applicable to this service: {applicable}" in text
    assert f"Could not be decided: {undecided}" in text
    assert f"87 ({applicable} not applicable, {undecided} undecided)" in text
    assert "1 × no visas to examine" in text


def test_consequences_are_grouped_under_their_cause() -> None:
    data = scorecard([drs_service()]).to_dict()
    checks = data["services"][0]["checks"]
    checks.append({**checks[2], "id": "drs.e.consequence", "message": "also wrong", "caused_by": "drs.c.must"})
    text = visible(html.render(data))
    assert "Failed: 1 MUST requirement" in text  # the consequence is no second root failure
    # nor in the scorecard table: MUST passed 1/3, MUST failed 1 (it counted 2), 1 warning, 1 error
    assert "drs drs-0 1.4.0 https://drs.example.org/ga4gh/drs/v1 non-conformant 1/3 1 1 1 87" in text
    cause = text.index("drs.c.must")
    assert cause < text.index("1 more check failed because of this one")
    assert "drs.e.consequence (DRS 1.4.0 §drs.c.must): caused by drs.c.must: also wrong" in text
    # a cause that is not in the service's results: the check stands alone, saying what caused it
    checks[-1]["caused_by"] = "service-info.endpoint.answers-200"
    text = visible(html.render(data))
    assert "Failed: 2 MUST requirements" in text and "Caused by service-info.endpoint.answers-200." in text


def test_errors_of_one_cause_are_one_entry() -> None:
    service = ServiceResult("htsget-1", "htsget", "1.3.0", "http://127.0.0.1:9", None,
                            unreachable="connection refused", checks=[
                                check(f"htsget.c{i}", "MUST", case(f"htsget.c{i}", "error",
                                                                   "service unreachable: connection refused"))
                                for i in range(97)])
    service.checks[5].cases[0].evidence = [{**exchange(), "status": None, "error": "connection refused (errno 111)"}]
    text = visible(html.render(scorecard([service]).to_dict()))
    assert text.count("service unreachable: connection refused") == 1
    assert "For example, htsget.c5: Reproduce" in text and "Answer connection refused (errno 111)" in text
    assert "97 × service unreachable: connection refused" in text and "Unreachable: connection refused" in text


def test_binary_body_is_not_dumped() -> None:
    service = drs_service()
    service.checks[2].cases[1].evidence = [exchange("\x00\x01\ufffd\ufffd" * 500, "application/octet-stream")]
    text = visible(html.render(scorecard([service]).to_dict()))
    assert "\ufffd" not in text and "2000 bytes of binary content, not shown as text." in text


def test_banners_say_interrupted_and_schemas_not_checked() -> None:
    card = scorecard([drs_service()], interrupted=True,
                     specs={"available": False, "how_to_get": "run `conformance specs fetch`"})
    text = visible(html.render(card.to_dict()))
    assert "This run was interrupted" in text
    assert "Schemas not checked" in text and "conformance specs fetch" in text
    assert "interrupted" not in visible(html.render(scorecard([drs_service()]).to_dict()))


def test_write_redacts_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    assert html.write in WRITERS
    path = html.write(scorecard([drs_service()]), tmp_path, Redactor([SECRET]))
    assert path == tmp_path / "report.html"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    other = tmp_path / "other.json"
    other.write_text("{}", encoding="utf-8")
    assert path.stat().st_mode & 0o777 == other.stat().st_mode & 0o777  # as any report file, not 0600
    page = path.read_text(encoding="utf-8")
    assert SECRET not in page and MASK in page
    parse(page)


@pytest.mark.slow
def test_page_of_a_real_run(tmp_path: Path, specs_dir: str | None) -> None:
    """A reference DRS server serving other bytes than its checksums say: the page shows the requirement,
    the failing objects and the reproduction, and nothing of pytest's view of the session."""
    entries = reference_entries("drs", ["checksum-wrong"])
    result = run_profile({"initiative": "Page", "services": entries}, tmp_path / "r", specs_dir=specs_dir,
                         checks=["drs.object.checksum-matches-bytes", "drs.object.size-matches-bytes"])
    assert result.outcome("drs.object.checksum-matches-bytes") == "failed"
    page = html.write(result.scorecard, tmp_path, Redactor()).read_text(encoding="utf-8")
    text = visible(page)
    requirement = result.check("drs.object.checksum-matches-bytes")
    assert squash(requirement.requirement) in text and squash(requirement.citation) in text
    assert text.index("drs.object.checksum-matches-bytes") < text.index("drs.object.size-matches-bytes")
    assert "curl -sS -i http://127.0.0.1:" in text
    assert not re.search(r"check_\w+\.py|test_\w+\[|::", page)
    json.dumps(result.scorecard.to_dict())  # the page came from the same data


def test_a_passed_check_shows_the_note_it_left() -> None:
    """A passed check's message is the one line of information it recorded (the DUO release its terms come
    from, say): shown, as text, beside the requirement in the passed table."""
    service = ServiceResult(key="duo-0", standard="duo", version="2021-02-23", url="", name=None, checks=[
        check("duo.a.passes", "MUST",
              case("duo.a.passes", "passed", f"3 terms from DUO release 2021-02-23 {HOSTILE}"))])
    page = html.render(scorecard([service]).to_dict())
    assert "3 terms from DUO release 2021-02-23 <script>alert('x')</script>" in visible(page)
    assert "<script" not in page.lower() and not parse(page).errors


def test_page_lists_what_the_run_created() -> None:
    from conformance.scorecard import Created

    made = Created("task", "<b>t-1</b>")
    made.finished("COMPLETE")
    service = ServiceResult(key="tes-0", standard="tes", version="1.1.0", url="https://tes.example.org", name=None,
                            checks=[check("tes.a.passes", "MUST", case("tes.a.passes", "passed"))], created=[made])
    page = html.render(scorecard([service]).to_dict())
    text = visible(page)
    assert "Created by this run: 1" in text
    assert "<b>t-1</b>" not in page and "&lt;b&gt;t-1&lt;/b&gt;" in page
    assert "COMPLETE" in text and "finished" in text
    assert "Created by this run" not in visible(html.render(scorecard([drs_service()]).to_dict()))
