"""Server-side notifications as the SDK presents them (`Notified`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from smalto.enums import NotifyType
from smalto.protocol.actions import Notification, NotificationListResponse
from smalto.protocol.locators import topic_name

__all__ = ["Notified", "parse_notifications"]


@dataclass(frozen=True)
class Notified:
    """One notification stored on the server for a sequence or one of its topics.

    ``topic_name`` is the topic name with a leading ``/`` for topic notifications and None for
    sequence ones; ``created_datetime`` is timezone-aware (UTC when the server sends none).
    """

    sequence_name: str
    notify_type: NotifyType
    message: str
    created_datetime: datetime
    topic_name: str | None = None


def _parse_datetime(text: str) -> datetime:
    """ISO 8601 text (a trailing `` UTC`` is accepted) → aware datetime, naive read as UTC."""
    cleaned = text.strip()
    if cleaned.endswith(" UTC"):
        cleaned = cleaned[: -len(" UTC")] + "+00:00"
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    parsed = datetime.fromisoformat(cleaned)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _to_notified(item: Notification) -> Notified:
    sequence, sep, path = item.name.strip("/").partition("/")
    return Notified(
        sequence_name=sequence,
        notify_type=item.notification_type,
        message=item.msg,
        created_datetime=_parse_datetime(item.created_datetime),
        topic_name=topic_name(path) if sep else None,
    )


def parse_notifications(response: Any) -> list[Notified]:
    """The ``*_notification_list`` response as `Notified` objects, in server order."""
    if response is None:
        return []
    listing = NotificationListResponse.model_validate(response)
    return [_to_notified(item) for item in listing.notifications]
