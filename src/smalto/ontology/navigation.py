"""Built-in satellite-navigation ontologies: GNSS fixes, receiver status and NMEA sentences."""

from __future__ import annotations

from smalto.ontology.geometry import Point3d, Vector3d
from smalto.ontology.serializable import Serializable
from smalto.ontology.types import Int8, UInt16

__all__ = ["GPS", "GPSStatus", "NMEASentence"]


class GPSStatus(Serializable):
    """Fix status of a GNSS receiver (codes as ROS ``sensor_msgs/NavSatStatus``)."""

    __ontology_tag__ = "gps_status"

    status: Int8
    """Fix type: -1 no fix, 0 fix, 1 satellite-based augmentation, 2 ground-based augmentation."""
    service: UInt16
    """Bit mask of constellations used: 1 GPS, 2 GLONASS, 4 COMPASS/BeiDou, 8 Galileo."""
    satellites: Int8 | None = None
    """Number of satellites used in the fix."""
    hdop: float | None = None
    """Horizontal dilution of precision (unitless)."""
    vdop: float | None = None
    """Vertical dilution of precision (unitless)."""


class GPS(Serializable):
    """A GNSS fix: position, optional velocity and receiver status."""

    __ontology_tag__ = "gps"

    position: Point3d
    """WGS 84 position: x latitude (deg), y longitude (deg), z altitude above the ellipsoid (m)."""
    velocity: Vector3d | None = None
    """Velocity (m/s): x north, y east, z up."""
    status: GPSStatus | None = None
    """Receiver status for this fix."""


class NMEASentence(Serializable):
    """One raw NMEA 0183 sentence as received (e.g. ``$GPGGA,...*47``)."""

    __ontology_tag__ = "nmea_sentence"

    sentence: str
    """The sentence, ASCII, without the trailing CR LF."""
