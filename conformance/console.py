"""The console of a command: its standard output, which a reader may stop reading before the end
(``conformance demo | head``). The run goes on and writes its reports; only the console falls silent."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO


class ClosedPipeSafe:
    """A text stream that stops writing, without an error, once its reader has gone away (a broken pipe):
    what follows goes nowhere, and the interpreter's own last flush at exit fails no more."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.reader_gone = True
        # the stream's descriptor now writes to /dev/null: what the stream still holds in its buffer (and
        # anything writing to the descriptor itself, a forked worker included) goes there, not to a dead pipe
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def quiet_when_unread() -> Iterator[None]:
    """``sys.stdout`` wrapped in :class:`ClosedPipeSafe` while the block runs."""
    stream = sys.stdout
    if isinstance(stream, ClosedPipeSafe):
        yield
        return
    wrapped = ClosedPipeSafe(stream)
    sys.stdout = wrapped
    try:
        yield
    finally:
        if sys.stdout is wrapped:
            sys.stdout = stream
