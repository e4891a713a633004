"""Deterministic identifiers: the same assignment, event or notice always gets the same id."""

from __future__ import annotations

import uuid

# uuid5 namespace of phancong's identifiers.
PHANCONG_NAMESPACE = uuid.UUID("6f1c2b8e-3d5a-5e0f-9a47-7068616e636f")


def event_id(stream_id: str, version: int) -> uuid.UUID:
    """The id of the event at ``version`` of ``stream_id``: a retried or replayed append sends the same id."""
    return uuid.uuid5(PHANCONG_NAMESPACE, f"event/{stream_id}/{version}")


def notification_id(stream_id: str, key: str, recipient: str) -> uuid.UUID:
    return uuid.uuid5(PHANCONG_NAMESPACE, f"notice/{stream_id}/{key}/{recipient}")


def assignment_id(directive_id: str, member_id: str, target_id: str) -> str:
    return f"{directive_id}:{member_id}:{target_id}"


def assignment_workflow_id(assignment_id: str) -> str:
    return f"assignment:{assignment_id}"


def directive_workflow_id(directive_id: str) -> str:
    return f"directive:{directive_id}"
