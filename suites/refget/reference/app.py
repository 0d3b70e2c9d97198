"""Reference refget sequences server (refget 1.0.0, 1.0.1, 2.0.0) with named faults.

It holds two small sequences generated deterministically in code — ``chrT``, linear, 5,000 bases, and
``chrC``, circular, 1,600 bases — and, with the option ``large_sequence_size``, a large one generated and
streamed in 64 KiB blocks (never held whole). With the option ``compliance_sequences: true`` it also holds
the three test sequences of the official refget compliance suite (PyPI refget-compliance 1.2.6: yeast
chromosomes I and VI, linear, and phage phiX174 NC_001422.1, circular), read at start from that installed
package's data, which this repository never copies. The option ``extra_sequences`` (name → bases) adds
small linear sequences given by another standard's server (a seqcol server's companion). In 1.0.x it
speaks MD5 and TRUNC512, does not support circular sequences and sets no subsequence limit; in 2.0.0 it
speaks MD5 and ga4gh (plain and namespaced), resolves ``insdc:`` aliases, supports circular sequences and
limits sub-sequences to 4,000 bases. Each choice is one the texts allow, so both profiles of the demo
exercise different branches of the rules.

Each fault is one spec violation and names the checks that must catch it (``../faults.yaml``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, UsageError, json_reply, route, service_info_document

BLOCK = 64 * 1024
#: Bodies above this are streamed in blocks (chunked), below it sent whole.
STREAM_ABOVE = 1 << 20
LINE = 60
LIMIT_2_0 = 4000
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
HEX = re.compile(r"^[0-9A-Fa-f]+$")
#: refget 1.0.1 Appendix 1 spells the naming authorities so; 2.0.0 Appendix 1 writes them lower-case.
AUTHORITIES_1_0 = {"insdc": "INSDC", "ucsc": "UCSC", "ensembl": "Ensembl", "refseq": "RefSeq", "vmc": "vmc"}
COMPLIANCE_DISTRIBUTION = "refget-compliance"
#: The compliance suite's FASTA files (``compliance_suite/sequences/<stem>.faa``) and the naming authority of
#: each header's first word: Ensembl's S. cerevisiae R64-1-1 chromosome names, a RefSeq accession.
COMPLIANCE_FILES = (("I", "ensembl"), ("VI", "ensembl"), ("NC", "refseq"))


@functools.cache
def _block(seed: int) -> bytes:
    """64 KiB of bases, AT-rich as genomes are, reproducible from the seed."""
    rng = random.Random(seed)
    return bytes(rng.choices(b"ACGT", weights=(30, 20, 20, 30), k=BLOCK))


def bases(seed: int, size: int, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Bases ``start..end-1`` of a deterministic sequence, in pieces of at most 64 KiB: one random block,
    rotated differently for each block position, so that any size and any range is cheap."""
    end = size if end is None else min(end, size)
    block = _block(seed)
    position = start
    while position < end:
        index, offset = divmod(position, BLOCK)
        shift = (index * 7919) % BLOCK
        rotated = block[shift:] + block[:shift]
        piece = rotated[offset: offset + min(BLOCK - offset, end - position)]
        yield piece
        position += len(piece)


