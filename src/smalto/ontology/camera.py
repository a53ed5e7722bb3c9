"""Built-in camera-model ontologies: calibration (`CameraInfo`) and regions of interest."""

from __future__ import annotations

from typing import Annotated

from smalto.ontology.geometry import Vector2d
from smalto.ontology.serializable import Serializable
from smalto.ontology.types import FixedSize, UInt32

__all__ = ["ROI", "CameraInfo"]


class ROI(Serializable):
    """A rectangular region of interest in an image (pixels)."""

    __ontology_tag__ = "roi"

    offset: Vector2d
    """Top-left corner of the region (px): x column, y row."""
    height: UInt32
    """Height of the region (px)."""
    width: UInt32
    """Width of the region (px)."""
    do_rectify: bool | None = None
    """Whether the region should be taken from the rectified image."""


class CameraInfo(Serializable):
    """Calibration of a pinhole camera (ROS ``sensor_msgs/CameraInfo``); matrices row-major."""

    __ontology_tag__ = "camera_info"

    height: UInt32
    """Image height the calibration applies to (px)."""
    width: UInt32
    """Image width the calibration applies to (px)."""
    distortion_model: str
    """Distortion model name (e.g. ``plumb_bob``, ``rational_polynomial``, ``equidistant``)."""
    distortion_parameters: list[float]
    """Distortion coefficients, in the order the model defines (D)."""
    intrinsic_parameters: Annotated[list[float], FixedSize(9)]
    """3x3 intrinsic matrix K (focal lengths and principal point, px)."""
    rectification_parameters: Annotated[list[float], FixedSize(9)]
    """3x3 rectification rotation R (stereo cameras; identity otherwise)."""
    projection_parameters: Annotated[list[float], FixedSize(12)]
    """3x4 projection matrix P of the rectified image (px)."""
    binning: Vector2d | None = None
    """Binning factors: x horizontal, y vertical (1 or None: no binning)."""
    roi: ROI | None = None
    """Subwindow of the full-resolution image actually captured."""
