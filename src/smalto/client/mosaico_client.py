"""`MosaicoClient`: the entry point of the SDK (connection, handlers, writers, notifications)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from smalto.client.api_key import validate_api_key
from smalto.client.batching import BatchLimits
from smalto.client.closing import ClosesOnExit
from smalto.client.connection import ConnectionConfig, open_channel
from smalto.client.notifications import Notified, parse_notifications
from smalto.client.query_builders import Query, Queryable
from smalto.client.query_response import QueryResponse, run_query
from smalto.client.resources import ClientResources
from smalto.client.sequence_handler import SequenceHandler
from smalto.client.session_writer import SequenceWriter
from smalto.client.topic_handler import TopicHandler
from smalto.client.transport import Channel
from smalto.enums import APIKeyPermissionEnum, SessionLevelErrorPolicy
from smalto.errors import NotFound, SmaltoError
from smalto.protocol.actions import (
    ActionName,
    ApiKeyCreateRequest,
    ApiKeyCreateResponse,
    ApiKeyFingerprintRequest,
    ApiKeyStatus,
    LocatorRequest,
    SessionRequest,
    VersionResponse,
)
from smalto.protocol.locators import (
    join_topic_locator,
    validate_sequence_name,
    validate_topic_path,
)

__all__ = [
    "API_KEY_ENV",
    "TLS_CERT_ENV",
    "TLS_CLIENT_CERT_ENV",
    "TLS_CLIENT_KEY_ENV",
    "MosaicoClient",
]

API_KEY_ENV = "MOSAICO_API_KEY"
"""Environment variable `MosaicoClient.from_env` reads the API key from."""
TLS_CERT_ENV = "MOSAICO_TLS_CERT_FILE"
"""Environment variable `MosaicoClient.from_env` reads the PEM root-certificate path from."""
TLS_CLIENT_CERT_ENV = "MOSAICO_TLS_CLIENT_CERT_FILE"
"""Environment variable with the PEM client certificate for mutual TLS (smalto extension)."""
TLS_CLIENT_KEY_ENV = "MOSAICO_TLS_CLIENT_KEY_FILE"
"""Environment variable with the PEM private key of that client certificate."""

_SENTINEL = object()
_log = logging.getLogger(__name__)


class MosaicoClient(ClosesOnExit):
    """A connection to a smalto (Mosaico-protocol) server.

    Obtain one with `connect` (or `from_env`), preferably as a context manager so connections
    and worker threads are released on exit. Direct construction raises `RuntimeError`.
    """

    def __init__(
        self,
        *args: object,
        _sentinel: object = None,
        _resources: ClientResources | None = None,
        **kwargs: object,
    ) -> None:
        if _sentinel is not _SENTINEL or _resources is None or args or kwargs:
            raise RuntimeError(
                "MosaicoClient cannot be constructed directly; "
                "use MosaicoClient.connect(host, port)"
            )
        self._resources = _resources
        self._sequence_handlers: dict[str, SequenceHandler] = {}
        self._topic_handlers: dict[tuple[str, str], TopicHandler] = {}
        self._close_callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        timeout: float = 5,
        tls_cert_path: str | Path | None = None,
        api_key: str | None = None,
        tls_client_cert_path: str | Path | None = None,
        tls_client_key_path: str | Path | None = None,
    ) -> MosaicoClient:
        """Connect and wait until the server answers.

        ``timeout`` is in seconds. TLS is used when ``tls_cert_path`` (a PEM file of trusted
        roots) is given; ``tls_client_cert_path`` and ``tls_client_key_path`` (PEM files) add a
        client certificate for servers that require mutual TLS. ``api_key`` is checked locally
        (`ValueError` if malformed) and sent with every call. Raises `ConnectionError` if the
        server does not answer or refuses the key or the certificate.
        """
        config = ConnectionConfig.build(
            host, port, timeout, tls_cert_path, api_key, tls_client_cert_path, tls_client_key_path
        )
        control = open_channel(config)
        return cls(_sentinel=_SENTINEL, _resources=ClientResources(config, control))

    @classmethod
    def from_env(
        cls,
        host: str,
        port: int,
        timeout: float = 5,
        tls_client_cert_path: str | Path | None = None,
        tls_client_key_path: str | Path | None = None,
    ) -> MosaicoClient:
        """`connect` with the API key from ``MOSAICO_API_KEY`` and the TLS roots from
        ``MOSAICO_TLS_CERT_FILE`` (each optional; unset or empty means not used).

        The mutual-TLS client certificate and key are the arguments, else
        ``MOSAICO_TLS_CLIENT_CERT_FILE`` and ``MOSAICO_TLS_CLIENT_KEY_FILE``.
        """
        return cls.connect(
            host,
            port,
            timeout=timeout,
            tls_cert_path=os.environ.get(TLS_CERT_ENV) or None,
            api_key=os.environ.get(API_KEY_ENV) or None,
            tls_client_cert_path=tls_client_cert_path
            or os.environ.get(TLS_CLIENT_CERT_ENV)
            or None,
            tls_client_key_path=tls_client_key_path or os.environ.get(TLS_CLIENT_KEY_ENV) or None,
        )

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Forget cached handlers, stop worker threads and close every connection (idempotent).

        Then runs the `add_close_callback` callbacks, newest first, once.
        """
        self.clear_sequence_handlers_cache()
        self.clear_topic_handlers_cache()
        self._resources.close()
        with self._lock:
            callbacks, self._close_callbacks = self._close_callbacks, []
        for callback in reversed(callbacks):
            try:
                callback()
            except Exception:
                _log.exception("a close callback of %r failed", self)

    def add_close_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the client is closed (e.g. stop an embedded server).

        If the client is already closed, ``callback`` runs now.
        """
        with self._lock:
            if not self.closed:
                self._close_callbacks.append(callback)
                return
        callback()

    @property
    def closed(self) -> bool:
        """Whether `close` has been called."""
        return self._resources.closed

    @property
    def host(self) -> str:
        """Server host."""
        return self._resources.config.host

    @property
    def port(self) -> int:
        """Server port."""
        return self._resources.config.port

    @property
    def _control(self) -> Channel:
        return self._resources.control

    # -- handlers --------------------------------------------------------------------------

    def sequence_handler(self, sequence_name: str) -> SequenceHandler | None:
        """The (cached) handler of a sequence, or None if there is no such sequence.

        Connection and permission errors are raised, not turned into None.
        """
        key = validate_sequence_name(sequence_name)
        with self._lock:
            cached = self._sequence_handlers.get(key)
        if cached is not None:
            return cached
        try:
            handler = SequenceHandler.fetch(self._resources, key)
        except NotFound:
            return None
        with self._lock:
            return self._sequence_handlers.setdefault(key, handler)

    def topic_handler(self, sequence_name: str, topic_name: str) -> TopicHandler | None:
        """The (cached) handler of a topic, or None if there is no such topic."""
        key = (validate_sequence_name(sequence_name), validate_topic_path(topic_name))
        with self._lock:
            cached = self._topic_handlers.get(key)
        if cached is not None:
            return cached
        try:
            handler = TopicHandler.fetch(self._resources, *key)
        except NotFound:
            return None
        with self._lock:
            return self._topic_handlers.setdefault(key, handler)

    def clear_sequence_handlers_cache(self) -> None:
        """Forget cached sequence handlers (the next lookup asks the server again)."""
        with self._lock:
            self._sequence_handlers.clear()

    def clear_topic_handlers_cache(self) -> None:
        """Forget cached topic handlers (the next lookup asks the server again)."""
        with self._lock:
            self._topic_handlers.clear()

    def _forget_sequence(self, sequence: str) -> None:
        with self._lock:
            self._sequence_handlers.pop(sequence, None)
            for key in [k for k in self._topic_handlers if k[0] == sequence]:
                del self._topic_handlers[key]

    # -- writing and deleting --------------------------------------------------------------

    def sequence_create(
        self,
        sequence_name: str,
        metadata: Mapping[str, object] | None,
        on_error: SessionLevelErrorPolicy = SessionLevelErrorPolicy.Report,
        max_batch_size_bytes: int | None = None,
        max_batch_size_records: int | None = None,
    ) -> SequenceWriter:
        """A writer for a new sequence; use it as ``with client.sequence_create(...) as w:``.

        ``metadata`` must be a JSON object. Batches are flushed at ``max_batch_size_records``
        rows (default 5000) or ``max_batch_size_bytes`` bytes (default 10 MiB; must stay below
        90 % of 16 MiB). Nothing is sent until the ``with`` block is entered.
        """
        limits = BatchLimits.build(max_batch_size_bytes, max_batch_size_records)
        self._resources.start_writer_pools()
        return SequenceWriter(self._resources, sequence_name, metadata, on_error, limits)

    def sequence_delete(self, sequence_name: str) -> None:
        """Delete an unlocked sequence with all its topics and data (succeeds if it is missing).

        A finalized sequence is locked: deleting it raises `smalto.Conflict` until an
        administrator calls `sequence_unlock`.
        """
        locator = validate_sequence_name(sequence_name)
        self._control.action(ActionName.SEQUENCE_DELETE, LocatorRequest(locator=locator))
        self._forget_sequence(locator)

    def sequence_unlock(self, sequence_name: str) -> None:
        """Unlock a finalized sequence so it, and its sessions, can be deleted."""
        locator = validate_sequence_name(sequence_name)
        self._control.action(ActionName.SEQUENCE_UNLOCK, LocatorRequest(locator=locator))
        self._forget_sequence(locator)

    def session_delete(self, session_uuid: str) -> None:
        """Delete one writing session and the topics it created."""
        self._control.action(ActionName.SESSION_DELETE, SessionRequest(session_uuid=session_uuid))
        self.clear_sequence_handlers_cache()
        self.clear_topic_handlers_cache()

    # -- querying --------------------------------------------------------------------------

    def query(self, *queries: Queryable, query: Query | None = None) -> QueryResponse:
        """Sequences and topics matching every builder (ANDed), grouped by sequence.

        Pass builders (`QuerySequence`, `QueryTopic`, `QueryOntologyCatalog`; at most one of
        each kind) or ``query=Query(...)``; `ValueError` otherwise. See docs/query.md.
        """
        return run_query(self._control, queries, query)

    # -- listing ---------------------------------------------------------------------------

    def list_sequences(self) -> list[str]:
        """Names of every sequence on the server."""
        names: list[str] = []
        for info in self._control.list_flights():
            for part in info.descriptor.path or []:
                names.append(part.decode() if isinstance(part, bytes) else str(part))
        return names

    def version(self) -> str:
        """The server's version string (e.g. ``0.1.0``)."""
        response = self._control.action(ActionName.VERSION)
        if response is None:
            raise SmaltoError("the server did not report its version")
        return VersionResponse.model_validate(response).version

    # -- API keys (need a 'manage' key when the server enforces keys) ----------------------

    def api_key_create(
        self,
        permission: APIKeyPermissionEnum | str,
        description: str,
        expires_at_ns: int | None = None,
    ) -> str:
        """Create an API key and return its token (shown once: the server keeps only a hash).

        ``expires_at_ns`` is ns since the Unix epoch; None means the key never expires.
        """
        request = ApiKeyCreateRequest(
            permissions=APIKeyPermissionEnum(permission),
            description=description,
            expires_at_ns=expires_at_ns,
        )
        response = self._control.action(ActionName.API_KEY_CREATE, request)
        if response is None:
            raise SmaltoError("the server did not return the new API key")
        return ApiKeyCreateResponse.model_validate(response).api_key_token

    def api_key_status(self, fingerprint: str | None = None) -> ApiKeyStatus:
        """Describe a key by fingerprint; by default the key this client connected with."""
        if fingerprint is None:
            token = self._resources.config.api_key
            if token is None:
                raise ValueError(
                    "api_key_status() needs a fingerprint when the client has no API key"
                )
            fingerprint = validate_api_key(token)
        request = ApiKeyFingerprintRequest(api_key_fingerprint=fingerprint)
        response = self._control.action(ActionName.API_KEY_STATUS, request)
        if response is None:
            raise SmaltoError(f"the server did not describe API key {fingerprint!r}")
        return ApiKeyStatus.model_validate(response)

    def api_key_revoke(self, fingerprint: str) -> None:
        """Revoke a key by fingerprint; calls made with it are refused from now on."""
        request = ApiKeyFingerprintRequest(api_key_fingerprint=fingerprint)
        self._control.action(ActionName.API_KEY_REVOKE, request)

    # -- notifications ---------------------------------------------------------------------

    def _list(self, action: ActionName, locator: str) -> list[Notified]:
        return parse_notifications(self._control.action(action, LocatorRequest(locator=locator)))

    def list_sequence_notify(self, sequence_name: str) -> list[Notified]:
        """Notifications attached to a sequence (not to its topics), in server order."""
        locator = validate_sequence_name(sequence_name)
        return self._list(ActionName.SEQUENCE_NOTIFICATION_LIST, locator)

    def clear_sequence_notify(self, sequence_name: str) -> None:
        """Delete the notifications attached to a sequence."""
        locator = validate_sequence_name(sequence_name)
        self._control.action(
            ActionName.SEQUENCE_NOTIFICATION_PURGE, LocatorRequest(locator=locator)
        )

    def list_topic_notify(self, sequence_name: str, topic_name: str) -> list[Notified]:
        """Notifications attached to one topic, in server order."""
        locator = join_topic_locator(sequence_name, topic_name)
        return self._list(ActionName.TOPIC_NOTIFICATION_LIST, locator)

    def clear_topic_notify(self, sequence_name: str, topic_name: str) -> None:
        """Delete the notifications attached to one topic."""
        locator = join_topic_locator(sequence_name, topic_name)
        self._control.action(ActionName.TOPIC_NOTIFICATION_PURGE, LocatorRequest(locator=locator))

    # The SDK 0.3.2 names of the same calls.
    list_sequence_notifications = list_sequence_notify
    clear_sequence_notifications = clear_sequence_notify
    list_topic_notifications = list_topic_notify
    clear_topic_notifications = clear_topic_notify

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"MosaicoClient({self._resources.config.uri!r}, {state})"
