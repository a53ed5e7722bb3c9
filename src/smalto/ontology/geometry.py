"""Built-in geometric ontologies: vectors, points, rotations, transforms and poses.

Components are plain numbers in the frame named by the message's ``frame_id``; lengths are in
metres unless a containing type says otherwise. Every type may carry a row-major covariance
matrix (``covariance``) and an integer describing its parameterisation (``covariance_type``).
"""

from __future__ import annotations

from typing import Annotated

from smalto.ontology.serializable import Serializable
from smalto.ontology.types import ArrowNullable, Int16

__all__ = [
    "Component",
    "FrameTransform",
    "Point2d",
    "Point3d",
    "Pose",
    "Quaternion",
    "Transform",
    "Vector2d",
    "Vector3d",
    "Vector4d",
]

Component = Annotated[float, ArrowNullable()]
"""A vector component: required in Python, nullable float64 in Arrow (as in the catalogue)."""


class Vector2d(Serializable):
    """A 2-D vector."""

    __ontology_tag__ = "vector_2_d"

    x: Component
    """X component."""
    y: Component
    """Y component."""
    covariance: list[float] | None = None
    """Row-major 2x2 covariance of (x, y)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Vector3d(Serializable):
    """A 3-D vector."""

    __ontology_tag__ = "vector_3_d"

    x: Component
    """X component."""
    y: Component
    """Y component."""
    z: Component
    """Z component."""
    covariance: list[float] | None = None
    """Row-major 3x3 covariance of (x, y, z)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Vector4d(Serializable):
    """A 4-D vector."""

    __ontology_tag__ = "vector_4_d"

    x: Component
    """X component."""
    y: Component
    """Y component."""
    z: Component
    """Z component."""
    w: Component
    """W component."""
    covariance: list[float] | None = None
    """Row-major 4x4 covariance of (x, y, z, w)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Point2d(Serializable):
    """A 2-D point (m, unless the containing type says otherwise)."""

    __ontology_tag__ = "point_2_d"

    x: Component
    """X coordinate."""
    y: Component
    """Y coordinate."""
    covariance: list[float] | None = None
    """Row-major 2x2 covariance of (x, y)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Point3d(Serializable):
    """A 3-D point (m, unless the containing type says otherwise)."""

    __ontology_tag__ = "point_3_d"

    x: Component
    """X coordinate."""
    y: Component
    """Y coordinate."""
    z: Component
    """Z coordinate."""
    covariance: list[float] | None = None
    """Row-major 3x3 covariance of (x, y, z)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Quaternion(Serializable):
    """A rotation as a unit quaternion (x, y, z vector part; w scalar part)."""

    __ontology_tag__ = "quaternion"

    x: Component
    """X of the vector part."""
    y: Component
    """Y of the vector part."""
    z: Component
    """Z of the vector part."""
    w: Component
    """Scalar part."""
    covariance: list[float] | None = None
    """Row-major 4x4 covariance of (x, y, z, w)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Transform(Serializable):
    """A rigid transform from the message's ``frame_id`` to ``target_frame_id``."""

    __ontology_tag__ = "transform"

    translation: Vector3d
    """Translation (m)."""
    rotation: Quaternion
    """Rotation."""
    target_frame_id: str | None = None
    """Frame the transform maps into (ROS ``child_frame_id``)."""
    covariance: list[float] | None = None
    """Row-major 6x6 covariance of (translation, rotation as roll/pitch/yaw)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Pose(Serializable):
    """A position and orientation in the message's ``frame_id``."""

    __ontology_tag__ = "pose"

    position: Point3d
    """Position (m)."""
    orientation: Quaternion
    """Orientation."""
    covariance: list[float] | None = None
    """Row-major 6x6 covariance of (position, orientation as roll/pitch/yaw)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class FrameTransform(Serializable):
    """A set of transforms published together (ROS ``tf2_msgs/TFMessage``)."""

    __ontology_tag__ = "frame_transform"

    transforms: list[Transform]
    """The transforms, each with its own target frame."""
