"""Several digests of one byte stream at once: each extra hash on its own thread.

hashlib releases the GIL while it hashes a buffer larger than 2 KiB, so the digests a check needs of
one streamed body (a sequence's MD5 and SHA-512, an object's listed checksums, the evidence's sha-256)
cost about the time of the slowest of them, not their sum. Each chunk is handed to the worker threads
as it is (no copy) and ``update`` returns only when every digest has taken it, so the caller may reuse
or drop the chunk.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

#: Below this, a chunk is hashed on the calling thread: handing it over would cost more than it saves.
PARALLEL_FROM = 8 * 1024

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class Hash(Protocol):
    def update(self, data: bytes | bytearray, /) -> None: ...


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="conformance-digest")
        return _pool


def _forget_pool() -> None:
    """In a forked process (a worker of ``--jobs``): the parent's pool threads are not there, a fresh pool is
    made on first use (an inherited one would take work and never do it)."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def update_alongside(digest: Hash, chunk: bytes, work: Callable[[bytes], None]) -> None:
    """``digest.update(chunk)`` on a worker thread while ``work(chunk)`` runs on this one; returns (or
    raises what ``work`` raised) once both are done."""
    if len(chunk) < PARALLEL_FROM:
        digest.update(chunk)
        work(chunk)
        return
    pending = _executor().submit(digest.update, chunk)
    try:
        work(chunk)
    finally:
        pending.result()


class ParallelHashes:
    """Feeds the same chunks to every hash of ``hashes``; the first runs on the caller's thread.

    ``pipelined=True``: :meth:`update` hands the chunk to the worker threads and returns at once, so the
    caller reads the next chunk while this one is hashed (the network and the hashing overlap). Each
    hash still takes the chunks in order (an update waits for the previous chunk's), the chunk must not
    change after it is handed over (``bytes`` cannot; a reused ``bytearray`` may be refilled once the
    next update or :meth:`wait` returned), and :meth:`wait` must be called before a digest is read."""

    def __init__(self, *hashes: Hash, pipelined: bool = False) -> None:
        self.hashes = hashes
        self.pipelined = pipelined
        self._pending: list[Future[None]] = []

    def update(self, chunk: bytes | bytearray) -> None:
        if not self.hashes:
            return
        if self.pipelined:
            self.wait()
            if len(chunk) >= PARALLEL_FROM:
                pool = _executor()
                self._pending = [pool.submit(digest.update, chunk) for digest in self.hashes]
                return
        first, *others = self.hashes
        if not others or len(chunk) < PARALLEL_FROM:
            for digest in self.hashes:
                digest.update(chunk)
            return
        pool = _executor()
        pending = [pool.submit(digest.update, chunk) for digest in others]
        first.update(chunk)
        for future in pending:
            future.result()

    def wait(self) -> None:
        """Return once every chunk handed over has been hashed (raising what a hash raised)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()
