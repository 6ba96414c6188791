"""The pure incident rules: transitions, urgency, link kinds and priority."""

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.incidents import (
    PRIORITY_MATRIX,
    IncidentStatus,
    PriorityInput,
    Transition,
    check_link_kind,
    check_title,
    derive_priority,
    next_status,
    parse_urgency,
)


def make_customer(tier: str, state: str = "down", key: str = "c") -> PriorityInput:
    return PriorityInput("Customer", key, state, sla_tier=tier)


def make_service(criticality: str, state: str = "down") -> PriorityInput:
    return PriorityInput("Service", "s", state, criticality=criticality)


@pytest.mark.parametrize(
    ("current", "step", "expected"),
    [
        ("new", Transition.ACKNOWLEDGE, IncidentStatus.ACKNOWLEDGED),
        ("new", Transition.RESOLVE, IncidentStatus.RESOLVED),
        ("acknowledged", Transition.RESOLVE, IncidentStatus.RESOLVED),
        ("resolved", Transition.CLOSE, IncidentStatus.CLOSED),
        ("resolved", Transition.REOPEN, IncidentStatus.ACKNOWLEDGED),
        ("closed", Transition.REOPEN, IncidentStatus.ACKNOWLEDGED),
    ],
)
def test_allowed_transitions(current, step, expected):
    assert next_status(current, step)[0] is expected


@pytest.mark.parametrize(
    ("current", "step"),
    [
        ("new", Transition.CLOSE),
        ("resolved", Transition.RESOLVE),
        ("closed", Transition.ACKNOWLEDGE),
        ("acknowledged", Transition.REOPEN),
        ("new", Transition.REOPEN),
    ],
)
def test_refused_transitions_name_the_status_field(current, step):
    with pytest.raises(CMDBError) as raised:
        next_status(current, step)

    assert (raised.value.code, raised.value.problems[0].field) == (
        ErrorCode.INVALID_TRANSITION,
        "status",
    )


def test_transition_names_the_timestamp_it_sets():
    assert next_status("acknowledged", Transition.RESOLVE)[1] == "resolved_at"


@pytest.mark.parametrize(
    ("given", "urgency"), [(1, 1), ("2", 2), ("high", 1), ("Low", 3), ("medium", 2)]
)
def test_urgency_by_number_or_name(given, urgency):
    assert parse_urgency(given) == urgency


@pytest.mark.parametrize("given", [0, 4, "urgent", None])
def test_bad_urgency_is_refused(given):
    with pytest.raises(CMDBError):
        parse_urgency(given)


def test_empty_title_is_refused():
    with pytest.raises(CMDBError) as raised:
        check_title("   ")

    assert raised.value.problems[0].field == "title"


def test_do_not_notify_is_for_customers_only():
    assert check_link_kind("do_not_notify", "Customer") == "do_not_notify"
    with pytest.raises(CMDBError):
        check_link_kind("do_not_notify", "Host")


def test_computed_is_not_a_kind_a_person_sets():
    with pytest.raises(CMDBError):
        check_link_kind("computed", "Host")


def test_matrix_is_impact_plus_urgency():
    assert all(p == i + u - 1 for (i, u), p in PRIORITY_MATRIX.items())


def test_platinum_customer_down_is_extensive_impact():
    priority = derive_priority(1, [make_customer("platinum")])

    assert (priority.impact, priority.label) == (1, "P1")


def test_critical_service_down_is_extensive_impact():
    assert derive_priority(2, [make_service("critical")]).priority == 2


def test_ten_customers_down_is_extensive_impact():
    customers = [make_customer("bronze", key=f"c{n}") for n in range(10)]

    assert derive_priority(3, customers).impact == 1


def test_gold_customer_degraded_is_significant_impact():
    assert derive_priority(1, [make_customer("gold", "degraded")]).impact == 2


def test_nothing_notable_is_minor_impact():
    priority = derive_priority(3, [make_customer("bronze", "degraded")])

    assert (priority.impact, priority.label) == (3, "P5")
    assert "no rule" in priority.explanation


def test_explanation_names_the_rule_and_the_inputs():
    priority = derive_priority(1, [make_customer("platinum", key="acme")])

    assert "platinum" in priority.explanation
    assert "acme" in priority.explanation
    assert priority.inputs["customers_by_tier"] == {"platinum": 1}
