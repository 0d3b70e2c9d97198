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


def test_pipelined_updates_return_at_once_and_keep_the_order() -> None:
    """``pipelined=True``: update hands the chunk over and returns; each hash still sees the chunks in order,
    and wait() returns once all are hashed."""
    chunks = [bytes([i]) * (PARALLEL_FROM + i) for i in range(20)] + [b"tail"]
    md5, sha = hashlib.md5(), hashlib.sha512()
    both = ParallelHashes(md5, sha, pipelined=True)
    for chunk in chunks:
        both.update(chunk)
    both.wait()
    whole = b"".join(chunks)
    assert md5.hexdigest() == hashlib.md5(whole).hexdigest()
    assert sha.hexdigest() == hashlib.sha512(whole).hexdigest()


def test_a_pipelined_hash_error_surfaces_at_the_next_update_or_wait() -> None:
    class Broken:
        def update(self, data: bytes, /) -> None:
            raise ValueError("broken hash")

    both = ParallelHashes(Broken(), pipelined=True)
    both.update(b"x" * PARALLEL_FROM)
    with pytest.raises(ValueError, match="broken hash"):
        both.wait()
