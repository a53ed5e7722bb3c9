"""The messages every compat scenario writes, as plain Python (no SDK import).

Both sides build their messages from these dicts (``Model.model_validate``) and the tests compare
what comes back, after `normalize`, with `expected_stream`. Every field is spelled out, optional
ones included, so the expectation does not depend on either SDK's defaults. Times are int ns.
"""

from __future__ import annotations

import base64
from enum import Enum
from typing import Any

T0_NS = 1_700_000_000_000_000_000
"""Start of the recordings, Unix-epoch nanoseconds."""

TOPICS: dict[str, str] = {
    "/sensors/imu": "imu",
    "/sensors/gps": "gps",
    "/camera/raw": "image",
    "/camera/jpeg": "compressed_image",
    "/arm/joints": "robot_joint",
    "/wheel/ticks": "wheel_ticks",
}
"""Topic name → ontology tag, in creation order (``wheel_ticks`` is the scripts' own type)."""

_PERIOD_OFFSET_NS: dict[str, tuple[int, int]] = {
    "/sensors/imu": (1_000_000, 0),
    "/sensors/gps": (5_000_000, 123),
    "/camera/raw": (3_000_000, 7),
    "/camera/jpeg": (3_000_000, 11),
    "/arm/joints": (2_000_000, 500_000),
    "/wheel/ticks": (4_000_000, 250),
}

SEQUENCE_METADATA: dict[str, Any] = {
    "vehicle": {"id": "v7", "sensors": {"lidar": False, "cameras": ["front", "rear"]}},
    "driver": {"name": "Ada", "shift": 2},
    "visibility_m": 42.5,
    "tags": ["rain", {"nested": [1, 2, {"deep": None}]}],
}


def timestamp_ns(topic: str, i: int) -> int:
    """Timestamp of message ``i`` of ``topic`` (all topics interleave, none collide)."""
    period, offset = _PERIOD_OFFSET_NS[topic]
    return T0_NS + i * period + offset


def push_order(count: int, topic: str) -> list[int]:
    """Indices in the order a writer pushes them; ``/wheel/ticks`` is pushed out of order."""
    if topic != "/wheel/ticks":
        return list(range(count))
    return sorted(range(count), key=lambda i: (i * 7919) % count)


def _v3(x: float, y: float, z: float, cov: bool = False) -> dict[str, Any]:
    return {
        "x": x,
        "y": y,
        "z": z,
        "covariance": [0.01 * k for k in range(9)] if cov else None,
        "covariance_type": 1 if cov else None,
    }


def _data(tag: str, i: int) -> dict[str, Any]:
    if tag == "imu":
        return {
            "acceleration": _v3(0.001 * i, -0.5 * i, 9.81, cov=i % 7 == 0),
            "angular_velocity": _v3(0.0, 0.01 * i, -0.02),
            "orientation": None
            if i % 3
            else {
                "x": 0.0,
                "y": 0.0,
                "z": 0.1 * i,
                "w": 1.0,
                "covariance": None,
                "covariance_type": None,
            },
        }
    if tag == "gps":
        return {
            "position": _v3(45.0 + i * 1e-6, 9.0 - i * 1e-6, 120.0 + i),
            "velocity": None if i % 2 else _v3(1.5, 0.0, -0.25),
            "status": {
                "status": i % 3 - 1,
                "service": 1 + i % 4,
                "satellites": i % 12,
                "hdop": 0.5 + i / 1000,
                "vdop": None,
            },
        }
    if tag == "image":
        return {
            "data": bytes((i + k) % 256 for k in range(24)),
            "format": "raw",
            "width": 4,
            "height": 2,
            "stride": 12,
            "encoding": "rgb8",
            "is_bigendian": None if i % 2 else False,
        }
    if tag == "compressed_image":
        return {
            "data": b"\xff\xd8\xff" + i.to_bytes(4, "big") + b"\x00" * (i % 5),
            "format": "jpeg",
        }
    if tag == "robot_joint":
        n = 1 + i % 4
        return {
            "names": [f"j{k}" for k in range(n)],
            "positions": [0.1 * i + k for k in range(n)],
            "velocities": [-0.5 * k for k in range(n)],
            "efforts": [float(i % 10)] * n,
        }
    if tag == "wheel_ticks":
        return {"left": i, "right": 2 * i + 1, "label": None if i % 2 else f"tick-{i}"}
    raise ValueError(tag)


def message(topic: str, i: int) -> dict[str, Any]:
    """Message ``i`` of ``topic``: envelope keys plus ``data`` (raw values, bytes as bytes)."""
    return {
        "timestamp_ns": timestamp_ns(topic, i),
        "recording_timestamp_ns": timestamp_ns(topic, i) + 17 if i % 4 == 0 else None,
        "frame_id": None if i % 5 == 0 else topic.strip("/").replace("/", "_"),
        "sequence_id": i if i % 2 == 0 else None,
        "data": _data(TOPICS[topic], i),
    }


def normalize(value: Any) -> Any:
    """JSON-safe canonical form: bytes → ``b64:…``, enums → their value, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return "b64:" + base64.b64encode(bytes(value)).decode()
    if isinstance(value, Enum):
        return normalize(value.value)
    return value


def expected_stream(
    count: int,
    topics: list[str] | None = None,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> list[list[Any]]:
    """``[topic, normalized message]`` in merged order over ``topics``, start ≤ t < end."""
    rows = []
    for topic in topics or list(TOPICS):
        for i in range(count):
            t = timestamp_ns(topic, i)
            if (start_ns is None or t >= start_ns) and (end_ns is None or t < end_ns):
                rows.append([topic, normalize(message(topic, i))])
    rows.sort(key=lambda row: row[1]["timestamp_ns"])
    return rows