@dataclass
class Seq:
    """One sequence the server holds, with its digests (computed over the bases, as generated)."""

    name: str
    seed: int
    size: int
    circular: bool
    #: (alias, naming authority as 2.0.0 writes it; 1.0.x upper-cases it)
    aliases: tuple[tuple[str, str], ...]
    md5: str = ""
    trunc512: str = ""
    ga4gh: str = ""
    _small: bytes | None = field(default=None, repr=False)
    #: The bases themselves, for a sequence that is read rather than generated (``seed`` is then unused).
    fixed: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.fixed is not None:
            self.size = len(self.fixed)
        source: Iterator[bytes] | list[bytes] = [self.fixed] if self.fixed is not None else bases(self.seed, self.size)
        md5, sha512 = hashlib.md5(), hashlib.sha512()
        for piece in source:
            md5.update(piece)
            sha512.update(piece)
        self.md5 = md5.hexdigest()
        self.trunc512 = sha512.digest()[:24].hex()
        self.ga4gh = "SQ." + base64.urlsafe_b64encode(sha512.digest()[:24]).decode("ascii")
        if self.fixed is not None:
            self._small = self.fixed
        elif self.size <= STREAM_ABOVE:
            self._small = b"".join(bases(self.seed, self.size))

    def pieces(self, start: int, end: int) -> Iterator[bytes]:
        if self._small is not None:
            yield self._small[start:end]
            return
        yield from bases(self.seed, self.size, start, end)

    def data(self, start: int, end: int) -> bytes:
        return b"".join(self.pieces(start, end))


LINEAR = Seq("chrT", 1, 5000, False, (("CT000001.1", "insdc"), ("chrT", "ucsc")))
CIRCULAR = Seq("chrC", 2, 1600, True, (("CT000002.1", "insdc"), ("chrC", "ucsc")))


@functools.cache
def compliance_sequences() -> tuple[Seq, ...]:
    """The test sequences of the installed refget-compliance package, checked against the MD5 and TRUNC512
    digests and the circular flags of its ``checksums.json``. Each FASTA is sanitised as refget 1.0.1
    §Checksum calculation says (non-base symbols removed, the rest upper-cased)."""
    import json
    from importlib import metadata

    try:
        distribution = metadata.distribution(COMPLIANCE_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise UsageError(f"the refget reference option compliance_sequences reads the sequences of the "
                         f"{COMPLIANCE_DISTRIBUTION} package, which is not installed "
                         f"(pip install {COMPLIANCE_DISTRIBUTION}==1.2.6)") from None
    folder = Path(str(distribution.locate_file("compliance_suite/sequences")))
    try:
        expected = json.loads((folder / "checksums.json").read_text(encoding="utf-8"))
        found = []
        for stem, authority in COMPLIANCE_FILES:
            header, *lines = (folder / f"{stem}.faa").read_text(encoding="ascii").splitlines()
            data = re.sub(rb"[^A-Z]", b"", "".join(lines).upper().encode("ascii"))
            name = header.lstrip(">").split()[0]
            seq = Seq(name, 0, 0, bool(expected[stem]["is_circular"]), ((name, authority),), fixed=data)
            if (seq.md5, seq.trunc512) != (expected[stem]["md5"].lower(), expected[stem]["sha512"].lower()):
                raise UsageError(f"{folder / (stem + '.faa')} does not match the digests of its checksums.json")
            found.append(seq)
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"cannot read the sequences of {COMPLIANCE_DISTRIBUTION} in {folder}: {exc}") from None
    return tuple(found)


def extra_sequences(value: Any) -> list[Seq]:
    """The sequences of the option ``extra_sequences`` (name → bases, upper-case A-Z), linear and without
    aliases: what a companion server needs to hold the sequences another standard's server names (the
    sequences of the seqcol reference server's collections, say)."""
    if not value:
        return []
    if not isinstance(value, dict):
        raise UsageError("the refget reference option extra_sequences must map sequence names to their bases")
    found = []
    for name, data in value.items():
        if not isinstance(data, str) or not re.fullmatch(r"[A-Z]+", data):
            raise UsageError(f"the refget reference option extra_sequences.{name} must be bases (upper-case A-Z)")
        found.append(Seq(str(name), 0, 0, False, (), fixed=data.encode("ascii")))
    return found


