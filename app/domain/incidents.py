"""Incidents as pure rules: lifecycle, link kinds, urgency and ITIL priority.

Nothing here reads or writes the graph; the incident service applies these
rules to what it reads and stores.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import WriteContext, new_id


class IncidentStatus(StrEnum):
    """Where an incident is in its lifecycle."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = (IncidentStatus.NEW, IncidentStatus.ACKNOWLEDGED)


class Transition(StrEnum):
    """What a person can do to an incident's status."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


# Each transition: the statuses it starts from, the status it leads to and the
# timestamp it sets.
TRANSITIONS: dict[Transition, tuple[frozenset[IncidentStatus], IncidentStatus, str]] = {
    Transition.ACKNOWLEDGE: (
        frozenset({IncidentStatus.NEW}),
        IncidentStatus.ACKNOWLEDGED,
        "acknowledged_at",
    ),
    Transition.RESOLVE: (
        frozenset({IncidentStatus.NEW, IncidentStatus.ACKNOWLEDGED}),
        IncidentStatus.RESOLVED,
        "resolved_at",
    ),
    Transition.CLOSE: (
        frozenset({IncidentStatus.RESOLVED}),
        IncidentStatus.CLOSED,
        "closed_at",
    ),
    Transition.REOPEN: (
        frozenset({IncidentStatus.RESOLVED, IncidentStatus.CLOSED}),
        IncidentStatus.ACKNOWLEDGED,
        "reopened_at",
    ),
}


def next_status(current: str, transition: Transition) -> tuple[IncidentStatus, str]:
    """Return the status a transition leads to and the timestamp it sets.

    >>> next_status("new", Transition.ACKNOWLEDGE)
    (<IncidentStatus.ACKNOWLEDGED: 'acknowledged'>, 'acknowledged_at')
    """
    allowed_from, target, stamp = TRANSITIONS[transition]
    if IncidentStatus(current) not in allowed_from:
        starts = ", ".join(sorted(allowed_from))
        raise CMDBError.single(
            "status",
            ErrorCode.INVALID_TRANSITION,
            f"cannot {transition} an incident that is {current}; "
            f"only one that is {starts}",
        )
    return target, stamp


def is_open(status: str) -> bool:
    """Tell whether an incident with this status is still being worked."""
    return IncidentStatus(status) in OPEN_STATUSES


class LinkKind(StrEnum):
    """How a CI or customer is linked to an incident."""

    COMPUTED = "computed"
    MANUAL = "manual"
    NOT_IMPACTED = "not_impacted"
    DO_NOT_NOTIFY = "do_not_notify"


PERSON_KINDS = (LinkKind.MANUAL, LinkKind.NOT_IMPACTED, LinkKind.DO_NOT_NOTIFY)
CUSTOMER_TYPE = "Customer"
SERVICE_TYPE = "Service"
MANUAL_STATES = ("down", "degraded")


def check_link_kind(kind: str, ci_type: str, field_name: str = "kind") -> LinkKind:
    """Return the kind a person may set on a CI of this type, or refuse it."""
    try:
        link = LinkKind(kind)
    except ValueError:
        link = None
    if link not in PERSON_KINDS:
        choices = ", ".join(PERSON_KINDS)
        raise CMDBError.single(
            field_name, ErrorCode.INVALID_VALUE, f"{kind!r} is not one of {choices}"
        )
    if link is LinkKind.DO_NOT_NOTIFY and ci_type != CUSTOMER_TYPE:
        raise CMDBError.single(
            field_name, ErrorCode.INVALID_VALUE, "do_not_notify applies to customers"
        )
    if link is LinkKind.NOT_IMPACTED and ci_type == CUSTOMER_TYPE:
        raise CMDBError.single(
            field_name,
            ErrorCode.INVALID_VALUE,
            "a customer is excluded from notification with do_not_notify",
        )
    return link


URGENCY_NAMES = {"high": 1, "medium": 2, "low": 3}


def parse_urgency(value: int | str, field_name: str = "urgency") -> int:
    """Return urgency 1 (high) to 3 (low) from a number or a name.

    >>> parse_urgency("medium"), parse_urgency(3)
    (2, 3)
    """
    if isinstance(value, str) and value.strip().lower() in URGENCY_NAMES:
        return URGENCY_NAMES[value.strip().lower()]
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in (1, 2, 3):
        raise CMDBError.single(
            field_name,
            ErrorCode.INVALID_VALUE,
            f"{value!r} is not 1, 2, 3, high, medium or low",
        )
    return number


def check_title(title: str | None, field_name: str = "title") -> str:
    """Return the stripped title, refusing an empty one."""
    text = (title or "").strip()
    if not text:
        raise CMDBError.single(
            field_name, ErrorCode.INVALID_VALUE, "a non-empty title is required"
        )
    return text


# Impact rules, most severe first: the first rule an incident meets sets its
# impact (1 extensive, 2 significant, 3 minor). `states` are the link states
# that count; `tiers` and `criticalities` narrow customers and services;
# `customers` is the least number of matching customers.
@dataclass(frozen=True)
class ImpactRule:
    """One row of the impact table."""

    impact: int
    subject: str
    states: frozenset[str]
    tiers: frozenset[str] = frozenset()
    criticalities: frozenset[str] = frozenset()
    customers: int = 1

    def describe(self) -> str:
        """Say in words what the rule asks for."""
        states = "/".join(sorted(self.states))
        if self.subject == SERVICE_TYPE:
            kinds = "/".join(sorted(self.criticalities))
            return f"a {kinds} criticality service is {states}"
        tiers = "/".join(sorted(self.tiers)) if self.tiers else "any tier"
        return f"at least {self.customers} customer(s) of {tiers} are {states}"


_BOTH = frozenset({"down", "degraded"})
_DOWN = frozenset({"down"})
_PREMIUM = frozenset({"platinum", "gold"})
IMPACT_RULES: tuple[ImpactRule, ...] = (
    ImpactRule(1, CUSTOMER_TYPE, _DOWN, tiers=frozenset({"platinum"})),
    ImpactRule(1, SERVICE_TYPE, _DOWN, criticalities=frozenset({"critical"})),
    ImpactRule(1, CUSTOMER_TYPE, _DOWN, customers=10),
    ImpactRule(2, CUSTOMER_TYPE, _BOTH, tiers=_PREMIUM),
    ImpactRule(2, SERVICE_TYPE, _BOTH, criticalities=frozenset({"critical", "high"})),
    ImpactRule(2, CUSTOMER_TYPE, _BOTH, customers=3),
)
LOWEST_IMPACT = 3

# The ITIL matrix: priority by (impact, urgency), 1 is the most urgent.
PRIORITY_MATRIX: dict[tuple[int, int], int] = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}  # fmt: skip
IMPACT_WORDS = {1: "extensive", 2: "significant", 3: "minor"}
URGENCY_WORDS = {1: "high", 2: "medium", 3: "low"}


@dataclass(frozen=True)
class PriorityInput:
    """An affected customer or service as priority sees it."""

    type: str
    key: str
    state: str
    sla_tier: str | None = None
    criticality: str | None = None


@dataclass(frozen=True)
class Priority:
    """A priority, the impact and urgency it came from, and why."""

    priority: int
    impact: int
    urgency: int
    explanation: str
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Return the priority as P1 to P5."""
        return f"P{self.priority}"


