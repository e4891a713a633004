"""Who may read what, from one table per query: every subject of a history and every report scope, by every kind
of viewer, through the application layer on the in-memory ports (and the same rules the API uses)."""

from __future__ import annotations

import pytest

from app.history import history
from app.scopes import Facts, ReportScope, Subject, may_read_history, may_see_sensitive_figures, report_scope
from domain.actors import Actor, Role
from domain.commands import AcceptAssignment
from domain.errors import NotAllowedError
from tests.app.memory import context_of, memory_services
from tests.app.test_commands import ACTIVE, CELLS, START

pytestmark = pytest.mark.unit

HQ, AUDITOR = Actor(role=Role.HQ), Actor(role=Role.AUDITOR)


def who(role: str, unit: str) -> Actor:
    return Actor(role=Role(role), id=unit)


# (subject, id) -> viewers that may read its history; everyone else of the list may not.
HISTORIES = {
    (Subject.ASSIGNMENT, ACTIVE): {
        "hq", "auditor", "post:DBP-HAM-LUONG", "commune:TT-TIEM-TOM", "cell:CB-TT-AP2", "member:DV-HL-03",
    },
    (Subject.MEMBER, "DV-HL-03"): {"hq", "auditor", "post:DBP-HAM-LUONG", "commune:TT-TIEM-TOM", "member:DV-HL-03"},
    (Subject.CELL, "CB-TT-AP2"): {"hq", "auditor", "post:DBP-HAM-LUONG", "commune:TT-TIEM-TOM", "cell:CB-TT-AP2"},
}  # fmt: skip
VIEWERS = [
    "hq", "auditor", "post:DBP-HAM-LUONG", "post:DBP-BA-TRI", "commune:TT-TIEM-TOM", "commune:XA-AN-THUY",
    "cell:CB-TT-AP2", "cell:CB-TT-AP1", "member:DV-HL-03", "member:DV-HL-02",
]  # fmt: skip


def viewer(label: str) -> Actor:
    return Actor.parse(label)


@pytest.mark.parametrize(("subject", "subject_id", "label"), [(s, i, v) for (s, i) in HISTORIES for v in VIEWERS])
async def test_a_history_is_read_exactly_by_the_units_it_belongs_to(
    subject: Subject, subject_id: str, label: str
) -> None:
    s, memory = await memory_services(START)
    await memory.start(ACTIVE, member="DV-HL-03", post="DBP-HAM-LUONG", commune="TT-TIEM-TOM", cell="CB-TT-AP2",
                       context=context_of(CELLS, START))  # fmt: skip
    await memory.send(ACTIVE, AcceptAssignment(actor=who("commune", "TT-TIEM-TOM")))

    try:
        read = await history(s, viewer(label), subject, subject_id, None)
    except NotAllowedError:
        allowed = False
    else:
        allowed = True
        assert read.entries

    assert allowed == (label in HISTORIES[(subject, subject_id)])


def test_a_commune_reads_a_member_only_while_every_assignment_of_theirs_is_in_it() -> None:
    facts = Facts({"member": {"DV-1"}, "post": {"DBP-1"}, "commune": set()})  # served in two communes
    assert not may_read_history(who("commune", "XA-1"), facts)
    assert may_read_history(who("commune", "XA-1"), Facts({"commune": {"XA-1"}}))
    assert not may_read_history(who("commune", "XA-1"), None)
    assert may_read_history(AUDITOR, None)


REPORTS = [
    # viewer, --post, --commune -> the scope it gets, or forbidden
    ("hq", None, None, ReportScope(None, None)),
    ("hq", "DBP-1", "XA-1", ReportScope("DBP-1", "XA-1")),
    ("auditor", "DBP-2", None, ReportScope("DBP-2", None)),
    ("post:DBP-1", None, None, ReportScope("DBP-1", None)),
    ("post:DBP-1", "DBP-1", "XA-1", ReportScope("DBP-1", "XA-1")),
    ("post:DBP-1", "DBP-2", None, "forbidden"),
    ("commune:XA-1", None, None, ReportScope(None, "XA-1")),
    ("commune:XA-1", None, "XA-2", "forbidden"),
    ("cell:CB-1", None, None, "forbidden"),
    ("member:DV-1", None, None, "forbidden"),
]


@pytest.mark.parametrize(("label", "post", "commune", "scope"), REPORTS)
def test_a_report_covers_only_what_its_reader_may(
    label: str, post: str | None, commune: str | None, scope: ReportScope | str
) -> None:
    try:
        got: ReportScope | str = report_scope(viewer(label), post, commune)
    except NotAllowedError as refused:
        got = refused.code
    assert got == scope


def test_sensitive_figures_are_for_hq_auditors_and_a_post_about_its_own_members() -> None:
    assert may_see_sensitive_figures(HQ, ReportScope(None, None))
    assert may_see_sensitive_figures(AUDITOR, ReportScope("DBP-1", None))
    assert may_see_sensitive_figures(who("post", "DBP-1"), ReportScope("DBP-1", None))
    assert not may_see_sensitive_figures(who("commune", "XA-1"), ReportScope(None, "XA-1"))