class RefgetApp(ReferenceApp):
    """An in-memory refget sequences server speaking 1.0.0, 1.0.1 or 2.0.0."""

    base_path: ClassVar[str] = ""
    OPTIONS: ClassVar[Mapping[str, str]] = {
        "compliance_sequences": "true: hold the refget compliance suite's sequences too",
        "extra_sequences": "name → bases: more sequences to hold",
    }

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.v1 = self.version.startswith("1.")
        self.circular_supported = not self.v1
        self.limit: int | None = None if self.v1 else LIMIT_2_0
        self.algorithms = ["md5", "trunc512"] if self.v1 else ["md5", "ga4gh"]
        self.identifier_types: list[str] = [] if self.v1 else ["insdc"]
        self.sequences = [LINEAR, CIRCULAR]
        large = int(self.options.get("large_sequence_size", 0) or 0)
        if large:
            self.sequences.append(Seq("chrL", 3, large, False, (("CT000003.1", "insdc"),)))
        if self.options.get("compliance_sequences"):
            self.sequences.extend(compliance_sequences())
        self.sequences.extend(extra_sequences(self.options.get("extra_sequences")))

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        circular_2 = "ga4gh:" + CIRCULAR.ga4gh
        return [
            {"standard": "refget", "version": "2.0.0", "reference": True,
             "sequences": [LINEAR.md5, circular_2], "circular_sequences": [circular_2]},
            {"standard": "refget", "version": "1.0.1", "reference": True,
             "sequences": [LINEAR.md5, CIRCULAR.trunc512], "circular_sequences": [CIRCULAR.trunc512]},
        ]

    # -- media types -------------------------------------------------------------------------------

    @property
    def text_type(self) -> str:
        return f"text/vnd.ga4gh.refget.v{self.version}+plain"

    @property
    def json_type(self) -> str:
        return f"application/vnd.ga4gh.refget.v{self.version}+json"

    @property
    def accepted_versions(self) -> tuple[str, ...]:
        """Protocol versions whose vendor types an Accept header may name. A 1.0.1 server also takes the
        types of 1.0.0, the release 1.0.1 patches (1.0.1 Appendix 2: its one change is text/plain), as "A
        server MAY support other formatting" allows: the compliance suite that refget 1.0.1 §Compliance
        names (refget-compliance 1.2.6) asks for them. Its answers keep the 1.0.1 types."""
        return ("1.0.0", "1.0.1") if self.version == "1.0.1" else (self.version,)

    def acceptable(self, request: Request, kind: str) -> bool:
        """Whether the Accept header names a format this server serves (refget §Internet Media Types
        Handling: a type degrades to its vendor type without parameters, then to text/plain or
        application/json)."""
        header = request.header("Accept")
        if not header or self.has("unsupported-accept-ignored"):
            return True
        if kind == "text":
            served = {"*/*", "text/*"} | {f"text/vnd.ga4gh.refget.v{v}+plain" for v in self.accepted_versions}
            if not self.has("text-plain-not-accepted"):
                served.add("text/plain")
        else:
            served = {"*/*", "application/*", "application/json"} | {
                f"application/vnd.ga4gh.refget.v{v}+json" for v in self.accepted_versions}
        return any(part.split(";")[0].strip().lower() in served for part in header.split(","))

    def not_acceptable(self) -> Reply:
        # refget 1.0.0, 1.0.1 and 2.0.0 §Errors name 406 Not Acceptable (415 was refget 0.2's).
        return self.error(406, "the requested format is not supported")

    def error(self, status: int, message: str) -> Reply:
        return json_reply({"status_code": status, "message": message}, status)

    def json(self, document: Any, vendor: bool = True) -> Reply:
        content_type = self.json_type if vendor else "application/json"
        return json_reply(document, content_type=f"{content_type}; charset=us-ascii" if vendor else content_type)

    def text(self, body: bytes | Iterator[bytes], status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        extra = dict(headers or {})
        if self.has("sequence-content-type-html"):
            extra["Content-Type"] = "text/html"
        elif not self.has("sequence-no-content-type"):
            extra["Content-Type"] = f"{self.text_type}; charset=us-ascii"
        if isinstance(body, bytes):
            return Reply(status, body, extra)
        return Reply(status, b"", extra, stream=body)

    # -- identifiers -------------------------------------------------------------------------------

    def resolve(self, ident: str) -> Seq | None:
        if ":" in ident and not self.v1:
            namespace, value = ident.split(":", 1)
            namespace = namespace.lower()
            if namespace == "md5":
                return None if self.has("namespaced-md5-404") else self.by_md5(value)
            if namespace == "ga4gh":
                return self.by_ga4gh(value, namespaced=True)
            if namespace in self.identifier_types:
                return self.by_alias(namespace, value)
            return None
        if len(ident) == 32 and HEX.match(ident):
            if self.has("md5-uppercase-404") and ident != ident.lower():
                return None
            return self.by_md5(ident)
        if self.v1 and len(ident) == 48 and HEX.match(ident):
            found = next((s for s in self.sequences if s.trunc512 == ident.lower()), None)
            if found is not None and self.has("trunc512-resolves-other"):
                return self.other(found)
            return found
        if not self.v1 and ident.startswith("SQ."):
            return self.by_ga4gh(ident, namespaced=False)
        return None

    def by_md5(self, value: str) -> Seq | None:
        return next((s for s in self.sequences if s.md5 == value.lower()), None)

    def by_ga4gh(self, value: str, namespaced: bool) -> Seq | None:
        if not namespaced and self.has("ga4gh-id-404"):
            return None
        return next((s for s in self.sequences if s.ga4gh == value), None)

    def by_alias(self, authority: str, value: str) -> Seq | None:
        found = next((s for s in self.sequences if (value, authority) in s.aliases), None)
        if found is not None and self.has("alias-resolves-to-other"):
            return self.other(found)
        return found

    def other(self, seq: Seq) -> Seq:
        return CIRCULAR if seq is LINEAR else LINEAR

    def unknown(self, ident: str, endpoint: str) -> Reply:
        if self.has("long-unknown-ids-500") and len(ident) > 60:
            return self.error(500, "identifier too long for the index")
        if endpoint == "sequence" and self.has("unknown-id-500"):
            return self.error(500, "lookup failed")
        if endpoint == "metadata" and self.has("metadata-unknown-200"):
            return self.json({"metadata": {}})
        return self.error(404, f"no sequence {ident}")

    # -- service-info ------------------------------------------------------------------------------

    @route("GET", "/sequence/service-info")
    def service_info(self, request: Request) -> Reply:
        if self.has("service-info-404"):
            return self.error(404, "not found")
        if not self.acceptable(request, "json"):
            return self.not_acceptable()
        capabilities: dict[str, Any] = {
            "circular_supported": self.circular_supported,
            "algorithms": list(self.algorithms),
            "subsequence_limit": self.limit,
        }
        if self.has("circular-supported-missing"):
            del capabilities["circular_supported"]
        if self.has("subsequence-limit-string"):
            capabilities["subsequence_limit"] = str(self.limit or 100000)
        if self.has("algorithms-without-md5"):
            capabilities["algorithms"].remove("md5")
        if self.has("sha512-algorithm-not-declared"):
            capabilities["algorithms"] = ["md5"]
        if self.v1:
            capabilities["supported_api_versions"] = [self.version]
            document: dict[str, Any] = ({**capabilities} if self.has("capabilities-missing")
                                        else {"service": capabilities})
            return self.json(document, vendor=not self.has("service-info-content-type-json"))
        capabilities["identifier_types"] = list(self.identifier_types)
        extra = {} if self.has("capabilities-missing") else {"refget": capabilities}
        document = service_info_document("refget", self.version, name="Reference refget server", extra=extra)
        # GA4GH service-info 1.0.0 serves application/json; refget 2.0.0 names its vendor type (see
        # refget.http.json-content-type): the GA4GH type is the one both suites accept.
        return self.json(document, vendor=False)

    # -- metadata ----------------------------------------------------------------------------------

    @route("GET", "/sequence/{ident}/metadata")
    def metadata(self, request: Request) -> Reply:
        ident = request.params["ident"]
        seq = self.resolve(ident)
        if seq is None:
            return self.unknown(ident, "metadata")
        if self.has("metadata-known-404"):
            return self.error(404, f"no metadata for {ident}")
        if not self.acceptable(request, "json"):
            return self.not_acceptable()
        upper = self.v1
        inner: dict[str, Any] = {"md5": seq.md5}
        if self.has("metadata-wrong-md5"):
            inner["md5"] = seq.md5[:-1] + ("0" if seq.md5[-1] != "0" else "1")
        if self.v1:
            trunc = seq.trunc512
            if self.has("metadata-wrong-trunc512"):
                trunc = hashlib.sha512(b"another sequence").hexdigest()[:48]
            inner["trunc512"] = trunc
        else:
            value: str | None = seq.ga4gh
            if self.has("metadata-wrong-ga4gh"):
                value = "SQ." + base64.urlsafe_b64encode(hashlib.sha512(b"another").digest()[:24]).decode("ascii")
            if self.has("metadata-ga4gh-null"):
                value = None
            inner["ga4gh"] = value
        length: Any = seq.size + (1 if self.has("metadata-wrong-length") else 0)
        inner["length"] = str(length) if self.has("metadata-length-string") else length
        if not self.has("metadata-missing-aliases"):
            inner["aliases"] = [{"alias": alias,
                                 "naming_authority": AUTHORITIES_1_0.get(authority, authority.upper()) if upper
                                 else authority}
                                for alias, authority in seq.aliases]
        return self.json({"metadata": inner}, vendor=not self.has("metadata-content-type-json"))

    # -- sequences ---------------------------------------------------------------------------------

    @route("GET", "/sequence/{ident}")
    def sequence(self, request: Request) -> Reply:
        ident = request.params["ident"]
        seq = self.resolve(ident)
        if seq is None:
            return self.unknown(ident, "sequence")
        if self.has("sequence-known-404"):
            return self.error(404, f"no sequence {ident}")
        if not self.acceptable(request, "text"):
            return self.not_acceptable()
        start, end = request.arg("start"), request.arg("end")
        header = request.header("Range")
        if (start is not None or end is not None) and header is not None:
            if not self.has("range-and-query-200"):
                return self.error(400, "give either a Range header or start/end, not both")
            header = None
        if start is not None or end is not None:
            return self.query_answer(seq, start, end)
        if header is not None:
            return self.range_answer(seq, header)
        return self.whole(seq)

    def whole(self, seq: Seq) -> Reply:
        pieces: Iterator[bytes] = seq.pieces(0, seq.size)
        if self.has("sequence-base-substituted"):
            pieces = _substituted(pieces, seq.size // 2)
        if self.has("sequence-line-breaks"):
            pieces = _wrapped(pieces)
        if seq.size <= STREAM_ABOVE:
            return self.text(b"".join(pieces), headers={"Accept-Ranges": "bytes"})
        return self.text(pieces, headers={"Accept-Ranges": "bytes"})

    def query_answer(self, seq: Seq, start_text: str | None, end_text: str | None) -> Reply:
        for value in (start_text, end_text):
            if value is not None and not (value.isascii() and value.isdigit()):
                if self.has("non-numeric-500"):
                    return self.error(500, f"invalid literal for int(): {value!r}")
                return self.error(400, f"{value!r} is not an unsigned integer")
        length = seq.size
        start = int(start_text) if start_text is not None else 0
        end = int(end_text) if end_text is not None else length
        if start > length:
            if self.has("start-beyond-length-empty"):
                return self.text(b"", headers=self.accept_ranges())
            return self.error(400, "start is larger than the sequence length")
        if end > length:
            return self.error(416 if self.circular_supported else 400, "end is beyond the sequence")
        if start > end:
            return self.wrap_answer(seq, start, end)
        if self.limit is not None and end - start > self.limit and not self.has("limit-ignored"):
            return self.error(416, f"sub-sequences are limited to {self.limit} bases")
        if start == end and self.has("zero-length-400"):
            return self.error(400, "empty range")
        if self.has("slice-off-by-one") and start < end:
            start, end = min(start + 1, length), min(end + 1, length)
        if end - start > STREAM_ABOVE and not self.has("slices-drop-last-base-when-long"):
            return self.text(seq.pieces(start, end), headers=self.accept_ranges())
        body = seq.data(start, end)
        if self.has("slices-drop-last-base-when-long") and len(body) > 100:
            body = body[:-1]
        return self.text(body, headers=self.accept_ranges())

    def wrap_answer(self, seq: Seq, start: int, end: int) -> Reply:
        wraps = self.has("wraps-without-circular-support")
        if not wraps:
            if not self.circular_supported:
                return self.error(501, "circular sequences are not supported")
            if not seq.circular:
                status = 501 if self.has("linear-start-after-end-501") else 416
                return self.error(status, "start is greater than end on a linear sequence")
            if self.has("circular-not-wrapped"):
                return self.error(416, "start is greater than end")
        if self.limit is not None and seq.size - start + end > self.limit and not self.has("limit-ignored"):
            return self.error(416, f"sub-sequences are limited to {self.limit} bases")
        if self.has("circular-wrap-wrong") and seq.circular:
            body = seq.data(0, end) + seq.data(start, seq.size)
        else:
            body = seq.data(start, seq.size) + seq.data(0, end)
        return self.text(body, headers=self.accept_ranges())

    def accept_ranges(self) -> dict[str, str]:
        return {} if self.has("accept-ranges-missing") else {"Accept-Ranges": "none"}

    def range_answer(self, seq: Seq, header: str) -> Reply:
        length = seq.size
        match = RANGE.match(header.strip())
        if not match or match.group(1) == match.group(2) == "":
            return self.error(400, "only a single byte range is supported")
        first_text, last_text = match.groups()
        if first_text == "":
            first, last = max(0, length - int(last_text)), length - 1
        else:
            first = int(first_text)
            last = min(int(last_text), length - 1) if last_text else length - 1
        if first >= length:
            if self.has("range-out-of-bounds-206"):
                return self.text(b"", 206, {"Content-Range": f"bytes */{length}"})
            return self.error(400, "the range is out of the bounds of the sequence")
        if last < first:
            return self.error(400, "the range ends before it starts")
        if self.has("range-ignored"):
            return self.whole(seq)
        if self.limit is not None and last + 1 - first > self.limit:
            return self.error(416, f"sub-sequences are limited to {self.limit} bases")
        end = last if self.has("range-end-exclusive") else last + 1
        status = 200 if self.has("range-200-slice") else 206
        headers = {"Content-Range": f"bytes {first}-{last}/{length}"}
        if end - first > STREAM_ABOVE:
            return self.text(seq.pieces(first, end), status, headers)
        return self.text(seq.data(first, end), status, headers)


def _substituted(pieces: Iterator[bytes], position: int) -> Iterator[bytes]:
    """The bases with the one at ``position`` replaced by another."""
    offset = 0
    for piece in pieces:
        if offset <= position < offset + len(piece):
            index = position - offset
            base = piece[index:index + 1]
            piece = piece[:index] + (b"C" if base != b"C" else b"G") + piece[index + 1:]
        offset += len(piece)
        yield piece


def _wrapped(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """The bases as FASTA lines: a line feed after every 60."""
    column = 0
    for piece in pieces:
        out = bytearray()
        for base in piece:
            out.append(base)
            column += 1
            if column == LINE:
                out += b"\n"
                column = 0
        yield bytes(out)
