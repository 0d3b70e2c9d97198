"""A third-party server process for the integration tests: started on a loopback port, waited for until a
URL of it answers (or skipped with the end of its log when it exits or does not answer in time), and stopped
by its PID (its process group, where it starts workers) when the test ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest


def executable_from(variable: str, install: str) -> str:
    """The executable the environment variable ``variable`` names, or skip saying how to install it."""
    server = os.environ.get(variable)
    if not server:
        pytest.skip(f"{variable} is not set (the path of the executable: {install} into a virtual environment "
                    "of its own)")
    if not Path(server).is_file():
        pytest.skip(f"{variable} names no file: {server}")
    return server


@contextlib.contextmanager
def serving(name: str, command: list[str], ready_url: str, workdir: Path, *,
            env: Mapping[str, str] | None = None, startup_seconds: float = 60.0,
            own_group: bool = False) -> Iterator[None]:
    """``command`` running (cwd ``workdir``, output in ``workdir/<name>.log``) until the block ends, once
    ``ready_url`` answers. ``own_group``: the server starts worker processes; all of them are stopped."""
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=workdir, env=dict(env) if env is not None else None, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=own_group)
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                pytest.skip(f"{name} exited at start ({process.returncode}): {log.read_text(errors='replace')[-500:]}")
            try:
                with urllib.request.urlopen(ready_url, timeout=1):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.skip(f"{name} did not answer on {ready_url} within {startup_seconds:.0f} s")
                time.sleep(0.2)
        yield
    finally:
        if process.poll() is None:
            stop = (lambda sig: os.killpg(process.pid, sig)) if own_group else (lambda sig: os.kill(process.pid, sig))
            stop(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop(signal.SIGKILL)
                process.wait()
