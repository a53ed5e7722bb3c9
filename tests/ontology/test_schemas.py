"""Every built-in ontology has exactly the Arrow schema of the Mosaico 0.3.2 catalogue."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from smalto.enums import SerializationFormat
from smalto.ontology import (
    ENVELOPE_SCHEMA,
    data_fields,
    get_ontology,
    message_schema,
    registered_ontologies,
    serialization_format,
)


def req(name: str, arrow_type: pa.DataType) -> pa.Field[Any]:
    return pa.field(name, arrow_type, nullable=False)


def opt(name: str, arrow_type: pa.DataType) -> pa.Field[Any]:
    return pa.field(name, arrow_type, nullable=True)


def vector(*axes: str) -> list[pa.Field[Any]]:
    return [
        *(opt(axis, pa.float64()) for axis in axes),
        opt("covariance", pa.list_(pa.float64())),
        opt("covariance_type", pa.int16()),
    ]


COVARIANCE = [opt("covariance", pa.list_(pa.float64())), opt("covariance_type", pa.int16())]
V2 = pa.struct(vector("x", "y"))
V3 = pa.struct(vector("x", "y", "z"))
V4 = pa.struct(vector("x", "y", "z", "w"))
TRANSFORM = [
    req("translation", V3),
    req("rotation", V4),
    opt("target_frame_id", pa.string()),
    *COVARIANCE,
]
POSE = [req("position", V3), req("orientation", V4), *COVARIANCE]
TWIST = [opt("linear", V3), opt("angular", V3), *COVARIANCE]
ROI = [
    req("offset", V2),
    req("height", pa.uint32()),
    req("width", pa.uint32()),
    opt("do_rectify", pa.bool_()),
]
GPS_STATUS = [
    req("status", pa.int8()),
    req("service", pa.uint16()),
    opt("satellites", pa.int8()),
    opt("hdop", pa.float64()),
    opt("vdop", pa.float64()),
]
POINT_FIELD = [
    opt("name", pa.string()),
    opt("offset", pa.uint32()),
    opt("datatype", pa.uint8()),
    opt("count", pa.uint32()),
]
VARIANCE = [opt("variance", pa.float64()), opt("variance_type", pa.int16())]

SCALARS = {
    "integer8": pa.int8(),
    "integer16": pa.int16(),
    "integer32": pa.int32(),
    "integer64": pa.int64(),
    "unsigned8": pa.uint8(),
    "unsigned16": pa.uint16(),
    "unsigned32": pa.uint32(),
    "unsigned64": pa.uint64(),
    "floating16": pa.float16(),
    "floating32": pa.float32(),
    "floating64": pa.float64(),
    "boolean": pa.bool_(),
    "string": pa.string(),
    "large_string": pa.large_string(),
}

# Appendix A of PROTOCOL.md, written out in pyarrow terms: (class name, format, data fields).
CATALOGUE: dict[str, tuple[str, str, list[pa.Field[Any]]]] = {
    **{
        tag: (name, "default", [req("data", arrow_type)])
        for (tag, arrow_type), name in zip(
            SCALARS.items(),
            [
                "Integer8",
                "Integer16",
                "Integer32",
                "Integer64",
                "Unsigned8",
                "Unsigned16",
                "Unsigned32",
                "Unsigned64",
                "Floating16",
                "Floating32",
                "Floating64",
                "Boolean",
                "String",
                "LargeString",
            ],
            strict=True,
        )
    },
    "vector_2_d": ("Vector2d", "default", vector("x", "y")),
    "vector_3_d": ("Vector3d", "default", vector("x", "y", "z")),
    "vector_4_d": ("Vector4d", "default", vector("x", "y", "z", "w")),
    "point_2_d": ("Point2d", "default", vector("x", "y")),
    "point_3_d": ("Point3d", "default", vector("x", "y", "z")),
    "quaternion": ("Quaternion", "default", vector("x", "y", "z", "w")),
    "transform": ("Transform", "default", TRANSFORM),
    "pose": ("Pose", "default", POSE),
    "force_torque": ("ForceTorque", "default", [req("force", V3), req("torque", V3), *COVARIANCE]),
    "velocity": ("Velocity", "default", TWIST),
    "acceleration": ("Acceleration", "default", TWIST),
    "motion_state": (
        "MotionState",
        "default",
        [
            req("pose", pa.struct(POSE)),
            req("velocity", pa.struct(TWIST)),
            req("target_frame_id", pa.string()),
            opt("acceleration", pa.struct(TWIST)),
            *COVARIANCE,
        ],
    ),
    "roi": ("ROI", "default", ROI),
    "camera_info": (
        "CameraInfo",
        "default",
        [
            req("height", pa.uint32()),
            req("width", pa.uint32()),
            req("distortion_model", pa.string()),
            req("distortion_parameters", pa.list_(pa.float64())),
            req("intrinsic_parameters", pa.list_(pa.float64(), 9)),
            req("rectification_parameters", pa.list_(pa.float64(), 9)),
            req("projection_parameters", pa.list_(pa.float64(), 12)),
            opt("binning", V2),
            opt("roi", pa.struct(ROI)),
        ],
    ),
    "gps_status": ("GPSStatus", "default", GPS_STATUS),
    "gps": (
        "GPS",
        "default",
        [req("position", V3), opt("velocity", V3), opt("status", pa.struct(GPS_STATUS))],
    ),
    "nmea_sentence": ("NMEASentence", "default", [req("sentence", pa.string())]),
    "image": (
        "Image",
        "image",
        [
            req("data", pa.binary()),
            req("format", pa.string()),
            req("width", pa.int32()),
            req("height", pa.int32()),
            req("stride", pa.int32()),
            req("encoding", pa.string()),
            opt("is_bigendian", pa.bool_()),
        ],
    ),
    "compressed_image": (
        "CompressedImage",
        "image",
        [req("data", pa.binary()), req("format", pa.string())],
    ),
    "imu": (
        "IMU",
        "default",
        [req("acceleration", V3), req("angular_velocity", V3), opt("orientation", V4)],
    ),
    "magnetometer": ("Magnetometer", "default", [req("magnetic_field", V3)]),
    "pressure": ("Pressure", "default", [req("value", pa.float64()), *VARIANCE]),
    "range": (
        "Range",
        "default",
        [
            req("radiation_type", pa.uint8()),
            req("field_of_view", pa.float32()),
            req("min_range", pa.float32()),
            req("max_range", pa.float32()),
            req("range", pa.float32()),
            *VARIANCE,
        ],
    ),
    "robot_joint": (
        "RobotJoint",
        "default",
        [
            req("names", pa.list_(pa.string())),
            req("positions", pa.list_(pa.float64())),
            req("velocities", pa.list_(pa.float64())),
            req("efforts", pa.list_(pa.float64())),
        ],
    ),
    "temperature": ("Temperature", "default", [req("value", pa.float64()), *VARIANCE]),
    "battery_state": (
        "BatteryState",
        "default",
        [
            *(
                opt(name, pa.float32())
                for name in (
                    "voltage",
                    "temperature",
                    "current",
                    "charge",
                    "capacity",
                    "design_capacity",
                    "percentage",
                )
            ),
            opt("power_supply_status", pa.uint8()),
            opt("power_supply_health", pa.uint8()),
            opt("power_supply_technology", pa.uint8()),
            opt("present", pa.bool_()),
            opt("location", pa.string()),
            opt("serial_number", pa.string()),
            opt("cell_voltage", pa.list_(pa.float32())),
            opt("cell_temperature", pa.list_(pa.float32())),
        ],
    ),
    "frame_transform": (
        "FrameTransform",
        "default",
        [req("transforms", pa.list_(pa.struct(TRANSFORM)))],
    ),
    "point_field": ("PointField", "default", POINT_FIELD),
    "point_cloud2": (
        "PointCloud2",
        "default",
        [
            opt("height", pa.uint32()),
            opt("width", pa.uint32()),
            opt("fields", pa.list_(pa.struct(POINT_FIELD))),
            opt("is_bigendian", pa.bool_()),
            opt("point_step", pa.uint32()),
            opt("row_step", pa.uint32()),
            opt("data", pa.binary()),
            opt("is_dense", pa.bool_()),
        ],
    ),
}


def test_the_catalogue_is_exactly_the_builtins() -> None:
    builtins = {
        tag for tag, cls in registered_ontologies().items() if cls.__module__.startswith("smalto.")
    }
    assert builtins == set(CATALOGUE)
    assert len(CATALOGUE) == 43


@pytest.mark.parametrize("tag", sorted(CATALOGUE))
def test_message_schema_matches_the_catalogue(tag: str) -> None:
    class_name, fmt, fields = CATALOGUE[tag]
    cls = get_ontology(tag)
    expected = pa.schema([*ENVELOPE_SCHEMA, *fields])
    schema = message_schema(cls)
    assert cls.__name__ == class_name
    assert serialization_format(cls) == SerializationFormat(fmt)
    assert schema.equals(expected, check_metadata=False), f"\n{schema}\n!=\n{expected}"
    assert schema.metadata is None


def test_envelope_columns_lead_every_schema() -> None:
    assert str(ENVELOPE_SCHEMA) == (
        "timestamp_ns: int64 not null\n"
        "recording_timestamp_ns: int64\n"
        "frame_id: string\n"
        "sequence_id: uint32"
    )


def test_fields_carry_their_description() -> None:
    imu = get_ontology("imu")
    acceleration = data_fields(imu)[0]
    assert acceleration.metadata is not None
    description = acceleration.metadata[b"description"].decode()
    assert description == "Linear acceleration (m/s²), gravity included as the sensor measures it."


def test_schemas_are_cached() -> None:
    imu = get_ontology("imu")
    assert message_schema(imu) is message_schema(imu)
