"""Resource names on the wire: validation and the sequence/topic locator forms.

A sequence locator is the sequence name (``drive_7``); a topic locator is the sequence name and the
topic path joined by ``/`` (``drive_7/sensors/imu``); a topic *name* is the path with a leading
slash (``/sensors/imu``). Names are validated, never rewritten: a bad name is refused with a
message saying what is allowed, so two spellings can never address one resource by accident.
"""

from __future__ import annotations

import re

from smalto.errors import InvalidRequest

__all__ = [
    "MAX_NAME_LENGTH",
    "join_topic_locator",
    "split_topic_locator",
    "topic_name",
    "validate_sequence_name",
    "validate_topic_path",
]

MAX_NAME_LENGTH = 256
"""Longest accepted sequence name or topic path, in characters."""

_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def _describe(value: str) -> str:
    return repr(value) if len(value) <= 80 else repr(value[:77] + "...")


def validate_sequence_name(name: object) -> str:
    """Return the sequence name without surrounding ``/``; it must match ``[A-Za-z0-9_-]+``."""
    if not isinstance(name, str):
        raise InvalidRequest(f"a sequence name must be a string, got {type(name).__name__}")
    stripped = name.strip("/")
    if not stripped:
        raise InvalidRequest("a sequence name must not be empty")
    if len(stripped) > MAX_NAME_LENGTH:
        raise InvalidRequest(
            f"sequence name {_describe(stripped)} is {len(stripped)} characters long; "
            f"the limit is {MAX_NAME_LENGTH}"
        )
    if not _SEGMENT.fullmatch(stripped):
        raise InvalidRequest(
            f"invalid sequence name {_describe(name)}: use only ASCII letters, digits, '_' and '-'"
        )
    return stripped


def validate_topic_path(path: object) -> str:
    """Return the topic path as ``a/b/c`` (no leading or trailing ``/``), or refuse it.

    Each ``/``-separated segment must match ``[A-Za-z0-9_-]+``: no empty segments, no ``.`` or
    ``..``, no spaces, no non-ASCII characters.
    """
    if not isinstance(path, str):
        raise InvalidRequest(f"a topic name must be a string, got {type(path).__name__}")
    stripped = path.strip("/")
    if not stripped:
        raise InvalidRequest("a topic name must not be empty")
    if len(stripped) > MAX_NAME_LENGTH:
        raise InvalidRequest(
            f"topic name {_describe(stripped)} is {len(stripped)} characters long; "
            f"the limit is {MAX_NAME_LENGTH}"
        )
    for segment in stripped.split("/"):
        if not _SEGMENT.fullmatch(segment):
            raise InvalidRequest(
                f"invalid topic name {_describe(path)}: segments between '/' must be non-empty "
                "and use only ASCII letters, digits, '_' and '-'"
            )
    return stripped


def join_topic_locator(sequence: str, topic: str) -> str:
    """``("seq", "/a/b")`` → ``"seq/a/b"``, validating both parts."""
    return f"{validate_sequence_name(sequence)}/{validate_topic_path(topic)}"


def split_topic_locator(locator: object) -> tuple[str, str]:
    """``"seq/a/b"`` → ``("seq", "a/b")``, validating both parts."""
    if not isinstance(locator, str):
        raise InvalidRequest(f"a topic locator must be a string, got {type(locator).__name__}")
    sequence, sep, path = locator.strip("/").partition("/")
    if not sep:
        raise InvalidRequest(
            f"invalid topic locator {_describe(locator)}: expected '<sequence>/<topic path>'"
        )
    return validate_sequence_name(sequence), validate_topic_path(path)


def topic_name(path: str) -> str:
    """The client-side topic name of a topic path: ``a/b`` → ``/a/b``."""
    return "/" + path.strip("/")
