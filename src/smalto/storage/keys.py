"""Object key layout. Keys are built from internal uuids only, never from user names.

``sequences/<sequence-uuid>/topics/<topic-uuid>/chunks/<n:06d>.parquet``
"""

from __future__ import annotations

__all__ = ["CHUNK_SUFFIX", "chunk_key", "sequence_prefix", "topic_prefix"]

CHUNK_SUFFIX = ".parquet"


def sequence_prefix(sequence_uuid: str) -> str:
    """Prefix of every object of a sequence (ends with ``/``)."""
    return f"sequences/{sequence_uuid}/"


def topic_prefix(sequence_uuid: str, topic_uuid: str) -> str:
    """Prefix of every object of a topic (ends with ``/``)."""
    return f"{sequence_prefix(sequence_uuid)}topics/{topic_uuid}/"


def chunk_key(sequence_uuid: str, topic_uuid: str, chunk_index: int) -> str:
    """Key of chunk ``chunk_index`` of a topic."""
    return f"{topic_prefix(sequence_uuid, topic_uuid)}chunks/{chunk_index:06d}{CHUNK_SUFFIX}"
