"""Built-in sensor ontologies: inertial, magnetic, pressure, range and temperature readings."""

from __future__ import annotations

from smalto.ontology.geometry import Quaternion, Vector3d
from smalto.ontology.serializable import Serializable
from smalto.ontology.types import Float32, Int16, UInt8

__all__ = ["IMU", "Magnetometer", "Pressure", "Range", "Temperature"]

_KELVIN_AT_0_CELSIUS = 273.15


class IMU(Serializable):
    """An inertial measurement: linear acceleration, angular velocity, optional orientation."""

    __ontology_tag__ = "imu"

    acceleration: Vector3d
    """Linear acceleration (m/s²), gravity included as the sensor measures it."""
    angular_velocity: Vector3d
    """Angular velocity (rad/s)."""
    orientation: Quaternion | None = None
    """Orientation estimate, if the device provides one."""


class Magnetometer(Serializable):
    """A magnetic field measurement."""

    __ontology_tag__ = "magnetometer"

    magnetic_field: Vector3d
    """Magnetic field vector (µT)."""


class Pressure(Serializable):
    """A pressure reading."""

    __ontology_tag__ = "pressure"

    value: float
    """Absolute pressure (Pa)."""
    variance: float | None = None
    """Variance of ``value`` (Pa²); None when unknown."""
    variance_type: Int16 | None = None
    """How ``variance`` was obtained (producer-defined code)."""


class Range(Serializable):
    """A single distance reading from a ranger (ROS ``sensor_msgs/Range``)."""

    __ontology_tag__ = "range"

    radiation_type: UInt8
    """Kind of ranger: 0 ultrasound, 1 infrared."""
    field_of_view: Float32
    """Size of the arc the distance reading is valid for (rad)."""
    min_range: Float32
    """Minimum measurable distance (m)."""
    max_range: Float32
    """Maximum measurable distance (m)."""
    range: Float32
    """Measured distance (m); readings outside [min_range, max_range] are invalid."""
    variance: float | None = None
    """Variance of ``range`` (m²); None when unknown."""
    variance_type: Int16 | None = None
    """How ``variance`` was obtained (producer-defined code)."""


class Temperature(Serializable):
    """A temperature reading, always stored in kelvin (use `from_celsius` for °C readings)."""

    __ontology_tag__ = "temperature"

    value: float
    """Thermodynamic temperature (K)."""
    variance: float | None = None
    """Variance of ``value`` (K²); None when unknown."""
    variance_type: Int16 | None = None
    """How ``variance`` was obtained (producer-defined code)."""

    @classmethod
    def from_celsius(cls, celsius: float, variance: float | None = None) -> Temperature:
        """A reading given in degrees Celsius (the variance is the same in K² and °C²)."""
        return cls(value=celsius + _KELVIN_AT_0_CELSIUS, variance=variance)

    def to_celsius(self) -> float:
        """The reading in degrees Celsius."""
        return self.value - _KELVIN_AT_0_CELSIUS
