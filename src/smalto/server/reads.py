"""The read side: ListFlights, GetFlightInfo for sequences and topics, and DoGet streams."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.flight as flight

from smalto.catalog import SequenceRecord, TopicRecord
from smalto.errors import InvalidRequest, TopicNotFound
from smalto.protocol.commands import FlightInfoCommand, TopicTicket, decode_command
from smalto.protocol.locators import split_topic_locator, validate_sequence_name
from smalto.protocol.metadata import (
    SequenceAppMetadata,
    SessionInfo,
    TimestampRange,
    TopicAppMetadata,
    TopicInfo,
    sequence_schema_metadata,
    topic_location,
    topic_schema_metadata,
)
from smalto.protocol.parquet_parts import part_batch, parts_schema
from smalto.server.state import ServerState
from smalto.storage.chunk_codec import TIMESTAMP_COLUMN
from smalto.storage.chunk_reader import (
    iter_window_batches,
    iter_window_parquet,
    passes_through,
)

__all__ = ["Reads"]


def topic_schema(topic: TopicRecord) -> pa.Schema:
    """The topic's data schema as uploaded (empty before its upload), with ``mosaico:`` metadata."""
    schema = (
        pa.schema([])
        if topic.arrow_schema is None
        else pa.ipc.read_schema(pa.py_buffer(topic.arrow_schema))
    )
    return schema.with_metadata(
        topic_schema_metadata(topic.ontology_tag, topic.serialization_format, topic.user_metadata)
    )


def _topic_app_metadata(topic: TopicRecord) -> bytes:
    has_range = topic.start_ns is not None and topic.end_ns is not None
    info = TopicInfo(
        chunks_number=topic.chunk_count,
        total_bytes=topic.total_bytes,
        timestamp=TimestampRange(start_ns=topic.start_ns, end_ns=topic.end_ns)
        if has_range
        else None,
    )
    metadata = TopicAppMetadata(
        created_at_ns=topic.created_at_ns,
        completed_at_ns=topic.completed_at_ns,
        locked=topic.locked,
        resource_locator=topic.locator,
        info=info,
        ontology_tag=topic.ontology_tag,
        serialization_format=topic.serialization_format,
        user_metadata=topic.user_metadata,
        row_count=topic.row_count,
        session_uuid=topic.session_uuid,
    )
    return metadata.model_dump_json().encode()


def _endpoint(topic: TopicRecord, command: FlightInfoCommand) -> flight.FlightEndpoint:
    ticket = TopicTicket(
        topic_uuid=topic.uuid,
        start_ns=command.timestamp_ns_start,
        end_ns=command.timestamp_ns_end,
        columns=command.columns,
        encoding=command.encoding,
    )
    return flight.FlightEndpoint(
        ticket.encode(),
        [topic_location(topic.locator)],
        app_metadata=_topic_app_metadata(topic),
    )


