"""Verifying a 1 GiB DRS object streams it: peak memory, and throughput as a ratio to hashlib.

Starts the reference DRS server with a generated 1 GiB object (``large-1``, sha-256), writes the same
bytes to a temporary file, then alternately (``--rounds``): verifies the object through the DRS suite's
own download path (``suites/drs/view.py``, ``Drs.download``: the harness's client, streamed, hashed chunk
by chunk) with the digests asked (default sha-256 and md5: the object's sha-256 and an md5 computed
from the file, as a server listing both would give), and hashes the file with hashlib, the same
digests one after another over 1 MiB reads (the plain way).

    python benchmarks/drs_stream.py [--size BYTES] [--digests sha-256,md5] [--rounds 2] [--server process|thread]

The server runs in a process of its own by default, as a deployment does (``--server thread`` runs it in
this process, where it competes with the harness for the interpreter).

Prints the peak resident memory before and after the verifications and the throughput ratio
(harness over HTTP / hashlib from disk, medians; 1.0 would mean the network path costs nothing).
Issue 20 asks ≥ 0.8 for sha-256 + md5 and a peak under 150 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conformance_suites.drs.reference.app import blob_chunks
from conformance_suites.drs.view import Drs
from reference_process import reference_process

from conformance.profile import parse_profile
from conformance.run import prepare
from conformance.suite import discover

GIB = 1 << 30
LARGE_SEED = 99  # the seed suites/drs/reference/app.py gives the generated object large-1


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


HASHLIB = {"sha-256": "sha256", "md5": "md5", "sha-512": "sha512", "sha1": "sha1"}


def hash_file(path: Path, kinds: list[str]) -> tuple[float, dict[str, str]]:
    started = time.perf_counter()
    digests = {kind: hashlib.new(HASHLIB[kind]) for kind in kinds}
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            for digest in digests.values():
                digest.update(chunk)
    return time.perf_counter() - started, {kind: digest.hexdigest() for kind, digest in digests.items()}


@contextlib.contextmanager
def served(size: int, mode: str) -> Iterator[dict[str, Any]]:
    """The profile entry of the reference server, running in another process or in this one."""
    entry: dict[str, Any] = {"standard": "drs", "version": "1.5.0", "objects": ["large-1"]}
    if mode == "thread":
        yield {**entry, "reference": True, "large_object_size": size}
        return
    with reference_process("drs", "1.5.0", {"large_object_size": size}) as url:
        yield {**entry, "url": url}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=GIB, help="object size in bytes (default 1 GiB)")
    parser.add_argument("--digests", default="sha-256,md5", help="comma-separated, of " + ", ".join(HASHLIB))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--server", choices=("process", "thread"), default="process")
    args = parser.parse_args()
    size: int = args.size
    kinds = [kind.strip() for kind in args.digests.split(",") if kind.strip()]
    if not kinds or set(kinds) - set(HASHLIB) or "sha-256" not in kinds:
        raise SystemExit(f"--digests: a comma-separated list of {', '.join(HASHLIB)} including sha-256")

    with tempfile.TemporaryDirectory() as tmp, served(size, args.server) as entry:
        document = {
            "initiative": "benchmark drs stream", "services": [entry],
            "budget": {"request_timeout_seconds": 900, "max_seconds": 3600,
                       "max_run_bytes": (args.rounds + 3) * size + GIB},
        }
        path = Path(tmp) / "large-1.bin"
        with path.open("wb") as out:
            for chunk in blob_chunks(LARGE_SEED, size):
                out.write(chunk)
        os.sync()
        _, expected = hash_file(path, kinds)
        started = time.perf_counter()
        profile = parse_profile(document, source="<benchmark>", standards=discover())
        run = prepare(profile, report_root=Path(tmp) / "reports")
        print(f"reference server ready with a {size / GIB:.2f} GiB object in {time.perf_counter() - started:.1f} s "
              "(it computes the object's sha-256 at start)")
        http_times: list[float] = []
        disk_times: list[float] = []
        try:
            drs = Drs(run.services[0], run)
            body, response = drs.object("large-1")
            assert next(c["checksum"] for c in body["checksums"] if c["type"] == "sha-256") == expected["sha-256"]
            checksums = [{"type": kind, "checksum": expected[kind]} for kind in kinds]
            targets, _ = drs.targets("large-1", body, response)
            target = targets[0]
            before = peak_rss_mib()
            for _ in range(args.rounds):  # interleaved: the machine's load weighs on both alike
                started = time.perf_counter()
                download = drs._download(target, int(body["size"]), checksums)  # not memoised: each round
                http_times.append(time.perf_counter() - started)
                assert download.count == size, download.count
                assert download.digests == expected, "the streamed digests do not match"
                seconds, digests = hash_file(path, kinds)
                disk_times.append(seconds)
                assert digests == expected
            after = peak_rss_mib()
        finally:
            run.close()

    http_seconds, disk_seconds = statistics.median(http_times), statistics.median(disk_times)
    http_rate = size / http_seconds / (1 << 20)
    disk_rate = size / disk_seconds / (1 << 20)
    what = " + ".join(kinds)
    print(f"harness (HTTP stream + {what}): median {http_seconds:.2f} s, {http_rate:.0f} MiB/s  "
          f"runs: {', '.join(f'{t:.2f}' for t in http_times)}")
    print(f"hashlib {what} from disk:       median {disk_seconds:.2f} s, {disk_rate:.0f} MiB/s  "
          f"runs: {', '.join(f'{t:.2f}' for t in disk_times)} (page cache warm)")
    print(f"throughput ratio harness/hashlib: {http_rate / disk_rate:.2f} (goal ≥ 0.8)")
    print(f"peak RSS before verification: {before:.0f} MiB, after: {after:.0f} MiB "
          f"(growth {after - before:.0f} MiB for a {size / (1 << 20):.0f} MiB object; goal: peak < 150 MB)")


if __name__ == "__main__":
    main()
