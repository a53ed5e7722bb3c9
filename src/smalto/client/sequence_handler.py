"""`SequenceHandler`: what the server knows about one sequence, and reading its topics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.flight as flight
from pydantic import JsonValue

from smalto.client.batching import BatchLimits
from smalto.client.dataframes import (
    require_pandas,
    require_polars,
    table_to_dataframe,
    table_to_polars,
)
from smalto.client.flight_info import (
    TopicEndpoint,
    datetime_from_ns,
    sequence_app_metadata,
    topic_endpoints,
    user_metadata,
)
from smalto.client.parquet_reads import read_table
from smalto.client.resources import ClientResources
from smalto.client.session_writer import SequenceUpdater
from smalto.client.streaming import SequenceDataStreamer, TopicDataStreamer, check_window
from smalto.client.topic_handler import TopicHandler, projection
from smalto.enums import SessionLevelErrorPolicy
from smalto.errors import NotFound
from smalto.protocol.commands import FlightInfoCommand, StreamEncoding
from smalto.protocol.locators import split_topic_locator, topic_name, validate_sequence_name
from smalto.protocol.metadata import SessionInfo

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["SequenceHandler", "Session"]


@dataclass(frozen=True)
class Session:
    """One writing session of a sequence; timestamps are Unix-epoch nanoseconds."""

    uuid: str
    created_timestamp: int
    completed_timestamp: int | None
    locked: bool
    topics: tuple[str, ...]
    """Names (leading ``/``) of the topics this session created."""

    @classmethod
    def from_info(cls, info: SessionInfo) -> Session:
        """Build from the wire description (whose topics are locators)."""
        return cls(
            uuid=info.uuid,
            created_timestamp=info.created_at_ns,
            completed_timestamp=info.completed_at_ns,
            locked=info.locked,
            topics=tuple(topic_name(split_topic_locator(t)[1]) for t in info.topics),
        )


def _select(endpoints: list[TopicEndpoint], topics: Iterable[str] | None) -> list[TopicEndpoint]:
    """The endpoints of the requested topics, in the server's order; ValueError for unknown ones."""
    if topics is None:
        return endpoints
    wanted = {topic_name(t) for t in topics}
    known = {endpoint.name for endpoint in endpoints}
    missing = sorted(wanted - known)
    if missing:
        raise ValueError(
            f"the sequence has no topic {', '.join(map(repr, missing))}; "
            f"its topics are: {', '.join(sorted(known)) or 'none'}"
        )
    return [endpoint for endpoint in endpoints if endpoint.name in wanted]


