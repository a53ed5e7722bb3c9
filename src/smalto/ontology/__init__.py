"""The ontology layer: typed data models, their Arrow schemas, the tag registry and the
column-by-column conversion between messages and Arrow record batches.

Defining a data type is subclassing `Serializable`; the class registers itself under its tag,
its Arrow schema follows from its annotations (`message_schema`), and `messages_to_batch` /
`batch_to_messages` move it to and from Arrow. The built-in catalogue mirrors the Mosaico SDK
0.3.2 types tag for tag and column for column.
"""

from __future__ import annotations

from smalto.ontology.camera import ROI, CameraInfo
from smalto.ontology.columnar import batch_to_messages, messages_to_batch
from smalto.ontology.envelope import ENVELOPE_FIELD_NAMES, ENVELOPE_SCHEMA
from smalto.ontology.geometry import (
    FrameTransform,
    Point2d,
    Point3d,
    Pose,
    Quaternion,
    Transform,
    Vector2d,
    Vector3d,
    Vector4d,
)
from smalto.ontology.images import CompressedImage, Image
from smalto.ontology.kinematics import Acceleration, ForceTorque, MotionState, Velocity
from smalto.ontology.message import Message
from smalto.ontology.navigation import GPS, GPSStatus, NMEASentence
from smalto.ontology.point_cloud import PointCloud2, PointField
from smalto.ontology.registry import find_ontology, get_ontology, registered_ontologies
from smalto.ontology.robot import BatteryState, RobotJoint
from smalto.ontology.scalars import (
    Boolean,
    Floating16,
    Floating32,
    Floating64,
    Integer8,
    Integer16,
    Integer32,
    Integer64,
    LargeString,
    String,
    Unsigned8,
    Unsigned16,
    Unsigned32,
    Unsigned64,
)
from smalto.ontology.schema import data_fields, message_schema
from smalto.ontology.sensors import IMU, Magnetometer, Pressure, Range, Temperature
from smalto.ontology.serializable import Serializable, ontology_tag, serialization_format
from smalto.ontology.types import (
    ArrowNullable,
    ArrowType,
    Binary,
    FixedSize,
    Float16,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    LargeBinary,
    LargeUtf8,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
)

__all__ = [
    "ENVELOPE_FIELD_NAMES",
    "ENVELOPE_SCHEMA",
    "GPS",
    "IMU",
    "ROI",
    "Acceleration",
    "ArrowNullable",
    "ArrowType",
    "BatteryState",
    "Binary",
    "Boolean",
    "CameraInfo",
    "CompressedImage",
    "FixedSize",
    "Float16",
    "Float32",
    "Float64",
    "Floating16",
    "Floating32",
    "Floating64",
    "ForceTorque",
    "FrameTransform",
    "GPSStatus",
    "Image",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "Integer8",
    "Integer16",
    "Integer32",
    "Integer64",
    "LargeBinary",
    "LargeString",
    "LargeUtf8",
    "Magnetometer",
    "Message",
    "MotionState",
    "NMEASentence",
    "Point2d",
    "Point3d",
    "PointCloud2",
    "PointField",
    "Pose",
    "Pressure",
    "Quaternion",
    "Range",
    "RobotJoint",
    "Serializable",
    "String",
    "Temperature",
    "Transform",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "Unsigned8",
    "Unsigned16",
    "Unsigned32",
    "Unsigned64",
    "Vector2d",
    "Vector3d",
    "Vector4d",
    "Velocity",
    "batch_to_messages",
    "data_fields",
    "find_ontology",
    "get_ontology",
    "message_schema",
    "messages_to_batch",
    "ontology_tag",
    "registered_ontologies",
    "serialization_format",
]
