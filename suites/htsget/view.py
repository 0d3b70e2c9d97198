"""What the htsget checks share: ticket requests (cached per run), block assembly, decoding with pysam
and the ground truth (the same id through a whole-file request)."""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes, urljoin

import pysam
import pytest

from conformance import CheckFailure, Exchange, Response, Run, Service, ServiceClient, ServiceView, fail

#: The start of every BGZF block: a gzip member with the FEXTRA flag (SAM/BAM specification §4.1).
BGZF_MAGIC = b"\x1f\x8b\x08\x04"
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
#: The EOF container of CRAM 3.x, and of CRAM 2.1, which introduced it (CRAM format specification, "End of file
#: container"; the bytes htslib writes). htsget names CRAM and no CRAM version.
CRAM_EOF = bytes.fromhex("0f000000ffffffff0fe0454f46000000000100" "05bdd94f0001000606010001000100ee63014b")
CRAM21_EOF = bytes.fromhex("0b000000ffffffff0fe0454f460000000001000001000606010001000100")
FORMATS = {"reads": ("BAM", "CRAM"), "variants": ("VCF", "BCF")}
DEFAULT = {"reads": "BAM", "variants": "VCF"}
SUFFIX = {"BAM": ".bam", "CRAM": ".cram", "VCF": ".vcf.gz", "BCF": ".bcf"}
#: The requirement a ticket's format outside FORMATS breaks: what depends on that format is its consequence.
FORMAT_ALLOWED = "htsget.ticket.format-allowed-for-endpoint"


def unjudged_format(fmt: str) -> str:
    """Why data are not judged against a ticket's format that is none of the four (a skip's reason)."""
    return f"the ticket's format {fmt!r} is none of BAM, CRAM, VCF, BCF: its data are not judged against it " \
           f"(see {FORMAT_ALLOWED})"

pysam.set_verbosity(0)


#: The most one BGZF block takes compressed (SAM/BAM specification §4.1: BSIZE < 2^16), with room to spare.
BGZF_BLOCK_MAX = 70 * 1024


def bgzf_damage(blob: bytes, fmt: str) -> str | None:
    """Where a BGZF stream (BAM, bgzipped VCF: concatenated gzip members) stops inflating, found by
    zlib's own decoder member by member; None when every member inflates or the data is not gzip."""
    if not blob.startswith(b"\x1f\x8b"):
        return None
    view = memoryview(blob)
    offset = 0
    while offset < len(blob):
        piece = view[offset: offset + BGZF_BLOCK_MAX]
        inflater = zlib.decompressobj(31)
        try:
            inflater.decompress(piece)
        except zlib.error as exc:
            return f"the {fmt} data is corrupt at byte {offset}: the BGZF block there does not inflate ({exc})"
        if not inflater.eof:
            return (f"the BGZF block at byte {offset} of the {fmt} data ({len(blob)} bytes) is incomplete: "
                    "bytes are missing or damaged")
        offset += len(piece) - len(inflater.unused_data)
    return None


def htslib_failure(exc: BaseException, fmt: str, blob: bytes, path: str) -> str:
    """What the server's bytes did wrong, in one line: where the BGZF stream breaks if it does, otherwise
    htslib's own words without the harness's temporary file name or an errno prefix (issue 21.11)."""
    damage = None if fmt == "VCF" and plain_gzip(blob) else bgzf_damage(blob, fmt)  # plain gzip has no blocks
    if damage is not None:
        return damage
    words = re.sub(r"^\[Errno \d+\]\s*", "", str(exc).replace(f": '{path}'", "").replace(path, "the data"))
    return f"htslib cannot parse the {fmt} data the blocks assemble to ({words.strip() or type(exc).__name__})"


def plain_gzip(blob: bytes) -> bool:
    """gzip that is not BGZF: the ordinary gzip members a VCF may be compressed with (htsget names no
    compression for VCF), which htslib reads as a stream but pysam cannot open (it asks for an offset)."""
    return blob.startswith(b"\x1f\x8b") and not blob.startswith(BGZF_MAGIC)


