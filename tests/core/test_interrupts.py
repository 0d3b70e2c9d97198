"""Stretches a signal must not cut in half (conformance/interrupts.py): the signal waits for the end of the
block, then goes to the handler it had; the handlers are as they were after the block."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from conformance import interrupts


@pytest.fixture
def handlers() -> Iterator[None]:
    before = {sig: signal.getsignal(sig) for sig in interrupts.SIGNALS}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_a_ctrl_c_within_the_block_is_delivered_at_its_end(handlers: None) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    done = []
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        done.append("the rest of the block")
    assert done == ["the rest of the block"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_signal_goes_to_the_handler_it_had(handlers: None) -> None:
    seen: list[int] = []

    def handler(signum: int, frame: object) -> None:
        seen.append(signum)

    signal.signal(signal.SIGTERM, handler)
    with interrupts.deferred():
        signal.raise_signal(signal.SIGTERM)
        assert seen == []
    assert seen == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is handler


def test_a_sigterm_left_to_its_default_action_is_a_keyboard_interrupt(handlers: None) -> None:
    """Its default action would end the process before the run could say it was interrupted."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        signal.raise_signal(signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_ignored_drops_the_signal(handlers: None) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with interrupts.ignored():
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_as_keyboard_interrupt_raises_for_either_signal_and_puts_the_handlers_back(sig: int) -> None:
    """SIGINT ignored (as a shell leaves it for a background job) and SIGTERM's default both become Ctrl-C
    within the block; the handlers are as they were after it."""
    before = {s: signal.getsignal(s) for s in interrupts.SIGNALS}
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with pytest.raises(KeyboardInterrupt), interrupts.as_keyboard_interrupt():
            signal.raise_signal(sig)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == before[signal.SIGTERM]
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
