"""The certification bundle: one uncompressed POSIX tar file whose members come in a fixed order with
fixed metadata (mtime 0, owner 0, mode 0644), so that the same report and key give the same bytes
(an Ed25519 signature is deterministic; an ECDSA one is not).

Members, in this order: ``manifest.json`` (RFC 8785 canonical JSON), ``manifest.jws`` (a JWS, RFC 7515,
in compact serialisation with a detached payload, Appendix F: the signed payload is exactly the bytes of
``manifest.json``), ``profile.yaml`` (the profile as run, secrets removed), then ``report/<path>`` for
every file of the run directory, sorted. The manifest lists every member but the two first with its
sha-256 and size.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from conformance.errors import UsageError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.jws"
PROFILE = "profile.yaml"
REPORT_PREFIX = "report/"
#: Reading bounds: a bundle is a few reports, never gigabytes or a million members.
MAX_MEMBERS = 100_000
MAX_BYTES = 2 * 1024 * 1024 * 1024


class BundleError(Exception):
    """The bundle is not a readable certification bundle (the reason is one sentence)."""


class Exists(UsageError):
    """The bundle's path holds a file already, and replacing it was not asked for."""


def write(path: Path, members: Iterable[tuple[str, bytes]], *, replace: bool = False) -> None:
    """Write the bundle to ``path``: a new file, or with ``replace`` one that replaces any file there whole
    (written beside it, then renamed over it: a reader never sees half a bundle)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    try:
        if replace:
            from conformance.reports.atomic import atomic_write  # the writing side only: reading loads no writer

            atomic_write(path, lambda temporary: temporary.write_bytes(data))
            return
        with open(path, "xb") as handle:  # never over a file there: not even one made since it was looked for
            try:
                handle.write(data)
            except BaseException:
                handle.close()
                path.unlink(missing_ok=True)
                raise
    except FileExistsError:
        raise Exists(f"-o {path}: a file is there already; pass --force to replace it") from None
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot write ({exc.strerror or exc})") from None


@dataclass
class Bundle:
    path: Path
    members: dict[str, bytes]


def _safe(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def read(path: Path) -> Bundle:
    """Every member's bytes; raises :class:`BundleError` for anything but a bundle of regular files."""
    if not path.is_file():
        raise BundleError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    members: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(path, mode="r:") as archive:
            for count, info in enumerate(archive, start=1):
                if count > MAX_MEMBERS:
                    raise BundleError(f"{path}: more than {MAX_MEMBERS} members, not a certification bundle")
                if info.isdir():
                    continue  # a folder entry (the bundle unpacked and packed again with tar) holds no bytes
                if not info.isfile():
                    raise BundleError(f"{path}: member {info.name!r} is not a regular file")
                if not _safe(info.name):
                    raise BundleError(f"{path}: member name {info.name!r} is not a relative path")
                if info.name in members:
                    raise BundleError(f"{path}: member {info.name} appears twice")
                total += info.size
                if total > MAX_BYTES:
                    raise BundleError(f"{path}: members larger than {MAX_BYTES} bytes in all")
                handle = archive.extractfile(info)
                assert handle is not None
                members[info.name] = handle.read()
    except tarfile.TarError as exc:
        raise BundleError(f"{path}: not a readable certification bundle (tar: {exc})") from None
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except EOFError:
        raise BundleError(f"{path}: the archive ends early (cut short)") from None
    if not members:
        raise BundleError(f"{path}: an empty archive, not a certification bundle")
    return Bundle(path, members)
