"""Context managers whose exit is their ``close()``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import TypeVar

__all__ = ["ClosesOnExit"]

_Self = TypeVar("_Self", bound="ClosesOnExit")


class ClosesOnExit(ABC):
    """Leaving the ``with`` block calls `close` and never suppresses an exception."""

    @abstractmethod
    def close(self) -> None:
        """Release what the object holds (idempotent)."""

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
