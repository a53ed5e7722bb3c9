"""Error mapping at the Flight boundary, both ways.

The server turns a `SmaltoError` into the pyarrow exception that yields its gRPC status, with the
message prefixed by ``smalto[<code>]: ``; the SDK reads the prefix back and raises the same class.
pyarrow can only emit some statuses from Python: ALREADY_EXISTS and FAILED_PRECONDITION travel as
INVALID_ARGUMENT, and the code in the message keeps them apart.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.flight as flight

from smalto.errors import SmaltoError, Status, error_class_for_code

__all__ = ["from_flight_error", "to_flight_error"]

_MARKER = re.compile(r"smalto\[([a-z_]+)\]: (.*?)(?:\. Detail: |\Z)", re.DOTALL)


class _NotFoundError(KeyError):
    """A KeyError whose text is not quoted (pyarrow maps KeyError to NOT_FOUND)."""

    def __str__(self) -> str:
        return str(self.args[0])


def to_flight_error(error: SmaltoError) -> Exception:
    """The exception a Flight handler raises for ``error``."""
    text = f"smalto[{error.code}]: {error.message}"
    status = error.status
    if status is Status.NOT_FOUND:
        return _NotFoundError(text)
    if status is Status.UNAUTHENTICATED:
        return flight.FlightUnauthenticatedError(text)
    if status is Status.PERMISSION_DENIED:
        return flight.FlightUnauthorizedError(text)
    if status is Status.UNAVAILABLE:
        return flight.FlightUnavailableError(text)
    if status is Status.INTERNAL:
        return flight.FlightInternalError(text)
    return pa.ArrowInvalid(text)


def from_flight_error(exc: BaseException) -> SmaltoError | None:
    """The `SmaltoError` a Flight exception stands for, or None if it carries no smalto code."""
    match = _MARKER.search(str(exc))
    if match is None:
        return None
    return error_class_for_code(match.group(1))(match.group(2))
