"""Synthetic data of the htsget reference server, made with pysam once per process.

A small reference (three contigs), reads as BAM (with reads across contig ends, a deletion-spanning read,
a placed unmapped mate and unplaced unmapped reads) and variants as BGZF VCF (SNVs, indels and a
symbolic ``<DEL>`` with INFO/END). CRAM and BCF are produced on request by re-writing records, as is every
region slice (a header-only file minus its EOF is a byte prefix of the slice).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pysam

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
CRAM_EOF = bytes.fromhex("0f000000ffffffff0fe0454f46000000000100" "05bdd94f0001000606010001000100ee63014b")
EOFS = {"BAM": BGZF_EOF, "CRAM": CRAM_EOF, "VCF": BGZF_EOF, "BCF": BGZF_EOF}
MODES = {"BAM": "wb", "CRAM": "wc", "VCF": "wz", "BCF": "wb"}
CONTIGS = (("chr1", 2000), ("chr2", 1500), ("chr3", 1000))
READ_LENGTH = 50
#: The reference the header-differs-per-request fault adds to region headers.
EXTRA_CONTIG = "conformanceExtra"
#: Largest coordinate pysam accepts (htsget allows unsigned 32-bit; larger ends mean "to the end").
INT32_MAX = (1 << 31) - 1

Region = tuple[str, "int | None", "int | None"]


@dataclass(frozen=True)
class Dataset:
    directory: Path
    fasta: Path
    bam: Path
    vcf: Path
    sequences: dict[str, str]

    def md5_of(self, contig: str) -> str:
        return hashlib.md5(self.sequences[contig].encode()).hexdigest()


_lock = threading.Lock()
_dataset: Dataset | None = None


def dataset() -> Dataset:
    """The data, made on first use in a temporary directory that lives as long as the process: removed when
    the process that made it exits (every run with an htsget reference server left one behind)."""
    global _dataset
    with _lock:
        if _dataset is None:
            directory = Path(tempfile.mkdtemp(prefix="ga4gh-conformance-htsget-"))
            atexit.register(_remove, directory, os.getpid())
            _dataset = _make(directory)
        return _dataset


def _remove(directory: Path, maker: int) -> None:
    # At exit, after the runs: a server's daemon handler thread still making a slice then fails, in a process
    # that is ending (stopping a reference server joins its loop, not its handlers).
    if os.getpid() == maker:  # a process forked from the maker shares the directory: it is not its to remove
        shutil.rmtree(directory, ignore_errors=True)


def _make(out: Path) -> Dataset:
    pysam.set_verbosity(0)
    rng = random.Random(42)
    seqs = {name: "".join(rng.choice("ACGT") for _ in range(length)) for name, length in CONTIGS}
    fasta = out / "ref.fa"
    with fasta.open("w") as fh:
        for name, _ in CONTIGS:
            fh.write(f">{name}\n")
            for i in range(0, len(seqs[name]), 60):
                fh.write(seqs[name][i:i + 60] + "\n")
    pysam.faidx(str(fasta))
    sq: list[dict[str, Any]] = [{"SN": n, "LN": length, "M5": hashlib.md5(seqs[n].encode()).hexdigest()}
                                for n, length in CONTIGS]
    header = pysam.AlignmentHeader.from_dict({
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": sq,
        "RG": [{"ID": "rg1", "SM": "sample1"}],
    })

    def read(name: str, tid: int, pos: int, cigar: str = "50M", flag: int = 0, seq: str | None = None,
             mate: tuple[int, int] = (-1, -1)) -> pysam.AlignedSegment:
        a = pysam.AlignedSegment(header)
        a.query_name, a.flag, a.reference_id, a.reference_start = name, flag, tid, pos
        if tid >= 0 and not flag & 4:
            a.cigarstring = cigar
            a.mapping_quality = 60
            seq = seq or seqs[CONTIGS[tid][0]][pos:pos + a.query_alignment_length]
        a.query_sequence = seq or "".join(rng.choice("ACGT") for _ in range(READ_LENGTH))
        a.query_qualities = pysam.qualitystring_to_array("I" * len(a.query_sequence))
        a.next_reference_id, a.next_reference_start = mate
        a.set_tags([("RG", "rg1"), ("NM", 0), ("XY", "custom")])
        return a

    reads = []
    for tid, (name, length) in enumerate(CONTIGS):
        reads.append(read(f"{name}_first", tid, 0))
        reads.append(read(f"{name}_last", tid, length - READ_LENGTH))
        for p in range(1, length - READ_LENGTH, 7):
            reads.append(read(f"{name}_t{p}", tid, p))
    reads.append(read("probe_950", 0, 950))
    reads.append(read("probe_1000", 0, 1000))
    reads.append(read("probe_del", 0, 1200, "20M100D30M", seq=seqs["chr1"][1200:1220] + seqs["chr1"][1320:1350]))
    reads.append(read("mate_mapped", 1, 700, flag=1 | 32 | 64, mate=(1, 700)))
    reads.append(read("mate_mapped", 1, 700, flag=1 | 4 | 128, mate=(1, 700)))
    for i in range(3):
        reads.append(read(f"unplaced_{i}", -1, -1, flag=4))
    reads.sort(key=lambda r: (r.reference_id if r.reference_id >= 0 else 1 << 30, r.reference_start))
    bam = out / "reads.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as writer:
        for r in reads:
            writer.write(r)
    pysam.index(str(bam))

    vh = pysam.VariantHeader()
    for name, length in CONTIGS:
        vh.contigs.add(name, length=length)
    vh.add_meta("ALT", items=[("ID", "DEL"), ("Description", "Deletion")])
    vh.add_meta("INFO", items=[("ID", "END"), ("Number", "1"), ("Type", "Integer"), ("Description", "End")])
    vh.add_meta("INFO", items=[("ID", "SVTYPE"), ("Number", "1"), ("Type", "String"), ("Description", "SV type")])
    vh.add_meta("FORMAT", items=[("ID", "GT"), ("Number", "1"), ("Type", "String"), ("Description", "Genotype")])
    vh.add_sample("sample1")
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    variants = [("snv_chr1_first", "chr1", 0, 1, "snv"), ("snv_100", "chr1", 99, 1, "snv"),
                ("del_500", "chr1", 499, 4, "del"), ("ins_800", "chr1", 799, 1, "ins"),
                ("sv_del_1000", "chr1", 999, 501, "sv"), ("snv_1300", "chr1", 1299, 1, "snv"),
                ("snv_chr1_last", "chr1", 1999, 1, "snv"), ("snv_chr2_10", "chr2", 10, 1, "snv"),
                ("del_chr2_600", "chr2", 599, 3, "del"), ("snv_chr2_last", "chr2", 1499, 1, "snv"),
                ("snv_chr3_500", "chr3", 500, 1, "snv")]
    vcf = out / "variants.vcf.gz"
    with pysam.VariantFile(str(vcf), "wz", header=vh) as vwriter:
        for vid, contig, pos, rlen, kind in variants:
            ref = seqs[contig][pos:pos + rlen]
            if kind == "snv":
                alleles = (ref, other[ref])
            elif kind == "del":
                alleles = (ref, ref[0])
            elif kind == "ins":
                alleles = (ref, ref + "CGT")
            else:  # symbolic: REF is the padding base, the extent is INFO/END
                alleles = (ref[0], "<DEL>")
            rec = vwriter.new_record(contig=contig, start=pos, stop=pos + rlen, alleles=alleles, id=vid)
            if kind == "sv":
                rec.info["SVTYPE"] = "DEL"
            rec.samples["sample1"]["GT"] = (0, 1)
            vwriter.write(rec)
    pysam.tabix_index(str(vcf), preset="vcf", force=True)
    return Dataset(out, fasta, bam, vcf, seqs)


def _extent(record: Any) -> tuple[int, int]:
    if isinstance(record, pysam.AlignedSegment):
        return record.reference_start, record.reference_end or record.reference_start + 1
    return int(record.start), int(record.stop)


def merge(regions: Sequence[Region], order: dict[str, int]) -> list[tuple[str, int, int]]:
    """Regions in file order, overlapping or adjacent ones merged (htsget 1.3.0 §Region list)."""
    big = 1 << 40
    spans = sorted((order.get(ref, big), ref, start or 0, big if end is None else end) for ref, start, end in regions)
    merged: list[list[Any]] = []
    for rank, ref, start, end in spans:
        if merged and merged[-1][1] == ref and start <= merged[-1][3]:
            merged[-1][3] = max(merged[-1][3], end)
        else:
            merged.append([rank, ref, start, end])
    return [(ref, start, end) for _, ref, start, end in merged]


def records(handle: Any, kind: str, regions: Sequence[Region] | None, shift: int = 0,
            mode: str = "") -> Iterator[Any]:
    """Records of ``regions`` (None: the whole file), each once, in file order. ``shift`` moves both
    coordinates (a fault: -1 reads htsget's 0-based start as if it were 1-based)."""
    if regions is None:
        every = handle.fetch(until_eof=True) if kind == "reads" else handle.fetch()
        # ``placed-only`` (a fault): the whole file without its unplaced unmapped reads.
        yield from (r for r in every if mode != "placed-only" or kind != "reads" or r.reference_id >= 0)
        return
    names = list(handle.references) if kind == "reads" else list(handle.header.contigs)
    done: list[tuple[str, int, int]] = []
    for ref, start, end in merge(regions, {n: i for i, n in enumerate(names)}):
        if ref == "*":
            yield from handle.fetch("*")
            continue
        if start + shift >= INT32_MAX:
            continue  # beyond any reference pysam can hold: no records
        lo = max(0, start + shift)
        hi = None if end + shift >= INT32_MAX else max(lo, end + shift)
        if hi == lo:
            continue
        for record in handle.fetch(ref, lo, hi):
            rs, re_ = _extent(record)
            if mode == "pos-only" and rs < lo:
                continue  # a fault: overlap judged by the start position only
            if mode == "ref-extent" and kind == "variants" and rs + len(record.ref) <= lo:
                continue  # a fault: overlap judged by POS and REF only, INFO/END ignored
            if not any(r == ref and rs < e and re_ > s for r, s, e in done):
                yield record
        done.append((ref, lo, hi if hi is not None else 1 << 40))


def _opened(kind: str, fmt: str, header_comment: str) -> tuple[Any, Callable[[str], Any]]:
    """The source file of ``kind`` opened, and a function opening a ``fmt`` file of its header (with
    ``header_comment``: an @CO/## line and a reference, a fault) for writing at a path."""
    data = dataset()
    reference = str(data.fasta)
    if kind == "reads":
        handle: Any = pysam.AlignmentFile(str(data.bam))
        header: Any = handle.header
        if header_comment:
            as_dict = header.to_dict()
            as_dict["CO"] = [header_comment]
            as_dict["SQ"] = [*as_dict["SQ"], {"SN": EXTRA_CONTIG, "LN": 1}]
            header = pysam.AlignmentHeader.from_dict(as_dict)

        def writer(path: str) -> Any:
            if fmt == "CRAM":
                return pysam.AlignmentFile(path, MODES[fmt], header=header, reference_filename=reference)
            return pysam.AlignmentFile(path, MODES[fmt], header=header)
        return handle, writer
    handle = pysam.VariantFile(str(data.vcf))
    vheader = handle.header.copy()
    if header_comment:
        vheader.add_line(f"##comment={header_comment}")
        vheader.add_line(f"##contig=<ID={EXTRA_CONTIG},length=1>")

    def variant_writer(path: str) -> Any:
        return pysam.VariantFile(path, MODES[fmt], header=vheader)
    return handle, variant_writer


def _fixed_file_id(content: bytes, fmt: str) -> bytes:
    """A CRAM's 20-byte file id embeds the output path: made fixed (other formats are as written)."""
    if fmt != "CRAM":
        return content
    return content[:6] + b"htsget-slice".ljust(20, b"\0") + content[26:]


@lru_cache(maxsize=64)
def _header_file(kind: str, fmt: str, header_comment: str) -> bytes:
    """A complete ``fmt`` file holding the header alone (the same for every slice of ``kind``: writing it
    for each slice was a quarter of the server's time per ticket)."""
    handle, writer = _opened(kind, fmt, header_comment)
    with handle, tempfile.TemporaryDirectory() as td:
        path = os.path.join(td, "h")
        with writer(path):
            pass
        return _fixed_file_id(Path(path).read_bytes(), fmt)


@lru_cache(maxsize=512)
def make_slice(kind: str, fmt: str, regions: tuple[Region, ...] | None, header_only: bool = False,
               shift: int = 0, drop: str = "", tags: tuple[str, ...] | None = None,
               notags: tuple[str, ...] = (), header_comment: str = "", mode: str = "") -> tuple[bytes, bytes]:
    """(header bytes, body bytes): their concatenation is a complete file ending in the EOF marker.

    ``drop`` ("first" or "last") leaves out one overlapping record (a fault); ``tags``/``notags`` filter
    auxiliary tags of reads; ``header_comment`` adds an @CO/## line and a reference (a fault).
    """
    head = _header_file(kind, fmt, header_comment)
    handle, writer = _opened(kind, fmt, header_comment)
    with handle, tempfile.TemporaryDirectory() as td:
        full_path = os.path.join(td, "f")
        with writer(full_path) as out:
            if not header_only:
                chosen = list(records(handle, kind, regions, shift, mode))
                if drop == "first" and chosen:
                    chosen = chosen[1:]
                elif drop == "last" and chosen:
                    chosen = chosen[:-1]
                for record in chosen:
                    if kind == "reads" and mode == "blank-qname":
                        record.query_name = "*"  # a fault: a requested field blanked
                    if kind == "reads" and (tags is not None or notags):
                        kept = [(k, v) for k, v in record.get_tags()
                                if (tags is None or k in tags) and k not in notags]
                        record.set_tags(kept)
                    out.write(record if kind == "reads" else _translate(record, out))
        full = _fixed_file_id(Path(full_path).read_bytes(), fmt)
    eof = EOFS[fmt]
    prefix = head[:-len(eof)]
    if not (head.endswith(eof) and full.startswith(prefix)):  # pragma: no cover - htslib behaviour changed
        raise RuntimeError("the header was not flushed into its own block")
    return prefix, full[len(prefix):]


def _translate(record: Any, out: Any) -> Any:
    if record.header == out.header:
        return record
    copy = record.copy()
    copy.translate(out.header)
    return copy


def sequence(digest: str) -> str | None:
    """The sequence of a contig by its MD5 (for the refget endpoint)."""
    data = dataset()
    for name in data.sequences:
        if data.md5_of(name) == digest:
            return data.sequences[name]
    return None
