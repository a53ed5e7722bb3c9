"""Built-in image ontologies: raw pixel buffers (`Image`) and encoded images (`CompressedImage`).

Both use `SerializationFormat.Image`, so topics batch by bytes and store blobs uncompressed.
The numpy helpers need only numpy; the Pillow helpers need the ``images`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from smalto.enums import SerializationFormat
from smalto.errors import InvalidRequest
from smalto.ontology.image_codecs import (
    array_to_pillow,
    compress,
    open_compressed,
    pillow_to_array,
    png_pack,
    png_unpack,
    require_pillow,
)
from smalto.ontology.pixels import (
    BGR_ENCODINGS,
    infer_encoding,
    is_big_endian,
    pixel_layout,
    pixels_from_buffer,
    swap_red_blue,
)
from smalto.ontology.serializable import Serializable
from smalto.ontology.types import Int32

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["CompressedImage", "Image"]

_RAW = "raw"
_PNG = "png"


class Image(Serializable):
    """An uncompressed image: ``height`` rows of ``stride`` bytes of ``encoding`` pixels.

    ``format`` says how ``data`` is stored: ``raw`` (the rows themselves) or ``png`` (the rows
    wrapped losslessly in a grayscale PNG of height x stride bytes, as the Mosaico SDK writes by
    default). Build one with `Image.from_numpy` or `Image.from_pillow`.
    """

    __ontology_tag__ = "image"
    __serialization_format__ = SerializationFormat.Image

    data: bytes
    """Pixel rows, row-major (or their PNG wrapping, see ``format``)."""
    format: str
    """Storage of ``data``: ``raw`` or ``png``."""
    width: Int32
    """Width (px)."""
    height: Int32
    """Height (px)."""
    stride: Int32
    """Bytes per row, padding included."""
    encoding: str
    """Pixel encoding (``mono8``, ``rgb8``, ``bgr8``, ``mono16``, ``32FC1`` …)."""
    is_bigendian: bool | None = None
    """Whether multi-byte values are big-endian (None: the reader's native order)."""

    @classmethod
    def from_numpy(
        cls, pixels: npt.ArrayLike, encoding: str | None = None, *, format: str = _RAW
    ) -> Image:
        """An image of a (height, width) or (height, width, channels) array.

        Without ``encoding`` it is inferred: uint8 → ``mono8``/``rgb8``/``rgba8``, uint16 →
        ``mono16``/``rgb16``/``rgba16``, other types → OpenCV names such as ``32FC1``. The channel
        order is taken as given (pass ``encoding="bgr8"`` for OpenCV arrays). ``format="png"``
        stores the rows losslessly compressed (needs Pillow).
        """
        array = np.asarray(pixels)
        if array.ndim not in (2, 3):
            raise InvalidRequest(
                f"an image array is (height, width) or (height, width, channels), not {array.shape}"
            )
        channels = 1 if array.ndim == 2 else array.shape[2]
        encoding = encoding or infer_encoding(array.dtype, channels)
        _check_layout(array, channels, encoding)
        array = np.ascontiguousarray(array)
        height, width = array.shape[:2]
        stride = width * channels * array.dtype.itemsize
        return cls(
            data=_store(array.tobytes(), height, stride, format),
            format=format,
            width=width,
            height=height,
            stride=stride,
            encoding=encoding,
            is_bigendian=is_big_endian(array.dtype),
        )

    def to_numpy(self) -> npt.NDArray[Any]:
        """The pixels as a (height, width[, channels]) array in native byte order.

        For raw images without padding this is a read-only view of ``data``; copy it to modify.
        """
        layout = pixel_layout(self.encoding)
        buffer = png_unpack(self.data) if self.format == _PNG else self._raw_data()
        shape = (self.height, self.width, layout.channels)
        return pixels_from_buffer(buffer, shape, self.stride, layout, self.is_bigendian)

    @classmethod
    def from_pillow(
        cls, image: PILImage.Image, encoding: str | None = None, *, format: str = _RAW
    ) -> Image:
        """An image of a Pillow image (``L`` → ``mono8``, ``RGB`` → ``rgb8`` …).

        ``encoding="bgr8"`` (or ``bgra8``) stores the channels blue first.
        """
        pixels = pillow_to_array(image)
        if encoding in BGR_ENCODINGS and pixels.ndim == 3:
            pixels = swap_red_blue(pixels)
        return cls.from_numpy(pixels, encoding, format=format)

    def to_pillow(self) -> PILImage.Image:
        """The image as a Pillow image (blue-first encodings are turned into RGB)."""
        pixels = self.to_numpy()
        if self.encoding in BGR_ENCODINGS:
            pixels = swap_red_blue(pixels)
        return array_to_pillow(pixels, self.encoding)

    def _raw_data(self) -> bytes:
        if self.format != _RAW:
            raise InvalidRequest(
                f"image format {self.format!r} is not raw pixels; expected 'raw' or 'png'"
            )
        return self.data


def _check_layout(array: npt.NDArray[Any], channels: int, encoding: str) -> None:
    layout = pixel_layout(encoding)
    if array.dtype.str[1:] != layout.dtype.str[1:] or channels != layout.channels:
        raise InvalidRequest(
            f"encoding {encoding!r} needs {layout.channels}-channel {layout.dtype} pixels, "
            f"got a {array.dtype} array of shape {array.shape}"
        )


def _store(raw: bytes, height: int, stride: int, format: str) -> bytes:
    if format == _RAW:
        return raw
    if format == _PNG:
        return png_pack(raw, height, stride)
    raise InvalidRequest(f"image format {format!r} is not supported; use 'raw' or 'png'")


class CompressedImage(Serializable):
    """An image encoded in a standard format (JPEG, PNG …), stored as the encoded bytes."""

    __ontology_tag__ = "compressed_image"
    __serialization_format__ = SerializationFormat.Image

    data: bytes
    """The encoded image."""
    format: str
    """The encoding, lower case: ``jpeg``, ``png``, ``webp``, ``tiff`` …"""

    @classmethod
    def encode(
        cls,
        image: npt.ArrayLike | PILImage.Image,
        format: str = "jpeg",
        quality: int | None = None,
    ) -> CompressedImage:
        """Encode an RGB(A)/grayscale array or a Pillow image (needs Pillow).

        ``quality`` (1-95) applies to lossy formats such as JPEG; PNG is lossless.
        """
        require_pillow()
        from PIL import Image as PILImage

        if not isinstance(image, PILImage.Image):
            image = array_to_pillow(np.asarray(image), format)
        data, name = compress(image, format, quality)
        return cls(data=data, format=name)

    def decode(self) -> npt.NDArray[Any]:
        """The decoded pixels as a (height, width[, channels]) array (needs Pillow)."""
        return np.asarray(self.to_pillow())

    def to_pillow(self) -> PILImage.Image:
        """The decoded image as a Pillow image (needs Pillow)."""
        return open_compressed(self.data)
