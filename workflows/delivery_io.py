"""Inputs of the delivery and digest workflows and their activities."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.actors import Actor


class DeliveryInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: UUID
    max_attempts: int = 8
    backoff_seconds: int = 30
    attempt_timeout_seconds: int = 90  # a send not answered by then counts as failed (and is tried again)
    retried_by: Actor | None = None  # HQ asked to try a dead-lettered notification again


class DeliveryRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: UUID
    status: str  # pending | delivered | dead
    attempts: int
    error: str | None = None


class DigestInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: date | None = None  # default: today in Viet Nam
