"""What every event of the programme is: a frozen model named in the past tense, with a schema version.

Every event payload subclasses :class:`DomainEvent` and declares ``type: Literal["Name"] = "Name"``; that field
is the discriminator of the union the workflows use to carry events through Temporal. The stored payload leaves
``type`` out (the event store keeps it beside the payload).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class DomainEvent(BaseModel):
    """Base of every event payload. Subclasses set ``type`` to a Literal of their own name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    # Bumped when the stored shape changes; an upcaster then lifts older payloads to this version.
    schema_version: ClassVar[int] = 1

    def stored_payload(self) -> dict[str, Any]:
        """The payload as stored and hashed: JSON-mode values, without the ``type`` discriminator."""
        return self.model_dump(mode="json", exclude={"type"})
