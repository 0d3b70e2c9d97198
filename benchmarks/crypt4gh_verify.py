"""Verifying a crypt4gh file costs about what decrypting it with the crypt4gh command-line tool costs,
in constant memory.

Writes a plain-text of ``--size`` bytes (default 1 GiB) and encrypts it with the crypt4gh library for a
throwaway reader key (in a temporary folder, deleted afterwards), then times, each in a fresh process:

- ``crypt4gh decrypt --sk KEY < FILE > /dev/null`` (the reference implementation's command-line tool);
- the suite's examination (``suites/crypt4gh/examine.py``: header, reader key, every segment
  authenticated and decrypted with the library) of the same file.

    python benchmarks/crypt4gh_verify.py [--size BYTES]

Prints both wall times (the harness's with and without its ~0.5 s of imports: it loads pytest), their
ratio (harness over tool) and the harness process's peak resident memory.
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
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
