"""`Message` validation and the built-in types' Python-side rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from smalto.ontology import (
    IMU,
    Floating16,
    Integer8,
    Message,
    Temperature,
    Unsigned64,
    Vector3d,
)


def test_keyword_construction() -> None:
    message = Message(timestamp_ns=1_700_000_000_000_000_000, data=Vector3d(x=1, y=2, z=3))
    assert message.recording_timestamp_ns is None
    assert message.frame_id is None
    assert message.sequence_id is None
    assert message.ontology_tag == "vector_3_d"
    assert message.data.x == 1.0 and isinstance(message.data.x, float)


def test_the_data_object_is_kept_as_is() -> None:
    data = IMU(acceleration=Vector3d(x=0, y=0, z=9.81), angular_velocity=Vector3d(x=0, y=0, z=0))
    assert Message(timestamp_ns=0, data=data).data is data


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timestamp_ns": 2**63},
        {"timestamp_ns": -(2**63) - 1},
        {"recording_timestamp_ns": 2**63},
        {"sequence_id": -1},
        {"sequence_id": 2**32},
        {"data": {"x": 1.0, "y": 2.0, "z": 3.0}},
        {"data": 5},
        {"bogus": 1},
    ],
)
def test_envelope_limits(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"timestamp_ns": 0, "data": Vector3d(x=1, y=2, z=3)}
    with pytest.raises(ValidationError):
        Message(**{**base, **kwargs})


def test_envelope_edges_are_accepted() -> None:
    data = Integer8(data=-128)
    Message(timestamp_ns=-(2**63), data=data, sequence_id=0)
    Message(timestamp_ns=2**63 - 1, data=data, sequence_id=2**32 - 1)


def test_message_json_keeps_the_data_fields() -> None:
    message = Message(timestamp_ns=5, data=Unsigned64(data=2**64 - 1))
    assert message.model_dump() == {
        "timestamp_ns": 5,
        "data": {"data": 2**64 - 1},
        "recording_timestamp_ns": None,
        "frame_id": None,
        "sequence_id": None,
    }


@pytest.mark.parametrize(
    ("cls", "value"), [(Integer8, 128), (Integer8, -129), (Unsigned64, -1), (Unsigned64, 2**64)]
)
def test_scalar_ranges(cls: type[Integer8 | Unsigned64], value: int) -> None:
    with pytest.raises(ValidationError, match="data"):
        cls(data=value)


def test_vector_components_are_required_in_python() -> None:
    with pytest.raises(ValidationError, match="z\n  Field required"):
        Vector3d(x=1, y=2)  # type: ignore[call-arg]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Vector3d(x=1, y=2, z=3, w=4)  # type: ignore[call-arg]


def test_half_floats_hold_any_float() -> None:
    assert Floating16(data=0.1).data == 0.1


def test_temperature_conversions() -> None:
    reading = Temperature.from_celsius(21.5, variance=0.01)
    assert reading.value == pytest.approx(294.65)
    assert reading.to_celsius() == pytest.approx(21.5)
    assert reading.variance == 0.01
