"""Verifying a 1 GiB DRS object streams it: peak memory, and throughput as a ratio to hashlib.

Starts the reference DRS server with a generated 1 GiB object (``large-1``, sha-256), verifies it
through the DRS suite's own download path (``suites/drs/view.py``, ``Drs.download``: the harness's client,
streamed, hashed chunk by chunk), then hashes the same bytes read from a temporary file with hashlib.

    python benchmarks/drs_stream.py [--size BYTES]

Prints the peak resident memory before and after the verification and the throughput ratio
(harness over HTTP / hashlib from disk; 1.0 would mean the network path costs nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import time
from pathlib import Path

from conformance_suites.drs.reference.app import blob_chunks
from conformance_suites.drs.view import Drs

from conformance.profile import parse_profile
from conformance.run import prepare
from conformance.suite import discover

GIB = 1 << 30
LARGE_SEED = 99  # the seed suites/drs/reference/app.py gives the generated object large-1


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=GIB, help="object size in bytes (default 1 GiB)")
    args = parser.parse_args()
    size: int = args.size

    document = {
        "initiative": "benchmark drs stream",
        "services": [{"standard": "drs", "version": "1.5.0", "reference": True, "objects": ["large-1"],
                      "large_object_size": size}],
        "budget": {"request_timeout_seconds": 900, "max_seconds": 3600, "max_run_bytes": 4 * size + GIB},
    }
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        profile = parse_profile(document, source="<benchmark>", standards=discover())
        run = prepare(profile, report_root=Path(tmp) / "reports")
        print(f"reference server ready with a {size / GIB:.2f} GiB object in {time.perf_counter() - started:.1f} s "
              "(it computes the object's sha-256 at start)")
        try:
            drs = Drs(run.services[0], run)
            body, response = drs.object("large-1")
            targets, _ = drs.targets("large-1", body, response)
            target = targets[0]
            before = peak_rss_mib()
            started = time.perf_counter()
            download = drs.download("large-1", target, int(body["size"]), body["checksums"])
            http_seconds = time.perf_counter() - started
            after = peak_rss_mib()
        finally:
            run.close()
        expected = next(c["checksum"] for c in body["checksums"] if c["type"] == "sha-256")
        assert download.count == size, download.count
        assert download.digests["sha-256"] == expected, "the streamed sha-256 does not match"

        path = Path(tmp) / "large-1.bin"
        with path.open("wb") as out:
            for chunk in blob_chunks(LARGE_SEED, size):
                out.write(chunk)
        os.sync()
        started = time.perf_counter()
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        disk_seconds = time.perf_counter() - started
        assert digest.hexdigest() == expected

    http_rate = size / http_seconds / (1 << 20)
    disk_rate = size / disk_seconds / (1 << 20)
    print(f"harness (HTTP stream + sha-256): {http_seconds:.2f} s, {http_rate:.0f} MiB/s")
    print(f"hashlib sha-256 from disk:       {disk_seconds:.2f} s, {disk_rate:.0f} MiB/s "
          "(page cache warm: the file was just written)")
    print(f"throughput ratio harness/hashlib: {http_rate / disk_rate:.2f}")
    print(f"peak RSS before verification: {before:.0f} MiB, after: {after:.0f} MiB "
          f"(growth {after - before:.0f} MiB for a {size / (1 << 20):.0f} MiB object)")


if __name__ == "__main__":
    main()