def write_for_htslib(path: str, blob: bytes, fmt: str) -> None:
    """``blob`` written at ``path`` for pysam to read: a plain-gzip VCF decompressed by the standard library
    (every member, streamed), as its plain text; anything else as it is. OSError (EOFError, zlib.error,
    gzip.BadGzipFile) when the gzip stream is cut or damaged."""
    with open(path, "wb") as fh:
        if fmt == "VCF" and plain_gzip(blob):
            with gzip.GzipFile(fileobj=io.BytesIO(blob)) as inflated:
                try:
                    shutil.copyfileobj(inflated, fh)
                except (EOFError, zlib.error) as exc:
                    raise OSError(f"the gzip stream is incomplete or damaged: {exc}") from None
        else:
            fh.write(blob)


def cram_eof(blob: bytes) -> bytes | None:
    """The EOF container a CRAM of this file definition's version ends with: 3.x's, 2.1's, or None for a
    version whose specification defines none known here (1.x and 2.0 have none)."""
    if blob[:4] != b"CRAM" or len(blob) < 6:
        return None
    if blob[4] == 3:
        return CRAM_EOF
    if (blob[4], blob[5]) == (2, 1):
        return CRAM21_EOF
    return None


#: The check that reports a block that cannot be fetched (the default judge of an :class:`AssemblyError`).
BLOCK_FETCH = "htsget.urls.accept-get"


