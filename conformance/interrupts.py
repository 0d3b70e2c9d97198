"""Stretches of a run that a Ctrl-C (SIGINT) or SIGTERM must not cut in half: a report file being written, the
workers' results being merged. The command's own handling of both (:func:`conformance.cli.execute`) marks
the run interrupted and writes its reports again, saying so."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _blocked() -> Iterator[None]:
    """The signals held back while handlers are swapped: one arriving between two swaps would otherwise run
    with half of them swapped, and leave a handler of the block installed for good."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swapped(handler: Callable[[int, FrameType | None], Any] | int) -> dict[int, Any]:
    """Install ``handler`` for each signal whose handler Python knows (None: one installed outside Python,
    which could not be put back), returning those it replaced."""
    with _blocked():
        previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
        return {sig: signal.signal(sig, handler) for sig, old in previous.items() if old is not None}


def _restored(previous: dict[int, Any]) -> None:
    with _blocked():
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A signal arriving within the block is delivered, to the handler it had, as the block ends. A SIGTERM
    whose handler was the default action (ending the process on the spot, before the run could say it was
    interrupted) is delivered as Ctrl-C is, a KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = _swapped(lambda signum, frame: arrived.append(signum))
    try:
        yield
    finally:
        _restored(previous)
        if arrived:
            first = arrived[0]
            if previous.get(first) == signal.SIG_DFL and first == signal.SIGTERM:
                raise KeyboardInterrupt
            signal.raise_signal(first)


@contextlib.contextmanager
def ignored() -> Iterator[None]:
    """A signal arriving within the block is dropped (the run is already marked interrupted)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = _swapped(signal.SIG_IGN)
    try:
        yield
    finally:
        _restored(previous)


@contextlib.contextmanager
def as_keyboard_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt within the block, whatever their handlers were: a command
    started in the background by a script (SIGINT ignored, as a shell leaves it) or stopped by a CI job
    (SIGTERM) stops as on Ctrl-C (``conformance sweep`` then stops the runs it started)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = _swapped(interrupt)
    try:
        yield
    finally:
        _restored(previous)
