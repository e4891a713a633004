"""Who may read what: the read side's scope rules, as pure functions beside the write side's (which are the
command rules of ``domain.decisions`` and ``domain.directive_rules``).

- HQ and auditors read everything.
- A post reads its own members, the cells of the communes it covers, the directives it is in and the
  assignments of its members; a commune reads its cells and the assignments in them, and the members serving in
  them; a cell and a member read themselves and their assignments.
- Sensitive household tags (DOMAIN.md) are shown only to HQ, auditors and the post whose member sponsors the
  household.
- Reports: HQ and auditors on anything, a post on its own members, a commune on itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from directory.model import SENSITIVE_TAGS, HouseholdTag
from domain.actors import Actor, Role
from domain.errors import NotAllowedError


class Subject(StrEnum):
    MEMBER = "member"
    CELL = "cell"
    DIRECTIVE = "directive"
    ASSIGNMENT = "assignment"


EVERYTHING = frozenset({Role.HQ, Role.AUDITOR})


@dataclass(frozen=True)
class Facts:
    """What the record says about a history's subject, as far as the scope rules need it: the units it belongs
    to, by role ("post", "commune", "cell", "member"), itself included.

    An assignment belongs to its post, commune, cells (asked and served) and member; a member to itself, its post,
    and the commune all its assignments are in (one whose member also served elsewhere would read another
    commune's record); a cell to itself, its commune and the posts covering it; a directive to its posts."""

    units: dict[str, set[str]]


def may_read_history(viewer: Actor, facts: Facts | None) -> bool:
    if viewer.role in EVERYTHING:
        return True
    if facts is None or viewer.id is None:
        return False
    return viewer.id in facts.units.get(viewer.role.value, set())


def check_history(viewer: Actor, subject: Subject, subject_id: str, facts: Facts | None) -> None:
    if not may_read_history(viewer, facts):
        raise NotAllowedError(f"{viewer} may not read the history of {subject.value} {subject_id}")


def sensitive_households(viewer: Actor, sponsored_by_viewer: Iterable[str]) -> set[str] | None:
    """Households whose sensitive tags ``viewer`` may see: None for all of them (HQ, auditors); a post those its
    members sponsor; nobody else any."""
    if viewer.role in EVERYTHING:
        return None
    if viewer.role == Role.POST:
        return set(sponsored_by_viewer)
    return set()


@dataclass(frozen=True)
class ReportScope:
    post: str | None
    commune: str | None


def report_scope(viewer: Actor, post: str | None, commune: str | None) -> ReportScope:
    """The units a report may cover for ``viewer`` (refused: another post's or commune's, or a cell's or
    member's report)."""
    if viewer.role in EVERYTHING:
        return ReportScope(post, commune)
    if viewer.role == Role.POST:
        if post not in (None, viewer.id):
            raise NotAllowedError(f"a post reports on its own members (--post {viewer.id})")
        return ReportScope(viewer.id, commune)
    if viewer.role == Role.COMMUNE:
        if commune not in (None, viewer.id):
            raise NotAllowedError(f"a commune reports on itself (--commune {viewer.id})")
        return ReportScope(post, viewer.id)
    raise NotAllowedError(f"reports are for hq, auditors, posts and communes, not {viewer.role.value}")


def may_see_sensitive_figures(viewer: Actor, scope: ReportScope) -> bool:
    """Household counts by sensitive tag: HQ, auditors, and a post about its own members."""
    return viewer.role in EVERYTHING or (viewer.role == Role.POST and scope.post == viewer.id)


def assignment_filter(viewer: Actor) -> dict[str, str]:
    """The assignments ``viewer`` may list, as read-model filters: HQ's and auditors' all; a post's, commune's,
    cell's (served in it) or member's own."""
    if viewer.role in EVERYTHING or viewer.id is None:
        return {}
    return {f"{viewer.role.value}_id": viewer.id}


def tasks_scope(viewer: Actor) -> tuple[str | None, str | None]:
    """(role, unit) of the assignments whose tasks ``viewer`` sees: their own, or everything's for HQ/auditors."""
    if viewer.role in EVERYTHING:
        return None, None
    return viewer.role.value, viewer.id


def require_role(viewer: Actor, *roles: Role) -> None:
    """Refuse (forbidden) a viewer outside ``roles``."""
    if viewer.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise NotAllowedError(f"this is done as {allowed}, not {viewer.role.value}")


def visible_tags(tags: Iterable[str], *, sensitive: bool) -> list[str]:
    """A household's tags as a reader sees them: the sensitive ones only for a reader allowed them."""
    return [t for t in tags if sensitive or t not in SENSITIVE_TAGS]


def counts_by_tag(counts: Mapping[str, int], *, sensitive: bool) -> dict[str, int]:
    """Households by tag as a reader sees them: every tag the reader may see, in the directory's order, each with
    its count (0 included); the sensitive ones not at all for a reader not allowed them (no key, no null), so the
    shape never depends on the data."""
    return {t.value: counts.get(t.value, 0) for t in HouseholdTag if sensitive or t.value not in SENSITIVE_TAGS}