class AssemblyError(Exception):
    """The ticket's blocks could not be fetched or decoded into one blob. ``cause`` names the check that
    judges the defect where it is one of the ticket itself (a relative URL, headers that are no map of
    strings, a data: URI that is not base64), not of a block's answer: a check that meets it reports a
    consequence of that check, or skips pointing at it (:attr:`see`), so that one defect is one failure."""

    def __init__(self, message: str, exchange: Exchange | None = None, cause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exchange = exchange
        self.cause = cause

    @property
    def see(self) -> str:
        """The check that reports this defect."""
        return self.cause or BLOCK_FETCH


@dataclass(frozen=True)
class Record:
    key: tuple[Any, ...]
    ref: str | None
    start: int
    end: int
    tags: tuple[tuple[str, Any], ...] = ()

    def overlaps(self, ref: str, start: int, end: int) -> bool:
        if ref == "*":
            return self.ref is None
        return self.ref == ref and self.start < end and self.end > start

    def label(self) -> str:
        name = self.key[0] if self.key[0] else self.key[2]
        where = f"{self.ref}:[{self.start},{self.end})" if self.ref else "unplaced"
        return f"{name} at {where}"


@dataclass
class Ticket:
    response: Response
    document: Any

    @property
    def exchange(self) -> Exchange:
        return self.response.exchange

    @property
    def body(self) -> dict[str, Any]:
        return self.document["htsget"]  # type: ignore[no-any-return]

    @property
    def urls(self) -> list[dict[str, Any]]:
        return list(self.body["urls"])

    @property
    def format(self) -> str:
        return str(self.body.get("format"))


@dataclass
class Blob:
    data: bytes
    exchanges: list[Exchange] = field(default_factory=list)


def cases(service: Service, kind: str) -> list[dict[str, Any]]:
    protected = set(service.options.get("protected") or [])
    return [c for c in service.options.get(kind) or [] if c.get("id") not in protected]


def first_case(service: Service, kind: str) -> dict[str, Any]:
    found = cases(service, kind)
    if not found:
        pytest.skip(f"the profile lists no {kind} ids for this service")
    return found[0]


class Htsget(ServiceView):
    """The run's view of one htsget service: caches tickets, blobs, decoded records and the reference.

    Its reads take the check's own ``client``: an answer kept from an earlier check is recorded in it
    again, so that each check's evidence holds the exchanges it read."""

    def __init__(self, service: Service, run: Run) -> None:
        super().__init__(service, run)
        self.tickets: dict[str, Response] = {}
        self.blobs: dict[str, Blob] = {}
        self.decoded: dict[str, list[Record]] = {}
        self.reference_reason = ""
        self._fetched_contigs: set[str] = set()
        self._reference_failed = False
        # Blobs handed to htslib and the FASTA written from refget; removed by close() at the end of
        # the session (fixtures.py), else by the object's finalizer when the run's views are released.
        self._tempdir = tempfile.TemporaryDirectory(prefix="htsget-check-")

    def close(self) -> None:
        """Remove the temporary directory (idempotent)."""
        self._tempdir.cleanup()

    def _recorded(self, client: ServiceClient, key: Any, make: Callable[[], Response]) -> Response:
        """``make()`` once per view (:meth:`memo`); a kept answer is recorded in ``client`` again."""
        made = False

        def first() -> Response:
            nonlocal made
            made = True
            return make()

        response = self.memo(key, first)
        if not made:
            client.exchanges.append(response.exchange)
        return response

    # -- service-info -------------------------------------------------------------------------------

    def service_info(self, client: ServiceClient, kind: str) -> Response:
        """GET /{kind}/service-info, once per run."""
        return self._recorded(client, ("service-info", kind), lambda: client.get(f"/{kind}/service-info"))

    def offered_formats(self, client: ServiceClient, kind: str) -> list[str] | None:
        """The formats /{kind}/service-info lists in htsget.formats, or None when it lists none
        (htsget 1.2.0 has no service-info; the endpoint and the field are optional)."""
        if not self.at_least("1.3.0"):
            return None
        response = self.service_info(client, kind)
        if response.status != 200:
            return None
        try:
            document = parsed(response)
        except (UnicodeDecodeError, ValueError):
            return None
        block = document.get("htsget") if isinstance(document, dict) else None
        formats = block.get("formats") if isinstance(block, dict) else None
        if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
            return None
        return list(formats)

    def contig(self, client: ServiceClient, kind: str, case: dict[str, Any]) -> str:
        """A reference name of the id: the case's own, else that of the first placed record."""
        if case.get("referenceName") and case["referenceName"] != "*":
            return str(case["referenceName"])
        placed = [r.ref for r in self.ground_truth(client, kind, case["id"]) if r.ref]
        if not placed:
            pytest.skip(f"{case['id']} holds no placed records to name a reference from")
        return str(placed[0])

    # -- requests ----------------------------------------------------------------------------------

    def request(self, client: ServiceClient, kind: str, ident: str, params: dict[str, Any] | None = None,
                post: Any = None, cache: bool = True, **kwargs: Any) -> Response:
        path = f"/{kind}/{ident}"
        key = json.dumps([kind, ident, params or {}, post], sort_keys=True)
        if cache and key in self.tickets:
            client.exchanges.append(self.tickets[key].exchange)
            return self.tickets[key]
        if post is not None:
            response = client.post(path, json=post, params=params, **kwargs)
        else:
            response = client.get(path, params=params, **kwargs)
        if cache:
            self.tickets[key] = response
        return response

    def ticket(self, client: ServiceClient, kind: str, ident: str, params: dict[str, Any] | None = None,
               post: Any = None) -> Ticket:
        """A ticket the other checks can read; skips (naming the check that reports it) otherwise."""
        response = self.request(client, kind, ident, params, post)
        what = f"{'POST' if post is not None else 'GET'} /{kind}/{ident}"
        if response.status != 200:
            pytest.skip(f"{what} answered {response.status}, no ticket (see htsget.response.success-200-json)")
        try:
            document = parsed(response)
        except (UnicodeDecodeError, ValueError):
            pytest.skip(f"{what} did not answer JSON (see htsget.response.success-200-json)")
        body = document.get("htsget") if isinstance(document, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("urls"), list) or not all(
                isinstance(u, dict) and isinstance(u.get("url"), str) for u in body["urls"]):
            pytest.skip(f"{what} answered no usable htsget.urls (see htsget.response.single-htsget-key, "
                        "htsget.ticket.urls-array)")
        for entry in body["urls"]:
            if isinstance(entry.get("headers"), dict):
                register_secrets(client, entry["headers"])
        return Ticket(response, document)

    # -- blocks -------------------------------------------------------------------------------------

    def blob(self, client: ServiceClient, ticket: Ticket) -> Blob:
        key = ticket.response.content.decode("utf-8", "replace")
        if key not in self.blobs:
            self.blobs[key] = self.fetch(client, ticket.urls, ticket.response.url)
        client.exchanges.extend(self.blobs[key].exchanges)
        return self.blobs[key]

    def fetch(self, client: ServiceClient, urls: Sequence[dict[str, Any]], base: str) -> Blob:
        parts: list[bytes] = []
        exchanges: list[Exchange] = []
        # Block URLs carry their own credentials (htsget §HTTPS data block URLs): never the API token.
        anonymous = client.without_credentials()
        # The whole concatenation is held in memory: bounded by one response's budget.
        cap = room = client.http.limits.budget.max_response_bytes
        for index, entry in enumerate(urls):
            url = entry["url"]
            if is_data_uri(url):
                parts.append(decode_data_uri(url, index))
                continue
            if not url.lower().startswith(("http://", "https://")):
                raise AssemblyError(f"urls[{index}].url {url[:80]!r} is neither an absolute http(s) URL nor a "
                                    "data: URI", cause="htsget.ticket.url-absolute-http-or-data")
            headers = entry.get("headers") or {}
            if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
                raise AssemblyError(f"urls[{index}].headers is not a map of strings",
                                    cause="htsget.ticket.headers-string-map")
            register_secrets(client, headers)
            if room <= 0:
                pytest.skip(f"the blocks of this ticket exceed {cap} bytes (max_response_bytes): not assembled in "
                            "memory")
            # The bytes as stored: the ticket's md5 and the format's BGZF/CRAM framing are over them.
            response = get_block(anonymous, urljoin(base, url), headers, exchanges, max_bytes=room)
            ranged = any(str(name).lower() == "range" for name in headers)  # header names are case-insensitive
            if response.status not in (200, 206) or (response.status == 206 and not ranged):
                raise AssemblyError(f"block {index} ({response.exchange.url}) answered {response.status} to a GET "
                                    "with the ticket's headers", response.exchange)
            if response.truncated:
                pytest.skip(f"the blocks of this ticket exceed {cap} bytes (max_response_bytes): not assembled in "
                            "memory")
            outside = range_ignored(response, headers)
            if outside:
                raise AssemblyError(f"block {index} ({response.exchange.url}) {outside}", response.exchange)
            parts.append(response.content)
            room -= len(response.content)
        return Blob(b"".join(parts), exchanges)

    def require_header_only(self, client: ServiceClient, kind: str, blob: bytes, ticket: Ticket, asked: str) -> None:
        """Fails unless ``blob``, the answer to ``asked`` (a class=header request, GET or POST), is a header of
        the ticket's format and holds no records (htsget 1.3.0 §Query parameters and §Request body, class)."""
        if sniff(blob) != ticket.format:
            raise fail(f"{asked} answered {sniff(blob)}, not a {ticket.format} header", ticket.exchange)
        try:
            records = self.records(client, blob, ticket.format, header_only=True)
        except AssemblyError as exc:
            raise fail(exc.message, ticket.exchange) from None
        if records:
            raise fail(f"{asked} returned {len(records)} {kind} records, not a header only", ticket.exchange)

    # -- decoding -----------------------------------------------------------------------------------

    def records(self, client: ServiceClient, blob: bytes, fmt: str, header_only: bool = False,
                contigs: set[str] | None = None) -> list[Record]:
        """The records of a blob, parsed with htslib; CRAM needs a reference (skips without one) holding
        ``contigs`` (the references its records use; every @SQ when None)."""
        if fmt not in SUFFIX:
            pytest.skip(unjudged_format(fmt))
        key = f"{fmt}:{header_only}:{hash(blob)}:{len(blob)}"
        if key in self.decoded:
            return self.decoded[key]
        reference = None
        if fmt == "CRAM":
            reference = self.reference_for(client, blob, contigs)
            if reference is None:
                pytest.skip(f"CRAM records cannot be decoded without a reference: {self.reference_reason}")
        path = os.path.join(self._tempdir.name, f"blob{len(self.decoded)}{SUFFIX[fmt]}")
        found: list[Record] = []
        try:
            write_for_htslib(path, blob, fmt)
            if fmt in ("BAM", "CRAM"):
                with pysam.AlignmentFile(path, reference_filename=reference, check_sq=False,
                                         ignore_truncation=header_only) as handle:
                    for r in handle.fetch(until_eof=True):
                        start = r.reference_start if r.reference_id >= 0 else -1
                        end = r.reference_end or start + 1
                        found.append(Record((r.query_name, r.flag, r.reference_name, start, end, r.cigarstring),
                                            r.reference_name if r.reference_id >= 0 else None, start, end,
                                            tuple(sorted((k, str(v)) for k, v in r.get_tags()))))
            else:
                with pysam.VariantFile(path, ignore_truncation=header_only) as handle:
                    for v in handle.fetch():
                        found.append(Record((v.id, v.pos, v.contig, v.ref, v.alts, v.stop), v.contig,
                                            int(v.start), int(v.stop)))
        except (OSError, ValueError, StopIteration) as exc:
            raise AssemblyError(htslib_failure(exc, fmt, blob, path)) from None
        self.decoded[key] = found
        return found

    def header_text(self, blob: bytes, fmt: str) -> str:
        if fmt not in SUFFIX:
            pytest.skip(unjudged_format(fmt))
        path = os.path.join(self._tempdir.name, f"head{len(blob)}{SUFFIX[fmt]}")
        try:
            write_for_htslib(path, blob, fmt)
            if fmt in ("BAM", "CRAM"):
                with pysam.AlignmentFile(path, check_sq=False, ignore_truncation=True) as handle:
                    return str(handle.header)
            with pysam.VariantFile(path, ignore_truncation=True) as handle:
                return str(handle.header)
        except (OSError, ValueError) as exc:
            raise AssemblyError(htslib_failure(exc, fmt, blob, path)) from None

    def reference_for(self, client: ServiceClient, blob: bytes, contigs: set[str] | None = None) -> str | None:
        """A FASTA holding ``contigs`` (every @SQ when None): the profile's reference_fasta, or one written
        from the refget service, each sequence streamed to disk and fetched once."""
        fasta = self.service.options.get("reference_fasta")
        if fasta:
            if os.path.exists(str(fasta)):
                return str(fasta)
            self.reference_reason = f"the profile's reference_fasta {fasta} does not exist"
            return None
        refget = self.service.options.get("refget_url")
        if self._reference_failed:
            return None
        if not refget:
            self.reference_reason = "the profile names neither reference_fasta nor refget_url"
            return None
        base = urljoin(self.service.url.rstrip("/") + "/", str(refget)).rstrip("/")
        try:
            text = self.header_text(blob, "CRAM")
        except AssemblyError as exc:
            self.reference_reason = exc.message
            return None
        path = os.path.join(self._tempdir.name, "reference.fa")
        added = False
        for line in text.splitlines():
            if not line.startswith("@SQ"):
                continue
            tags = dict(part.split(":", 1) for part in line.split("\t")[1:] if ":" in part)
            name = tags.get("SN", "")
            if name in self._fetched_contigs or (contigs is not None and name not in contigs):
                continue
            if "M5" not in tags or not tags.get("LN", "").isdigit():
                self.reference_reason = f"@SQ {name} has no M5 and LN to ask the refget service for"
                return None
            if not self._fetch_sequence(client, f"{base}/sequence/{tags['M5']}", name, int(tags["LN"]), path):
                self._reference_failed = True
                return None
            self._fetched_contigs.add(name)
            added = True
        if added:
            pysam.faidx(path)
        if not os.path.exists(path):
            self.reference_reason = "the CRAM header names none of the references its records use"
            return None
        return path

    def _fetch_sequence(self, client: ServiceClient, url: str, name: str, length: int, path: str) -> bool:
        """Append one refget sequence to the FASTA at ``path``, streamed (at most LN+1 bytes kept on disk)."""
        written = 0
        with open(path, "a") as fh:
            fh.write(f">{name}\n")

            def on_chunk(chunk: bytes) -> None:
                nonlocal written
                piece = chunk.decode("ascii", "replace").replace("\n", "").replace("\r", "")
                piece = piece[:max(0, length + 1 - written)]
                written += len(piece)
                fh.write(piece)

            response = client.stream(url, on_chunk, max_bytes=length + 2, claims=[])
            fh.write("\n")
        if response.status != 200:
            self.reference_reason = f"the refget service answered {response.status} for {name}"
            return False
        if written != length:
            got = str(written) if written <= length else f"more than {length}"
            self.reference_reason = f"the refget service returned {got} bases for {name}, whose @SQ LN is {length}"
            return False
        return True

    def ground_truth(self, client: ServiceClient, kind: str, ident: str, fmt: str | None = None) -> list[Record]:
        """The records of the whole file, in the given format (default: the endpoint's default)."""
        fmt = fmt or DEFAULT[kind]
        params = {"format": fmt} if fmt != DEFAULT[kind] else None
        ticket = self.ticket(client, kind, ident, params)
        try:
            blob = self.blob(client, ticket)
            return self.records(client, blob.data, fmt)
        except AssemblyError as exc:
            # A block that answers no bytes is htsget.urls.accept-get's finding; bytes htslib cannot
            # parse are htsget.data.concatenation-valid-format's.
            owner = "htsget.urls.accept-get" if exc.exchange is not None else "htsget.data.concatenation-valid-format"
            pytest.skip(f"the whole-file {fmt} response of {ident} could not be read ({exc.message}); see {owner}")

    def region_records(self, client: ServiceClient, kind: str, ident: str, ref: str, start: int | None,
                       end: int | None, fmt: str | None = None, extra: dict[str, Any] | None = None,
                       ) -> tuple[list[Record], Ticket]:
        params: dict[str, Any] = {"referenceName": ref}
        if start is not None:
            params["start"] = start
        if end is not None:
            params["end"] = end
        if fmt:
            params["format"] = fmt
        params.update(extra or {})
        ticket = self.ticket(client, kind, ident, params)
        try:
            blob = self.blob(client, ticket)
            return self.records(client, blob.data, fmt or DEFAULT[kind]), ticket
        except AssemblyError as exc:
            raise fail(f"the answer for {ref}:[{start},{end}) could not be assembled: {exc.message}",
                       exc.exchange or ticket.exchange) from None


#: Redirect statuses a block URL may answer; the client follows them "subject to typical fail-safe
#: mechanisms (e.g. maximum number of redirects)" (htsget 1.3.0 §HTTPS data block URLs, 9).
REDIRECTS = (301, 302, 303, 307, 308)
MAX_BLOCK_REDIRECTS = 10


BYTE_RANGE = re.compile(r"^\s*bytes=(\d+)-(\d+)\s*$")


def byte_range(headers: dict[str, Any]) -> tuple[str, int, int] | None:
    """The ticket's ``Range: bytes=first-last`` (header names are case-insensitive): its name, first and last."""
    name = next((k for k in headers if str(k).lower() == "range"), None)
    match = BYTE_RANGE.match(str(headers[name])) if name is not None else None
    if name is None or match is None:
        return None
    return name, int(match.group(1)), int(match.group(2))


def range_ignored(response: Response, headers: dict[str, Any]) -> str:
    """Why a 200 answer to the ticket's byte Range is not the block, or "": a 200 carries the whole resource
    (RFC 9110 §15.3.1), and one holding more bytes than the range names hands the client bytes the ticket does
    not name, so the blocks do not concatenate into the data (htsget 1.3.0 §Response JSON fields, urls)."""
    asked = byte_range(headers)
    if response.status != 200 or asked is None:
        return ""
    _, first, last = asked
    if last < first or len(response.content) <= last - first + 1:
        return ""
    return (f"answered the ticket's Range bytes={first}-{last} with 200 and {len(response.content)} bytes, the whole "
            f"resource rather than the {last - first + 1} bytes of that range")


def get_block(client: ServiceClient, url: str, headers: dict[str, Any], exchanges: list[Exchange] | None = None,
              **kwargs: Any) -> Response:
    """GET a block URL as the spec's client does: 3xx redirects followed "always supplying the headers" of
    the ticket (htsget 1.3.0 §HTTPS data block URLs, 9), to another origin too. The kit client keeps the
    credentials a check passes from another origin, so redirects are followed here, each hop a request of
    its own (judged, as every URL a server gives is, where it connects). Bytes as stored (no decoding)."""
    visited: list[str] = []
    while True:
        response = client.get(url, headers=headers, decode=False, follow_redirects=False, **kwargs)
        if exchanges is not None:
            exchanges.append(response.exchange)
        location = response.headers.get("Location")
        if response.status not in REDIRECTS or not location or len(visited) >= MAX_BLOCK_REDIRECTS:
            return response
        target = urljoin(url, location)
        if not target.lower().startswith(("http://", "https://")) or target == url or target in visited:
            return response
        visited.append(url)
        url = target


def parsed(response: Response) -> Any:
    """The body as JSON; ValueError when it is not (UTF-8) JSON. A body the harness cut at its size cap, or
    nested deeper than it parses, is the harness's error (``Response.json``): no check can tell from it
    whether the server answered JSON."""
    try:
        return response.json()
    except CheckFailure as exc:
        raise ValueError(exc.message) from None


def unsupported_format(response: Response) -> bool:
    """A 400 UnsupportedFormat: how a server SHOULD refuse a format it does not offer (htsget 1.3.0 §Query
    parameters, format)."""
    if response.status != 400:
        return False
    try:
        body = json.loads(response.content.decode("utf-8"))  # a body cut at the size cap: not known to be one
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    inner = body.get("htsget") if isinstance(body, dict) else None
    return isinstance(inner, dict) and inner.get("error") == "UnsupportedFormat"


def register_secrets(client: ServiceClient, headers: dict[str, Any]) -> None:
    """Ticket headers may carry credentials (htsget 1.3.0 §HTTPS data block URLs): keep them out of the
    reports. Range values are byte ranges, not secrets."""
    for name, value in headers.items():
        if not isinstance(value, str) or str(name).lower() == "range":
            continue
        client.redactor.add(value)
        scheme, space, token = value.partition(" ")
        if space and scheme.isalpha():
            client.redactor.add(token.strip())


def is_data_uri(url: str) -> bool:
    """Whether ``url`` is an inline data: URI (RFC 2397); a scheme is case-insensitive, ``DATA:`` too (RFC 3986
    §3.1)."""
    return url[:5].lower() == "data:"


#: The check that judges a data: URI's encoding.
DATA_URI_BASE64 = "htsget.data-uri.base64"


def data_uri_is_base64(url: str) -> bool:
    """Whether a data: URI declares base64 payload encoding (``data:[<mediatype>];base64,<payload>``)."""
    meta, comma, _ = url[5:].partition(",")
    return bool(comma) and meta.split(";")[-1].strip().lower() == "base64"


def decode_data_uri(url: str, index: int = 0) -> bytes:
    meta, comma, payload = url[5:].partition(",")
    if not comma:
        raise AssemblyError(f"urls[{index}] is a data: URI without a comma", cause=DATA_URI_BASE64)
    if not data_uri_is_base64(url):
        raise AssemblyError(f"urls[{index}] is a data: URI without ;base64 (media type {meta!r})",
                            cause=DATA_URI_BASE64)
    text = payload
    if "%" in text:  # tolerated here; htsget.data-uri.not-percent-encoded reports it
        text = unquote_to_bytes(text).decode("ascii", "replace")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AssemblyError(f"urls[{index}] data: payload is not valid base64 ({exc})", cause=DATA_URI_BASE64) from None


def sniff(blob: bytes) -> str:
    """The format the bytes are in: BAM, CRAM, VCF, BCF, or a description of what they are not."""
    if blob[:4] == b"CRAM":
        return "CRAM"
    if blob.startswith(b"\x1f\x8b"):
        bgzf = blob.startswith(BGZF_MAGIC)
        try:
            first = zlib.decompressobj(31).decompress(blob[:65536], 64)
        except zlib.error:
            return "corrupt BGZF" if bgzf else "corrupt gzip"
        if not bgzf:  # plain gzip: VCF may be (htsget names no compression for it); BAM and BCF are BGZF
            return "VCF" if first.startswith(b"##fileformat=VCF") else "unknown gzip"
        if first.startswith(b"BAM\1"):
            return "BAM"
        if first.startswith(b"BCF\2"):
            return "BCF"
        if first.startswith(b"##fileformat=VCF"):
            return "VCF"
        return "unknown BGZF"
    if blob.startswith(b"##fileformat=VCF"):
        return "VCF"
    return "unknown"


def missing(expected: Iterable[Record], got: Iterable[Record]) -> list[Record]:
    have = {r.key for r in got}
    return [r for r in expected if r.key not in have]


def overlapping(records: Iterable[Record], ref: str, start: int, end: int) -> list[Record]:
    return [r for r in records if r.overlaps(ref, start, end)]


def names(records: Sequence[Record], limit: int = 3) -> str:
    shown = ", ".join(r.label() for r in records[:limit])
    return shown + (f" and {len(records) - limit} more" if len(records) > limit else "")