class SequenceHandler:
    """One sequence: metadata, sessions, statistics and data access; from
    ``client.sequence_handler``. Timestamps are int64 nanoseconds.
    """

    def __init__(self, resources: ClientResources, name: str, info: flight.FlightInfo) -> None:
        self._resources = resources
        self._name = validate_sequence_name(name)
        self._topic_handlers: dict[str, TopicHandler] = {}
        self._apply(info)

    @classmethod
    def fetch(cls, resources: ClientResources, name: str) -> SequenceHandler:
        """Describe sequence ``name`` (one GetFlightInfo); `NotFound` if it does not exist."""
        locator = validate_sequence_name(name)
        info = resources.control.flight_info(FlightInfoCommand(resource_locator=locator))
        return cls(resources, locator, info)

    def _apply(self, info: flight.FlightInfo) -> None:
        app = sequence_app_metadata(info)
        self._user_metadata = user_metadata(info.schema)
        self._created_timestamp = app.created_at_ns
        self._locked = app.locked
        self._sessions = [Session.from_info(session) for session in app.sessions]
        self._endpoints = topic_endpoints(info)

    def reload(self) -> None:
        """Describe the sequence again and forget cached topic handlers."""
        self._apply(self._describe(None, None))
        self._topic_handlers.clear()

    def _describe(
        self,
        start_ns: int | None,
        end_ns: int | None,
        columns: Sequence[str] | None = None,
        encoding: StreamEncoding | None = None,
    ) -> flight.FlightInfo:
        command = FlightInfoCommand(
            resource_locator=self._name,
            timestamp_ns_start=start_ns,
            timestamp_ns_end=end_ns,
            columns=projection(columns),
            encoding=encoding,
        )
        return self._resources.control.flight_info(command)

    @property
    def name(self) -> str:
        """Sequence name."""
        return self._name

    @property
    def topics(self) -> list[str]:
        """Topic names (leading ``/``) of every session, in creation order."""
        return [topic for session in self._sessions for topic in session.topics]

    @property
    def user_metadata(self) -> dict[str, JsonValue]:
        """The metadata given at ``sequence_create``."""
        return self._user_metadata

    @property
    def created_timestamp(self) -> int:
        """Creation time, Unix-epoch nanoseconds."""
        return self._created_timestamp

    @property
    def created_datetime(self) -> datetime:
        """Creation time as an aware UTC datetime."""
        return datetime_from_ns(self._created_timestamp)

    @property
    def sessions(self) -> list[Session]:
        """Writing sessions, oldest first."""
        return list(self._sessions)

    @property
    def updated_timestamps(self) -> list[int]:
        """Creation times of the sessions, Unix-epoch nanoseconds."""
        return [session.created_timestamp for session in self._sessions]

    @property
    def locked(self) -> bool:
        """Whether the sequence is locked (smalto extension; False when the server is silent)."""
        return self._locked

    @property
    def total_size_bytes(self) -> int:
        """Bytes stored over all topics."""
        return sum(endpoint.metadata.info.total_bytes for endpoint in self._endpoints)

    def _ranges(self) -> list[tuple[int, int]]:
        return [
            (ts.start_ns, ts.end_ns)
            for ts in (endpoint.metadata.info.timestamp for endpoint in self._endpoints)
            if ts is not None
        ]

    @property
    def timestamp_ns_min(self) -> int | None:
        """Smallest ``timestamp_ns`` over all topics (None without data)."""
        ranges = self._ranges()
        return min(start for start, _ in ranges) if ranges else None

    @property
    def timestamp_ns_max(self) -> int | None:
        """Largest ``timestamp_ns`` over all topics, inclusive (None without data)."""
        ranges = self._ranges()
        return max(end for _, end in ranges) if ranges else None

    def get_topic_handler(self, topic: str) -> TopicHandler | None:
        """The (cached) handler of one of this sequence's topics, or None if there is none."""
        name = topic_name(topic)
        if name not in self._topic_handlers:
            try:
                handler = TopicHandler.fetch(self._resources, self._name, name)
            except NotFound:
                return None
            self._topic_handlers[name] = handler
        return self._topic_handlers[name]

    def update(
        self,
        on_error: SessionLevelErrorPolicy = SessionLevelErrorPolicy.Report,
        max_batch_size_bytes: int | None = None,
        max_batch_size_records: int | None = None,
    ) -> SequenceUpdater:
        """A writer that adds topics to this sequence in a new session (use it in ``with``)."""
        limits = BatchLimits.build(max_batch_size_bytes, max_batch_size_records)
        return SequenceUpdater(self._resources, self._name, on_error, limits)

    def _selected(
        self,
        topics: Iterable[str] | None,
        start_ns: int | None,
        end_ns: int | None,
        columns: Sequence[str] | None = None,
        encoding: StreamEncoding | None = None,
    ) -> list[TopicEndpoint]:
        check_window(start_ns, end_ns)
        topics = [topics] if isinstance(topics, str) else topics
        described = self._describe(start_ns, end_ns, columns, encoding)
        return _select(topic_endpoints(described), topics)

    def get_data_streamer(
        self,
        topics: Iterable[str] | None = None,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
    ) -> SequenceDataStreamer:
        """Iterate ``(topic_name, message)`` over the topics in global ``timestamp_ns`` order.

        ``topics`` restricts the read (ValueError for a topic the sequence does not have); the
        window is ``[start_timestamp_ns, end_timestamp_ns)``. Ties go to the topic listed first.
        """
        endpoints = self._selected(topics, start_timestamp_ns, end_timestamp_ns)
        control = self._resources.control
        streams: list[TopicDataStreamer] = []
        try:
            for endpoint in endpoints:
                if endpoint.has_data:
                    reader = control.do_get(endpoint.ticket)
                    streams.append(TopicDataStreamer(endpoint.name, reader, control.address))
            return SequenceDataStreamer(streams)
        except BaseException:
            for stream in streams:
                stream.close()
            raise

    def to_arrow(
        self,
        topics: Iterable[str] | None = None,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> dict[str, pa.Table]:
        """One Arrow table per topic (by topic name) with the rows inside the window.

        ``columns`` names the top-level columns to fetch from every topic (each must have
        them; ``timestamp_ns`` always comes too); the others never cross the wire.
        """
        # Whole rows: stored chunk files travel as they are and are decoded here.
        encoding: StreamEncoding | None = "parquet" if columns is None else None
        endpoints = self._selected(topics, start_timestamp_ns, end_timestamp_ns, columns, encoding)
        return {e.name: read_table(self._resources, e.ticket) for e in endpoints}

    def to_pandas(
        self,
        topics: Iterable[str] | None = None,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> dict[str, pd.DataFrame]:
        """`to_arrow` as pandas DataFrames with struct fields flattened (``acceleration.x``)."""
        require_pandas()
        tables = self.to_arrow(topics, start_timestamp_ns, end_timestamp_ns, columns=columns)
        return {name: table_to_dataframe(table) for name, table in tables.items()}

    def to_polars(
        self,
        topics: Iterable[str] | None = None,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> dict[str, pl.DataFrame]:
        """`to_arrow` as polars DataFrames with struct fields flattened (``acceleration.x``)."""
        require_polars()
        tables = self.to_arrow(topics, start_timestamp_ns, end_timestamp_ns, columns=columns)
        return {name: table_to_polars(table) for name, table in tables.items()}

    def __repr__(self) -> str:
        return f"SequenceHandler({self._name!r}, topics={self.topics!r})"
