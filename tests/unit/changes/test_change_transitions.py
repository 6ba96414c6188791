"""The transition table of change requests."""

import pytest

from app.domain.changes import TRANSITIONS, ChangeAction, ChangeState, next_state
from app.domain.errors import CMDBError, ErrorCode


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (ChangeState.DRAFT, ChangeAction.SUBMIT, ChangeState.SUBMITTED),
        (ChangeState.SUBMITTED, ChangeAction.APPROVE, ChangeState.APPROVED),
        (ChangeState.SUBMITTED, ChangeAction.REJECT, ChangeState.REJECTED),
        (ChangeState.APPROVED, ChangeAction.SCHEDULE, ChangeState.SCHEDULED),
        (ChangeState.SCHEDULED, ChangeAction.START, ChangeState.IN_PROGRESS),
        (ChangeState.IN_PROGRESS, ChangeAction.COMPLETE, ChangeState.COMPLETED),
        (ChangeState.IN_PROGRESS, ChangeAction.FAIL, ChangeState.FAILED),
        (ChangeState.REJECTED, ChangeAction.REVISE, ChangeState.DRAFT),
    ],
)
def test_allowed_transitions_lead_where_the_table_says(state, action, expected):
    assert next_state(state, action) == expected


def test_a_draft_cannot_start():
    with pytest.raises(CMDBError) as error:
        next_state(ChangeState.DRAFT, ChangeAction.START)

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert error.value.problems[0].field == "state"
    assert "allowed: cancel, submit" in str(error.value)


@pytest.mark.parametrize(
    "final", [ChangeState.COMPLETED, ChangeState.FAILED, ChangeState.CANCELLED]
)
def test_final_states_lead_nowhere(final):
    assert not [action for (state, action) in TRANSITIONS if state == final]


def test_work_under_way_cannot_be_cancelled():
    with pytest.raises(CMDBError):
        next_state(ChangeState.IN_PROGRESS, ChangeAction.CANCEL)


def test_every_state_is_reachable_from_draft():
    reached, frontier = {ChangeState.DRAFT}, [ChangeState.DRAFT]
    while frontier:
        state = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source == state and target not in reached:
                reached.add(target)
                frontier.append(target)

    assert reached == set(ChangeState)
