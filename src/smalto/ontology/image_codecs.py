"""Pillow-backed conversions for the image ontologies; Pillow is imported only when used.

Pillow is the optional ``images`` extra. Raw images may be wrapped in a PNG the way the
Mosaico SDK does it: the raw rows, ``stride`` bytes each, saved as an 8-bit grayscale PNG of
``height`` x ``stride`` pixels, which keeps every byte (padding and endianness included).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from smalto.errors import InvalidRequest

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "array_to_pillow",
    "compress",
    "open_compressed",
    "pillow_to_array",
    "png_pack",
    "png_unpack",
    "require_pillow",
]

_PILLOW_MISSING = "image conversion needs Pillow: `pip install 'smalto[images]'`"
_DIRECT_MODES = frozenset({"L", "RGB", "RGBA", "I;16", "I", "F"})
_FORMAT_ALIASES = {"jpg": "jpeg", "tif": "tiff"}


def require_pillow() -> None:
    """Raise an ImportError naming the extra to install if Pillow is missing."""
    try:
        import PIL  # noqa: F401
    except ImportError as exc:
        raise ImportError(_PILLOW_MISSING) from exc


def png_pack(raw: bytes, height: int, stride: int) -> bytes:
    """``raw`` (``height`` rows of ``stride`` bytes) as a lossless grayscale PNG."""
    require_pillow()
    from PIL import Image as PILImage

    rows = np.frombuffer(raw, np.uint8, count=height * stride).reshape(height, stride)
    buffer = io.BytesIO()
    PILImage.fromarray(rows).save(buffer, format="PNG")
    return buffer.getvalue()


def png_unpack(data: bytes) -> bytes:
    """The raw rows stored by `png_pack`."""
    with open_compressed(data) as image:
        return np.asarray(image, dtype=np.uint8).tobytes()


def pillow_to_array(image: PILImage.Image) -> npt.NDArray[Any]:
    """The pixels of ``image`` as an array (palette and exotic modes become RGB or RGBA)."""
    if image.mode not in _DIRECT_MODES:
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("L" if image.mode == "1" else "RGBA" if has_alpha else "RGB")
    return np.asarray(image)


def array_to_pillow(pixels: npt.NDArray[Any], encoding: str) -> PILImage.Image:
    """``pixels`` as a Pillow image; InvalidRequest if Pillow has no mode for them."""
    require_pillow()
    from PIL import Image as PILImage

    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    supported = {("u1", 1), ("u1", 3), ("u1", 4), ("u2", 1), ("i4", 1), ("f4", 1)}
    if (pixels.dtype.str[1:], channels) not in supported:
        raise InvalidRequest(
            f"{encoding!r} images ({channels}-channel {pixels.dtype}) have no Pillow mode; "
            "use to_numpy() instead"
        )
    return PILImage.fromarray(np.ascontiguousarray(pixels))


def compress(image: PILImage.Image, image_format: str, quality: int | None) -> tuple[bytes, str]:
    """``image`` encoded as ``image_format`` (``jpeg``, ``png`` …): (bytes, normalized format)."""
    name = _FORMAT_ALIASES.get(image_format.lower(), image_format.lower())
    options: dict[str, Any] = {} if quality is None else {"quality": quality}
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=name.upper(), **options)
    except (KeyError, OSError, ValueError) as exc:
        raise InvalidRequest(f"cannot encode a {image.mode} image as {name!r}: {exc}") from exc
    return buffer.getvalue(), name


def open_compressed(data: bytes) -> PILImage.Image:
    """The decoded image in ``data`` (fully loaded); InvalidRequest if Pillow cannot read it."""
    require_pillow()
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        image = PILImage.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidRequest(f"cannot decode the image data: {exc}") from exc
    return image
