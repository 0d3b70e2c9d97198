"""An npm OpenID provider run as a Passport broker for the third-party integration tests: finding the
installed package (or skipping, saying how to install it) and running it on a loopback port until the test
ends."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from third_party_server import serving

STARTUP_SECONDS = 30.0


def install_hint(package: str, version: str) -> str:
    return (f"npm install {package}@{version} in a directory and set CONFORMANCE_NODE_MODULES to its "
            f"node_modules, or npm install -g {package}@{version}")


def package_dir(package: str, version: str) -> Path:
    """The installed package's directory (its version ``version``.x), or skip saying how to install it."""
    install = install_hint(package, version)
    if shutil.which("node") is None:
        pytest.skip(f"Node.js is not installed (this test runs the npm package {package}: {install})")
    roots = [os.environ.get("CONFORMANCE_NODE_MODULES", "")]
    if shutil.which("npm"):
        try:
            roots.append(subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30,
                                        check=False).stdout.strip())
        except (OSError, subprocess.TimeoutExpired):
            pass
    for root in filter(None, roots):
        manifest = Path(root) / package / "package.json"
        if manifest.is_file():
            found = str(json.loads(manifest.read_text(encoding="utf-8")).get("version", ""))
            if not found.startswith(version + "."):
                pytest.skip(f"{package} {found} is installed at {manifest.parent}; the expected set is of "
                            f"{version}.x ({install})")
            return manifest.parent
    pytest.skip(f"{package} is not installed ({install})")


@contextlib.contextmanager
def running(command: list[str], package: str, port: int, workdir: Path) -> Iterator[None]:
    """``command`` running until the block ends, once its discovery document answers on ``port`` (or skip,
    with the end of its log, when it exits or does not answer within STARTUP_SECONDS)."""
    with serving(package, command, f"http://127.0.0.1:{port}/.well-known/openid-configuration", workdir,
                 startup_seconds=STARTUP_SECONDS):
        yield
