"""Change requests as data: states, transitions, windows, risk and approval.

Pure: the services ask these functions what a change may do next, how risky
its blast radius makes it and whether its approvals suffice.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.domain.errors import CMDBError, ErrorCode, Problem


class ChangeType(StrEnum):
    """ITIL change types."""

    STANDARD = "standard"
    NORMAL = "normal"
    EMERGENCY = "emergency"


class ChangeState(StrEnum):
    """Where a change request is in its life."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ChangeAction(StrEnum):
    """What a person (or the service) does to move a change on."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    SCHEDULE = "schedule"
    START = "start"
    COMPLETE = "complete"
    FAIL = "fail"
    CANCEL = "cancel"
    REVISE = "revise"


class RiskClass(StrEnum):
    """How risky a change is judged from its blast radius."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


S, A = ChangeState, ChangeAction
TRANSITIONS: Mapping[tuple[ChangeState, ChangeAction], ChangeState] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.CANCEL): S.CANCELLED,
    (S.REJECTED, A.REVISE): S.DRAFT,
    (S.APPROVED, A.SCHEDULE): S.SCHEDULED,
    (S.APPROVED, A.START): S.IN_PROGRESS,
    (S.APPROVED, A.CANCEL): S.CANCELLED,
    (S.SCHEDULED, A.START): S.IN_PROGRESS,
    (S.SCHEDULED, A.CANCEL): S.CANCELLED,
    (S.IN_PROGRESS, A.COMPLETE): S.COMPLETED,
    (S.IN_PROGRESS, A.FAIL): S.FAILED,
}
del S, A

# States whose targets and window may still be edited.
EDITABLE = frozenset({ChangeState.DRAFT, ChangeState.SUBMITTED})
# States in which a change is committed to its window and covers its CIs.
AUTHORISED = frozenset(
    {ChangeState.APPROVED, ChangeState.SCHEDULED, ChangeState.IN_PROGRESS}
)
# States in which a change takes part in conflict detection.
PLANNED = AUTHORISED | {ChangeState.SUBMITTED}
# States a retroactive change may be in to account for an unauthorised one.
ACCOUNTABLE = frozenset(ChangeState) - {
    ChangeState.DRAFT,
    ChangeState.REJECTED,
    ChangeState.CANCELLED,
}


def next_state(state: ChangeState, action: ChangeAction) -> ChangeState:
    """Return the state ``action`` leads to; INVALID_TRANSITION when it may not.

    >>> next_state(ChangeState.DRAFT, ChangeAction.SUBMIT)
    <ChangeState.SUBMITTED: 'submitted'>
    """
    target = TRANSITIONS.get((state, action))
    if target is None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s == state) or ["none"]
        raise CMDBError.single(
            "state",
            ErrorCode.INVALID_TRANSITION,
            f"a {state.value} change cannot {action.value}; "
            f"allowed: {', '.join(allowed)}",
        )
    return target


def window_problems(
    start: datetime | None, end: datetime | None, field_prefix: str = "window"
) -> list[Problem]:
    """Return what is wrong with a planned window: missing, naive or reversed."""
    problems = []
    for name, value in (("start", start), ("end", end)):
        where = f"{field_prefix}.{name}"
        if value is None:
            problems.append(Problem(where, ErrorCode.MISSING_PROPERTY, "required"))
        elif value.tzinfo is None:
            message = "give a time zone (such as Z or +01:00)"
            problems.append(Problem(where, ErrorCode.INVALID_VALUE, message))
    if not problems and end <= start:
        message = f"the window ends ({end.isoformat()}) before it starts"
        where = f"{field_prefix}.end"
        problems.append(Problem(where, ErrorCode.INVALID_VALUE, message))
    return problems


def windows_overlap(
    first: tuple[datetime, datetime], second: tuple[datetime, datetime]
) -> bool:
    """Tell whether two half-open windows ``[start, end)`` share any moment.

    >>> from datetime import UTC
    >>> day = lambda d: datetime(2026, 1, d, tzinfo=UTC)
    >>> windows_overlap((day(1), day(3)), (day(2), day(4)))
    True
    >>> windows_overlap((day(1), day(2)), (day(2), day(3)))
    False
    """
    return first[0] < second[1] and second[0] < first[1]


def window_contains(window: tuple[datetime, datetime], moment: datetime) -> bool:
    """Tell whether ``moment`` falls in the half-open window."""
    return window[0] <= moment < window[1]


@dataclass(frozen=True)
class RiskRules:
    """Points each finding adds to a change's risk, and where classes begin.

    Customers who lose service count their tier's points; customers who are
    only at risk count ``at_risk_share`` of them. Each affected service adds
    the points of its criticality. The change type adds its own points.
    """

    tier_points: Mapping[str, float]
    at_risk_share: float
    service_points: Mapping[str, float]
    type_points: Mapping[ChangeType, float]
    medium_from: float
    high_from: float
    unknown_tier_points: float = 1.0


