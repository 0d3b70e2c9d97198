"""The htsget reference server's data (suites/htsget/reference/data.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, sys
from conformance_suites.htsget.reference import data
made = data.dataset().directory
pid = os.fork()
if pid == 0:
    sys.exit(0)  # a forked process that exits normally runs the maker's exit handlers: the directory stays
os.waitpid(pid, 0)
print(made, made.is_dir())
"""


def test_the_data_directory_is_removed_when_the_process_that_made_it_exits() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    directory, after_fork = done.stdout.split()
    assert after_fork == "True"
    assert not Path(directory).exists()
