"""Verifying a 250 MB refget sequence streams it: throughput as a ratio to hashlib, and peak memory.

Starts the reference refget server (2.0.0) with a generated sequence of ``--size`` bases (the profile
option ``large_sequence_size``; alias ``insdc:CT000003.1``) — in a process of its own by default, as a
deployment is (``--server thread`` runs it in this process, where it competes with the harness for the
interpreter) — and verifies it through the refget suite's own
path (``suites/refget/view.py``, ``Refget.verified_one``: the harness's client streams the bases into
``SequenceDigest``, which normalises each chunk and feeds MD5 and SHA-512, then compares the MD5 with the
metadata's). The baseline hashes the same bases, read from a temporary file written beforehand, with
hashlib MD5 and SHA-512: the same digests without HTTP.

    python benchmarks/refget_stream.py [--size BYTES] [--repeat N] [--server process|thread]

Repeats are interleaved (harness, baseline, harness, baseline, ...); prints one row per measurement, the
median ratio (harness seconds / baseline seconds; 1.0 would mean the network path costs nothing), the
growth of peak resident memory during each verification, and whether the digests matched. It asserts
nothing.

Each row also gives the CPU seconds the measurement used (every thread of this process; for the harness,
plus the reference server's process in ``--server process`` mode, in parentheses). On a machine others
load, the wall-clock ratio swings widely from run to run; the CPU ratio (harness CPU / baseline CPU, with
and without the server's) is the work the harness does per byte, which the load barely moves.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance_suites.refget.reference.app import RefgetApp, Seq, bases
from conformance_suites.refget.view import Refget
from reference_process import reference_process

from conformance.profile import parse_profile
from conformance.run import Run, prepare
from conformance.suite import discover

MB = 1000 * 1000
MIB = 1 << 20
GIB = 1 << 30
ALIAS = ("CT000003.1", "insdc")  # the alias suites/refget/reference/app.py gives the generated sequence
IDENT = "insdc:CT000003.1"
READ = MIB  # baseline read size


@dataclass(frozen=True)
class Measure:
    kind: str
    count: int
    seconds: float
    md5: str
    ga4gh: str
    #: CPU seconds of this process (all its threads) over the measurement.
    cpu: float = 0.0
    #: CPU seconds of the reference server's process over the measurement (``--server process`` only).
    server_cpu: float | None = None
    #: Peak RSS growth over the measurement, in MiB (harness only).
    growth: float | None = None
    #: The growth was measured with VmHWM reset before the measurement (else getrusage's ru_maxrss).
    exact: bool = False


def _status_kib(field: str) -> int | None:
    """A ``/proc/self/status`` memory line (``VmRSS``, ``VmHWM``) in KiB, or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0); False when it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


class PeakMeter:
    """Peak RSS growth over a block of code: VmHWM reset before and read after when the kernel allows,
    else getrusage's ru_maxrss (monotonic over the process, so growth past an earlier peak only)."""

    def __init__(self) -> None:
        self.before_kib = 0
        self.resettable = False

    def start(self) -> None:
        self.resettable = _reset_peak()
        rss = _status_kib("VmRSS") if self.resettable else None
        self.before_kib = rss if rss is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if rss is None:
            self.resettable = False

    def growth_mib(self) -> float:
        peak = _status_kib("VmHWM") if self.resettable else None
        if peak is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB
        return max(0, peak - self.before_kib) / 1024


def children_cpu() -> float | None:
    """CPU seconds (user + system) used so far by this process's child processes that still run (the
    reference server), from ``/proc``; None off Linux."""
    try:
        children = Path(f"/proc/self/task/{os.getpid()}/children").read_text(encoding="ascii").split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def ga4gh_of(sha512_digest: bytes) -> str:
    return "SQ." + base64.urlsafe_b64encode(sha512_digest[:24]).decode("ascii").rstrip("=")


def large_sequence(size: int) -> Seq:
    """The generated sequence the reference server holds with ``large_sequence_size`` (made here too, for
    the baseline's bases; the server computes its digests at start, so this takes a few seconds)."""
    for seq in RefgetApp((), "2.0.0", {"large_sequence_size": size}).sequences:
        if ALIAS in seq.aliases:
            return seq
    raise SystemExit("the reference refget server holds no generated sequence")


@contextlib.contextmanager
def served(size: int, mode: str) -> Iterator[dict[str, Any]]:
    """The profile entry of the reference server, running in another process or in this one."""
    entry: dict[str, Any] = {"standard": "refget", "version": "2.0.0", "sequences": [IDENT]}
    if mode == "thread":
        yield {**entry, "reference": True, "large_sequence_size": size}
        return
    with reference_process("refget", "2.0.0", {"large_sequence_size": size}) as url:
        yield {**entry, "url": url}


