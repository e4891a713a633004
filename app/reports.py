"""HQ's report (DOMAIN.md, "What HQ reports"): for a directive, a post, a commune or the province, over a period.

Definitions (the same everywhere, and in the README):

- An assignment *serves* on a day when it joined on or before it and had not ended before it.
- *Members participating*: members with an assignment serving on some day of the period, either way; *members
  in cells* counts cell participation only, *members in charge of households* household sponsorship only.
- *Cells covered*, *communes covered*, *households in charge*: as on the last day of the period. Cells are those of
  cell-participation directives, covered by a member serving in them; a household directive's villages are
  counted apart (*villages with sponsored households*: where a household in charge lives).
- Meetings, activities, appraisals, grades, commendations, corrections: those whose business date falls in the
  period (the meeting's day, the activity's day, the day the step was taken); *rotations*: assignments ended
  as ``rotated`` in the period. *Attendance rate*: meetings attended ÷ meetings recorded.
- *Overdue tasks*: tasks open now whose deadline had passed on the last day of the period.
- The period: ``--from``/``--to``; by default the term, ending today while a directive is still open.

The figures come from the read models (``app.ports.Reports``); who may see which is ``app.scopes``'s.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field

from app.actors import known, known_entry
from app.directory import STREAM as DIRECTORY
from app.directory import require_vault
from app.scopes import counts_by_tag, may_see_sensitive_figures, report_scope
from app.services import Services
from app.tasks import open_tasks
from directory.entries import fold_entries
from directory.model import SENSITIVE_TAGS
from domain.actors import Actor, Role
from domain.bounds import directive_code
from domain.calendar import VIETNAM, add_months
from domain.errors import InvalidInputError, PhancongError
from domain.events.directory import EntryKind

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
    outside_terms: bool = False  # the period overlaps no directive's term (the report says so)
    members_participating: int  # either way: in a cell, or in charge of households
    members_in_cells: int  # cell participation: members serving in a village cell some day of the period
    members_sponsoring: int  # household sponsorship: members in charge of households some day of the period
    cells_in_scope: int
    cells_covered: int
    cells_by_category: dict[str, tuple[int, int]]  # category -> (covered, in scope)
    priority_cells: int
    priority_cells_covered: int
    communes_in_scope: int
    communes_covered: int
    households_in_scope: int
    villages_in_scope: int  # the villages (cells) where a household in scope lives
    villages_sponsored: int  # the villages where a household in charge on the last day lives
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
    overdue_tasks: int | None  # None in a report as of an earlier instant (tasks are today's)
    as_of: datetime | None = None  # the instant the report is as of (None: now)
    scoped_assignments: list[str] = Field(default_factory=list, exclude=True)  # whose overdue tasks count
    households_in_charge_ids: list[str] = Field(default_factory=list, exclude=True)  # whose tags are counted

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
    as_of: datetime | None = None,
) -> Figures:
    """The report ``viewer`` may read: HQ and auditors on anything, a post on its own members, a commune on itself;
    with ``as_of``, as it could have been printed at that instant (from the events recorded before it)."""
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
    figures: Figures = await s.reports.figures(scope, s.today, as_of)
    by_tag = await households_by_tag(
        s,
        figures.households_in_charge_ids,
        figures.end,
        sensitive=may_see_sensitive_figures(viewer, scoped),
        as_of=as_of,
    )
    # Overdue tasks are today's open tasks: a report as of an earlier instant has none to show (None).
    overdue = await _overdue(s, figures, scope) if as_of is None else None
    return figures.model_copy(update={"overdue_tasks": overdue, "households_by_tag": by_tag, "as_of": as_of})


PERIODS = ("year", "quarter", "month")
UNITS = ("post", "commune")
MAX_COLUMNS = 120  # ten years by month


class Column(BaseModel):
    """One column of a report side by side: a period (``2019``, ``2024-Q3``, ``2026-05``) or a unit (a post's or a
    commune's id), with its figures."""

    model_config = ConfigDict(frozen=True)

    label: str
    figures: Figures


def periods(start: date, end: date, by: str) -> list[tuple[str, date, date]]:
    """``[start, end]`` cut into calendar years, quarters or months (the first and last clipped to it)."""
    if by not in PERIODS:
        raise InvalidInputError(f"--by {by!r}: one of {', '.join((*PERIODS, *UNITS))}")
    out: list[tuple[str, date, date]] = []
    cursor = start
    while cursor <= end:
        if by == "year":
            first, label = date(cursor.year, 1, 1), f"{cursor.year}"
            following = date(cursor.year + 1, 1, 1)
        elif by == "quarter":
            quarter = (cursor.month - 1) // 3
            first, label = date(cursor.year, 3 * quarter + 1, 1), f"{cursor.year}-Q{quarter + 1}"
            following = add_months(first, 3)
        else:
            first, label = date(cursor.year, cursor.month, 1), f"{cursor.year}-{cursor.month:02d}"
            following = add_months(first, 1)
        out.append((label, max(first, start), min(following - timedelta(days=1), end)))
        cursor = following
        if len(out) > MAX_COLUMNS:
            raise InvalidInputError(f"--by {by}: at most {MAX_COLUMNS} periods side by side; give --from and --to")
    return out


async def side_by_side(
    s: Services,
    viewer: Actor,
    by: str,
    *,
    directive: str | None = None,
    post: str | None = None,
    commune: str | None = None,
    start: date | None = None,
    end: date | None = None,
    simulated: bool = False,
    as_of: datetime | None = None,
) -> tuple[Figures, list[Column]]:
    """The report for the whole period, and the same report per year, quarter or month of it, or per post or
    commune in it (the units the viewer may report on), each computed as the report itself is."""

    async def one(first: date | None, last: date | None, unit: str | None = None) -> Figures:
        return await report(
            s, viewer, directive=directive, post=unit if by == "post" and unit else post,
            commune=unit if by == "commune" and unit else commune, start=first, end=last, simulated=simulated,
            as_of=as_of,
        )  # fmt: skip

    whole = await one(start, end)
    if by in UNITS:
        units = await _units(s, by, whole)
        if len(units) > MAX_COLUMNS:
            raise InvalidInputError(f"--by {by}: {len(units)} units; at most {MAX_COLUMNS} side by side")
        return whole, [Column(label=u, figures=await one(whole.start, whole.end, u)) for u in units]
    return whole, [Column(label=label, figures=await one(a, b)) for label, a, b in periods(whole.start, whole.end, by)]


async def _units(s: Services, by: str, whole: Figures) -> list[str]:
    """The posts or communes of the report's directives that the report (and the viewer) covers."""
    posts = {p.id: p for p in await s.directory.posts()}
    in_directives: set[str] = set()
    for code in whole.directives:
        in_directives |= await s.read.directive_posts(code) or set()
    chosen = [p for p in sorted(in_directives) if whole.post in (None, p) and p in posts]
    if by == "post":
        return [p for p in chosen if whole.commune is None or whole.commune in posts[p].communes]
    communes = sorted({c for p in chosen for c in posts[p].communes})
    return [c for c in communes if whole.commune in (None, c)]


async def households_by_tag(
    s: Services, households: list[str], end: date, *, sensitive: bool, as_of: datetime | None = None
) -> dict[str, int]:
    """The tags of ``households`` as the directory stood on ``end`` (its events up to that day's end, Viet Nam time,
    not today's tables): a report of a past period does not change when the directory changes later. Every tag the
    reader may see, with its count (0 included); the sensitive ones only for a reader allowed them, opened from
    their sealed boxes (an erased household's are gone, counted nowhere)."""
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=VIETNAM)
    if not households:
        return counts_by_tag(Counter(), sensitive=sensitive)
    version = await s.log.stream_version(DIRECTORY)
    last = await s.log.read_stream(DIRECTORY, after_version=version - 1) if version else []
    if all(e.occurred_at < until and (as_of is None or e.recorded_at < as_of) for e in last):
        # The directory has not changed since: as it stands is as it stood (the read model, without a fold).
        found = await s.directory.households(ids=households, reveal=sensitive)
        return counts_by_tag(Counter(str(t) for h in found for t in h.tags), sensitive=sensitive)
    standing = fold_entries(
        e.payload
        for e in await s.log.read_stream(DIRECTORY)
        if e.occurred_at < until and (as_of is None or e.recorded_at < as_of)
    )
    rows = [(h, entry.data) for h in households if (entry := standing.get((EntryKind.HOUSEHOLD, h))) is not None]
    tags: Counter[str] = Counter(t for _, data in rows for t in data.get("tags") or [] if t not in SENSITIVE_TAGS)
    if sensitive and rows:
        for secret in await require_vault(s.vault).open(rows):
            tags.update(secret.get("tags", []) if secret else [])
    return counts_by_tag(tags, sensitive=sensitive)


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
