"""Running a server: in the background (tests, notebooks) or in the foreground (`smalto serve`)."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from types import FrameType

from smalto.server.lease import InstanceLease
from smalto.server.maintenance import collect_garbage, recover_uploads
from smalto.server.service import FlightService
from smalto.server.settings import ServerSettings
from smalto.server.state import ServerState
from smalto.server.tls import tls_options

__all__ = ["SmaltoServer"]

log = logging.getLogger("smalto.server")


class SmaltoServer:
    """A smalto server over the catalog and store its settings name.

    The Flight server listens as soon as `start` returns; `port` is the real port (useful with
    port 0). `stop` waits for in-flight calls to finish, then closes the catalog.
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._state: ServerState | None = None
        self._service: FlightService | None = None
        self._thread: threading.Thread | None = None
        self._lease: InstanceLease | None = None

    @property
    def host(self) -> str:
        """The interface the server listens on."""
        return self.settings.host

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._service is None:
            raise RuntimeError("the server is not started; call start() first")
        return int(self._service.port)

    @property
    def location(self) -> str:
        """The ``grpc://host:port`` (or ``grpc+tls://``) URI clients connect to."""
        return f"{self.settings.scheme}://{self.host}:{self.port}"

    def start(self) -> SmaltoServer:
        """Open the backends and start serving in a background thread."""
        if self._service is not None:
            return self
        tls = tls_options(self.settings)  # read the PEM files first: a bad path fails fast
        self._state = ServerState.open(self.settings)
        self._lease = InstanceLease(self._state)
        self._lease.start()
        recover_uploads(self._state.catalog, self.settings.upload_lease_seconds)
        if self.settings.gc_on_start:
            collect_garbage(self._state.catalog, self._state.store)
        location = f"{self.settings.scheme}://{self.settings.host}:{self.settings.port}"
        self._service = FlightService(location, self._state, **tls)
        self._thread = threading.Thread(
            target=self._service.serve, name="smalto-flight", daemon=True
        )
        self._thread.start()
        log.info("smalto serving on %s, data in %s", self.location, self.settings.data_dir)
        return self

    def stop(self) -> None:
        """Stop accepting calls, wait for running ones, release the backends."""
        if self._service is None:
            return
        self._service.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._lease is not None:
            self._lease.stop()
        assert self._state is not None
        self._state.close()
        self._service = None
        self._state = None
        self._thread = None
        self._lease = None

    def __enter__(self) -> SmaltoServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve in the foreground until SIGINT or SIGTERM, then shut down cleanly."""
        stop = threading.Event()

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s, shutting down", signal.Signals(signum).name)
            stop.set()

        previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            # What start-up loaded lives as long as the server: the collector need not rescan it.
            gc.freeze()
            while not stop.wait(0.5):
                pass
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
