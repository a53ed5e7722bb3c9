"""Pixel encodings: ROS/OpenCV encoding names ↔ numpy element types and channel counts.

A raw `Image` stores rows of ``stride`` bytes; ``encoding`` says how to read each pixel
(``rgb8`` = three uint8 channels, ``32FC1`` = one float32 …). This module turns such a buffer
into a numpy array and back.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from smalto.errors import InvalidRequest

__all__ = [
    "BGR_ENCODINGS",
    "PIXEL_ENCODINGS",
    "PixelLayout",
    "infer_encoding",
    "is_big_endian",
    "pixel_layout",
    "pixels_from_buffer",
    "swap_red_blue",
]


@dataclass(frozen=True)
class PixelLayout:
    """Element type and channel count of one pixel encoding."""

    dtype: np.dtype[Any]
    channels: int


def _opencv_encodings() -> dict[str, PixelLayout]:
    depths = {
        "8U": "u1",
        "8S": "i1",
        "16U": "u2",
        "16S": "i2",
        "32S": "i4",
        "32F": "f4",
        "64F": "f8",
    }
    return {
        f"{depth}C{channels}": PixelLayout(np.dtype(code), channels)
        for depth, code in depths.items()
        for channels in (1, 2, 3, 4)
    }


def _named_encodings() -> dict[str, PixelLayout]:
    u8, u16 = np.dtype("u1"), np.dtype("u2")
    named = {
        "mono8": PixelLayout(u8, 1),
        "mono16": PixelLayout(u16, 1),
        "rgb8": PixelLayout(u8, 3),
        "bgr8": PixelLayout(u8, 3),
        "rgba8": PixelLayout(u8, 4),
        "bgra8": PixelLayout(u8, 4),
        "rgb16": PixelLayout(u16, 3),
        "bgr16": PixelLayout(u16, 3),
        "rgba16": PixelLayout(u16, 4),
        "bgra16": PixelLayout(u16, 4),
    }
    for pattern in ("rggb", "bggr", "gbrg", "grbg"):
        named[f"bayer_{pattern}8"] = PixelLayout(u8, 1)
        named[f"bayer_{pattern}16"] = PixelLayout(u16, 1)
    return named


_OPENCV_ENCODINGS = _opencv_encodings()

PIXEL_ENCODINGS: dict[str, PixelLayout] = {**_named_encodings(), **_OPENCV_ENCODINGS}
"""Every encoding `Image.to_numpy` understands."""

BGR_ENCODINGS = frozenset({"bgr8", "bgra8", "bgr16", "bgra16"})
"""Encodings whose first channel is blue."""

_INFERRED = {
    ("u1", 1): "mono8",
    ("u1", 3): "rgb8",
    ("u1", 4): "rgba8",
    ("u2", 1): "mono16",
    ("u2", 3): "rgb16",
    ("u2", 4): "rgba16",
}


def pixel_layout(encoding: str) -> PixelLayout:
    """The layout of ``encoding``; InvalidRequest naming the known ones if it is unknown."""
    layout = PIXEL_ENCODINGS.get(encoding)
    if layout is None:
        known = ", ".join(sorted(PIXEL_ENCODINGS))
        raise InvalidRequest(f"unknown pixel encoding {encoding!r}; known encodings: {known}")
    return layout


def infer_encoding(dtype: np.dtype[Any], channels: int) -> str:
    """The encoding for pixels of ``dtype`` with ``channels`` (uint8 x3 → ``rgb8`` …)."""
    code = f"{dtype.kind}{dtype.itemsize}"
    named = _INFERRED.get((code, channels))
    if named is not None:
        return named
    for encoding, layout in _OPENCV_ENCODINGS.items():
        if layout.dtype.str[1:] == code and layout.channels == channels:
            return encoding
    raise InvalidRequest(
        f"no pixel encoding holds {channels}-channel {dtype} pixels; convert the array to "
        "uint8, int8, uint16, int16, int32, float32 or float64 with 1 to 4 channels"
    )


def is_big_endian(dtype: np.dtype[Any]) -> bool:
    """Whether values of ``dtype`` are stored most significant byte first."""
    if dtype.byteorder == "=":
        return sys.byteorder == "big"
    return dtype.byteorder == ">"


def pixels_from_buffer(
    buffer: bytes, shape: tuple[int, int, int], stride: int, layout: PixelLayout, big: bool | None
) -> npt.NDArray[Any]:
    """A (height, width[, channels]) native-order view of rows of ``stride`` bytes."""
    height, width, channels = shape
    row_bytes = width * channels * layout.dtype.itemsize
    if stride < row_bytes or len(buffer) < height * stride:
        raise InvalidRequest(
            f"image buffer of {len(buffer)} bytes with stride {stride} cannot hold {height} rows "
            f"of {width}x{channels} {layout.dtype} pixels"
        )
    rows = np.frombuffer(buffer, np.uint8, count=height * stride).reshape(height, stride)
    dtype = layout.dtype if big is None else layout.dtype.newbyteorder(">" if big else "<")
    pixels = rows[:, :row_bytes].view(dtype)
    pixels = pixels.reshape((height, width) if channels == 1 else (height, width, channels))
    return pixels if dtype.isnative else pixels.astype(dtype.newbyteorder("="))


def swap_red_blue(pixels: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """RGB(A) ↔ BGR(A): swap the first and third channels, keeping alpha in place."""
    order = [2, 1, 0, *range(3, pixels.shape[-1])]
    return pixels[..., order]
