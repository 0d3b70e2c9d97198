"""Conformant htsget servers that choose differently where the spec lets them get no false failure.

Each stand-in is the reference server with one choice changed, the choice a real server may make: header
names of the ticket in another case, block URLs that redirect to another origin, a Range reaching past
the end of the data, other error answers the text allows. Each test runs the checks that judged that
choice wrongly, and asserts they do not fail.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pysam
from conformance_suites.htsget.reference import data as htsget_data
from conformance_suites.htsget.reference.app import (
    FORMATS,
    READS_ID,
    VARIANTS_ID,
    HtsgetApp,
    HtsgetError,
)

from conformance import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, reference_entries, run_profile


@contextmanager
def serving(app: HtsgetApp) -> Iterator[str]:
    with ReferenceServer(app) as server:
        yield server.url


def run(url: str, report_root: Path, specs_dir: str | None, version: str = "1.3.0",
        checks: list[str] | None = None, **extra: Any) -> RunResult:
    entry = {"standard": "htsget", "version": version, "url": url,
             "reads": [{"id": READS_ID, "referenceName": "chr1"}], "variants": [{"id": VARIANTS_ID}],
             "refget_url": "refget", **extra}
    return run_profile({"initiative": "htsget precision", "services": [entry]}, report_root, specs_dir=specs_dir,
                       checks=checks, standards=None if checks else ["htsget"])


def must_failures(result: RunResult) -> list[str]:
    return [f"{c.id}: {c.message}" for s in result.scorecard.services for c in s.checks
            if c.outcome == "failed" and c.level == "MUST"]


class LowerCaseHeaderNames(HtsgetApp):
    """Ticket headers named in lower case ({"range": "bytes=0-99"}): HTTP header names are case-insensitive
    (RFC 9110 §5.1), and htsget 1.3.0 §Response JSON fields names no case."""

    def _block(self, kind: str, ident: str, params: dict[str, str], body: bytes) -> dict[str, Any]:
        block = super()._block(kind, ident, params, body)
        block["headers"] = {name.lower(): value for name, value in block["headers"].items()}
        return block


def test_ticket_header_names_in_lower_case_are_headers(report_root: Path, specs_dir: str | None) -> None:
    with serving(LowerCaseHeaderNames()) as url:
        result = run(url, report_root, specs_dir)
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.urls.accept-get") == "passed"


class RedirectingBlocks(HtsgetApp):
    """Block URLs that answer 307 to the same path on another origin (a second address of the server), which
    serves the block only with the ticket's Authorization header: htsget 1.3.0 §HTTPS data block URLs, 9,
    "Client must follow 3xx redirects from the URL ... always supplying the `headers`"."""

    other_root = ""

    def _block(self, kind: str, ident: str, params: dict[str, str], body: bytes) -> dict[str, Any]:
        block = super()._block(kind, ident, params, body)
        block["url"] = block["url"].replace("/data/", "/moved/", 1)
        block["headers"] = {**block["headers"], "Authorization": f"Bearer {self.block_token}"}
        return block

    @route("GET", "/moved/{kind}/{id}")
    def moved(self, request: Request) -> Reply:
        query = urlencode({k: v[0] for k, v in request.query.items()})
        return Reply(307, b"", {"Location": f"{self.other_root}/data/{request.params['kind']}/"
                                            f"{quote(request.params['id'])}?{query}"})

    @route("GET", "/data/{kind}/{id}")
    def data_block(self, request: Request) -> Reply:
        if request.header("Authorization") != f"Bearer {self.block_token}":
            return Reply(401, b"the ticket's Authorization header is missing", {"WWW-Authenticate": "Bearer"})
        return super().data_block(request)  # type: ignore[no-any-return]


def test_block_redirect_to_another_origin_keeps_the_ticket_headers(report_root: Path,
                                                                    specs_dir: str | None) -> None:
    app = RedirectingBlocks()
    with ReferenceServer(app, host="127.0.0.2") as other:
        app.other_root = other.url
        with serving(app) as url:
            result = run(url, report_root, specs_dir, checks=[
                "htsget.urls.accept-get", "htsget.data.concatenation-valid-format", "htsget.urls.retries-allowed",
                "htsget.urls.range-subdivisible", "htsget.urls.content-length-or-chunked"])
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.urls.accept-get") == "passed"
    assert result.outcome("htsget.urls.range-subdivisible") == "passed"


class FormatsRefusedOtherwise(HtsgetApp):
    """No CRAM or BCF, refused with 400 InvalidInput rather than the UnsupportedFormat the text asks for (a
    SHOULD), and no service-info to list the formats (htsget 1.2.0): CRAM is not offered, which is no fault."""

    def __init__(self) -> None:
        super().__init__(version="1.2.0", options={"variant": "default-formats-only"})

    def _error(self, error: str, message: str, request: Request | None = None) -> Reply:
        return super()._error("InvalidInput" if error == "UnsupportedFormat" else error,  # type: ignore[no-any-return]
                              message, request)


def test_a_format_refused_with_another_error_is_no_failed_ticket(report_root: Path, specs_dir: str | None) -> None:
    with serving(FormatsRefusedOtherwise()) as url:
        result = run(url, report_root, specs_dir, version="1.2.0")
    assert must_failures(result) == []
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.response.success-200-json") == "passed"


class FrameworkValidationErrors(HtsgetApp):
    """Parameters its web framework rejects are answered 422 {"detail": ...} (FastAPI's shape): not the
    htsget error object, which the text asks for with a SHOULD (htsget 1.3.0 §Errors), never a MUST."""

    def _error(self, error: str, message: str, request: Request | None = None) -> Reply:
        if error == "InvalidInput":
            return json_reply({"detail": [{"loc": ["query"], "msg": message}]}, 422)
        return super()._error(error, message, request)  # type: ignore[no-any-return]


def test_a_json_error_of_another_shape_is_no_must_failure(report_root: Path, specs_dir: str | None) -> None:
    with serving(FrameworkValidationErrors()) as url:
        result = run(url, report_root, specs_dir, checks=[
            "htsget.error.body-has-error-and-message", "htsget.error.invalid-input-400",
            "htsget.response.single-htsget-key"])
    assert must_failures(result) == []
    assert result.outcome("htsget.error.body-has-error-and-message") == "passed"
    assert result.outcome("htsget.error.invalid-input-400") == "failed"  # the SHOULD it deviates from


class OutsideListInvalidInput(HtsgetApp):
    """A format outside the endpoint's allowed values (CRAM asked of variants) is a parameter that does not
    adhere to the specification: answered 400 InvalidInput (htsget 1.3.0 §Errors), which the requirement
    tolerates beside UnsupportedFormat."""

    def _answer(self, request: Request, kind: str, ident: str, query: dict[str, Any], regions: Any,
                post: bool = False) -> Reply:
        if query.get("format") and query["format"] not in FORMATS[kind]:
            raise HtsgetError("InvalidInput", f"format must be one of {', '.join(FORMATS[kind])}")
        return super()._answer(request, kind, ident, query, regions, post)  # type: ignore[no-any-return]


def test_a_format_outside_the_list_may_be_invalid_input(report_root: Path, specs_dir: str | None) -> None:
    with serving(OutsideListInvalidInput()) as url:
        result = run(url, report_root, specs_dir, checks=["htsget.error.unsupported-format-400",
                                                          "htsget.post.unsupported-format-400"])
    assert result.outcome("htsget.error.unsupported-format-400") == "passed", result.failed()
    assert result.outcome("htsget.post.unsupported-format-400") == "passed", result.failed()


class RangePastTheEnd(HtsgetApp):
    """Ticket Ranges whose last-pos lies past the end of the block's data: "interpreted as the remainder of
    the representation" (RFC 9110 §14.1.2); a sub-range wholly past the end is unsatisfiable, 416."""

    def _block(self, kind: str, ident: str, params: dict[str, str], body: bytes) -> dict[str, Any]:
        block = super()._block(kind, ident, params, body)
        block["headers"] = {**block["headers"], "Range": f"bytes=0-{len(body) + 65535}"}
        return block

    @route("GET", "/data/{kind}/{id}")
    def data_block(self, request: Request) -> Reply:
        reply = super().data_block(request)
        first = (request.header("Range") or "bytes=0-").removeprefix("bytes=").partition("-")[0]
        if reply.status == 206 and not reply.body and int(first or 0) > 0:
            total = reply.headers.get("Content-Range", "/").rpartition("/")[2]
            return Reply(416, b"", {"Content-Range": f"bytes */{total}"})
        return reply  # type: ignore[no-any-return]


def test_a_ticket_range_past_the_end_is_subdivided_within_the_data(report_root: Path,
                                                                    specs_dir: str | None) -> None:
    with serving(RangePastTheEnd()) as url:
        result = run(url, report_root, specs_dir, checks=[
            "htsget.urls.range-subdivisible", "htsget.urls.partial-content-has-content-range",
            "htsget.urls.accept-get"])
    assert result.failed() == [], result.failed()
    assert result.outcome("htsget.urls.range-subdivisible") == "passed"


class RangePastTheReferenceRefused(HtsgetApp):
    """A region that starts past the end of its reference (its @SQ LN) "cannot be satisfied": answered 400
    InvalidRange, the error the table gives that description (htsget 1.3.0 §Errors)."""

    def _get_region(self, kind: str, query: dict[str, Any]) -> Any:
        regions = super()._get_region(kind, query)
        lengths = dict(htsget_data.CONTIGS)
        for reference, start, _ in regions or []:
            if start is not None and reference in lengths and start >= lengths[reference]:
                raise HtsgetError("InvalidRange", f"{reference} is {lengths[reference]} bases long")
        return regions


def test_an_empty_region_past_the_reference_may_be_invalid_range(report_root: Path,
                                                                  specs_dir: str | None) -> None:
    with serving(RangePastTheReferenceRefused()) as url:
        result = run(url, report_root, specs_dir, checks=["htsget.data.empty-result-valid"])
    assert result.outcome("htsget.data.empty-result-valid") == "passed", result.failed()


def test_a_reference_without_records_skips_the_boundary_probes(report_root: Path, specs_dir: str | None) -> None:
    # A profile may name a reference that holds no records (chrM of a nuclear capture, a decoy): there is
    # no record to put a boundary at, which is no error of the harness.
    with serving(HtsgetApp()) as url:
        result = run(url, report_root, specs_dir, reads=[{"id": READS_ID, "referenceName": "chrEmpty"}],
                     checks=["htsget.data.region-includes-base-at-start",
                             "htsget.data.region-includes-base-before-end"])
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.data.region-includes-base-at-start") == "passed"
    assert result.outcome("htsget.data.region-includes-base-before-end") == "passed"


def _bgzf(text: str, tmp: Path) -> bytes:
    """``text`` BGZF-compressed, ending with the EOF block."""
    path = tmp / "block.gz"
    with pysam.BGZFile(str(path), "wb") as out:
        out.write(text.encode())
    return path.read_bytes()


class DuplicateVariantRecords(HtsgetApp):
    """A VCF that holds each record twice (merged call sets do): both copies are records of the file, so a
    region answer returns both; "a record will only be returned once" (htsget 1.3.0 §Region list) asks no
    server to drop a record the file holds twice."""

    def _slice(self, kind: str, fmt: str, *args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
        header, body = super()._slice(kind, fmt, *args, **kwargs)
        if (kind, fmt) != ("variants", "VCF"):
            return header, body
        lines = gzip.decompress(header + body).decode().splitlines(keepends=True)
        head = "".join(line for line in lines if line.startswith("#"))
        doubled = "".join(line + line for line in lines if not line.startswith("#"))
        with tempfile.TemporaryDirectory() as tmp:
            eof = htsget_data.BGZF_EOF
            return _bgzf(head, Path(tmp))[:-len(eof)], _bgzf(doubled, Path(tmp))


def test_records_the_file_holds_twice_are_no_duplicates(report_root: Path, specs_dir: str | None) -> None:
    with serving(DuplicateVariantRecords()) as url:
        result = run(url, report_root, specs_dir, reads=[], checks=[
            "htsget.post.records-not-duplicated", "htsget.post.records-in-file-order",
            "htsget.post.regions-all-returned", "htsget.data.concatenation-valid-format"])
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.data.concatenation-valid-format") == "passed"
    assert result.outcome("htsget.post.records-not-duplicated") == "passed", result.failed()
    assert result.failed() == [], result.failed()


class UpperCaseDataScheme(HtsgetApp):
    """Inline blocks as ``DATA:application/vnd.ga4gh.bam;base64,...``: a URI scheme is case-insensitive (RFC
    3986 §3.1), so this is the data: URI of htsget 1.3.0 §Inline data block URIs (RFC 2397)."""

    def _data_uri(self, payload: bytes, fmt: str) -> str:
        return "DATA:" + super()._data_uri(payload, fmt).removeprefix("data:")


def test_an_upper_case_data_scheme_is_a_data_uri(report_root: Path, specs_dir: str | None) -> None:
    with serving(UpperCaseDataScheme()) as url:
        result = run(url, report_root, specs_dir)
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.data.concatenation-valid-format") == "passed"
    assert result.outcome("htsget.data-uri.base64") == "passed"


class PlainGzipVariants(HtsgetApp):
    """VCF served gzip-compressed but not blocked (plain gzip members, no BGZF EOF block): htsget 1.3.0 names
    VCF (§Query parameters, format) and no compression for it, and a VCF's own specification has no EOF
    marker; only BGZF defines one (SAM/BAM specification §4.1.2)."""

    def _slice(self, kind: str, fmt: str, *args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
        header, body = super()._slice(kind, fmt, *args, **kwargs)
        if (kind, fmt) != ("variants", "VCF"):
            return header, body
        lines = gzip.decompress(header + body).decode().splitlines(keepends=True)
        head = "".join(line for line in lines if line.startswith("#"))
        records = "".join(line for line in lines if not line.startswith("#"))
        return gzip.compress(head.encode(), mtime=0), gzip.compress(records.encode(), mtime=0) if records else b""


def test_a_plain_gzip_vcf_is_vcf(report_root: Path, specs_dir: str | None) -> None:
    with serving(PlainGzipVariants()) as url:
        result = run(url, report_root, specs_dir, reads=[])
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    for judged in ("htsget.data.concatenation-valid-format", "htsget.ticket.format-default-vcf",
                   "htsget.data.header-class-only-header", "htsget.data.variant-extent-overlap"):
        assert result.outcome(judged) == "passed", judged


CRAM21_EOF = bytes.fromhex("0b000000ffffffff0fe0454f460000000001000001000606010001000100")


def _cram21(whole: bytes) -> tuple[bytes, bytes]:
    """A CRAM 3.x file re-written by htslib as CRAM 2.1: (header bytes, the rest), the header a byte prefix."""
    fasta = str(htsget_data.dataset().fasta)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "in.cram").write_bytes(whole)
        with pysam.AlignmentFile(str(Path(tmp, "in.cram")), reference_filename=fasta) as source:
            for name, records in (("head.cram", False), ("out.cram", True)):
                with pysam.AlignmentFile(str(Path(tmp, name)), "wc", header=source.header, reference_filename=fasta,
                                         format_options=[b"version=2.1"]) as out:
                    for record in source.fetch(until_eof=True) if records else ():
                        out.write(record)
        head, full = (htsget_data._fixed_file_id(Path(tmp, name).read_bytes(), "CRAM")
                      for name in ("head.cram", "out.cram"))
    assert head.endswith(CRAM21_EOF) and full.startswith(head[:-len(CRAM21_EOF)]) and full[5] == 1
    return head[:-len(CRAM21_EOF)], full[len(head) - len(CRAM21_EOF):]


class Cram21(HtsgetApp):
    """CRAM answers in CRAM 2.1, whose EOF container differs from 3.x's: htsget names CRAM (§Query parameters,
    format) and no CRAM version."""

    def _slice(self, kind: str, fmt: str, *args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
        header, body = super()._slice(kind, fmt, *args, **kwargs)
        return _cram21(header + body) if fmt == "CRAM" else (header, body)


def test_cram_2_1_is_cram(report_root: Path, specs_dir: str | None) -> None:
    with serving(Cram21()) as url:
        result = run(url, report_root, specs_dir, variants=[], checks=[
            "htsget.data.concatenation-valid-format", "htsget.data.eof-marker-present",
            "htsget.data.cram-decodes-with-reference", "htsget.ticket.format-matches-request"])
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.data.cram-decodes-with-reference") == "passed"
    assert result.outcome("htsget.data.eof-marker-present") == "passed"


def test_a_range_answered_with_the_whole_resource_is_one_failure(report_root: Path, specs_dir: str | None) -> None:
    # The block-range-ignored fault: the block URL answers the ticket's Range with 200 and the whole file the
    # block lies in. htsget.urls.accept-get reports it; the sub-ranges, which the server does not honour
    # either, are its consequence, and the data checks do not judge bytes the ticket does not name.
    entries = [e for e in reference_entries("htsget", ["block-range-ignored"]) if e["version"] == "1.3.0"]
    result = run_profile({"initiative": "range ignored", "services": entries[:1]}, report_root, specs_dir=specs_dir,
                         checks=["htsget.urls.accept-get", "htsget.urls.range-subdivisible",
                                 "htsget.data.concatenation-valid-format", "htsget.data.md5-matches-concatenation",
                                 "htsget.data.eof-marker-present", "htsget.urls.partial-content-has-content-range"])
    assert result.errors() == [], result.errors()
    assert result.causes() == {"htsget.urls.accept-get": None,
                               "htsget.urls.range-subdivisible": "htsget.urls.accept-get"}, result.failed()



def _fault_run(fault: str, report_root: Path, specs_dir: str | None, checks: list[str]) -> RunResult:
    entries = [e for e in reference_entries("htsget", [fault]) if e["version"] == "1.3.0"]
    return run_profile({"initiative": fault, "services": entries[:1]}, report_root, specs_dir=specs_dir,
                       checks=checks)


def test_a_ticket_naming_no_block_to_get_is_one_failure_of_the_ticket(report_root: Path,
                                                                      specs_dir: str | None) -> None:
    """A relative block URL, block headers that are no map of strings, a data: URI that is not base64: each is
    a defect of the ticket that its own check reports. htsget.urls.accept-get, which could GET no such block,
    reports a consequence of it; and a data: URI that declares no base64 has no base64 text to be
    percent-encoded (htsget.data-uri.not-percent-encoded judged it too: three failures of one defect)."""
    cases = {"relative-url": "htsget.ticket.url-absolute-http-or-data",
             "headers-non-string": "htsget.ticket.headers-string-map",
             "data-uri-not-base64": "htsget.data-uri.base64"}
    skips = []
    for fault, cause in cases.items():
        result = _fault_run(fault, report_root, specs_dir, [
            "htsget.urls.accept-get", cause, "htsget.data-uri.not-percent-encoded",
            "htsget.data.concatenation-valid-format"])
        assert result.errors() == [], result.errors()
        assert result.causes() == {cause: None, "htsget.urls.accept-get": cause}, (fault, result.failed())
        data = result.check("htsget.data.concatenation-valid-format")
        if data.outcome == "skipped":  # no ticket could be assembled: the skip names the check that says why
            skips.append(fault)
            assert f"see {cause}" in data.message, data.message
    assert skips, "no fault left the data unassembled"

class LowerCaseFormatsAccepted(HtsgetApp):
    """``format`` read case-insensitively (``bam`` as BAM): the allowed values are written BAM, CRAM, VCF, BCF
    (htsget 1.3.0 §Query parameters) while the POST example of §Request body sends "format": "bam". The text
    leaves the case open, so neither accepting nor refusing ``bam`` is held against a server (the reference
    server refuses it as UnsupportedFormat); the suite sends the values as the table writes them."""

    def _answer(self, request: Request, kind: str, ident: str, query: dict[str, Any], regions: Any,
                post: bool = False) -> Reply:
        if isinstance(query.get("format"), str):
            query = {**query, "format": query["format"].upper()}
        return super()._answer(request, kind, ident, query, regions, post)  # type: ignore[no-any-return]


def test_a_format_read_in_any_case_is_no_failure(report_root: Path, specs_dir: str | None) -> None:
    with serving(LowerCaseFormatsAccepted()) as url:
        result = run(url, report_root, specs_dir)
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()


class RecordingRequests(HtsgetApp):
    """The reference server, keeping the query of every GET ticket request and the body of every POST."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[dict[str, Any]] = []

    def _answer(self, request: Request, kind: str, ident: str, query: dict[str, Any], regions: Any,
                post: bool = False) -> Reply:
        self.asked.append({"kind": kind, "post": post, **query})
        return super()._answer(request, kind, ident, query, regions, post)  # type: ignore[no-any-return]


def test_class_header_is_asked_in_each_offered_format_and_post(report_root: Path, specs_dir: str | None) -> None:
    # format=CRAM&class=header is answered with a CRAM header (htsget 1.3.0 §Query parameters, class), and a
    # POST with "class": "header" with the header only (§Request body, class): both asked, both judged.
    app = RecordingRequests()
    with serving(app) as url:
        result = run(url, report_root, specs_dir, checks=[
            "htsget.ticket.format-matches-request", "htsget.data.header-class-only-header",
            "htsget.post.class-header-only-header"])
    assert result.failed() == [] and result.errors() == [], result.failed() + result.errors()
    assert {"kind": "reads", "post": False, "format": "CRAM", "class": "header"} in app.asked
    assert {"kind": "variants", "post": False, "format": "BCF", "class": "header"} in app.asked
    assert {"kind": "reads", "post": True, "class": "header"} in app.asked
    assert result.outcome("htsget.post.class-header-only-header") == "passed"


class OfferedFormatsFail(HtsgetApp):
    """service-info lists CRAM and BCF, but every request for them answers 500: a server that broke, whose
    format check cannot be judged. The skip names the failed request, not "no format other than the default"."""

    def _ticket(self, request: Request, kind: str) -> Reply:
        if request.query.get("format", [""])[0] in ("CRAM", "BCF"):
            return json_reply({"htsget": {"error": "ServerError", "message": "broken"}}, 500)
        return super()._ticket(request, kind)  # type: ignore[no-any-return]


def test_an_offered_format_that_gives_no_ticket_is_named(report_root: Path, specs_dir: str | None) -> None:
    with serving(OfferedFormatsFail()) as url:
        result = run(url, report_root, specs_dir, checks=["htsget.ticket.format-matches-request"])
    finding = result.check("htsget.ticket.format-matches-request")
    assert finding.outcome == "skipped", finding
    assert "no format other than the default" not in finding.message, finding.message
    assert "format=CRAM" in finding.message and "500" in finding.message, finding.message
