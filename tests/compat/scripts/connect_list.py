"""Connect with the official SDK and list sequences: ``{"sequences": [...], "version": ...}``."""

from __future__ import annotations

from official import connect, emit

with connect() as client:
    emit({"sequences": sorted(client.list_sequences()), "version": client.version()})
