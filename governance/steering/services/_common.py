"""The status alias and the status check that every steering step uses."""

from __future__ import annotations

from app.services import ServiceError
from governance.steering.models import (
    Meeting,
    MeetingStatus,
)

M = MeetingStatus


def _require_status(meeting: Meeting, allowed: tuple[MeetingStatus, ...], message) -> None:
    if meeting.status not in {s.value for s in allowed}:
        raise ServiceError(str(message))
