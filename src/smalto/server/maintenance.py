"""Keeping the store and the catalog consistent: recovery of dead uploads and garbage collection.

Objects are written before their catalog rows commit, so a crash can leave objects nothing points
at (a chunk put just before the crash, a temp file, the objects of a sequence whose deletion was
interrupted). Garbage collection deletes exactly those; it never touches a topic whose upload is
still claimed, because that upload may be between writing an object and registering it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from smalto.catalog import Catalog
from smalto.catalog.instances import RecoveredUpload
from smalto.storage import ObjectStore

__all__ = ["GarbageReport", "collect_garbage", "recover_uploads"]

log = logging.getLogger("smalto.server")

_ROOT = "sequences/"


@dataclass(frozen=True)
class GarbageReport:
    """What one garbage collection pass saw and removed."""

    scanned: int
    deleted: tuple[str, ...]


def _topic_uuid(key: str) -> str | None:
    parts = key.split("/")
    return parts[3] if len(parts) > 4 and parts[2] == "topics" else None


def collect_garbage(catalog: Catalog, store: ObjectStore) -> GarbageReport:
    """Delete every object under ``sequences/`` that the catalog does not reference.

    The store is listed *before* the catalog is read: an object listed then is either
    registered, or its topic's upload is still claimed, by the time the catalog is read; only
    objects that are neither are orphans. (Reading the catalog first would miss an upload
    claimed, and an object written, in between.)
    """
    keys = list(store.iter_keys(_ROOT))
    live = catalog.live_objects()
    deleted = []
    for key in keys:
        topic = _topic_uuid(key)
        if key in live.chunk_keys or topic in live.uploading_topic_uuids:
            continue
        store.delete(key)
        deleted.append(key)
    if deleted:
        log.info("garbage collection removed %d orphaned object(s)", len(deleted))
    return GarbageReport(scanned=len(keys), deleted=tuple(deleted))


def recover_uploads(catalog: Catalog, lease_seconds: float) -> list[RecoveredUpload]:
    """Close uploads whose server stopped heartbeating more than ``lease_seconds`` ago."""
    recovered = catalog.recover_interrupted_uploads(int(lease_seconds * 1e9))
    for upload in recovered:
        log.warning(
            "closed interrupted upload of '%s' (%d rows in %d chunks kept)",
            upload.locator,
            upload.row_count,
            upload.chunk_count,
        )
    return recovered
