"""Resources shared by the writers of one client: data connections, worker threads, lanes.

Each `TopicWriter` is one "lane": it gets a data connection of its own (round robin over the
pool) for its DoPut, and a `Lane` that runs its background jobs one after another, in submission
order, on the shared thread pool, with a bounded number of jobs pending (backpressure).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from smalto.client.connection import ConnectionConfig, open_channel
from smalto.client.transport import Channel

__all__ = ["ConnectionPool", "ExecutorPool", "Lane", "default_pool_size"]

_log = logging.getLogger(__name__)

_MAX_POOL_SIZE = 16


def default_pool_size() -> int:
    """One per CPU, capped at 16 (connections and worker threads alike)."""
    return max(1, min(os.cpu_count() or 1, _MAX_POOL_SIZE))


class ConnectionPool:
    """A fixed number of data connections handed out round robin, each opened on first use."""

    def __init__(self, config: ConnectionConfig, size: int) -> None:
        if size < 1:
            raise ValueError(f"a connection pool needs at least one connection, got {size}")
        self._config = config
        self._slots: list[Channel | None] = [None] * size
        self._turn = itertools.cycle(range(size))
        self._lock = threading.Lock()
        self._closed = False

    def next(self) -> Channel:
        """The next connection in turn (opened, and readiness-checked, the first time)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the client is closed; connect again")
            index = next(self._turn)
            channel = self._slots[index]
            if channel is None or channel.closed:
                channel = open_channel(self._config)
                self._slots[index] = channel
            return channel

    def close(self) -> None:
        """Close every opened connection (idempotent)."""
        with self._lock:
            self._closed = True
            channels, self._slots = self._slots, [None] * len(self._slots)
        for channel in channels:
            if channel is not None:
                channel.close()


class ExecutorPool:
    """The worker threads that convert and send batches for every topic of a client."""

    def __init__(self, size: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="smalto-writer")

    def lane(self, max_pending: int) -> Lane:
        """A new serial lane on these threads allowing ``max_pending`` jobs at once."""
        return Lane(self._executor, max_pending)

    def close(self) -> None:
        """Stop the threads once queued jobs are done (idempotent)."""
        self._executor.shutdown(wait=True)


class Lane:
    """Runs jobs one at a time in submission order on a shared executor.

    `submit` blocks while ``max_pending`` jobs are queued or running. Jobs must not raise: a
    writer job records its own failure.
    """

    def __init__(self, executor: ThreadPoolExecutor, max_pending: int) -> None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending}")
        self._executor = executor
        self._max_pending = max_pending
        self._queue: deque[Callable[[], None]] = deque()
        self._pending = 0
        self._draining = False
        self._cond = threading.Condition()

    def submit(self, job: Callable[[], None]) -> None:
        """Queue ``job``; blocks while the lane is full."""
        with self._cond:
            while self._pending >= self._max_pending:
                self._cond.wait()
            self._pending += 1
            self._queue.append(job)
            if self._draining:
                return
            self._draining = True
        try:
            self._executor.submit(self._drain)
        except RuntimeError:
            with self._cond:
                self._queue.clear()
                self._pending, self._draining = 0, False
                self._cond.notify_all()
            raise RuntimeError("the client is closed; its writers cannot send data") from None

    def _drain(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._draining = False
                    return
                job = self._queue.popleft()
            try:
                job()
            except Exception:  # a job records its own failure; never kill the lane
                _log.exception("a background writer job failed")
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

    def wait_idle(self) -> None:
        """Block until every submitted job has run."""
        with self._cond:
            while self._pending:
                self._cond.wait()

    @property
    def pending(self) -> int:
        """Jobs queued or running."""
        return self._pending
