"""Every projection phancong keeps, in the order the projector applies them."""

from __future__ import annotations

from projections.assignments import AssignmentProjection, DirectiveProjection
from projections.base import Projection


def all_projections() -> list[Projection]:
    return [AssignmentProjection(), DirectiveProjection()]
