"""Built-in point-cloud ontologies (ROS ``sensor_msgs/PointCloud2`` and its field layout)."""

from __future__ import annotations

from typing import Annotated

from smalto.ontology.serializable import Serializable
from smalto.ontology.types import ArrowNullable, UInt8, UInt32

__all__ = ["PointCloud2", "PointField"]


class PointField(Serializable):
    """Where one named attribute lies inside each point of a `PointCloud2`."""

    __ontology_tag__ = "point_field"

    name: Annotated[str, ArrowNullable()]
    """Attribute name (e.g. ``x``, ``intensity``)."""
    offset: Annotated[UInt32, ArrowNullable()]
    """Byte offset of the attribute from the start of a point."""
    datatype: Annotated[UInt8, ArrowNullable()]
    """Element type: 1 int8, 2 uint8, 3 int16, 4 uint16, 5 int32, 6 uint32, 7 float32, 8 float64."""
    count: Annotated[UInt32, ArrowNullable()] = 1
    """Number of elements of that type in the attribute."""


class PointCloud2(Serializable):
    """A point cloud as packed binary points, described by `PointField` entries."""

    __ontology_tag__ = "point_cloud2"

    height: Annotated[UInt32, ArrowNullable()]
    """Rows of points (1 for an unordered cloud)."""
    width: Annotated[UInt32, ArrowNullable()]
    """Points per row."""
    fields: Annotated[list[PointField], ArrowNullable()]
    """Layout of one point."""
    is_bigendian: bool | None = None
    """Whether multi-byte values in ``data`` are big-endian (None: native)."""
    point_step: Annotated[UInt32, ArrowNullable()]
    """Bytes per point."""
    row_step: Annotated[UInt32, ArrowNullable()]
    """Bytes per row."""
    data: Annotated[bytes, ArrowNullable()]
    """The points, ``height`` rows of ``row_step`` bytes."""
    is_dense: bool | None = None
    """True when no point is invalid (NaN)."""
