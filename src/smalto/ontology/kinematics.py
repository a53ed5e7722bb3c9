"""Built-in motion ontologies: wrenches, twists, accelerations and full motion states.

Linear quantities are in SI units (N, m/s, m/s²), angular ones in N·m, rad/s and rad/s²,
expressed in the message's ``frame_id``.
"""

from __future__ import annotations

from smalto.ontology.geometry import Pose, Vector3d
from smalto.ontology.serializable import Serializable
from smalto.ontology.types import Int16

__all__ = ["Acceleration", "ForceTorque", "MotionState", "Velocity"]


class ForceTorque(Serializable):
    """A wrench: force and torque acting on a body."""

    __ontology_tag__ = "force_torque"

    force: Vector3d
    """Force (N)."""
    torque: Vector3d
    """Torque (N·m)."""
    covariance: list[float] | None = None
    """Row-major 6x6 covariance of (force, torque)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Velocity(Serializable):
    """A twist: linear and/or angular velocity."""

    __ontology_tag__ = "velocity"

    linear: Vector3d | None = None
    """Linear velocity (m/s)."""
    angular: Vector3d | None = None
    """Angular velocity (rad/s)."""
    covariance: list[float] | None = None
    """Row-major 6x6 covariance of (linear, angular)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class Acceleration(Serializable):
    """Linear and/or angular acceleration."""

    __ontology_tag__ = "acceleration"

    linear: Vector3d | None = None
    """Linear acceleration (m/s²)."""
    angular: Vector3d | None = None
    """Angular acceleration (rad/s²)."""
    covariance: list[float] | None = None
    """Row-major 6x6 covariance of (linear, angular)."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""


class MotionState(Serializable):
    """The full motion state of a body: pose, velocity and optionally acceleration.

    The pose is in the message's ``frame_id``; the velocity and acceleration are expressed in
    ``target_frame_id`` (the body frame, as in ROS ``nav_msgs/Odometry``).
    """

    __ontology_tag__ = "motion_state"

    pose: Pose
    """Pose of the body."""
    velocity: Velocity
    """Velocity of the body."""
    target_frame_id: str
    """The body frame (ROS ``child_frame_id``)."""
    acceleration: Acceleration | None = None
    """Acceleration of the body."""
    covariance: list[float] | None = None
    """Row-major covariance of the whole state."""
    covariance_type: Int16 | None = None
    """How ``covariance`` is parameterised (producer-defined code)."""
