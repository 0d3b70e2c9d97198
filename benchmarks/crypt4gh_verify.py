"""Verifying a crypt4gh file costs about what decrypting it with the crypt4gh command-line tool costs,
in constant memory.

Writes a plain-text of ``--size`` bytes (default 1 GiB) and encrypts it with the crypt4gh library for a
throwaway reader key (in a temporary folder, deleted afterwards), then times, each in a fresh process:

- ``crypt4gh decrypt --sk KEY < FILE > /dev/null`` (the reference implementation's command-line tool);
- the suite's examination (``suites/crypt4gh/examine.py``: header, reader key, every segment
  authenticated and decrypted with the library) of the same file.

- with ``--drs``, also the whole check ``crypt4gh.drs.bytes-match`` of a run (a profile naming the file
  as ``drs://127.0.0.1/c4g-object``): the file served by the DRS reference server in another process
  (from an mmap, so that its memory is not the harness's), streamed through the DRS service into the
  examination while its size and checksums are computed.

    python benchmarks/crypt4gh_verify.py [--size BYTES] [--drs]

Prints both wall times (the harness's with and without its ~0.5 s of imports: it loads pytest), their
ratio (harness over tool) and the harness process's peak resident memory; with ``--drs`` the run's wall
time, its ratio to the tool and the run process's peak resident memory (run it with two ``--size``
values to see the memory stay flat).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIB = 1 << 30
MIB = 1 << 20

_EXAMINE = """
import resource, sys, time
from conformance_suites.crypt4gh.examine import examine
from conformance_suites.crypt4gh.keys import reader_key
secret = reader_key(open(sys.argv[1]).read())
started = time.perf_counter()
with open(sys.argv[2], "rb") as handle:
    found = examine(handle, secret)
elapsed = time.perf_counter() - started
assert found.data_read and found.bad_segment is None and found.last_segment_problem is None, found
print(found.plaintext_length, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, elapsed)
"""


_DRS_SERVER = """
import mmap, sys, time
import conformance_suites.crypt4gh.reference.app as crypt4gh_reference
from conformance.reference import start
with open(sys.argv[1], "rb") as handle:
    data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)

class Shared:
    def drs_blob(self):
        return {"id": "c4g-object", "name": "file.c4gh", "data": data}

crypt4gh_reference._LATEST[:] = [Shared()]
server = start("drs", version="1.4.0", options={"blob_provider": f"{crypt4gh_reference.__name__}:drs_blobs"})
print(server.url, flush=True)
time.sleep(3600)
"""

_DRS_RUN = """
import json, resource, sys, time
from pathlib import Path
from conformance.testing import run_profile
profile = {"initiative": "crypt4gh over drs benchmark", "budget": {"max_run_bytes": 1 << 40, "max_seconds": 3600},
           "services": [{"standard": "drs", "version": "1.4.0", "url": sys.argv[1]},
                        {"standard": "crypt4gh", "version": "1.0", "documents": ["drs://127.0.0.1/c4g-object"],
                         "auth": {"private_key_env": "BENCH_C4GH_READER"}}]}
started = time.perf_counter()
result = run_profile(profile, Path(sys.argv[2]), standards=["crypt4gh"], checks=["crypt4gh.drs.bytes-match"])
elapsed = time.perf_counter() - started
outcomes = [c.outcome for s in result.scorecard.services for c in s.checks if c.id == "crypt4gh.drs.bytes-match"]
assert outcomes == ["passed"], result.output
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, elapsed)
"""


def _drs_run(folder: Path, key_path: Path, encrypted_path: Path) -> tuple[float, float, int]:
    """(whole process seconds, the run's seconds, peak KiB) of a run checking the file as a DRS object."""
    server = subprocess.Popen([sys.executable, "-c", _DRS_SERVER, str(encrypted_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        env = {**os.environ, "BENCH_C4GH_READER": key_path.read_text()}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _DRS_RUN, url, str(folder / "reports")], env=env,
                              capture_output=True, check=True, text=True)
        whole = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    peak_kib, inside = done.stdout.split()[-2:]
    return whole, float(inside), int(peak_kib)


def _prepare(folder: Path, size: int) -> tuple[Path, Path]:
    from conformance_suites.crypt4gh.keys import new_secret, private_key_text, public_key
    from crypt4gh import lib

    reader = new_secret()
    key_path = folder / "reader.sec"
    key_path.write_text(private_key_text(reader))
    key_path.chmod(0o600)
    plain_path, encrypted_path = folder / "plain.bin", folder / "file.c4gh"
    block = os.urandom(MIB)
    with plain_path.open("wb") as handle:
        for _ in range(size // MIB):
            handle.write(block)
        handle.write(block[: size % MIB])
    with plain_path.open("rb") as source, encrypted_path.open("wb") as target:
        lib.encrypt([(0, new_secret(), public_key(reader))], source, target)
    plain_path.unlink()
    return key_path, encrypted_path


def _time(command: list[str], stdin: Path | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    with (stdin.open("rb") if stdin else open(os.devnull, "rb")) as source:
        done = subprocess.run(command, stdin=source, stdout=subprocess.PIPE if stdin is None else subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=True, text=False)
    return time.perf_counter() - started, (done.stdout or b"").decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=GIB, help="plain-text bytes (default 1 GiB)")
    parser.add_argument("--drs", action="store_true", help="also a run reading the file as a drs:// DRS object")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="c4gh-bench-"))
    try:
        key_path, encrypted_path = _prepare(folder, args.size)
        tool = shutil.which("crypt4gh") or str(Path(sys.executable).with_name("crypt4gh"))
        tool_seconds, _ = _time([tool, "decrypt", "--sk", str(key_path)], encrypted_path)
        ours_seconds, out = _time([sys.executable, "-c", _EXAMINE, str(key_path), str(encrypted_path)])
        length, peak_kib, inside = out.split()
        assert int(length) == args.size
        print(f"file: {encrypted_path.stat().st_size} bytes encrypted, {args.size} bytes of plain-text")
        print(f"crypt4gh decrypt (command-line tool): {tool_seconds:.2f} s")
        print(f"harness verification, whole process:  {ours_seconds:.2f} s "
              f"({ours_seconds / tool_seconds:.2f}x the tool; includes importing the harness, ~0.5 s)")
        print(f"harness verification, the file only:  {float(inside):.2f} s "
              f"({float(inside) / tool_seconds:.2f}x the tool's whole process)")
        print(f"harness peak resident memory:         {int(peak_kib) / 1024:.1f} MB")
        if args.drs:
            whole, run_seconds, drs_peak = _drs_run(folder, key_path, encrypted_path)
            print(f"drs:// run (crypt4gh.drs.bytes-match), whole process: {whole:.2f} s "
                  f"({whole / tool_seconds:.2f}x the tool)")
            print(f"drs:// run, the run only:             {run_seconds:.2f} s "
                  f"({run_seconds / tool_seconds:.2f}x the tool)")
            print(f"drs:// run peak resident memory:      {drs_peak / 1024:.1f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
