"""Ontology tags and field names: how tags are derived and which names are off limits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from smalto.errors import InvalidRequest
from smalto.ontology.envelope import ENVELOPE_FIELD_NAMES

__all__ = ["QUERY_PROXY_NAME", "check_field_names", "check_tag", "derive_tag"]

QUERY_PROXY_NAME = "Q"
"""Class attribute reserved for the query proxy (``IMU.Q.acceleration.x``)."""

# Letters, digits and underscores: the tag is the first component of dotted query keys
# (``imu.acceleration.x``), so it can never hold a dot.
_TAG_PATTERN = re.compile(r"[A-Za-z0-9_]+")
_DIGITS_BEFORE_LETTER = re.compile(r"(\d+)(?=[A-Za-z])")
_ACRONYM_END = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_START = re.compile(r"([a-z0-9])([A-Z])")
_UNDERSCORES = re.compile(r"_+")


def derive_tag(class_name: str) -> str:
    """The snake_case tag for a class name (``Vector3d`` → ``vector_3_d``, ``IMU`` → ``imu``).

    A digit run followed by a letter is set off by underscores (``Point2d`` → ``point_2_d``);
    trailing digits stay attached (``Floating64`` → ``floating64``, ``PointCloud2`` →
    ``point_cloud2``); acronyms stay whole (``GPSStatus`` → ``gps_status``).
    """
    name = _DIGITS_BEFORE_LETTER.sub(r"_\1_", class_name)
    name = _ACRONYM_END.sub(r"\1_\2", name)
    name = _WORD_START.sub(r"\1_\2", name)
    return _UNDERSCORES.sub("_", name).strip("_").lower()


def check_tag(tag: object, owner: str) -> str:
    """``tag`` if it is a valid ontology tag, else InvalidRequest telling ``owner`` what to fix."""
    if not isinstance(tag, str) or _TAG_PATTERN.fullmatch(tag) is None:
        raise InvalidRequest(
            f"ontology tag {tag!r} of {owner} is invalid: a tag is a non-empty string of "
            "letters, digits and underscores (no dots); set __ontology_tag__ to such a name"
        )
    return tag


def check_field_names(names: Iterable[str], owner: str) -> None:
    """Raise InvalidRequest if a field of ``owner`` uses an envelope name or the proxy name."""
    for name in names:
        if name in ENVELOPE_FIELD_NAMES:
            raise InvalidRequest(
                f"field {name!r} of {owner} collides with the message envelope column "
                f"{name!r}; rename the field (e.g. 'data_{name}')"
            )
        if name == QUERY_PROXY_NAME:
            raise InvalidRequest(
                f"field {name!r} of {owner} is reserved for the query proxy ({owner}.Q); "
                "rename the field"
            )
