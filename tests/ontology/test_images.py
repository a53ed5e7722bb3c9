"""Image helpers: numpy and Pillow conversions, raw and PNG storage, compressed images."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image as PILImage

from smalto.enums import SerializationFormat
from smalto.errors import InvalidRequest
from smalto.ontology import (
    CompressedImage,
    Image,
    Message,
    batch_to_messages,
    messages_to_batch,
    serialization_format,
)

RNG = np.random.default_rng(7)


def pixels(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    kind = np.dtype(dtype)
    if kind.kind == "f":
        return RNG.standard_normal(shape).astype(kind)
    info = np.iinfo(kind)
    return RNG.integers(info.min, info.max, size=shape, endpoint=True, dtype=kind)


@pytest.mark.parametrize(
    ("shape", "dtype", "encoding"),
    [
        ((4, 5), "uint8", "mono8"),
        ((4, 5, 1), "uint8", "mono8"),
        ((4, 5), "uint16", "mono16"),
        ((4, 5, 3), "uint8", "rgb8"),
        ((4, 5, 4), "uint8", "rgba8"),
        ((4, 5, 3), "uint16", "rgb16"),
        ((4, 5, 2), "uint8", "8UC2"),
        ((4, 5), "float32", "32FC1"),
        ((4, 5, 3), "float64", "64FC3"),
        ((4, 5), "int16", "16SC1"),
    ],
)
def test_numpy_round_trip_infers_the_encoding(
    shape: tuple[int, ...], dtype: str, encoding: str
) -> None:
    array = pixels(shape, dtype)
    image = Image.from_numpy(array)
    assert image.encoding == encoding
    assert (image.height, image.width) == shape[:2]
    assert (
        image.stride == shape[1] * (shape[2] if len(shape) == 3 else 1) * np.dtype(dtype).itemsize
    )
    assert image.format == "raw"
    assert image.is_bigendian is (sys.byteorder == "big")
    back = image.to_numpy()
    expected = array[:, :, 0] if len(shape) == 3 and shape[2] == 1 else array
    assert back.dtype == expected.dtype
    np.testing.assert_array_equal(back, expected)


def test_explicit_encodings_are_checked() -> None:
    bgr = pixels((3, 3, 3), "uint8")
    assert Image.from_numpy(bgr, "bgr8").encoding == "bgr8"
    with pytest.raises(InvalidRequest, match="'mono16' needs 1-channel uint16 pixels"):
        Image.from_numpy(bgr, "mono16")
    with pytest.raises(InvalidRequest, match="unknown pixel encoding 'yuv9'"):
        Image.from_numpy(bgr, "yuv9")
    with pytest.raises(InvalidRequest, match="no pixel encoding holds"):
        Image.from_numpy(np.zeros((2, 2), np.complex64))
    with pytest.raises(InvalidRequest, match=r"\(height, width\)"):
        Image.from_numpy(np.zeros(4, np.uint8))


def test_big_endian_pixels_come_back_native() -> None:
    array = pixels((3, 4), "uint16").astype(">u2")
    image = Image.from_numpy(array)
    assert image.is_bigendian is True
    back = image.to_numpy()
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_padded_rows_are_skipped() -> None:
    rows = np.arange(3 * 8, dtype=np.uint8).reshape(3, 8)
    image = Image(data=rows.tobytes(), format="raw", width=6, height=3, stride=8, encoding="mono8")
    np.testing.assert_array_equal(image.to_numpy(), rows[:, :6])


def test_short_buffers_are_refused() -> None:
    image = Image(data=b"\x00" * 5, format="raw", width=2, height=3, stride=2, encoding="mono8")
    with pytest.raises(InvalidRequest, match="cannot hold 3 rows"):
        image.to_numpy()


@pytest.mark.parametrize(
    ("shape", "dtype"), [((6, 7, 3), "uint8"), ((5, 4), "uint16"), ((3, 3), "float32")]
)
def test_png_storage_is_lossless(shape: tuple[int, ...], dtype: str) -> None:
    array = pixels(shape, dtype)
    image = Image.from_numpy(array, format="png")
    assert image.format == "png"
    assert image.data.startswith(b"\x89PNG")
    np.testing.assert_array_equal(image.to_numpy(), array)


def test_unknown_storage_formats_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="'tiff' is not supported"):
        Image.from_numpy(pixels((2, 2), "uint8"), format="tiff")
    image = Image(data=b"", format="h264", width=1, height=1, stride=1, encoding="mono8")
    with pytest.raises(InvalidRequest, match="'h264' is not raw pixels"):
        image.to_numpy()


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16", "F"])
def test_pillow_round_trip(mode: str) -> None:
    source = PILImage.fromarray(
        {
            "L": pixels((4, 6), "uint8"),
            "RGB": pixels((4, 6, 3), "uint8"),
            "RGBA": pixels((4, 6, 4), "uint8"),
            "I;16": pixels((4, 6), "uint16"),
            "F": pixels((4, 6), "float32"),
        }[mode]
    )
    image = Image.from_pillow(source)
    back = image.to_pillow()
    assert back.mode == mode
    np.testing.assert_array_equal(np.asarray(back), np.asarray(source))


def test_bgr_is_swapped_for_pillow() -> None:
    rgb = pixels((2, 3, 3), "uint8")
    image = Image.from_pillow(PILImage.fromarray(rgb), "bgr8")
    np.testing.assert_array_equal(image.to_numpy(), rgb[..., ::-1])
    np.testing.assert_array_equal(np.asarray(image.to_pillow()), rgb)
    rgba = pixels((2, 3, 4), "uint8")
    image = Image.from_pillow(PILImage.fromarray(rgba), "bgra8")
    np.testing.assert_array_equal(image.to_numpy(), rgba[..., [2, 1, 0, 3]])
    np.testing.assert_array_equal(np.asarray(image.to_pillow()), rgba)


def test_palette_images_become_rgb() -> None:
    source = PILImage.fromarray(pixels((3, 3, 3), "uint8")).convert("P")
    image = Image.from_pillow(source)
    assert image.encoding == "rgb8"
    np.testing.assert_array_equal(image.to_numpy(), np.asarray(source.convert("RGB")))


def test_images_without_a_pillow_mode() -> None:
    with pytest.raises(InvalidRequest, match=r"'rgb16' images .* have no Pillow mode"):
        Image.from_numpy(pixels((2, 2, 3), "uint16")).to_pillow()


def test_png_compression_is_lossless() -> None:
    array = pixels((8, 9, 3), "uint8")
    compressed = CompressedImage.encode(array, format="png")
    assert compressed.format == "png"
    np.testing.assert_array_equal(compressed.decode(), array)
    np.testing.assert_array_equal(np.asarray(compressed.to_pillow()), array)


def test_jpeg_decodes_to_the_right_shape() -> None:
    array = pixels((16, 24, 3), "uint8")
    compressed = CompressedImage.encode(array, format="jpg", quality=80)
    assert compressed.format == "jpeg"
    assert compressed.data.startswith(b"\xff\xd8")
    decoded = compressed.decode()
    assert decoded.shape == (16, 24, 3) and decoded.dtype == np.uint8


def test_pillow_images_can_be_compressed() -> None:
    source = PILImage.fromarray(pixels((5, 5), "uint8"))
    assert CompressedImage.encode(source, "png").decode().shape == (5, 5)


def test_compression_errors_are_clear() -> None:
    with pytest.raises(InvalidRequest, match="cannot encode a RGBA image as 'jpeg'"):
        CompressedImage.encode(pixels((4, 4, 4), "uint8"), "jpeg")
    with pytest.raises(InvalidRequest, match="cannot decode the image data"):
        CompressedImage(data=b"not an image", format="png").decode()


def test_missing_pillow_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'smalto\[images\]'"):
        CompressedImage.encode(pixels((4, 4, 3), "uint8"))
    with pytest.raises(ImportError, match=r"pip install 'smalto\[images\]'"):
        Image.from_numpy(pixels((4, 4), "uint8"), format="png")
    # Raw images need numpy only.
    assert Image.from_numpy(pixels((4, 4), "uint8")).to_numpy().shape == (4, 4)


def test_images_travel_as_image_topics() -> None:
    assert serialization_format(Image) is SerializationFormat.Image
    assert serialization_format(CompressedImage) is SerializationFormat.Image
    sent = [
        Message(timestamp_ns=1, data=Image.from_numpy(pixels((4, 4, 3), "uint8"))),
        Message(timestamp_ns=2, data=Image.from_numpy(pixels((4, 4, 3), "uint8"), format="png")),
    ]
    (first, second) = batch_to_messages(messages_to_batch(sent, Image), Image)
    assert (first, second) == tuple(sent)
    np.testing.assert_array_equal(second.data.to_numpy(), sent[1].data.to_numpy())