class Reads:
    """Builds FlightInfos and DoGet streams from the catalog and the store."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def list_flights(self) -> Iterator[flight.FlightInfo]:
        """One FlightInfo per sequence, its PATH descriptor naming it."""
        for name in self.state.catalog.list_sequence_names():
            yield flight.FlightInfo(
                pa.schema([]), flight.FlightDescriptor.for_path(name), [], -1, -1
            )

    def flight_info(self, descriptor: flight.FlightDescriptor) -> flight.FlightInfo:
        """Describe the sequence or topic a CMD descriptor names (sequences are tried first)."""
        if descriptor.descriptor_type != flight.DescriptorType.CMD:
            raise InvalidRequest("GetFlightInfo needs a CMD descriptor with a JSON command")
        command = decode_command(
            "GetFlightInfo command", descriptor.command or b"", FlightInfoCommand
        )
        self._check_window(command.timestamp_ns_start, command.timestamp_ns_end)
        locator = command.resource_locator.strip("/")
        if "/" not in locator:
            return self._sequence_info(validate_sequence_name(locator), command, descriptor)
        sequence, path = split_topic_locator(locator)
        topic = self.state.catalog.get_topic(sequence, path)
        endpoint = _endpoint(topic, command)
        return flight.FlightInfo(topic_schema(topic), descriptor, [endpoint], -1, -1)

    @staticmethod
    def _check_window(start_ns: int | None, end_ns: int | None) -> None:
        if start_ns is not None and end_ns is not None and start_ns > end_ns:
            raise InvalidRequest(
                f"time window start {start_ns} ns is after its end {end_ns} ns "
                "(start is inclusive, end exclusive)"
            )

    def _sequence_info(
        self, name: str, command: FlightInfoCommand, descriptor: flight.FlightDescriptor
    ) -> flight.FlightInfo:
        sequence = self.state.catalog.get_sequence(name)
        topics = self.state.catalog.list_topics(sequence.id)
        app_metadata = self._sequence_app_metadata(sequence)
        schema = pa.schema([]).with_metadata(sequence_schema_metadata(sequence.user_metadata))
        endpoints = [_endpoint(topic, command) for topic in topics]
        return flight.FlightInfo(schema, descriptor, endpoints, -1, -1, app_metadata=app_metadata)

    def _sequence_app_metadata(self, sequence: SequenceRecord) -> bytes:
        sessions = [
            SessionInfo(
                uuid=s.uuid,
                created_at_ns=s.created_at_ns,
                completed_at_ns=s.completed_at_ns,
                locked=s.locked,
                topics=[f"{sequence.name}/{p}" for p in s.topic_paths],
            )
            for s in self.state.catalog.list_sessions(sequence.id)
        ]
        metadata = SequenceAppMetadata(
            resource_locator=sequence.name,
            created_at_ns=sequence.created_at_ns,
            sessions=sessions,
            user_metadata=sequence.user_metadata,
            locked=sequence.locked,
        )
        return json.dumps(metadata.model_dump(mode="json"), separators=(",", ":")).encode()

    def do_get(self, raw_ticket: bytes) -> flight.FlightDataStream:
        """Stream a topic's window, sorted by ``timestamp_ns``, never with an empty batch."""
        ticket = TopicTicket.decode(raw_ticket)
        topic = self.state.catalog.get_topic_by_uuid(ticket.topic_uuid)
        if topic is None:
            raise TopicNotFound("the topic of this ticket no longer exists; ask for a new ticket")
        schema = self._projected(topic_schema(topic), ticket.columns, topic)
        chunks = self.state.catalog.list_chunks(topic.id, ticket.start_ns, ticket.end_ns)
        columns = None if ticket.columns is None else schema.names
        bare = schema.remove_metadata()
        window = (ticket.start_ns, ticket.end_ns)
        # Parquet parts pay off when stored files pass through; a window inside one chunk (or
        # within overlapping ones) is cheaper decoded here than re-encoded: the Arrow stream.
        if ticket.encoding == "parquet" and columns is None and passes_through(chunks, *window):
            stream = parts_schema(schema)
            files = iter_window_parquet(self.state.store, chunks, bare, *window)
            parts = pa.RecordBatchReader.from_batches(
                stream, (part_batch(stream, parquet) for parquet in files)
            )
            return flight.RecordBatchStream(parts)
        batches = iter_window_batches(self.state.store, chunks, bare, *window, columns)
        reader = pa.RecordBatchReader.from_batches(
            schema, (b.replace_schema_metadata(schema.metadata) for b in batches)
        )
        return flight.RecordBatchStream(reader)

    @staticmethod
    def _projected(schema: pa.Schema, columns: list[str] | None, topic: TopicRecord) -> pa.Schema:
        if columns is None:
            return schema
        unknown = [c for c in columns if c not in schema.names]
        if unknown:
            raise InvalidRequest(
                f"topic '{topic.locator}' has no column(s) {', '.join(map(repr, unknown))}; "
                f"its columns are {', '.join(schema.names)}"
            )
        keep = [TIMESTAMP_COLUMN, *(c for c in columns if c != TIMESTAMP_COLUMN)]
        return pa.schema([schema.field(c) for c in keep]).with_metadata(schema.metadata)
