"""The assignment fold refuses event sequences that cannot happen (pure unit tests)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.assignment import FoldError, apply, fold
from domain.events.assignment import AppraisalSubmitted, AssignmentEnded, IntroductionSent, MemberNominated
from domain.vocabulary import AssignmentKind, EndReason, Stage

NOMINATED = MemberNominated(
    assignment_id="D:M:C",
    directive_id="D",
    kind=AssignmentKind.CELL_PARTICIPATION,
    member_id="M",
    post_id="P",
    commune_id="X",
    cell_id="C",
    nominated_on=date(2027, 1, 1),
)


def test_an_assignment_starts_with_its_nomination() -> None:
    with pytest.raises(FoldError):
        apply(None, IntroductionSent(commune_id="X", sent_on=date(2027, 1, 1), response_due_on=date(2027, 1, 16)))
    with pytest.raises(FoldError):
        fold([NOMINATED, NOMINATED])


def test_an_appraisal_needs_its_review() -> None:
    with pytest.raises(FoldError):
        fold([NOMINATED, AppraisalSubmitted(period="2027-Q1", cell_id="C", text="x")])


def test_the_fold_counts_versions_and_ends() -> None:
    state = fold([NOMINATED, AssignmentEnded(reason=EndReason.WITHDRAWN, ended_on=date(2027, 2, 1))])
    assert state is not None
    assert (state.version, state.stage, state.end_reason) == (2, Stage.ENDED, EndReason.WITHDRAWN)
    assert fold([]) is None
