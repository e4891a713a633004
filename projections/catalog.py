"""Every projection phancong keeps, in the order the projector applies them (later ones read earlier ones)."""

from __future__ import annotations

from projections.accounts import AccountProjection
from projections.assignments import AssignmentProjection, DirectiveProjection
from projections.base import Projection
from projections.directory import DirectoryProjection
from projections.reports import FactsProjection, SummaryProjection


def all_projections() -> list[Projection]:
    return [
        DirectoryProjection(),
        AssignmentProjection(),
        DirectiveProjection(),
        FactsProjection(),
        SummaryProjection(),
        AccountProjection(),
    ]


def read_model_tables() -> list[str]:
    """Every table the projections own, and the checkpoints that say how far they are."""
    return [table for p in all_projections() for table in p.tables] + ["projection_failures", "projection_checkpoints"]
