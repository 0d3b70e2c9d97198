"""Data checks: blocks fetched, concatenated and decoded with pysam; regions against the whole file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from conformance import Service, ServiceClient, check, fail

from .check_ticket import usable
from .view import (
    BGZF_EOF,
    BGZF_MAGIC,
    DEFAULT,
    FORMATS,
    AssemblyError,
    Htsget,
    Record,
    Ticket,
    cases,
    cram_eof,
    data_uri_is_base64,
    decode_data_uri,
    first_case,
    is_data_uri,
    missing,
    names,
    overlapping,
    sniff,
    unjudged_format,
)

WIDTH = 100


def _assembled(service: Service, client: ServiceClient, hts: Htsget,
               wanted: Callable[[dict[str, Any] | None, Ticket], bool] = lambda params, ticket: True,
               none_wanted: str = "no ticket to assemble",
               ) -> list[tuple[str, dict[str, Any] | None, Ticket, bytes]]:
    """The tickets a check reads (``wanted``), each with its assembled blocks. A ticket whose blocks
    cannot be fetched is left out: htsget.urls.accept-get reports that once, and this check's own
    requirement is not what broke (issue 19). Skips when no ticket is wanted (``none_wanted``) or none of
    them could be assembled."""
    out = []
    unread = ""
    chosen = [(kind, ident, params, ticket) for kind, ident, params, ticket in usable(service, client, hts)
              if wanted(params, ticket)]
    if not chosen:
        pytest.skip(none_wanted)
    judged = [(kind, ident, params, ticket) for kind, ident, params, ticket in chosen
              if ticket.format in FORMATS[kind]]  # a data check judges the bytes against the ticket's format
    if not judged:
        pytest.skip(unjudged_format(chosen[0][3].format))
    for kind, ident, params, ticket in judged:
        try:
            out.append((kind, params, ticket, hts.blob(client, ticket).data))
        except AssemblyError as exc:
            unread = unread or (f"the blocks of /{kind}/{ident} could not be assembled ({exc.message}); "
                                f"see {exc.see}")
    if not out:
        pytest.skip(unread)
    return out


def _each_case(service: Service, run: Callable[[str, dict[str, Any]], None], first_only: bool = True) -> None:
    """``run(kind, case)`` for the (first) case of each endpoint. A case that cannot give the check its
    input (it skips) hides no other case (issue 19.2); skips with the first reason when none ran."""
    ran, reasons = False, []
    for kind in ("reads", "variants"):
        for case in cases(service, kind)[:1] if first_only else cases(service, kind):
            try:
                run(kind, case)
                ran = True
            except pytest.skip.Exception as exc:
                reasons.append(str(exc.msg))
    if not ran:
        pytest.skip(reasons[0] if reasons else "the profile lists no reads or variants ids")


def _contig(records: list[Record], case: dict[str, Any]) -> str:
    if case.get("referenceName") and case["referenceName"] != "*":
        return str(case["referenceName"])
    placed = [r.ref for r in records if r.ref]
    if not placed:
        pytest.skip("the whole file holds no placed records to choose a region from")
    return str(placed[0])


def _placed_on(records: list[Record], contig: str) -> list[Record]:
    """The records on ``contig``; skips when it holds none (no record to put a region's boundary at)."""
    placed = [r for r in records if r.ref == contig]
    if not placed:
        pytest.skip(f"the whole file holds no record on {contig} to put a region's boundary at")
    return placed


def _require(hts: Htsget, client: ServiceClient, kind: str, ident: str, ref: str, start: int, end: int,
             expected: list[Record], what: str) -> None:
    got, ticket = hts.region_records(client, kind, ident, ref, start, end)
    lost = missing(expected, got)
    if lost:
        raise fail(f"{ref}:[{start},{end}) lacks {names(lost)}, {what}", ticket.exchange)


@check("htsget.urls.accept-get")
def test_blocks_answer_get_with_ticket_headers(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Each http(s) block answers a GET with the ticket's headers (htsget 1.3.0 §HTTPS data block URLs)."""
    found = 0
    for _, _, _, ticket in usable(service, client, hts):
        http = [u for u in ticket.urls if not is_data_uri(u["url"])]
        found += len(http)
        try:
            hts.blob(client, ticket)
        except AssemblyError as exc:
            # a ticket that names no block it could GET (a relative URL, headers that are no map of strings, a
            # data: URI that is not base64) is reported by the check of that rule: a consequence here
            raise fail(exc.message, exc.exchange or ticket.exchange, caused_by=exc.cause) from None
    if not found:
        pytest.skip("every block of the tickets checked is a data: URI")


@check("htsget.urls.credentials-in-url-or-headers")
def test_protected_blocks_need_no_api_token(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """URL and headers carry every credential a block needs: blocks are fetched without the API's bearer
    token (htsget 1.3.0 §HTTPS data block URLs)."""
    protected = service.options.get("protected") or []
    if not protected or client.credentials is None:
        pytest.skip("the profile names no protected id with a bearer token")
    kind = "variants" if any(c.get("id") == protected[0] for c in service.options.get("variants") or []) \
        else "reads"
    ticket = hts.ticket(client, kind, protected[0])
    try:
        hts.blob(client, ticket)
    except AssemblyError as exc:
        if not _any_assembles(service, client, hts):
            # Unprotected http(s) blocks fail as well: the cause is not credentials, and htsget.urls.accept-get
            # reports it once (issue 19).
            pytest.skip(f"the http(s) blocks of unprotected ids cannot be fetched either ({exc.message}); see "
                        f"{exc.see}")
        raise fail(f"a block of protected id {protected[0]} fails without the API token: {exc.message}",
                   exc.exchange or ticket.exchange) from None


def _any_assembles(service: Service, client: ServiceClient, hts: Htsget) -> bool:
    """Whether some unprotected ticket with an http(s) block can be fetched and concatenated."""
    try:
        tickets = usable(service, client, hts)
    except pytest.skip.Exception:
        return False
    for _, _, _, ticket in tickets:
        if all(is_data_uri(u["url"]) for u in ticket.urls):
            continue
        try:
            hts.blob(client, ticket)
            return True
        except AssemblyError:
            continue
    return False


@check("htsget.data-uri.base64")
def test_data_uris_are_base64(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """data: URIs use base64 (htsget 1.3.0 §Inline data block URIs)."""
    for _, _, _, ticket in usable(service, client, hts):
        for index, entry in enumerate(ticket.urls):
            if is_data_uri(entry["url"]):
                try:
                    decode_data_uri(entry["url"], index)
                except AssemblyError as exc:
                    raise fail(exc.message, ticket.exchange) from None


@check("htsget.data-uri.not-percent-encoded")
def test_data_uris_not_percent_encoded(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """The base64 text is not additionally percent-encoded (htsget 1.3.0 §Inline data block URIs). Only a URI
    that declares base64 has base64 text: one that does not is htsget.data-uri.base64's failure."""
    for _, _, _, ticket in usable(service, client, hts):
        for index, entry in enumerate(ticket.urls):
            url = entry["url"]
            if is_data_uri(url) and data_uri_is_base64(url) and "%" in url.partition(",")[2]:
                raise fail(f"urls[{index}] has percent-encoded base64 text", ticket.exchange)


@check("htsget.data.concatenation-valid-format")
def test_concatenation_is_valid_file(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """The concatenated blocks form one file of the ticket's format that htslib parses (htsget 1.3.0
    §Response JSON fields); CRAM, of any version htslib reads: its file definition and header here, its
    records against the reference in htsget.data.cram-decodes-with-reference."""
    for _, params, ticket, blob in _assembled(service, client, hts):
        fmt = ticket.format
        if sniff(blob) != fmt:
            raise fail(f"the concatenation is {sniff(blob)}, not the ticket's {fmt}", ticket.exchange)
        try:
            if fmt == "CRAM":
                hts.header_text(blob, fmt)
            else:
                hts.records(client, blob, fmt, header_only=bool(params and params.get("class")))
        except AssemblyError as exc:
            raise fail(exc.message, ticket.exchange) from None


@check("htsget.data.cram-decodes-with-reference")
def test_cram_decodes_with_reference(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A CRAM answer decodes against the reference (htsget 1.3.0 §Response JSON fields)."""
    found = False
    for kind, ident, params, ticket in usable(service, client, hts):
        if kind != "reads" or not params or params.get("format") != "CRAM" or params.get("class"):
            continue
        if ticket.format != "CRAM":
            continue  # htsget.ticket.format-matches-request reports it
        try:
            blob = hts.blob(client, ticket).data
        except AssemblyError as exc:
            pytest.skip(f"the blocks of /{kind}/{ident} could not be assembled ({exc.message}); see "
                        f"{exc.see}")
        eof = cram_eof(blob)
        if eof is not None and not blob.endswith(eof):
            pytest.skip("the CRAM lacks its EOF container (see htsget.data.eof-marker-present)")
        found = True
        truth = hts.ground_truth(client, "reads", ident)  # the same id, as BAM
        try:
            records = hts.records(client, blob, "CRAM", contigs={str(r.ref) for r in truth if r.ref})
        except AssemblyError as exc:
            raise fail(f"the CRAM does not decode against the reference: {exc.message}",
                       ticket.exchange) from None
        if "referenceName" not in params and len(records) < len(truth):
            raise fail(f"the CRAM of {ident} decodes to {len(records)} records, its BAM to {len(truth)}",
                       ticket.exchange)
    if not found:
        pytest.skip("no CRAM answer to decode")


@check("htsget.data.eof-marker-present")
def test_concatenation_ends_with_eof(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Without class, the concatenation ends with the EOF marker (htsget 1.3.0 §Query parameters, class)."""
    for _, _, ticket, blob in _assembled(service, client, hts, lambda params, _: not (params and params.get("class")),
                                         "no request without class"):
        eof = cram_eof(blob) if ticket.format == "CRAM" else BGZF_EOF
        if eof is None:
            continue  # a CRAM version before 2.1, or one whose EOF container is not known here: not judged
        if sniff(blob) == "VCF" and not blob.startswith(BGZF_MAGIC):
            continue  # VCF in plain text or plain gzip: only BGZF has an EOF marker (SAM/BAM specification §4.1.2)
        if not blob.endswith(eof):
            raise fail(f"the {ticket.format} concatenation does not end with its EOF marker",
                       ticket.exchange)


@check("htsget.data.md5-matches-concatenation")
def test_md5_matches_concatenation(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """``md5`` is the MD5 of the whole concatenation (htsget 1.3.0 §Response JSON fields, md5)."""
    # The precondition is a ticket with md5: without one the check skips, whether or not the blocks
    # can be fetched (issue 19: a missing md5 is no failure of this requirement).
    for _, _, ticket, blob in _assembled(service, client, hts, lambda _, t: isinstance(t.body.get("md5"), str),
                                         "no ticket gives md5 (it is optional)"):
        md5 = str(ticket.body["md5"])
        actual = hashlib.md5(blob).hexdigest()
        if md5.lower() != actual:
            raise fail(f"md5 is {md5} but the concatenation's MD5 is {actual}", ticket.exchange)


@check("htsget.data.header-class-only-header")
def test_class_header_returns_no_records(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """class=header returns the header and no records (htsget 1.3.0 §Query parameters, class)."""
    for kind, _, ticket, blob in _assembled(service, client, hts,
                                            lambda params, _: bool(params and params.get("class") == "header"),
                                            "no class=header request"):
        hts.require_header_only(client, kind, blob, ticket, "class=header")


def _references(text: str) -> list[str]:
    """The reference dictionary of a header: @SQ SN and LN, or the ##contig lines."""
    found = []
    for line in text.splitlines():
        if line.startswith("@SQ"):
            tags = dict(part.split(":", 1) for part in line.split("\t")[1:] if ":" in part)
            found.append(f"{tags.get('SN')}:{tags.get('LN')}")
        elif line.startswith("##contig="):
            found.append(line)
    return found


@check("htsget.ticket.header-blocks-reusable")
def test_header_same_across_regions(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """With class fields, the header-class blocks of one id and format name the same references whatever
    the region, so clients may reuse them (htsget 1.3.0 §Diagram of core mechanic)."""
    def compare(kind: str, case: dict[str, Any]) -> None:
        whole = hts.ticket(client, kind, case["id"])
        contig = hts.contig(client, kind, case)
        region = hts.ticket(client, kind, case["id"], {"referenceName": contig, "start": 0, "end": 10})
        heads = [[u for u in t.urls if u.get("class") == "header"] for t in (whole, region)]
        if not all(heads):
            pytest.skip(f"the {kind} tickets of {case['id']} carry no header-class URL: there is no header for "
                        "clients to reuse")
        try:
            texts = [hts.header_text(hts.fetch(client, h, t.response.url).data, DEFAULT[kind])
                     for h, t in zip(heads, (whole, region), strict=True)]
        except AssemblyError as exc:
            pytest.skip(f"the header-class blocks could not be read ({exc.message}); see "
                        "htsget.ticket.class-matches-content")
        if _references(texts[0]) != _references(texts[1]):
            raise fail(f"the {kind} header of {case['id']} names other references for {contig}:[0,10) "
                       "than for the whole file", region.exchange)

    _each_case(service, compare, first_only=False)


@check("htsget.data.records-overlapping-region-present", per="reads")
def test_reads_region_has_every_overlapping_read(service: Service, client: ServiceClient, hts: Htsget,
                                                 case: dict[str, Any]) -> None:
    """Every read of the region's reference whose alignment span overlaps [start, end) is present, reads
    starting before start included (htsget 1.3.0 §Methods)."""
    _region_complete(service, client, hts, case, "reads")


def _region_complete(service: Service, client: ServiceClient, hts: Htsget, case: dict[str, Any], kind: str) -> None:
    if case.get("id") in (service.options.get("protected") or []):
        pytest.skip("a protected id")
    truth = hts.ground_truth(client, kind, case["id"])
    contig = _contig(truth, case)
    placed = [r for r in truth if r.ref == contig]
    start = int(case.get("start", placed[len(placed) // 2].start + 1 if placed else 0))
    end = int(case.get("end", start + WIDTH))
    _require(hts, client, kind, case["id"], contig, start, end, overlapping(truth, contig, start, end),
             "which overlap it in the whole file")


@check("htsget.data.region-includes-base-at-start")
def test_region_keeps_record_ending_at_start(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """start is 0-based inclusive: a record whose last base is ``start`` is present (htsget 1.3.0 §Design
    principles)."""
    def probe_start(kind: str, case: dict[str, Any]) -> None:
        truth = hts.ground_truth(client, kind, case["id"])
        contig = _contig(truth, case)
        placed = _placed_on(truth, contig)
        probe = placed[len(placed) // 2]
        start = probe.end - 1
        end = start + WIDTH
        _require(hts, client, kind, case["id"], contig, start, end, overlapping(truth, contig, start, end),
                 f"(the region starts at the last base of {probe.label()})")

    _each_case(service, probe_start)


@check("htsget.data.region-includes-base-before-end")
def test_region_keeps_record_starting_at_end_minus_one(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """end is 0-based exclusive: a record whose first base is ``end - 1`` is present (htsget 1.3.0 §Design
    principles)."""
    def probe_end(kind: str, case: dict[str, Any]) -> None:
        truth = hts.ground_truth(client, kind, case["id"])
        contig = _contig(truth, case)
        placed = _placed_on(truth, contig)
        probe = placed[len(placed) // 2 + 1] if len(placed) > 1 else placed[0]
        end = probe.start + 1
        start = max(0, end - WIDTH)
        _require(hts, client, kind, case["id"], contig, start, end, overlapping(truth, contig, start, end),
                 f"(the region ends just after the first base of {probe.label()})")

    _each_case(service, probe_end)


@check("htsget.data.variant-extent-overlap")
def test_variant_overlapping_by_extent_present(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Variants overlapping only through their extent (INFO/END, long REF) are present (htsget 1.3.0
    §Methods; VCF END as htslib indexes it)."""
    case = first_case(service, "variants")
    truth = hts.ground_truth(client, "variants", case["id"])
    long = [r for r in truth if r.ref and r.end - r.start > 1]
    if not long:
        pytest.skip("the variants hold no record spanning more than one base")
    probe = max(long, key=lambda r: r.end - r.start)
    start = probe.end - 1
    _require(hts, client, "variants", case["id"], str(probe.ref), start, start + 1,
             overlapping(truth, str(probe.ref), start, start + 1),
             f"which reach it through their extent (the region is the last base of {probe.label()})")


@check("htsget.data.unplaced-unmapped-for-star")
def test_star_returns_unplaced_reads(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """referenceName=* returns the unplaced unmapped reads (htsget 1.3.0 §Query parameters)."""
    case = first_case(service, "reads")
    truth = hts.ground_truth(client, "reads", case["id"])
    unplaced = [r for r in truth if r.ref is None]
    if not unplaced:
        pytest.skip("the whole file holds no unplaced unmapped reads")
    response = hts.request(client, "reads", case["id"], {"referenceName": "*"})
    if response.status != 200:
        raise fail(f"referenceName=* answered {response.status}, not a ticket", response.exchange)
    got, ticket = hts.region_records(client, "reads", case["id"], "*", None, None)
    lost = missing(unplaced, got)
    if lost:
        raise fail(f"referenceName=* lacks {names(lost)}", ticket.exchange)


@check("htsget.data.empty-result-valid")
def test_empty_region_is_valid_file(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A region without records yields a valid file with header and EOF (htsget 1.3.0 §Methods)."""
    def empty(kind: str, case: dict[str, Any]) -> None:
        truth = hts.ground_truth(client, kind, case["id"])
        contig = _contig(truth, case)
        length = _reference_length(client, hts, kind, case["id"], contig)
        params = _empty_window(truth, contig, length)
        where = f"{contig}:[{params['start']},{params['end']})"
        response = hts.request(client, kind, case["id"], params)
        if response.status == 400 and _error_type(response) == "InvalidRange" and (
                length is None or params["start"] >= length):
            # Past the end of the reference (or of its last record, the length unknown) a range "cannot be
            # satisfied" (htsget 1.3.0 §Errors, InvalidRange): that answer is the server's to give.
            pytest.skip(f"{where}, past the end of {contig}, answered InvalidRange, which the error table allows "
                        "a range that cannot be satisfied; no gap between records to ask for within it")
        if response.status != 200:
            raise fail(f"the region {where}, which holds no records, answered {response.status}, not "
                       "a ticket", response.exchange)
        ticket = hts.ticket(client, kind, case["id"], params)
        try:
            blob = hts.blob(client, ticket).data
            hts.records(client, blob, DEFAULT[kind]) if DEFAULT[kind] != "CRAM" else None
        except AssemblyError as exc:
            raise fail(f"the empty region's answer is not a valid file: {exc.message}",
                       ticket.exchange) from None

    _each_case(service, empty)


def _empty_window(truth: list[Record], contig: str, length: int | None = None) -> dict[str, Any]:
    """A non-empty window of ``contig`` that no record overlaps: the widest gap between records (the bases
    after the last one up to the reference's ``length`` included), else bases past the last record (a
    degenerate [x,x) may be refused as InvalidRange)."""
    spans = sorted((r.start, r.end) for r in truth if r.ref == contig)
    best, covered = (0, 0), 0
    for start, end in spans + ([(length, length)] if length else []):
        if start - covered > best[1] - best[0]:
            best = (covered, start)
        covered = max(covered, end)
    if best[1] - best[0] < 2:
        best = (covered, covered + 1000)  # past the last record (a reference may be longer than its reads)
    if best[1] - best[0] < 2:
        pytest.skip(f"{contig} has no gap between records to ask for")
    middle = (best[0] + best[1]) // 2
    return {"referenceName": contig, "start": middle, "end": middle + 1}


def _reference_length(client: ServiceClient, hts: Htsget, kind: str, ident: str, contig: str) -> int | None:
    """The length of ``contig`` the whole file's header states (@SQ LN, ##contig length), or None."""
    try:
        blob = hts.blob(client, hts.ticket(client, kind, ident)).data
        text = hts.header_text(blob, DEFAULT[kind])
    except AssemblyError:
        return None
    for line in text.splitlines():
        if line.startswith("@SQ"):
            tags = dict(part.split(":", 1) for part in line.split("\t")[1:] if ":" in part)
            if tags.get("SN") == contig and tags.get("LN", "").isdigit():
                return int(tags["LN"])
        elif line.startswith("##contig=<"):
            fields = dict(part.split("=", 1) for part in line[10:].rstrip(">").split(",") if "=" in part)
            if fields.get("ID") == contig and fields.get("length", "").isdigit():
                return int(fields["length"])
    return None


def _error_type(response: Any) -> Any:
    """``htsget.error`` of an answer, or None."""
    try:
        body = json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    inner = body.get("htsget") if isinstance(body, dict) else None
    return inner.get("error") if isinstance(inner, dict) else None


def _tag_case(service: Service, client: ServiceClient, hts: Htsget) -> tuple[str, list[Record], Record]:
    case = first_case(service, "reads")
    truth = hts.ground_truth(client, "reads", case["id"])
    tagged = [r for r in truth if r.ref and len(r.tags) >= 2]
    if not tagged:
        pytest.skip("no read carries two aux tags to filter")
    return case["id"], truth, tagged[0]


def _tags_of(records: list[Record]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {r.key: dict(r.tags) for r in records}


def _tag_region(client: ServiceClient, hts: Htsget, ident: str, probe: Record,
                extra: dict[str, Any] | None = None) -> tuple[list[Record], Ticket]:
    """The reads of the window of ``probe`` (a tagged read), asked with ``extra``; skips if none come."""
    got, ticket = hts.region_records(client, "reads", ident, str(probe.ref), probe.start, probe.end, extra=extra)
    if not got:
        pytest.skip(f"the window of {probe.label()} returned no reads (see "
                    "htsget.data.records-overlapping-region-present)")
    return got, ticket


@check("htsget.data.default-all-fields-and-tags")
def test_region_keeps_every_tag_by_default(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Without fields/tags/notags every tag is kept (htsget 1.3.0 §Query parameters)."""
    ident, truth, probe = _tag_case(service, client, hts)
    got, ticket = _tag_region(client, hts, ident, probe)
    whole = _tags_of(truth)
    for record in got:
        if record.key in whole and dict(record.tags) != whole[record.key]:
            raise fail(f"{record.label()} has tags {sorted(dict(record.tags))} in the region answer but "
                       f"{sorted(whole[record.key])} in the whole file", ticket.exchange)


@check("htsget.data.requested-tags-present")
def test_requested_tags_kept(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """With tags=X, records carrying X still carry it (htsget 1.3.0 §Query parameters, tags)."""
    ident, truth, probe = _tag_case(service, client, hts)
    tag = sorted(dict(probe.tags))[0]
    got, ticket = _tag_region(client, hts, ident, probe, {"tags": tag})
    whole = _tags_of(truth)
    for record in got:
        if tag in whole.get(record.key, {}) and tag not in dict(record.tags):
            raise fail(f"tags={tag} was asked but {record.label()} lost {tag}", ticket.exchange)


@check("htsget.data.notags-keeps-other-tags")
def test_notags_keeps_other_tags(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """With notags=X, tags other than X are kept (htsget 1.3.0 §Query parameters, notags)."""
    ident, truth, probe = _tag_case(service, client, hts)
    tag = sorted(dict(probe.tags))[0]
    got, ticket = _tag_region(client, hts, ident, probe, {"notags": tag})
    whole = _tags_of(truth)
    for record in got:
        kept = set(whole.get(record.key, {})) - {tag}
        lost = kept - set(dict(record.tags))
        if lost:
            raise fail(f"notags={tag} was asked but {record.label()} also lost {sorted(lost)}",
                       ticket.exchange)


__all__ = ["FORMATS"]
