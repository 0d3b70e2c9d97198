"""A report file is replaced whole or not at all: written to a temporary file beside it, then renamed over
it. A reader, or a run killed or interrupted meanwhile, sees the old file or the new one, never half of
one, and an exception (Ctrl-C included) on the way leaves no temporary file in the run directory."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, fill: Callable[[Path], object]) -> None:
    """``fill`` writes the temporary file it is given; it then replaces ``path``. The temporary file is
    created as any report file is (under the umask), with a name of its own to this process and thread."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fill(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


#: A code point of a surrogate pair, alone: a server's JSON may escape one (``"\\ud800"``), which Python reads
#: as text that UTF-8 cannot encode.
_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, so that it can be written as UTF-8 (a service-info
    document or a message quoting ``"\\ud800"`` from a server would otherwise stop every report)."""
    return _SURROGATE.sub("\ufffd", text)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, lone surrogates as U+FFFD), whole or not at all."""
    clean = encodable(text)
    atomic_write(path, lambda temporary: temporary.write_text(clean, encoding="utf-8"))