def _matches(rule: ImpactRule, item: PriorityInput) -> bool:
    if item.type != rule.subject or item.state not in rule.states:
        return False
    if rule.tiers and item.sla_tier not in rule.tiers:
        return False
    return not rule.criticalities or item.criticality in rule.criticalities


def derive_priority(urgency: int, affected: Iterable[PriorityInput]) -> Priority:
    """Derive impact from the affected customers and services, then priority.

    >>> derive_priority(1, [PriorityInput("Customer", "acme", "down", "gold")]).label
    'P2'
    """
    items = list(affected)
    impact, met = LOWEST_IMPACT, None
    for rule in IMPACT_RULES:
        matching = [item.key for item in items if _matches(rule, item)]
        count_needed = rule.customers if rule.subject == CUSTOMER_TYPE else 1
        if len(matching) >= count_needed:
            impact, met = rule.impact, (rule, matching)
            break
    priority = PRIORITY_MATRIX[(impact, urgency)]
    reason = (
        f"{met[0].describe()} ({', '.join(sorted(met[1])[:5])})"
        if met
        else "no rule for extensive or significant impact applies"
    )
    explanation = (
        f"P{priority}: impact {impact} ({IMPACT_WORDS[impact]}) because {reason}; "
        f"urgency {urgency} ({URGENCY_WORDS[urgency]})."
    )
    return Priority(priority, impact, urgency, explanation, _inputs(items))


def _inputs(items: list[PriorityInput]) -> dict[str, Any]:
    customers = [i for i in items if i.type == CUSTOMER_TYPE]
    services = [i for i in items if i.type == SERVICE_TYPE]
    tiers: dict[str, int] = {}
    for customer in customers:
        tier = customer.sla_tier or "none"
        tiers[tier] = tiers.get(tier, 0) + 1
    criticalities: dict[str, int] = {}
    for service in services:
        level = service.criticality or "none"
        criticalities[level] = criticalities.get(level, 0) + 1
    return {
        "customers": len(customers),
        "customers_down": sum(1 for c in customers if c.state == "down"),
        "customers_by_tier": dict(sorted(tiers.items())),
        "services": len(services),
        "services_down": sum(1 for s in services if s.state == "down"),
        "services_by_criticality": dict(sorted(criticalities.items())),
    }


def activity_entry(
    context: WriteContext, action: str, details: dict[str, Any], **refs: str | None
) -> dict[str, Any]:
    """Build the properties of one activity record (incident or ticket).

    ``recorded_at`` orders the log: several entries can share a request's time.
    """
    return {
        "id": new_id(),
        "at": context.at,
        "recorded_at": datetime.now(UTC),
        "actor": context.actor,
        "source": context.source,
        "request_id": context.request_id,
        "action": action,
        "details": json.dumps(details, sort_keys=True, default=str),
        **refs,
    }
