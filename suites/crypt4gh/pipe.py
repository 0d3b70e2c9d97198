"""A bounded hand-over of a streamed body from the HTTP client (which pushes chunks) to the examination
(which pulls segments), so that a file of any size is verified in constant memory."""

from __future__ import annotations

import io
import queue
from typing import Any

#: Chunks waiting between the download and the examination (each at most about 1 MiB).
DEPTH = 8


class Pipe(io.RawIOBase):
    """``write`` (the client's ``on_chunk``) blocks while :data:`DEPTH` chunks wait; ``readinto`` blocks
    until a chunk or the end arrives. Once the reader has stopped, written chunks are dropped."""

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=DEPTH)
        self._current = memoryview(b"")
        self._ended = False
        self.reader_done = False

    def readable(self) -> bool:
        return True

    def write_chunk(self, chunk: bytes) -> None:
        while not self.reader_done:
            try:
                self._queue.put(bytes(chunk), timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        while not self.reader_done:
            try:
                self._queue.put(None, timeout=0.2)
                return
            except queue.Full:
                continue

    def readinto(self, buffer: Any) -> int:
        while not self._current:
            if self._ended:
                return 0
            item = self._queue.get()
            if item is None:
                self._ended = True
                return 0
            self._current = memoryview(item)
        count = min(len(buffer), len(self._current))
        buffer[:count] = self._current[:count]
        self._current = self._current[count:]
        return count
