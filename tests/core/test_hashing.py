"""conformance/hashing.py: several digests of one stream, each extra one on its own thread."""

from __future__ import annotations

import hashlib
import random

import pytest

from conformance.hashing import PARALLEL_FROM, ParallelHashes, update_alongside


@pytest.mark.parametrize("sizes", [[0], [10, 2000, 7], [PARALLEL_FROM, 3 * PARALLEL_FROM + 1, 5, PARALLEL_FROM * 4]])
def test_the_digests_are_those_of_hashing_each_in_turn(sizes: list[int]) -> None:
    rng = random.Random(7)
    chunks = [rng.randbytes(size) for size in sizes]
    names = ("md5", "sha1", "sha256", "sha512")
    together = [hashlib.new(name) for name in names]
    feed = ParallelHashes(*together)
    for chunk in chunks:
        feed.update(chunk)
    assert [h.hexdigest() for h in together] == [hashlib.new(name, b"".join(chunks)).hexdigest() for name in names]


def test_no_hash_is_nothing_to_do() -> None:
    ParallelHashes().update(b"x" * PARALLEL_FROM)


class Broken:
    def update(self, data: bytes, /) -> None:
        raise ValueError("broken hash")


def test_a_failing_hash_on_a_worker_thread_fails_the_update() -> None:
    with pytest.raises(ValueError, match="broken hash"):
        ParallelHashes(hashlib.md5(), Broken()).update(b"x" * PARALLEL_FROM)


def test_update_alongside_hashes_while_the_work_runs_and_passes_on_its_error() -> None:
    seen: list[int] = []
    digest = hashlib.sha256()
    for size in (5, PARALLEL_FROM, 2 * PARALLEL_FROM):
        update_alongside(digest, b"a" * size, lambda chunk: seen.append(len(chunk)))
    assert seen == [5, PARALLEL_FROM, 2 * PARALLEL_FROM]
    assert digest.hexdigest() == hashlib.sha256(b"a" * (5 + 3 * PARALLEL_FROM)).hexdigest()

    def broken(chunk: bytes) -> None:
        raise RuntimeError("check failed")

    with pytest.raises(RuntimeError, match="check failed"):
        update_alongside(hashlib.md5(), b"b" * PARALLEL_FROM, broken)
