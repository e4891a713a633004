"""How the simulated people behave: most on time, some slow, a few absent or silent.

Every decision is drawn from a random generator seeded by the simulation's seed and the decision's own key,
so a simulation replays identically whatever the order its steps run in.
"""

from __future__ import annotations

import random

from domain.vocabulary import ActivityKind, Attendance, Grade


class Behaviour:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def rng(self, *key: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(str(k) for k in key))

    def commune_answer(self, assignment_id: str) -> tuple[int, bool]:
        """(days after the introduction, accepted?): most within days, some after reminders or escalation."""
        r = self.rng("commune", assignment_id)
        roll = r.random()
        if roll < 0.03:
            return r.randint(2, 10), False
        if roll < 0.73:
            return r.randint(1, 5), True
        if roll < 0.93:
            return r.randint(6, 14), True
        return r.randint(16, 22), True

    def member_reliability(self, member_id: str) -> float:
        """Probability of attending: most members reliable, a few irregular, a very few rarely there."""
        roll = self.rng("member", member_id).random()
        return 0.95 if roll < 0.82 else 0.72 if roll < 0.96 else 0.3

    def attendance(self, member_id: str, month: str) -> Attendance:
        r = self.rng("attendance", member_id, month)
        if r.random() < self.member_reliability(member_id):
            return Attendance.PRESENT
        return Attendance.EXCUSED if r.random() < 0.5 else Attendance.ABSENT

    def record_delay(self, cell_id: str, month: str) -> int | None:
        """Days after the meeting when the cell records it (None: never, and it is escalated)."""
        r = self.rng("record", cell_id, month)
        roll = r.random()
        if roll < 0.85:
            return 0
        if roll < 0.97:
            return r.randint(1, 6)
        return None

    def review_delay(self, who: str, assignment_id: str, period: str) -> int:
        r = self.rng("review", who, assignment_id, period)
        return 0 if r.random() < 0.6 else r.randint(1, 12)

    def grade(self, member_id: str, period: str) -> Grade:
        reliability = self.member_reliability(member_id)
        r = self.rng("grade", member_id, period).random()
        if reliability < 0.5:
            return Grade.NOT_COMPLETED if r < 0.6 else Grade.COMPLETED
        if r < 0.15:
            return Grade.EXCELLENT
        if r < 0.65:
            return Grade.GOOD
        return Grade.COMPLETED if r < 0.98 else Grade.NOT_COMPLETED

    def activities(self, member_id: str, day: str) -> list[tuple[ActivityKind, int, int]]:
        """(kind, quantity, amount in VND) the member logs on ``day`` (about two a month)."""
        r = self.rng("activity", member_id, day)
        if r.random() > 0.07:
            return []
        kind = r.choices(
            [ActivityKind.INFORMATION_SESSION, ActivityKind.WORKDAY, ActivityKind.MATERIAL_SUPPORT,
             ActivityKind.GIFT, ActivityKind.CANDIDATE_TRAINED, ActivityKind.MEMBER_ADMITTED],
            weights=[40, 20, 15, 12, 9, 4],
        )[0]  # fmt: skip
        amount = (
            r.randrange(500_000, 5_000_001, 50_000) if kind in (ActivityKind.MATERIAL_SUPPORT, ActivityKind.GIFT) else 0
        )
        quantity = r.randint(1, 3) if kind in (ActivityKind.WORKDAY, ActivityKind.INFORMATION_SESSION) else 1
        return [(kind, quantity, amount)]

    def nomination_delay(self, post_id: str, first_post: bool) -> int:
        """Days after the directive before a post nominates (the first post is slow: its cells get escalated)."""
        return 20 if first_post else self.rng("nominate", post_id).randint(0, 10)
