"""User-defined ontologies: plain subclasses, registered by tag, round-tripped like built-ins."""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, PrivateAttr

from smalto.enums import SerializationFormat
from smalto.errors import InvalidRequest
from smalto.ontology import (
    ArrowNullable,
    ArrowType,
    FixedSize,
    Float32,
    Int8,
    LargeUtf8,
    Message,
    Point3d,
    Serializable,
    UInt16,
    UInt64,
    Vector3d,
    batch_to_messages,
    data_fields,
    find_ontology,
    get_ontology,
    message_schema,
    messages_to_batch,
    ontology_tag,
    registered_ontologies,
    serialization_format,
)
from smalto.ontology.naming import derive_tag

from .strategies import messages
from .test_round_trip import ipc_round_trip


class WheelOdometry(Serializable):
    """A custom type using every mapping feature."""

    ticks: UInt64
    speed: Float32
    position: Point3d
    history: list[Vector3d]
    label: str | None = None
    flags: list[Int8] = Field(default_factory=list)
    pose: Annotated[list[float], FixedSize(4)] | None = None
    slip: Annotated[float, ArrowNullable()] = 0.0
    notes: LargeUtf8 | None = None
    tags: list[str | None] | None = None
    raw: bytes = b""
    samples: list[list[Vector3d | None]] = Field(default_factory=list)


def test_custom_schema_follows_the_annotations() -> None:
    fields = {f.name: f for f in data_fields(WheelOdometry)}
    assert ontology_tag(WheelOdometry) == "wheel_odometry"
    assert serialization_format(WheelOdometry) is SerializationFormat.Default
    assert fields["ticks"].type == pa.uint64() and not fields["ticks"].nullable
    assert fields["speed"].type == pa.float32()
    assert pa.types.is_struct(fields["position"].type) and not fields["position"].nullable
    assert fields["history"].type == pa.list_(pa.struct(data_fields(Vector3d)))
    assert fields["label"].type == pa.string() and fields["label"].nullable
    assert fields["flags"].type == pa.list_(pa.int8()) and not fields["flags"].nullable
    assert fields["pose"].type == pa.list_(pa.float64(), 4) and fields["pose"].nullable
    assert fields["slip"].type == pa.float64() and fields["slip"].nullable
    assert fields["notes"].type == pa.large_string()
    assert fields["raw"].type == pa.binary()
    assert list(message_schema(WheelOdometry).names[:4]) == [
        "timestamp_ns",
        "recording_timestamp_ns",
        "frame_id",
        "sequence_id",
    ]
    assert get_ontology("wheel_odometry") is WheelOdometry


@settings(max_examples=60, deadline=None)
@given(sent=st.lists(messages(WheelOdometry), max_size=5))
def test_custom_type_round_trips(sent: list[Message]) -> None:
    batch = messages_to_batch(sent, WheelOdometry)
    batch.validate(full=True)
    assert batch_to_messages(batch, WheelOdometry) == sent


def test_integer_markers_reject_out_of_range_values_at_construction() -> None:
    class Counter(Serializable):
        small: Int8
        port: UInt16

    Counter(small=-128, port=65535)
    with pytest.raises(ValueError, match=r"small\n.*less than or equal to 127"):
        Counter(small=128, port=0)
    with pytest.raises(ValueError, match=r"port\n.*greater than or equal to 0"):
        Counter(small=0, port=-1)


def test_arrow_type_marker_must_match_the_python_type() -> None:
    with pytest.raises(InvalidRequest, match="annotated str but pinned to Arrow type int16"):

        class PinnedName(Serializable):
            name: Annotated[str, ArrowType(pa.int16())]

        data_fields(PinnedName)


def test_unsupported_annotations_are_refused_with_guidance() -> None:
    class LookupTable(Serializable):
        lookup: dict[str, int]

    with pytest.raises(InvalidRequest, match=r"LookupTable.lookup has type .* no Arrow mapping"):
        message_schema(LookupTable)


def test_optional_fields_cannot_be_forced_non_null() -> None:
    class ForcedNonNull(Serializable):
        value: Annotated[float | None, ArrowNullable(False)] = None

    with pytest.raises(InvalidRequest, match="accepts None but is marked non-nullable"):
        data_fields(ForcedNonNull)


def test_recursive_types_are_refused() -> None:
    class Node(Serializable):
        child: Node | None = None

    Node.model_rebuild()
    with pytest.raises(InvalidRequest, match="contains itself"):
        data_fields(Node)


@pytest.mark.parametrize(
    ("class_name", "tag"),
    [
        ("Vector3d", "vector_3_d"),
        ("Point2d", "point_2_d"),
        ("GPSStatus", "gps_status"),
        ("RobotJoint", "robot_joint"),
        ("CameraInfo", "camera_info"),
        ("Floating64", "floating64"),
        ("PointCloud2", "point_cloud2"),
        ("IMU", "imu"),
        ("NMEASentence", "nmea_sentence"),
        ("My2DLidar", "my_2_d_lidar"),
        ("Sensor_Reading", "sensor_reading"),
    ],
)
def test_tag_derivation(class_name: str, tag: str) -> None:
    assert derive_tag(class_name) == tag


