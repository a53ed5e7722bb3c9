"""`TopicHandler`: what the server knows about one topic, and reading its data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.flight as flight
from pydantic import JsonValue

from smalto.client.dataframes import (
    require_pandas,
    require_polars,
    table_to_dataframe,
    table_to_polars,
)
from smalto.client.flight_info import (
    TopicEndpoint,
    datetime_from_ns,
    topic_endpoints,
    topic_properties,
    user_metadata,
)
from smalto.client.parquet_reads import read_table
from smalto.client.resources import ClientResources
from smalto.client.streaming import TopicDataStreamer, check_window
from smalto.enums import SerializationFormat
from smalto.errors import SmaltoError
from smalto.ontology import Serializable, get_ontology
from smalto.protocol.commands import FlightInfoCommand, StreamEncoding
from smalto.protocol.locators import join_topic_locator, split_topic_locator, topic_name

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["TopicHandler", "projection"]


def projection(columns: Sequence[str] | None) -> list[str] | None:
    """The column list a ticket carries (None: every column); ValueError for a bare string."""
    if columns is None:
        return None
    if isinstance(columns, str):
        raise ValueError(f"columns takes a list of column names, got the string {columns!r}")
    return list(columns)


def _pick_endpoint(endpoints: list[TopicEndpoint], locator: str) -> TopicEndpoint:
    for endpoint in endpoints:
        if endpoint.locator == locator:
            return endpoint
    raise SmaltoError(f"the server described topic {locator!r} without an endpoint for it")


class TopicHandler:
    """One topic: metadata, statistics and data access; from ``client.topic_handler`` or
    ``SequenceHandler.get_topic_handler``.

    Timestamps are int64 nanoseconds; windows are ``[start_timestamp_ns, end_timestamp_ns)``.
    """

    def __init__(self, resources: ClientResources, locator: str, info: flight.FlightInfo) -> None:
        self._resources = resources
        self._sequence_name, path = split_topic_locator(locator)
        self._name = topic_name(path)
        self._locator = f"{self._sequence_name}/{path}"
        self._apply(info)

    @classmethod
    def fetch(cls, resources: ClientResources, sequence_name: str, topic: str) -> TopicHandler:
        """Describe ``topic`` of ``sequence_name`` (one GetFlightInfo); `NotFound` if absent."""
        locator = join_topic_locator(sequence_name, topic)
        info = resources.control.flight_info(FlightInfoCommand(resource_locator=locator))
        return cls(resources, locator, info)

    def _apply(self, info: flight.FlightInfo) -> None:
        properties = topic_properties(info.schema)
        self._ontology_tag = properties.ontology_tag
        self._serialization_format = SerializationFormat(properties.serialization_format)
        self._user_metadata = user_metadata(info.schema)
        self._endpoint = _pick_endpoint(topic_endpoints(info), self._locator)

    def reload(self) -> None:
        """Describe the topic again (statistics change while it is written)."""
        command = FlightInfoCommand(resource_locator=self._locator)
        self._apply(self._resources.control.flight_info(command))

    @property
    def name(self) -> str:
        """Topic name, with a leading ``/``."""
        return self._name

    @property
    def sequence_name(self) -> str:
        """Name of the sequence the topic belongs to."""
        return self._sequence_name

    @property
    def locator(self) -> str:
        """Topic locator on the wire (``sequence/topic/path``)."""
        return self._locator

    @property
    def ontology_tag(self) -> str:
        """Tag of the data type stored in the topic (e.g. ``imu``)."""
        return self._ontology_tag

    @property
    def ontology_type(self) -> type[Serializable]:
        """The data class of the topic; `InvalidRequest` if this SDK does not know the tag."""
        return get_ontology(self._ontology_tag)

    @property
    def serialization_format(self) -> SerializationFormat:
        """How the topic's rows are laid out."""
        return self._serialization_format

    @property
    def user_metadata(self) -> dict[str, JsonValue]:
        """The metadata given at ``topic_create``."""
        return self._user_metadata

    @property
    def created_timestamp(self) -> int:
        """Creation time, Unix-epoch nanoseconds."""
        return self._endpoint.metadata.created_at_ns

    @property
    def created_datetime(self) -> datetime:
        """Creation time as an aware UTC datetime."""
        return datetime_from_ns(self.created_timestamp)

    @property
    def completed_timestamp(self) -> int | None:
        """When the upload ended, Unix-epoch nanoseconds (None while it is being written)."""
        return self._endpoint.metadata.completed_at_ns

    @property
    def locked(self) -> bool:
        """Whether the upload ended and the topic is immutable."""
        return self._endpoint.metadata.locked

    @property
    def chunks_number(self) -> int:
        """Number of stored chunks."""
        return self._endpoint.metadata.info.chunks_number

    @property
    def total_size_bytes(self) -> int:
        """Bytes stored for the topic."""
        return self._endpoint.metadata.info.total_bytes

    @property
    def row_count(self) -> int | None:
        """Number of stored messages (None if the server does not say)."""
        return self._endpoint.metadata.row_count

    @property
    def timestamp_ns_min(self) -> int | None:
        """Smallest ``timestamp_ns`` stored (None without data)."""
        timestamps = self._endpoint.metadata.info.timestamp
        return timestamps.start_ns if timestamps is not None else None

    @property
    def timestamp_ns_max(self) -> int | None:
        """Largest ``timestamp_ns`` stored, inclusive (None without data)."""
        timestamps = self._endpoint.metadata.info.timestamp
        return timestamps.end_ns if timestamps is not None else None

    def _ticket(
        self,
        start_timestamp_ns: int | None,
        end_timestamp_ns: int | None,
        columns: Sequence[str] | None = None,
        encoding: StreamEncoding | None = None,
    ) -> flight.Ticket:
        if start_timestamp_ns is None and end_timestamp_ns is None and columns is encoding is None:
            return self._endpoint.ticket
        check_window(start_timestamp_ns, end_timestamp_ns)
        command = FlightInfoCommand(
            resource_locator=self._locator,
            timestamp_ns_start=start_timestamp_ns,
            timestamp_ns_end=end_timestamp_ns,
            columns=projection(columns),
            encoding=encoding,
        )
        info = self._resources.control.flight_info(command)
        return _pick_endpoint(topic_endpoints(info), self._locator).ticket

    def get_data_streamer(
        self, start_timestamp_ns: int | None = None, end_timestamp_ns: int | None = None
    ) -> TopicDataStreamer:
        """Iterate the topic's messages by ascending ``timestamp_ns`` within the window."""
        ticket = self._ticket(start_timestamp_ns, end_timestamp_ns)
        control = self._resources.control
        return TopicDataStreamer(self._name, control.do_get(ticket), control.address)

    def to_arrow(
        self,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """The topic's rows within the window as one Arrow table (envelope + data columns).

        ``columns`` names the top-level columns to fetch (``timestamp_ns`` always comes too):
        the server leaves the others out, so they never cross the wire.
        """
        # Whole rows: stored chunk files travel as they are and are decoded here.
        encoding: StreamEncoding | None = "parquet" if columns is None else None
        ticket = self._ticket(start_timestamp_ns, end_timestamp_ns, columns, encoding)
        return read_table(self._resources, ticket)

    def to_pandas(
        self,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """`to_arrow` as a pandas DataFrame with struct fields flattened (``acceleration.x``)."""
        require_pandas()
        return table_to_dataframe(
            self.to_arrow(start_timestamp_ns, end_timestamp_ns, columns=columns)
        )

    def to_polars(
        self,
        start_timestamp_ns: int | None = None,
        end_timestamp_ns: int | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """`to_arrow` as a polars DataFrame with struct fields flattened (``acceleration.x``)."""
        require_polars()
        return table_to_polars(self.to_arrow(start_timestamp_ns, end_timestamp_ns, columns=columns))

    def __repr__(self) -> str:
        return f"TopicHandler({self._locator!r}, ontology_tag={self._ontology_tag!r})"