RISK_RULES = RiskRules(
    tier_points={"platinum": 8, "gold": 4, "silver": 2, "bronze": 1},
    at_risk_share=0.5,
    service_points={"critical": 6, "high": 3, "medium": 1, "low": 0},
    type_points={
        ChangeType.STANDARD: -2,
        ChangeType.NORMAL: 0,
        ChangeType.EMERGENCY: 4,
    },
    medium_from=4,
    high_from=10,
)


@dataclass(frozen=True)
class CustomerExposure:
    """An affected customer as risk sees it."""

    key: str
    sla_tier: str | None
    down: bool


@dataclass(frozen=True)
class ServiceExposure:
    """An affected service as risk sees it."""

    key: str
    criticality: str
    down: bool


@dataclass(frozen=True)
class RiskAssessment:
    """The risk class, its score and one line per finding that made it."""

    risk: RiskClass
    score: float
    explanation: tuple[str, ...] = field(default_factory=tuple)


def assess_risk(
    change_type: ChangeType,
    customers: Iterable[CustomerExposure],
    services: Iterable[ServiceExposure],
    rules: RiskRules = RISK_RULES,
) -> RiskAssessment:
    """Score a blast radius with the rules and explain every point.

    >>> assess_risk(ChangeType.NORMAL, [CustomerExposure("c1", "gold", True)], [])
    ... # doctest: +NORMALIZE_WHITESPACE
    RiskAssessment(risk=<RiskClass.MEDIUM: 'medium'>, score=4.0,
        explanation=('1 gold customer(s) lose service: +4',
                     'normal change: +0', 'score 4 -> medium'))
    """
    lines, score = [], 0.0
    for (tier, down), count in sorted(_customer_groups(customers).items()):
        share = 1.0 if down else rules.at_risk_share
        points = count * share * rules.tier_points.get(tier, rules.unknown_tier_points)
        how = "lose service" if down else "at risk"
        lines.append(f"{count} {tier} customer(s) {how}: +{points:g}")
        score += points
    for (criticality, down), count in sorted(_service_groups(services).items()):
        share = 1.0 if down else rules.at_risk_share
        points = count * share * rules.service_points.get(criticality, 0)
        how = "down" if down else "at risk"
        lines.append(f"{count} {criticality} service(s) {how}: +{points:g}")
        score += points
    type_points = rules.type_points.get(change_type, 0)
    lines.append(f"{change_type.value} change: {type_points:+g}")
    score = max(score + type_points, 0.0)
    risk = _risk_class(score, rules)
    lines.append(f"score {score:g} -> {risk.value}")
    return RiskAssessment(risk, score, tuple(lines))


def _risk_class(score: float, rules: RiskRules) -> RiskClass:
    if score >= rules.high_from:
        return RiskClass.HIGH
    if score >= rules.medium_from:
        return RiskClass.MEDIUM
    return RiskClass.LOW


def _customer_groups(customers: Iterable[CustomerExposure]) -> dict:
    groups: dict[tuple[str, bool], int] = {}
    for customer in customers:
        key = (customer.sla_tier or "unknown", customer.down)
        groups[key] = groups.get(key, 0) + 1
    return groups


def _service_groups(services: Iterable[ServiceExposure]) -> dict:
    groups: dict[tuple[str, bool], int] = {}
    for service in services:
        key = (service.criticality, service.down)
        groups[key] = groups.get(key, 0) + 1
    return groups


@dataclass(frozen=True)
class Approval:
    """One approval of a change request."""

    actor: str
    change_manager: bool
    at: datetime


def approvals_needed(risk: RiskClass) -> int:
    """Return how many approvals a change of this risk needs."""
    return 2 if risk == RiskClass.HIGH else 1


def approval_complete(risk: RiskClass, approvals: Iterable[Approval]) -> bool:
    """Tell whether the approvals suffice: two, one of a change manager, if high."""
    approvals = list(approvals)
    if len({a.actor for a in approvals}) < approvals_needed(risk):
        return False
    return risk != RiskClass.HIGH or any(a.change_manager for a in approvals)


def approval_problems(
    requester: str, approver: str, approvals: Iterable[Approval]
) -> list[Problem]:
    """Return why ``approver`` may not approve: their own change, or twice."""
    if approver == requester:
        message = f"{approver} requested this change and may not approve it"
        return [Problem("approver", ErrorCode.SELF_APPROVAL, message)]
    if any(a.actor == approver for a in approvals):
        message = f"{approver} has already approved this change"
        return [Problem("approver", ErrorCode.DUPLICATE_ENTRY, message)]
    return []


def pre_approved(change_type: ChangeType, risk: RiskClass) -> bool:
    """Tell whether a change skips review: a standard change that is not high risk."""
    return change_type == ChangeType.STANDARD and risk != RiskClass.HIGH
