"""argparse types the commands share (a leaf module: the CLI and its command groups import it)."""

from __future__ import annotations

import argparse


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1 (``--jobs``, and the sweep's ``-j``, ``--run-jobs``,
    ``--per-host``)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {value!r}")
    return number


def port_number(value: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, not {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, not {value!r}")
    return number
