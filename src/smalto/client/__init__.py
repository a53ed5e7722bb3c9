"""The smalto SDK: connect to a server, write sequences, read them back."""

from __future__ import annotations

from smalto.client.mosaico_client import MosaicoClient
from smalto.client.notifications import Notified
from smalto.client.sequence_handler import SequenceHandler, Session
from smalto.client.session_writer import SequenceUpdater, SequenceWriter
from smalto.client.streaming import SequenceDataStreamer, TopicDataStreamer
from smalto.client.topic_handler import TopicHandler
from smalto.client.topic_writer import TopicWriter

__all__ = [
    "MosaicoClient",
    "Notified",
    "SequenceDataStreamer",
    "SequenceHandler",
    "SequenceUpdater",
    "SequenceWriter",
    "Session",
    "TopicDataStreamer",
    "TopicHandler",
    "TopicWriter",
]
