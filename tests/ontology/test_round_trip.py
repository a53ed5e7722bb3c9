"""Messages → Arrow → messages returns what went in, for every built-in type and any batch."""

from __future__ import annotations

import gc
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smalto.errors import InvalidRequest
from smalto.ontology import (
    GPS,
    IMU,
    CameraInfo,
    FrameTransform,
    GPSStatus,
    Message,
    Point3d,
    Quaternion,
    Serializable,
    Vector3d,
    batch_to_messages,
    message_schema,
    messages_to_batch,
    registered_ontologies,
)

from .strategies import messages

BUILTINS = sorted(
    (cls for cls in registered_ontologies().values() if cls.__module__.startswith("smalto.")),
    key=lambda cls: cls.__name__,
)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ipc_round_trip(batch: pa.RecordBatch) -> pa.Table:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return pa.ipc.open_stream(sink.getvalue()).read_all()


def parquet_round_trip(batch: pa.RecordBatch) -> pa.Table:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_batches([batch]), buffer)
    return pq.read_table(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("cls", BUILTINS, ids=lambda cls: cls.__name__)
@PROPERTY
@given(data=st.data())
def test_every_builtin_round_trips(cls: type[Serializable], data: st.DataObject) -> None:
    sent = data.draw(st.lists(messages(cls), max_size=6))
    batch = messages_to_batch(sent, cls)
    batch.validate(full=True)
    assert batch.schema.equals(message_schema(cls))
    assert batch.num_rows == len(sent)
    assert batch_to_messages(batch, cls) == sent
    assert batch_to_messages(ipc_round_trip(batch), cls) == sent
    # The server stores Parquet: non-null children of a null struct still need values.
    assert batch_to_messages(parquet_round_trip(batch), cls) == sent


def imu(i: int, orientation: bool = True) -> IMU:
    return IMU(
        acceleration=Vector3d(x=float(i), y=0.5, z=9.81, covariance=[0.1] * 9, covariance_type=1),
        angular_velocity=Vector3d(x=0.0, y=-1.0, z=float(i)),
        orientation=Quaternion(x=0.0, y=0.0, z=0.0, w=1.0) if orientation else None,
    )


def imu_messages(n: int) -> list[Message]:
    return [
        Message(timestamp_ns=i * 1_000, data=imu(i, orientation=i % 2 == 0), frame_id="imu_link")
        for i in range(n)
    ]


def test_decoded_messages_behave_like_validated_ones() -> None:
    sent = imu_messages(3)
    (got, *_) = batch_to_messages(messages_to_batch(sent, IMU), IMU)
    assert got == sent[0]
    assert got.model_dump() == sent[0].model_dump()
    assert got.model_dump_json() == sent[0].model_dump_json()
    assert repr(got) == repr(sent[0])
    assert got.ontology_tag == "imu"
    got.data.acceleration.x = 5.0
    assert got.data.acceleration.x == 5.0
    assert got.model_copy(update={"frame_id": "base"}).frame_id == "base"
    with pytest.raises(ValueError, match="extra"):
        type(got.data).model_validate({**got.data.model_dump(), "bogus": 1})


def test_slices_and_multi_chunk_tables_decode() -> None:
    sent = imu_messages(10)
    batch = messages_to_batch(sent, IMU)
    assert batch_to_messages(batch.slice(3, 4), IMU) == sent[3:7]
    table = pa.Table.from_batches([batch.slice(0, 5), batch.slice(5)])
    assert batch_to_messages(table, IMU) == sent
    assert batch_to_messages(table.slice(4, 3), IMU) == sent[4:7]


def test_columns_are_matched_by_name() -> None:
    sent = imu_messages(4)
    batch = messages_to_batch(sent, IMU)
    reordered = batch.select(list(reversed(batch.schema.names)))
    extra = reordered.append_column("annotator", pa.array(["a", "b", "c", "d"]))
    assert batch_to_messages(extra, IMU) == sent


def test_missing_nullable_columns_read_as_none() -> None:
    sent = [Message(timestamp_ns=i, data=imu(i, orientation=False)) for i in range(3)]
    batch = messages_to_batch(sent, IMU)
    trimmed = batch.select(["timestamp_ns", "acceleration", "angular_velocity"])
    assert batch_to_messages(trimmed, IMU) == sent


def test_missing_required_columns_are_refused() -> None:
    batch = messages_to_batch(imu_messages(2), IMU)
    with pytest.raises(InvalidRequest, match="timestamp_ns"):
        batch_to_messages(batch.drop_columns(["timestamp_ns"]), IMU)
    with pytest.raises(InvalidRequest, match="'acceleration' is missing"):
        batch_to_messages(batch.drop_columns(["acceleration"]), IMU)


def test_a_column_of_the_wrong_kind_is_refused() -> None:
    batch = messages_to_batch(imu_messages(2), IMU)
    broken = batch.set_column(4, "acceleration", pa.array([1, 2]))
    with pytest.raises(
        InvalidRequest, match="'acceleration' is int64 but the ontology expects a struct"
    ):
        batch_to_messages(broken, IMU)


def test_empty_batches() -> None:
    batch = messages_to_batch([], IMU)
    assert batch.num_rows == 0
    assert batch.schema.equals(message_schema(IMU))
    assert batch_to_messages(batch, IMU) == []
    assert batch_to_messages(pa.Table.from_batches([], schema=batch.schema), IMU) == []


def test_wrong_data_type_names_the_message_and_the_type() -> None:
    sent = [*imu_messages(2), Message(timestamp_ns=9, data=Vector3d(x=1, y=2, z=3))]
    with pytest.raises(InvalidRequest, match=r"message 2 carries Vector3d .* IMU \('imu'\)"):
        messages_to_batch(sent, IMU)


def test_none_in_a_non_null_field_names_the_field() -> None:
    sent = imu_messages(3)
    sent[1].data.acceleration = None  # type: ignore[assignment]  # no validate_assignment
    with pytest.raises(InvalidRequest, match="'acceleration' of imu is non-null but message 1"):
        messages_to_batch(sent, IMU)
    sent = [
        Message(
            timestamp_ns=0,
            data=GPS(position=Point3d(x=1, y=2, z=3), status=GPSStatus(status=0, service=1)),
        )
    ]
    sent[0].data.status.service = None  # type: ignore[union-attr,assignment]
    with pytest.raises(InvalidRequest, match=r"'status\.service' of gps is non-null but message 0"):
        messages_to_batch(sent, GPS)


def test_a_wrongly_typed_nested_object_is_refused() -> None:
    sent = imu_messages(2)
    sent[1].data.angular_velocity = {"x": 1.0}  # type: ignore[assignment]
    with pytest.raises(
        InvalidRequest, match="'angular_velocity' of imu must hold Vector3d but message 1 has dict"
    ):
        messages_to_batch(sent, IMU)


def test_a_value_arrow_cannot_hold_names_the_field() -> None:
    sent = imu_messages(2)
    sent[0].data.acceleration.covariance_type = 70_000
    with pytest.raises(
        InvalidRequest, match=r"'acceleration\.covariance_type' of imu holds a value"
    ):
        messages_to_batch(sent, IMU)


def test_nullable_components_may_be_none_in_arrow() -> None:
    """Vector components are nullable columns: data written elsewhere may hold nulls there."""
    batch = messages_to_batch(imu_messages(1), IMU)
    acceleration = batch.column("acceleration")
    x = pa.array([None], pa.float64())
    children = [x, *(acceleration.field(i) for i in range(1, acceleration.type.num_fields))]
    patched = batch.set_column(
        4, "acceleration", pa.StructArray.from_arrays(children, fields=list(acceleration.type))
    )
    (got,) = batch_to_messages(patched, IMU)
    assert got.data.acceleration.x is None


def test_null_structs_keep_parquet_happy() -> None:
    sent = [
        Message(timestamp_ns=1, data=GPS(position=Point3d(x=45.0, y=9.0, z=120.0))),
        Message(
            timestamp_ns=2,
            data=GPS(
                position=Point3d(x=45.0, y=9.0, z=121.0), status=GPSStatus(status=1, service=3)
            ),
        ),
    ]
    batch = messages_to_batch(sent, GPS)
    assert batch.column("status").null_count == 1
    assert batch_to_messages(parquet_round_trip(batch), GPS) == sent


def test_lists_of_structs() -> None:
    from smalto.ontology import Transform

    def transform(i: int) -> Transform:
        return Transform(
            translation=Vector3d(x=i, y=0, z=0),
            rotation=Quaternion(x=0, y=0, z=0, w=1),
            target_frame_id=f"link_{i}",
        )

    sent = [
        Message(timestamp_ns=i, data=FrameTransform(transforms=[transform(j) for j in range(i)]))
        for i in range(4)
    ]
    batch = messages_to_batch(sent, FrameTransform)
    assert batch.column("transforms").to_pylist()[2][1]["target_frame_id"] == "link_1"
    assert batch_to_messages(batch, FrameTransform) == sent
    assert batch_to_messages(batch.slice(2), FrameTransform) == sent[2:]


def test_fixed_size_lists() -> None:
    info = CameraInfo(
        height=480,
        width=640,
        distortion_model="plumb_bob",
        distortion_parameters=[0.1, -0.2, 0.0, 0.0, 0.0],
        intrinsic_parameters=[500.0, 0, 320, 0, 500, 240, 0, 0, 1],
        rectification_parameters=[1.0, 0, 0, 0, 1, 0, 0, 0, 1],
        projection_parameters=[500.0, 0, 320, 0, 0, 500, 240, 0, 0, 0, 1, 0],
    )
    sent = [Message(timestamp_ns=1, data=info)]
    batch = messages_to_batch(sent, CameraInfo)
    assert batch.schema.field("intrinsic_parameters").type == pa.list_(pa.float64(), 9)
    assert batch_to_messages(batch.slice(0), CameraInfo) == sent
    with pytest.raises(ValueError, match="at least 9 items"):
        CameraInfo(**{**info.model_dump(), "intrinsic_parameters": [1.0]})


def test_garbage_collection_state_is_restored() -> None:
    batch = messages_to_batch(imu_messages(3), IMU)
    assert gc.isenabled()
    batch_to_messages(batch, IMU)
    assert gc.isenabled()
    gc.disable()
    try:
        batch_to_messages(batch, IMU)
        messages_to_batch(imu_messages(3), IMU)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_message_without_data_is_refused() -> None:
    sent = imu_messages(2)
    sent[1].data = None  # type: ignore[assignment]
    with pytest.raises(InvalidRequest, match="message 1 carries NoneType"):
        messages_to_batch(sent, IMU)
    with pytest.raises(InvalidRequest, match=r"takes a sequence of smalto\.Message"):
        messages_to_batch([1, 2], IMU)  # type: ignore[list-item]


def test_large_batches_are_built_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from smalto.ontology import columnar

    monkeypatch.setattr(columnar, "_CHUNK_ROWS", 3)
    sent = imu_messages(10)
    batch = messages_to_batch(sent, IMU)
    assert batch.num_rows == 10 and batch.schema.equals(message_schema(IMU))
    assert batch_to_messages(batch, IMU) == sent
    assert batch_to_messages(pa.Table.from_batches([batch, batch.slice(4)]), IMU) == [
        *sent,
        *sent[4:],
    ]
    sent[7].data.angular_velocity = None  # type: ignore[assignment]
    with pytest.raises(InvalidRequest, match="'angular_velocity' of imu is non-null but message 7"):
        messages_to_batch(sent, IMU)
    sent[8] = Message(timestamp_ns=0, data=Vector3d(x=0, y=0, z=0))
    with pytest.raises(InvalidRequest, match="message 8 carries Vector3d"):
        messages_to_batch([*sent[:7], imu_messages(1)[0], sent[8]], IMU)
