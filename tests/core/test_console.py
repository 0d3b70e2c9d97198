"""The console of a command (conformance/console.py): a reader that stops reading silences it, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys

from conformance.console import ClosedPipeSafe


def test_a_stream_whose_reader_went_away_falls_silent() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w", buffering=1) as stream:
        console = ClosedPipeSafe(stream)
        assert console.write("first line\n") == len("first line\n")  # the broken pipe is not raised
        assert console.reader_gone
        console.write("more\n")
        console.flush()


def test_a_stream_that_is_read_writes_through() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as stream, os.fdopen(read_end) as reader:
        console = ClosedPipeSafe(stream)
        console.write("hello\n")
        console.flush()
        assert reader.readline() == "hello\n" and not console.reader_gone


def test_a_command_piped_into_a_reader_that_stops_ends_without_an_error() -> None:
    # `conformance list-checks --format json | head -c 10`: the reader closes after ten bytes
    producer = subprocess.Popen([sys.executable, "-m", "conformance.cli", "list-checks", "--format", "json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None and producer.stderr is not None
    assert len(producer.stdout.read(10)) == 10
    producer.stdout.close()
    errors = producer.stderr.read().decode()
    assert producer.wait(60) == 0, errors
    assert "internal error" not in errors and "Traceback" not in errors
