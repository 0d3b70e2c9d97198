"""conformance/files.py: a file a user named is read only when it is a regular file, and only to its bound."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.files import Unreadable, named_file, read_regular


def test_a_regular_file_is_read_within_its_bound(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 10)
    assert read_regular(tmp_path / "a", 10) == b"x" * 10
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert read_regular(tmp_path / "link", 10) == b"x" * 10


@pytest.mark.parametrize(("make", "problem", "detail"), [
    (lambda p: None, "missing", ""),
    (lambda p: p.mkdir(), "folder", ""),
    (lambda p: os.mkfifo(p), "special", "a FIFO"),  # no writer: opening it would wait forever
    (lambda p: p.symlink_to("/dev/zero"), "special", "a character device"),  # it never ends
    (lambda p: p.write_bytes(b"x" * 11), "large", ""),
])
def test_anything_else_is_named_and_never_read(tmp_path: Path, make: Callable[[Path], object], problem: str,
                                               detail: str) -> None:
    path = tmp_path / "f"
    make(path)
    with pytest.raises(Unreadable) as caught:
        read_regular(path, 10)
    assert (caught.value.problem, caught.value.detail) == (problem, detail)


def test_a_named_file_resolves_against_the_profile_folder(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("initiative: X\n")
    assert named_file("docs/a.json", profile) == tmp_path / "docs" / "a.json"
    assert named_file("/abs/a.json", profile) == Path("/abs/a.json")
    assert named_file("C:/data/a.json", profile) == tmp_path / "C:/data/a.json"  # a drive letter is no scheme
    assert named_file("https://h/a.json", profile) is None and named_file("drs://h/x", profile) is None
    assert named_file("a.json", "<profile>") == Path.cwd() / "a.json"