def test_explicit_tags_and_formats() -> None:
    class Frame(Serializable):
        __ontology_tag__ = "my_frame_v2"
        __serialization_format__ = SerializationFormat.Ragged

        points: list[float]

    assert ontology_tag(Frame) == "my_frame_v2"
    assert serialization_format(Frame) is SerializationFormat.Ragged
    assert find_ontology("my_frame_v2") is Frame


def test_subclasses_get_their_own_tag() -> None:
    from smalto.ontology import Image

    class DepthImage(Image):
        pass

    assert ontology_tag(DepthImage) == "depth_image"
    assert serialization_format(DepthImage) is SerializationFormat.Image
    assert get_ontology("image") is Image


@pytest.mark.parametrize("tag", ["imu.v2", "", "my tag", 7])
def test_invalid_tags_are_refused(tag: object) -> None:
    with pytest.raises(InvalidRequest, match="set __ontology_tag__"):

        class Bad(Serializable):
            __ontology_tag__ = tag  # type: ignore[assignment]


@pytest.mark.parametrize(
    "name", ["timestamp_ns", "recording_timestamp_ns", "frame_id", "sequence_id"]
)
def test_envelope_names_are_refused(name: str) -> None:
    with pytest.raises(
        InvalidRequest, match=f"field '{name}' of .* collides with the message envelope"
    ):
        type("Bad", (Serializable,), {"__annotations__": {name: "int"}, "__module__": __name__})


def test_the_query_proxy_name_is_refused() -> None:
    with pytest.raises(InvalidRequest, match=r"'Q' of .* is reserved for the query proxy"):

        class Bad(Serializable):
            Q: float


def test_an_unknown_serialization_format_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="__serialization_format__ 'columnar'"):

        class Bad(Serializable):
            __serialization_format__ = "columnar"  # type: ignore[assignment]

            value: float


def test_builtin_tags_cannot_be_claimed() -> None:
    with pytest.raises(InvalidRequest, match=r"'imu', which belongs to the built-in"):

        class IMU(Serializable):
            acceleration: float

    with pytest.raises(InvalidRequest, match="belongs to the built-in"):

        class MyImu(Serializable):
            __ontology_tag__ = "imu"

            value: float

    assert get_ontology("imu").__module__ == "smalto.ontology.sensors"


def test_redefining_a_class_replaces_it() -> None:
    def define(version: int) -> type[Serializable]:
        class NotebookReading(Serializable):
            value: float
            version_marker: int = version

        return NotebookReading

    first, second = define(1), define(2)
    assert first is not second
    assert get_ontology("notebook_reading") is second


def test_a_different_class_cannot_take_a_used_tag() -> None:
    class Reading(Serializable):
        value: float

    with pytest.raises(InvalidRequest, match="already used by"):

        class OtherReading(Serializable):
            __ontology_tag__ = "reading"

            value: float

    assert get_ontology("reading") is Reading


def test_unknown_tags() -> None:
    assert find_ontology("no_such_tag") is None
    with pytest.raises(
        InvalidRequest,
        match=r"unknown ontology tag 'no_such_tag': import the module that defines it "
        r"\(a subclass of smalto.Serializable\)",
    ):
        get_ontology("no_such_tag")


def test_the_registry_is_read_only() -> None:
    registry = registered_ontologies()
    with pytest.raises(TypeError):
        registry["x"] = Vector3d  # type: ignore[index]


def test_the_base_class_is_no_ontology() -> None:
    with pytest.raises(InvalidRequest, match="has no ontology tag"):
        ontology_tag(Serializable)
    assert "serializable" not in registered_ontologies()


class CalibratedReading(Serializable):
    """A type with private state, which decoding initialises as validation would."""

    value: float
    _history: list[float] = PrivateAttr(default_factory=list)

    def model_post_init(self, context: object, /) -> None:
        self._history.append(self.value)


def test_private_attributes_and_post_init_survive_decoding() -> None:
    sent = [Message(timestamp_ns=i, data=CalibratedReading(value=float(i))) for i in range(3)]
    batch = messages_to_batch(sent, CalibratedReading)
    got = batch_to_messages(ipc_round_trip(batch), CalibratedReading)
    assert got == sent
    assert got[2].data._history == [2.0]


def test_custom_types_survive_ipc() -> None:
    sent = [
        Message(
            timestamp_ns=1,
            data=WheelOdometry(
                ticks=2**64 - 1,
                speed=1.5,
                position=Point3d(x=1, y=2, z=3),
                history=[Vector3d(x=0, y=0, z=0)],
                samples=[[None, Vector3d(x=1, y=1, z=1)], []],
            ),
        )
    ]
    batch = messages_to_batch(sent, WheelOdometry)
    assert batch_to_messages(ipc_round_trip(batch), WheelOdometry) == sent
