"""Reading a file a user named (a document, a key, a scorecard): only a regular file, and at most a bound of it.

Anything else is named and never read: opening a FIFO blocks until a writer comes, whatever ``--max-seconds``
says, and /dev/zero never ends. Each caller words the refusal its own way (:class:`Unreadable` says which).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

#: What a path that is not a regular file is, by its ``st_mode`` (a folder has its own kind).
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))

Problem = Literal["missing", "folder", "special", "large", "error"]


class Unreadable(Exception):
    """Why a file was not read: ``problem`` (missing, folder, special, large, error) and ``detail`` (what the
    special file is, ``"a FIFO"``; the system's words for an error; empty otherwise)."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem: Problem = problem
        self.detail = detail


def _special(mode: int) -> Unreadable:
    return Unreadable("special", next((kind for test, kind in _KINDS if test(mode)), "a special file"))


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path`` when it is a regular file (a symbolic link to one is) of at most ``limit`` bytes;
    :class:`Unreadable` otherwise, before more than ``limit + 1`` bytes are read."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("folder")
        if not stat.S_ISREG(info.st_mode):
            raise _special(info.st_mode)
        if info.st_size > limit:
            raise Unreadable("large")
        # O_NONBLOCK: a FIFO put in the file's place since the stat opens at once, and is refused below
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise _special(mode)
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise Unreadable("missing") from None
    except IsADirectoryError:
        raise Unreadable("folder") from None
    except OSError as exc:
        raise Unreadable("error", str(exc.strerror or exc)) from None
    if len(data) > limit:
        raise Unreadable("large")
    return data


def named_file(ref: str, profile_path: str | Path) -> Path | None:
    """The file a reference in a profile names as a path: relative to the profile file's folder (the working
    folder where the profile is no file); None for a URL or a URI (a scheme of more than one letter: the "C:"
    of a Windows path is none)."""
    if len(urlsplit(ref).scheme) > 1:
        return None
    profile = Path(profile_path)
    folder = profile.parent if profile.is_file() else Path.cwd()
    return Path(ref) if Path(ref).is_absolute() else folder / ref
