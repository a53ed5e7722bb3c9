"""The smalto server: Arrow Flight over a SQL catalog and an object store."""

from __future__ import annotations

from smalto.server.app import SmaltoServer
from smalto.server.settings import DEFAULT_PORT, ServerSettings

__all__ = ["DEFAULT_PORT", "ServerSettings", "SmaltoServer"]
