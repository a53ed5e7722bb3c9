"""This server's instance lease: a heartbeat that keeps its upload claims alive."""

from __future__ import annotations

import logging
import socket
import threading

from smalto.server.maintenance import collect_garbage, recover_uploads
from smalto.server.state import ServerState

__all__ = ["InstanceLease"]

log = logging.getLogger("smalto.server")


class InstanceLease:
    """Registers the instance, heartbeats every third of the lease, and recovers dead uploads.

    Recovering an upload releases its topic to garbage collection, which then runs at once.
    """

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.seconds = state.settings.upload_lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smalto-lease", daemon=True)

    def start(self) -> None:
        """Register this instance and start heartbeating."""
        self.state.catalog.register_instance(self.state.instance_id, socket.gethostname())
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.state.catalog.heartbeat(self.state.instance_id)
                if recover_uploads(self.state.catalog, self.seconds):
                    collect_garbage(self.state.catalog, self.state.store)
            except Exception:
                log.exception("instance heartbeat failed; retrying")

    def stop(self) -> None:
        """Stop heartbeating and retire the instance."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.state.catalog.retire_instance(self.state.instance_id)
