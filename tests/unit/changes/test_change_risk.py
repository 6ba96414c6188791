"""Risk classes from blast radii, and the approvals they need."""

from datetime import UTC, datetime

import pytest

from app.domain.changes import (
    RISK_RULES,
    Approval,
    ChangeType,
    CustomerExposure,
    RiskClass,
    ServiceExposure,
    approval_complete,
    approval_problems,
    assess_risk,
    pre_approved,
)
from app.domain.errors import ErrorCode

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def customer(tier: str, down: bool = True) -> CustomerExposure:
    return CustomerExposure(f"c-{tier}", tier, down)


def test_no_customers_and_no_services_is_low():
    assert assess_risk(ChangeType.NORMAL, [], []).risk == RiskClass.LOW


def test_a_platinum_outage_with_a_critical_service_is_high():
    assessment = assess_risk(
        ChangeType.NORMAL,
        [customer("platinum")],
        [ServiceExposure("shop", "critical", True)],
    )

    assert assessment.risk == RiskClass.HIGH
    assert assessment.score == 14


def test_at_risk_customers_count_a_share_of_their_tier():
    down = assess_risk(ChangeType.NORMAL, [customer("gold")], [])
    at_risk = assess_risk(ChangeType.NORMAL, [customer("gold", down=False)], [])

    assert at_risk.score == down.score * RISK_RULES.at_risk_share


def test_an_emergency_change_is_riskier_than_a_normal_one():
    normal = assess_risk(ChangeType.NORMAL, [customer("silver")], [])
    emergency = assess_risk(ChangeType.EMERGENCY, [customer("silver")], [])

    assert (normal.risk, emergency.risk) == (RiskClass.LOW, RiskClass.MEDIUM)


def test_the_explanation_names_every_finding():
    assessment = assess_risk(
        ChangeType.NORMAL,
        [customer("gold"), customer("gold"), customer("bronze", down=False)],
        [],
    )

    assert assessment.explanation[:2] == (
        "1 bronze customer(s) at risk: +0.5",
        "2 gold customer(s) lose service: +8",
    )
    assert assessment.explanation[-1] == "score 8.5 -> medium"


def test_the_score_never_drops_below_zero():
    assert assess_risk(ChangeType.STANDARD, [], []).score == 0


def test_a_customer_without_a_tier_still_counts():
    assessment = assess_risk(ChangeType.NORMAL, [CustomerExposure("x", None, True)], [])

    assert assessment.score == RISK_RULES.unknown_tier_points


def approval(actor: str, change_manager: bool = False) -> Approval:
    return Approval(actor, change_manager, NOW)


@pytest.mark.parametrize("risk", [RiskClass.LOW, RiskClass.MEDIUM])
def test_one_approval_suffices_below_high_risk(risk):
    assert approval_complete(risk, [approval("bob")])


def test_high_risk_needs_two_approvals():
    assert not approval_complete(RiskClass.HIGH, [approval("bob", True)])


def test_high_risk_needs_a_change_manager_among_them():
    assert not approval_complete(RiskClass.HIGH, [approval("bob"), approval("eve")])
    assert approval_complete(RiskClass.HIGH, [approval("bob"), approval("cm", True)])


def test_the_requester_may_not_approve():
    problems = approval_problems("alice", "alice", [])

    assert [(p.field, p.code) for p in problems] == [
        ("approver", ErrorCode.SELF_APPROVAL)
    ]


def test_nobody_approves_twice():
    assert approval_problems("alice", "bob", [approval("bob")])[0].code == (
        ErrorCode.DUPLICATE_ENTRY
    )


def test_only_standard_changes_below_high_risk_are_pre_approved():
    assert pre_approved(ChangeType.STANDARD, RiskClass.MEDIUM)
    assert not pre_approved(ChangeType.STANDARD, RiskClass.HIGH)
    assert not pre_approved(ChangeType.NORMAL, RiskClass.LOW)
