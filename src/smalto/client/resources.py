"""What a client owns: its control connection and, once a writer exists, the writer pools."""

from __future__ import annotations

import threading

from smalto.client.connection import ConnectionConfig
from smalto.client.pools import ConnectionPool, ExecutorPool, Lane, default_pool_size
from smalto.client.transport import Channel

__all__ = ["ClientResources"]


class ClientResources:
    """The control connection plus lazily created data-connection and thread pools.

    The pools are created by `start_writer_pools`, which the first `SequenceWriter` or
    `SequenceUpdater` calls: a read-only client never opens more than one connection.
    """

    def __init__(self, config: ConnectionConfig, control: Channel) -> None:
        self.config = config
        self.control = control
        self._connections: ConnectionPool | None = None
        self._executors: ExecutorPool | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether `close` has been called."""
        return self._closed

    def start_writer_pools(self) -> None:
        """Create the pools if they do not exist yet (cheap: connections open on first use)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the client is closed; connect again")
            size = default_pool_size()
            if self._connections is None:
                self._connections = ConnectionPool(self.config, size)
            if self._executors is None:
                self._executors = ExecutorPool(size)

    def data_channel(self) -> Channel:
        """The next pooled data connection (round robin)."""
        self.start_writer_pools()
        assert self._connections is not None
        return self._connections.next()

    def lane(self, max_pending: int) -> Lane:
        """A new serial lane on the shared worker threads."""
        self.start_writer_pools()
        assert self._executors is not None
        return self._executors.lane(max_pending)

    def close(self) -> None:
        """Stop the worker threads and close every connection (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections, executors = self._connections, self._executors
        if executors is not None:
            executors.close()
        if connections is not None:
            connections.close()
        self.control.close()
