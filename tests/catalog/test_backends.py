"""The catalog behaves the same on SQLite and PostgreSQL, also under concurrent writers.

Each concurrency test opens two `Catalog` objects on one database, as two server replicas do,
and races threads through them; the database (constraints, conditional UPDATEs, row locks)
must pick exactly one winner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pyarrow as pa
import pytest

from smalto.catalog import Catalog, NewChunk, TopicRecord
from smalto.errors import (
    Conflict,
    InvalidRequest,
    SequenceAlreadyExists,
    SmaltoError,
    Unavailable,
)
from smalto.storage.column_stats import chunk_column_stats

T = TypeVar("T")

METADATA: dict[str, Any] = {
    "vehicle": {"software_stack": {"planning": "v2.1", "ok": True}, "id": 7},
    "big": 2**62 + 1,
    "ratio": 0.1,
    "negative": -3.5e-12,
    "tags": ["rain", "night", None, 1, 2.5, {"nested": []}],
    "unicode": "Zürich 東京 🚗",
    "empty": {},
}


@pytest.fixture
def replicas(catalog_url: str) -> Iterator[tuple[Catalog, Catalog]]:
    """Two catalogs over one database, like two `smalto serve` processes."""
    first = Catalog(catalog_url)
    second = Catalog(catalog_url)
    yield first, second
    first.close()
    second.close()


def race(calls: list[Callable[[], T]]) -> list[T | SmaltoError]:
    """Run ``calls`` in threads released together; each result or the smalto error it raised."""
    barrier = threading.Barrier(len(calls))
    results: dict[int, T | SmaltoError] = {}

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except SmaltoError as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(calls), "a racing call neither returned nor raised a smalto error"
    return [results[i] for i in range(len(calls))]


def open_topic(catalog: Catalog, sequence: str, path: str = "imu") -> TopicRecord:
    """A new sequence with one session and one topic, not uploaded yet."""
    catalog.create_sequence(sequence, {})
    session = catalog.create_session(sequence)
    return catalog.create_topic(session.uuid, sequence, path, "imu", "default", {})


def test_metadata_round_trips_exactly(replicas: tuple[Catalog, Catalog]) -> None:
    first, second = replicas
    first.create_sequence("drive", METADATA)
    assert second.get_sequence("drive").user_metadata == METADATA
    session = first.create_session("drive")
    first.create_topic(session.uuid, "drive", "cam/left", "image", "image", METADATA)
    topic = second.get_topic("drive", "cam/left")
    assert topic.user_metadata == METADATA
    assert topic.locked is False
    assert topic.uploading is False


@pytest.mark.parametrize(
    "metadata", [{"a": "nul\x00byte"}, {"k\x00": 1}, {"x": float("nan")}, {"x": [float("inf")]}]
)
def test_metadata_no_backend_can_store_is_refused_everywhere(
    replicas: tuple[Catalog, Catalog], metadata: dict[str, Any]
) -> None:
    catalog, _ = replicas
    with pytest.raises(InvalidRequest, match="plain JSON"):
        catalog.create_sequence("bad", metadata)
    assert catalog.list_sequence_names() == []


def test_concurrent_create_has_exactly_one_winner(replicas: tuple[Catalog, Catalog]) -> None:
    for round_ in range(5):
        name = f"race_{round_}"
        results = race([lambda c=c, n=name: c.create_sequence(n, {}) for c in replicas * 4])
        losers = [r for r in results if isinstance(r, SmaltoError)]
        assert len(results) == 8
        assert len(losers) == 7
        assert all(isinstance(r, SequenceAlreadyExists) for r in losers)
        assert "already exists" in str(losers[0])
    assert replicas[1].list_sequence_names() == [f"race_{i}" for i in range(5)]


def test_concurrent_upload_claims_have_one_winner(replicas: tuple[Catalog, Catalog]) -> None:
    topic = open_topic(replicas[0], "claim")
    schema = pa.schema([("timestamp_ns", pa.int64())]).serialize().to_pybytes()
    calls = [
        lambda c=c, i=i: c.claim_upload(topic.id, schema, f"instance-{i}")
        for i, c in enumerate(replicas * 4)
    ]
    results = race(calls)
    assert sum(r is None for r in results) == 1
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 7
    assert "already being uploaded" in str(conflicts[0])


def test_concurrent_chunk_registration_loses_no_update(replicas: tuple[Catalog, Catalog]) -> None:
    topic = open_topic(replicas[0], "chunks")
    stats = chunk_column_stats(pa.table({"timestamp_ns": [1, 2], "label": ["a\x00b", "c"]}))

    def add(catalog: Catalog, first_index: int) -> None:
        for index in range(first_index, first_index + 10):
            chunk = NewChunk(index, f"k/{index}", 100, 2, index * 10, index * 10 + 5, stats)
            catalog.add_chunk(topic.id, chunk)

    race([lambda c=c, i=i: add(c, i * 10) for i, c in enumerate(replicas * 2)])
    after = replicas[1].get_topic("chunks", "imu")
    assert (after.chunk_count, after.row_count, after.total_bytes) == (40, 80, 4000)
    assert (after.start_ns, after.end_ns) == (0, 395)
    chunks = replicas[0].list_chunks(topic.id)
    assert sorted(c.chunk_index for c in chunks) == list(range(40))
    assert replicas[0].chunk_columns(chunks[0].id) == sorted(stats, key=lambda s: s.column_path)


def test_finalize_and_topic_create_never_both_win(replicas: tuple[Catalog, Catalog]) -> None:
    first, second = replicas
    schema = pa.schema([("timestamp_ns", pa.int64())]).serialize().to_pybytes()
    for round_ in range(10):
        topic = open_topic(first, f"fin_{round_}")
        first.claim_upload(topic.id, schema, "instance")
        first.complete_upload(topic.id)
        results = race(
            [
                lambda s=topic.session_uuid: first.finalize_session(s),
                lambda s=topic.session_uuid, r=round_: second.create_topic(
                    s, f"fin_{r}", "late", "imu", "default", {}
                ),
            ]
        )
        finalized, created = (not isinstance(r, SmaltoError) for r in results)
        assert finalized != created, results
        session = second.get_session(topic.session_uuid)
        assert session.locked == finalized
        assert len(session.topic_paths) == (2 if created else 1)


def test_unreachable_catalog_names_it_without_the_password(catalog_url: str) -> None:
    if catalog_url.startswith("sqlite"):
        url = "sqlite:////nonexistent-dir/catalog.db"
        expected = "nonexistent-dir"
    else:
        url = "postgresql://smalto:secret@127.0.0.1:1/nowhere"
        expected = "postgresql://smalto:***@127.0.0.1:1/nowhere"
    with pytest.raises(Unavailable, match="cannot open the catalog at") as raised:
        Catalog(url)
    assert expected in str(raised.value)
    assert "secret" not in str(raised.value)
