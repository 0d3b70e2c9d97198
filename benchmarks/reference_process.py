"""A reference server in a process of its own, as a deployment is (the benchmarks' baseline of a server the
harness does not share an interpreter with): ``conformance reference serve``, its URL read from the line it
prints, stopped with SIGINT (then killed) when the block ends."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def reference_process(standard: str, version: str, options: dict[str, object]) -> Iterator[str]:
    """The base URL of ``conformance reference serve <standard>`` at ``version`` with ``options``."""
    command = [sys.executable, "-m", "conformance.cli", "reference", "serve", standard, "--version", version]
    for key, value in options.items():
        command += ["--option", f"{key}={value}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+\S*)", line)
        if not found:
            raise SystemExit(f"the reference server did not start: {line.strip()!r}")
        yield found[1]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
