"""`ColumnBuffer` builds exactly what `messages_to_batch` builds, and keeps the good rows;
`iter_message_chunks` reads back exactly what `batch_to_messages` does."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smalto.errors import InvalidRequest
from smalto.ontology import (
    IMU,
    Message,
    PointCloud2,
    Serializable,
    Vector3d,
    batch_to_messages,
    messages_to_batch,
    registered_ontologies,
)
from smalto.ontology.column_buffer import ColumnBuffer
from smalto.ontology.columnar import chunk_rows, iter_message_chunks

from .strategies import messages

BUILTINS = sorted(
    (cls for cls in registered_ontologies().values() if cls.__module__.startswith("smalto.")),
    key=lambda cls: cls.__name__,
)
PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _imu(i: int) -> Message:
    return Message(
        timestamp_ns=i,
        data=IMU(acceleration=Vector3d(x=i, y=0, z=0), angular_velocity=Vector3d(x=0, y=0, z=i)),
    )


@pytest.mark.parametrize("cls", BUILTINS, ids=lambda cls: cls.__name__)
@PROPERTY
@given(data=st.data())
def test_the_batch_equals_the_object_encoders(cls: type[Serializable], data: st.DataObject) -> None:
    sent = data.draw(st.lists(messages(cls), min_size=1, max_size=6))
    buffer = ColumnBuffer(cls)
    for message in sent:
        buffer.append(message)
    assert buffer.rows == len(sent)
    batch, error = buffer.to_batch()
    assert error is None and batch is not None
    batch.validate(full=True)
    assert batch.equals(messages_to_batch(sent, cls))
    assert batch_to_messages(batch, cls) == sent
    assert buffer.rows == 0
    assert buffer.to_batch() == (None, None)


def test_a_message_with_a_missing_struct_is_refused_and_rolled_back() -> None:
    buffer = ColumnBuffer(IMU)
    buffer.append(_imu(1))
    broken = Message(
        timestamp_ns=2,
        data=IMU.model_construct(acceleration=Vector3d(x=0, y=0, z=0), angular_velocity=None),
    )
    with pytest.raises(InvalidRequest, match="angular_velocity"):
        buffer.append(broken)
    with pytest.raises(InvalidRequest, match="does not match"):
        buffer.append(Message.model_construct(timestamp_ns=3, data=object()))
    buffer.append(_imu(4))
    batch, error = buffer.to_batch()
    assert error is None and batch is not None
    assert batch.column("timestamp_ns").to_pylist() == [1, 4]


def test_a_value_arrow_refuses_drops_only_its_row() -> None:
    buffer = ColumnBuffer(IMU)
    bad = IMU.model_construct(
        acceleration=Vector3d.model_construct(x="fast", y=0.0, z=0.0),
        angular_velocity=Vector3d(x=0, y=0, z=0),
    )
    for i in range(5):
        buffer.append(Message(timestamp_ns=i, data=bad) if i == 2 else _imu(i))
    batch, error = buffer.to_batch()
    assert batch is not None and batch.column("timestamp_ns").to_pylist() == [0, 1, 3, 4]
    assert error is not None and "acceleration.x" in str(error)


def test_lists_of_structs_go_through_the_object_encoder() -> None:
    cloud = PointCloud2.model_validate(
        {
            "height": 1,
            "width": 2,
            "fields": [{"name": "x", "offset": 0, "datatype": 7, "count": 1}],
            "is_bigendian": False,
            "point_step": 4,
            "row_step": 8,
            "data": b"\0" * 8,
            "is_dense": True,
        }
    )
    sent = [Message(timestamp_ns=i, data=cloud) for i in range(3)]
    buffer = ColumnBuffer(PointCloud2)
    for message in sent:
        buffer.append(message)
    batch, _ = buffer.to_batch()
    assert batch is not None and batch.equals(messages_to_batch(sent, PointCloud2))


@pytest.mark.parametrize("cls", BUILTINS, ids=lambda cls: cls.__name__)
@PROPERTY
@given(data=st.data(), rows=st.integers(1, 4))
def test_chunked_decoding_equals_whole_batch_decoding(
    cls: type[Serializable], data: st.DataObject, rows: int
) -> None:
    sent = data.draw(st.lists(messages(cls), min_size=1, max_size=6))
    batch = messages_to_batch(sent, cls)
    chunks = list(iter_message_chunks(batch, cls, rows))
    assert [len(chunk) for chunk in chunks][:-1] == [rows] * (len(chunks) - 1)
    assert [m for chunk in chunks for m in chunk] == batch_to_messages(batch, cls) == sent


def test_chunk_rows_keep_a_chunk_under_one_collection() -> None:
    assert chunk_rows(IMU) == 64  # Message + IMU + three vectors: 10 containers a message
    assert all(8 <= chunk_rows(cls) <= 320 for cls in BUILTINS)