def harness(run: Run) -> Measure:
    """One verification through a fresh view (its memo would otherwise keep the first one)."""
    view = Refget(run.services[0], run)
    view.metadata(IDENT)  # the small metadata document, fetched outside the timing
    meter = PeakMeter()
    meter.start()
    server_before = children_cpu()
    cpu_before = time.process_time()
    started = time.perf_counter()
    verified = view.verified_one(IDENT)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    server_after = children_cpu()
    growth = meter.growth_mib()
    digest = verified.fetched.digest
    server = server_after - server_before if server_before is not None and server_after is not None else None
    return Measure("harness", verified.fetched.raw_length, seconds, digest.md5, digest.ga4gh, cpu, server,
                   growth, meter.resettable)


def baseline(path: Path) -> Measure:
    cpu_before = time.process_time()
    started = time.perf_counter()
    md5, sha512 = hashlib.md5(), hashlib.sha512()
    count = 0
    with path.open("rb", buffering=0) as stream:
        while chunk := stream.read(READ):
            md5.update(chunk)
            sha512.update(chunk)
            count += len(chunk)
    seconds = time.perf_counter() - started
    return Measure("baseline", count, seconds, md5.hexdigest(), ga4gh_of(sha512.digest()),
                   time.process_time() - cpu_before)


def row(measure: Measure, index: int) -> str:
    rate = measure.count / measure.seconds / MIB
    growth = f"{measure.growth:9.1f}" if measure.growth is not None else f"{'':9}"
    server = f"({measure.server_cpu:.2f})" if measure.server_cpu is not None else ""
    return (f"{index:>3}  {measure.kind:<8}  {measure.count:>12,}  {measure.seconds:8.2f}  {rate:8.0f}  "
            f"{measure.cpu:6.2f} {server:<7}  {growth}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=250 * MB, help="sequence length in bases (default 250 MB)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved harness/baseline pairs (default 3)")
    parser.add_argument("--server", choices=("process", "thread"), default="process",
                        help="run the reference server in its own process (default) or in this one")
    args = parser.parse_args()
    size: int = args.size
    repeat: int = max(1, args.repeat)

    with tempfile.TemporaryDirectory() as tmp, served(size, args.server) as entry:
        document: dict[str, Any] = {
            "initiative": "benchmark refget stream",
            "services": [entry],
            # Each verification may read up to twice the declared length (the view's bound on one body).
            "budget": {"request_timeout_seconds": 900, "max_seconds": 3600, "requests_per_second": 500,
                       "max_run_bytes": 2 * (repeat + 1) * size + GIB},
        }
        started = time.perf_counter()
        profile = parse_profile(document, source="<benchmark>", standards=discover())
        run = prepare(profile, report_root=Path(tmp) / "reports")
        print(f"reference server ({args.server}) ready with a {size / MB:.0f} MB sequence in "
              f"{time.perf_counter() - started:.1f} s (it computes the sequence's md5 and sha512 at start)")
        try:
            seq = large_sequence(size)
            path = Path(tmp) / "sequence.txt"
            started = time.perf_counter()
            with path.open("wb") as out:
                for piece in bases(seq.seed, seq.size):
                    out.write(piece)
            os.sync()
            print(f"same bases written to a temporary file in {time.perf_counter() - started:.1f} s (not timed)")

            measures: list[Measure] = []
            for _ in range(repeat):
                measures.append(harness(run))
                measures.append(baseline(path))
        finally:
            run.close()

    print()
    print("  #  path             bytes   seconds     MiB/s  CPU s (server)  peak RSS growth MiB")
    for index, measure in enumerate(measures):
        print(row(measure, index // 2 + 1))
    pairs = list(zip(measures[0::2], measures[1::2], strict=True))
    ratios = [h.seconds / b.seconds for h, b in pairs]
    print()
    print("ratio harness/baseline (seconds): " + ", ".join(f"{r:.2f}" for r in ratios)
          + f"; median {statistics.median(ratios):.2f} (target <= 1.3)")
    cpu_ratios = [h.cpu / b.cpu for h, b in pairs]
    print("ratio harness/baseline (CPU seconds of this process): " + ", ".join(f"{r:.2f}" for r in cpu_ratios)
          + f"; median {statistics.median(cpu_ratios):.2f}")
    if all(h.server_cpu is not None for h, _ in pairs):
        with_server = [(h.cpu + (h.server_cpu or 0.0)) / b.cpu for h, b in pairs]
        print("ratio (harness + server CPU)/baseline CPU: " + ", ".join(f"{r:.2f}" for r in with_server)
              + f"; median {statistics.median(with_server):.2f}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    growths = [h.growth for h, _ in pairs if h.growth is not None]
    meter = "VmHWM reset before each run" if all(h.exact for h, _ in pairs) else "getrusage ru_maxrss"
    print(f"peak RSS growth during verification: max {max(growths):.1f} MiB for a {size / MIB:.0f} MiB sequence "
          f"({meter})")
    matched = all(m.md5 == seq.md5 and m.ga4gh == seq.ga4gh and m.count == size
                  for m in measures)
    print(f"digests matched (md5 and sha512t24u of every run = the server's, {size:,} bytes each): "
          f"{'yes' if matched else 'NO'}")


if __name__ == "__main__":
    main()
