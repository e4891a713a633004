"""HQ's report (DOMAIN.md, "What HQ reports"): for a directive, a post, a commune or the province, over a period.

Definitions (the same everywhere, and in the README):

- An assignment *serves* on a day when it joined on or before it and had not ended before it.
- *Members participating*: members with an assignment serving on some day of the period.
- *Cells covered*, *communes covered*, *households in charge*: as on the last day of the period.
- Meetings, activities, appraisals, grades, commendations, corrections: those whose business date falls in the
  period (the meeting's day, the activity's day, the day the step was taken); *rotations*: assignments ended
  as ``rotated`` in the period. *Attendance rate*: meetings attended ÷ meetings recorded.
- *Overdue tasks*: tasks open now whose deadline had passed on the last day of the period.
- The period: ``--from``/``--to``; by default the term, ending today while a directive is still open.

The figures come from the read models (``app.ports.Reports``); who may see which is ``app.scopes``'s.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.actors import known, known_entry
from app.scopes import may_see_sensitive_figures, report_scope
from app.services import Services
from app.tasks import open_tasks
from domain.actors import Actor, Role
from domain.bounds import directive_code
from domain.errors import PhancongError

CATEGORY_ORDER = ("bordering", "complex_security", "weak", "zero_member_village", "none")
ACTIVITY_KINDS = (
    "information_session",
    "household_visit",
    "propaganda",
    "workday",
    "material_support",
    "gift",
    "candidate_trained",
    "member_admitted",
)


class ReportRangeError(PhancongError):
    code = "date_out_of_range"


class Scope(BaseModel):
    model_config = ConfigDict(frozen=True)

    directive: str | None = None
    post: str | None = None
    commune: str | None = None
    start: date | None = None
    end: date | None = None
    simulated: bool = False  # include simulated directives (always, when --directive names one)


class Figures(BaseModel):
    model_config = ConfigDict(frozen=True)

    directives: list[str]
    title: str | None
    start: date
    end: date
    post: str | None
    commune: str | None
    members_participating: int
    cells_in_scope: int
    cells_covered: int
    cells_by_category: dict[str, tuple[int, int]]  # category -> (covered, in scope)
    priority_cells: int
    priority_cells_covered: int
    communes_in_scope: int
    communes_covered: int
    households_in_scope: int
    households_in_charge: int
    household_members: int  # members in charge of households
    households_by_tag: dict[str, int]  # every tag the viewer may see (sensitive ones: HQ, auditors, own post)
    activities: dict[str, int]  # kind -> quantity (sessions, visits, workdays, gifts, people)
    material_support_vnd: int
    gifts_vnd: int
    meetings_recorded: int
    meetings_present: int
    meetings_excused: int
    meetings_absent: int
    appraisals: int
    grades: dict[str, int]
    commendations: int
    corrections: int
    rotations: int
    overdue_tasks: int
    scoped_assignments: list[str] = Field(default_factory=list, exclude=True)  # whose overdue tasks count

    @property
    def attendance_rate(self) -> float | None:
        return self.meetings_present / self.meetings_recorded if self.meetings_recorded else None

    @property
    def priority_share(self) -> float | None:
        return self.priority_cells_covered / self.priority_cells if self.priority_cells else None

    @property
    def households_per_member(self) -> float | None:
        return self.households_in_charge / self.household_members if self.household_members else None


async def report(
    s: Services,
    viewer: Actor,
    *,
    directive: str | None = None,
    post: str | None = None,
    commune: str | None = None,
    start: date | None = None,
    end: date | None = None,
    simulated: bool = False,
) -> Figures:
    """The report ``viewer`` may read: HQ and auditors on anything, a post on its own members, a commune on itself."""
    assert s.reports is not None, "the reports port is connected where reports are read"
    await known(s.directory, viewer)
    scoped = report_scope(
        viewer,
        await known_entry(s.directory, "post", post, "--post"),
        await known_entry(s.directory, "commune", commune, "--commune"),
    )
    scope = Scope(
        directive=directive_code(directive, "--directive") if directive else None,
        post=scoped.post,
        commune=scoped.commune,
        start=start,
        end=end,
        simulated=simulated,
    )
    await s.read.catch_up()
    figures: Figures = await s.reports.figures(scope, may_see_sensitive_figures(viewer, scoped), s.today)
    return figures.model_copy(update={"overdue_tasks": await _overdue(s, figures, scope)})


async def _overdue(s: Services, figures: Figures, scope: Scope) -> int:
    """Tasks open now whose deadline had passed on the period's last day, of the report's assignments (and, for a
    report not of one commune, its posts' nominations)."""
    scoped = set(figures.scoped_assignments)
    return sum(
        1
        for t in await open_tasks(s.read, Actor(role=Role.HQ), figures.end)
        if t.overdue
        and t.directive_id in figures.directives
        and (
            (t.assignment_id is not None and t.assignment_id in scoped)
            or (t.assignment_id is None and scope.commune is None and (scope.post is None or t.actor.id == scope.post))
        )
    )
