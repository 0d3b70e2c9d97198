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
