"""The smalto SDK: connect to a server, write sequences, read them back."""

from __future__ import annotations

from smalto.client.mosaico_client import MosaicoClient
from smalto.client.notifications import Notified
from smalto.client.query_builders import (
    Query,
    QueryOntologyCatalog,
    QuerySequence,
    QueryTopic,
    Sequence,
    Topic,
)
from smalto.client.query_response import (
    QueryResponse,
    QueryResponseItem,
    QueryResponseItemSequence,
    QueryResponseItemTopic,
    TimestampRange,
)
from smalto.client.sequence_handler import SequenceHandler, Session
from smalto.client.session_writer import SequenceUpdater, SequenceWriter
from smalto.client.streaming import SequenceDataStreamer, TopicDataStreamer
from smalto.client.topic_handler import TopicHandler
from smalto.client.topic_writer import TopicWriter

__all__ = [
    "MosaicoClient",
    "Notified",
    "Query",
    "QueryOntologyCatalog",
    "QueryResponse",
    "QueryResponseItem",
    "QueryResponseItemSequence",
    "QueryResponseItemTopic",
    "QuerySequence",
    "QueryTopic",
    "Sequence",
    "SequenceDataStreamer",
    "SequenceHandler",
    "SequenceUpdater",
    "SequenceWriter",
    "Session",
    "TimestampRange",
    "Topic",
    "TopicDataStreamer",
    "TopicHandler",
    "TopicWriter",
]
