"""The catalog schema, in SQLAlchemy Core: one definition for SQLite and PostgreSQL.

Times are int64 ns since the Unix epoch. Object keys are derived from uuids only, so nothing here
ever reaches the store from user input.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "UserMetadata",
    "api_keys",
    "chunk_columns",
    "chunks",
    "metadata",
    "notifications",
    "schema_version",
    "sequences",
    "server_instances",
    "sessions",
    "topics",
]

metadata = MetaData()

UserMetadata = JSON().with_variant(JSONB(), "postgresql")
"""User metadata: JSON text on SQLite, JSONB on PostgreSQL (indexable, queried with ``->``)."""

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at_ns", BigInteger, nullable=False),
    Column("description", Text, nullable=False),
)

server_instances = Table(
    "server_instances",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("host", String(256), nullable=False),
    Column("started_at_ns", BigInteger, nullable=False),
    Column("heartbeat_ns", BigInteger, nullable=False),
)

sequences = Table(
    "sequences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("user_metadata", UserMetadata, nullable=False),
    Column("created_at_ns", BigInteger, nullable=False),
    Column("locked", Boolean, nullable=False, default=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column(
        "sequence_id",
        Integer,
        ForeignKey("sequences.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at_ns", BigInteger, nullable=False),
    Column("completed_at_ns", BigInteger, nullable=True),
    Column("locked", Boolean, nullable=False, default=False),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column(
        "sequence_id",
        Integer,
        ForeignKey("sequences.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "session_id",
        Integer,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("path", String(256), nullable=False),
    Column("ontology_tag", String(256), nullable=False, index=True),
    Column("serialization_format", String(16), nullable=False),
    Column("user_metadata", UserMetadata, nullable=False),
    Column("arrow_schema", LargeBinary, nullable=True),
    Column("created_at_ns", BigInteger, nullable=False),
    Column("completed_at_ns", BigInteger, nullable=True),
    Column("locked", Boolean, nullable=False, default=False),
    Column("upload_instance", String(36), nullable=True),
    Column("chunk_count", Integer, nullable=False, default=0),
    Column("total_bytes", BigInteger, nullable=False, default=0),
    Column("row_count", BigInteger, nullable=False, default=0),
    Column("start_ns", BigInteger, nullable=True),
    Column("end_ns", BigInteger, nullable=True),
    UniqueConstraint("sequence_id", "path", name="uq_topic_path"),
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "topic_id",
        Integer,
        ForeignKey("topics.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("chunk_index", Integer, nullable=False),
    Column("object_key", String(512), nullable=False, unique=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("start_ns", BigInteger, nullable=False),
    Column("end_ns", BigInteger, nullable=False),
    Column("created_at_ns", BigInteger, nullable=False),
    UniqueConstraint("topic_id", "chunk_index", name="uq_chunk_index"),
)

chunk_columns = Table(
    "chunk_columns",
    metadata,
    Column(
        "chunk_id",
        Integer,
        ForeignKey("chunks.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # Text, not VARCHAR: dotted paths of deeply nested user schemas have no useful bound.
    Column("column_path", Text, primary_key=True),
    Column("min_number", Double, nullable=True),
    Column("max_number", Double, nullable=True),
    Column("min_text", Text, nullable=True),
    Column("max_text", Text, nullable=True),
    Column("null_count", BigInteger, nullable=False),
    Column("has_nan", Boolean, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "sequence_id",
        Integer,
        ForeignKey("sequences.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "topic_id",
        Integer,
        ForeignKey("topics.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column("notification_type", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at_ns", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    # The CRC32 of the payload (8 hex digits): the key's public name, never a secret.
    Column("fingerprint", String(8), primary_key=True),
    # Only a salted, slow hash of the payload is stored; the token cannot be recovered from it.
    Column("hash_scheme", String(64), nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("payload_hash", LargeBinary, nullable=False),
    Column("permission", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at_ns", BigInteger, nullable=False),
    Column("expires_at_ns", BigInteger, nullable=True),
    Column("revoked_at_ns", BigInteger, nullable=True),
)
