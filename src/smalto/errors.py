"""The one smalto error tree.

Every error has a stable ``code`` (a wire string that never changes) and a ``status`` naming the
gRPC status it travels with. The server raises these; `smalto.protocol.errors` turns them into
Flight errors and the SDK turns those back into the same classes, so ``except SequenceNotFound``
works across the wire.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "AlreadyExists",
    "Conflict",
    "InvalidRequest",
    "NotFound",
    "PermissionDenied",
    "SequenceAlreadyExists",
    "SequenceNotFound",
    "SessionNotFound",
    "SmaltoError",
    "Status",
    "TopicAlreadyExists",
    "TopicNotFound",
    "Unauthenticated",
    "Unavailable",
    "error_class_for_code",
]


class Status(str, Enum):
    """gRPC status an error travels with."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL = "INTERNAL"


class SmaltoError(Exception):
    """Base of every error smalto raises on purpose."""

    code: str = "internal"
    status: Status = Status.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidRequest(SmaltoError, ValueError):
    """The request is malformed or breaks a documented limit; nothing was changed."""

    code = "invalid_request"
    status = Status.INVALID_ARGUMENT


class NotFound(SmaltoError, LookupError):
    """A named resource does not exist."""

    code = "not_found"
    status = Status.NOT_FOUND


class SequenceNotFound(NotFound):
    """No sequence has that name."""

    code = "sequence_not_found"


class TopicNotFound(NotFound):
    """No topic has that locator."""

    code = "topic_not_found"


class SessionNotFound(NotFound):
    """No session has that uuid."""

    code = "session_not_found"


class AlreadyExists(SmaltoError):
    """A resource with that name already exists."""

    code = "already_exists"
    status = Status.ALREADY_EXISTS


class SequenceAlreadyExists(AlreadyExists):
    """A sequence with that name already exists."""

    code = "sequence_already_exists"


class TopicAlreadyExists(AlreadyExists):
    """A topic with that locator already exists."""

    code = "topic_already_exists"


class Conflict(SmaltoError):
    """The resource is in a state that forbids the operation (locked, pending, uploading)."""

    code = "conflict"
    status = Status.FAILED_PRECONDITION


class Unauthenticated(SmaltoError):
    """The request carries no valid API key."""

    code = "unauthenticated"
    status = Status.UNAUTHENTICATED


class PermissionDenied(SmaltoError):
    """The API key is valid but its permission level is too low."""

    code = "permission_denied"
    status = Status.PERMISSION_DENIED


class Unavailable(SmaltoError):
    """The server cannot be reached or is shutting down."""

    code = "unavailable"
    status = Status.UNAVAILABLE


def _all_subclasses(cls: type[SmaltoError]) -> list[type[SmaltoError]]:
    found: list[type[SmaltoError]] = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_subclasses(sub))
    return found


def error_class_for_code(code: str) -> type[SmaltoError]:
    """The error class whose stable ``code`` is ``code`` (``SmaltoError`` when unknown)."""
    for cls in _all_subclasses(SmaltoError):
        if cls.code == code:
            return cls
    return SmaltoError
