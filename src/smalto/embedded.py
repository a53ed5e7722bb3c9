"""An in-process server with a connected client, for notebooks and scripts.

This module composes the client and the server (the two never import each other).
"""

from __future__ import annotations

from pathlib import Path

from smalto.client import MosaicoClient
from smalto.server import ServerSettings, SmaltoServer

__all__ = ["local"]


def local(path: str | Path = "smalto-data", *, timeout: int = 5) -> MosaicoClient:
    """Start a server over the data directory ``path`` on a free loopback port; return a client.

    Closing the client (or leaving its ``with`` block) stops the server.
    """
    server = SmaltoServer(ServerSettings(data_dir=Path(path), host="127.0.0.1", port=0)).start()
    try:
        client = MosaicoClient.connect("127.0.0.1", server.port, timeout=timeout)
    except BaseException:
        server.stop()
        raise
    client.add_close_callback(server.stop)
    return client
