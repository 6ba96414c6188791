"""What incidents tell people: probable causes, whom to notify, the weekly review."""

import csv
import io
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.db import Tx
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.incidents import SERVICE_TYPE, LinkKind, activity_entry, is_open
from app.domain.records import WriteContext
from app.services import impact as impact_service
from app.services import incidents as incident_service
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

CUSTOMER_USAGE_TYPES = ("SUBSCRIBES_TO", "OWNS")
MACHINE_TYPE = "VirtualMachine"
NOTIFY_KINDS = (LinkKind.COMPUTED, LinkKind.MANUAL)
AFFECTED_KINDS = (LinkKind.COMPUTED, LinkKind.MANUAL, LinkKind.DO_NOT_NOTIFY)
AFFECTED_STATES = ("down", "degraded")
CANDIDATES_SHOWN = 10
REVIEW_DAYS = 7


# Probable cause.


@dataclass
class CauseCandidate:
    """An upstream CI and the symptoms (incidents or CIs) it would explain."""

    id: str
    type: str
    key: str
    name: str
    explains: list[str]
    distance: int

    @property
    def explained(self) -> int:
        """Return how many symptoms the CI explains."""
        return len(self.explains)


@dataclass
class CauseReport:
    """Candidates best first, the symptoms weighed and the proposal."""

    symptoms: list[str]
    candidates: list[CauseCandidate]
    proposal: str | None


def probable_causes(
    runtime: Runtime,
    *,
    incident_ids: Sequence[str] = (),
    symptom_ci_ids: Sequence[str] = (),
    limit: int = CANDIDATES_SHOWN,
) -> CauseReport:
    """Rank the CIs upstream of the symptoms by how many symptoms each explains.

    Each incident is one symptom (its starting CIs together); each symptom CI
    is one more. A CI explains a symptom when the symptom depends on it,
    transitively, or is it. Ties go to the CI nearer the symptoms.
    """
    started = time.perf_counter()
    symptoms = _symptoms(runtime, incident_ids, symptom_ci_ids)
    found: dict[str, CauseCandidate] = {}
    for symptom, start_ids in symptoms.items():
        specs = [impact_service.StartSpec(id=ci) for ci in start_ids]
        result = impact_service.analyse_dependencies(runtime, specs)
        for ci in result.dependencies.values():
            candidate = found.setdefault(
                ci.id, CauseCandidate(ci.id, ci.type, ci.key, ci.name, [], 0)
            )
            candidate.explains.append(symptom)
            candidate.distance += ci.depth
    ranked = sorted(found.values(), key=lambda c: (-c.explained, c.distance, c.key))
    proposal = _proposal(ranked, len(symptoms))
    logger.info(
        "Probable cause of %d symptom(s): %d candidates in %.3f s",
        len(symptoms),
        len(ranked),
        time.perf_counter() - started,
    )
    return CauseReport(list(symptoms), ranked[:limit], proposal)


def _symptoms(
    runtime: Runtime, incident_ids: Sequence[str], symptom_ci_ids: Sequence[str]
) -> dict[str, list[str]]:
    if not incident_ids and not symptom_ci_ids:
        raise CMDBError.single(
            "incidentIds",
            ErrorCode.INVALID_VALUE,
            "give incidents, symptom CIs or both",
        )
    symptoms: dict[str, list[str]] = {}
    for incident_id in dict.fromkeys(incident_ids):
        incident = incident_service.require_incident(
            runtime, incident_id, "incidentIds"
        )
        symptoms[incident_id] = [start["id"] for start in incident["starts"]]
    specs = [impact_service.StartSpec(id=ci) for ci in symptom_ci_ids]
    if specs:
        for ci_id in impact_service.resolve_starts(runtime, specs):
            symptoms[ci_id] = [ci_id]
    return symptoms


def _proposal(ranked: list[CauseCandidate], symptoms: int) -> str | None:
    if not ranked or (symptoms > 1 and ranked[0].explained < 2):
        return None
    best = ranked[0]
    return (
        f"{best.type}:{best.key} explains {best.explained} of {symptoms} symptom(s); "
        "group the incidents under it"
    )


def group_under_cause(
    runtime: Runtime,
    incident_ids: Sequence[str],
    cause_ci_id: str,
    context: WriteContext,
    *,
    parent_incident_id: str | None = None,
) -> dict[str, Any]:
    """Record a CI as the probable cause and group the incidents under a parent.

    Without a parent a new one (the problem incident) is opened on the cause.
    """
    children, cause = _check_grouping(
        runtime, incident_ids, cause_ci_id, parent_incident_id
    )
    if parent_incident_id is None:
        draft = incident_service.IncidentDraft(
            title=f"Probable cause: {cause['type']}:{cause['key']}",
            starts=[impact_service.StartSpec(id=cause_ci_id)],
            urgency=min(child["urgency"] for child in children.values()),
            description="Groups incidents that share this upstream CI.",
        )
        parent_incident_id = incident_service.open_incident(runtime, draft, context)[
            "id"
        ]
    child_ids = list(children)
    explained = _explained(runtime, child_ids, cause_ci_id)

    def work(tx: Tx) -> None:
        tx.run(
            "incident_set_parent",
            parent_id=parent_incident_id,
            child_ids=child_ids,
            at=context.at,
            actor=context.actor,
        )
        tx.run(
            "incident_set_cause",
            cause_id=cause_ci_id,
            incident_ids=[*child_ids, parent_incident_id],
            at=context.at,
            actor=context.actor,
            explained=explained,
            of=len(child_ids),
        )
        label = f"{cause['type']}:{cause['key']}"
        entries = [
            activity_entry(
                context,
                "group",
                {"parent": parent_incident_id, "cause": label},
                incident_id=child_id,
            )
            for child_id in child_ids
        ]
        entries.append(
            activity_entry(
                context,
                "group_children",
                {"children": child_ids, "cause": label},
                incident_id=parent_incident_id,
            )
        )
        tx.run("incident_activity_create", rows=entries)

    runtime.db.transaction(work)
    logger.info(
        "Grouped %d incident(s) under %s, cause %s",
        len(child_ids),
        parent_incident_id,
        cause_ci_id,
    )
    return incident_service.require_incident(runtime, parent_incident_id)


def _check_grouping(
    runtime: Runtime,
    incident_ids: Sequence[str],
    cause_ci_id: str,
    parent_incident_id: str | None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Return the child incidents and the cause CI, or every problem found."""
    if not incident_ids:
        raise CMDBError.single(
            "incidentIds", ErrorCode.INVALID_VALUE, "give at least one incident"
        )
    problems = []
    found: dict[str, dict[str, Any]] = {}
    for incident_id in dict.fromkeys(incident_ids):
        incident = incident_service.get_incident(runtime, incident_id)
        if incident is None:
            message = f"no incident {incident_id!r}"
            problems.append(Problem("incidentIds", ErrorCode.NOT_FOUND, message))
        else:
            found[incident_id] = incident
    if parent_incident_id is not None:
        if parent_incident_id in found:
            message = "an incident cannot be its own parent"
            problems.append(
                Problem("parentIncidentId", ErrorCode.INVALID_VALUE, message)
            )
        elif incident_service.get_incident(runtime, parent_incident_id) is None:
            message = f"no incident {parent_incident_id!r}"
            problems.append(Problem("parentIncidentId", ErrorCode.NOT_FOUND, message))
    cause = runtime.db.read("impact_nodes", ids=[cause_ci_id])
    if not cause:
        message = f"no CI {cause_ci_id!r}"
        problems.append(Problem("causeCiId", ErrorCode.NOT_FOUND, message))
    if problems:
        raise CMDBError(problems)
    return found, cause[0]["node"]


def _explained(runtime: Runtime, incident_ids: list[str], cause_ci_id: str) -> int:
    report = probable_causes(runtime, incident_ids=incident_ids, limit=10_000)
    match = next((c for c in report.candidates if c.id == cause_ci_id), None)
    return match.explained if match else 0


# Notification.


@dataclass
class Notification:
    """A customer to tell, what of theirs is hurt and how to reach them."""

    customer_id: str
    customer_key: str
    customer_name: str
    sla_tier: str | None
    contact_email: str | None
    severity: str | None
    kind: str
    services: list[str] = field(default_factory=list)
    machines: list[str] = field(default_factory=list)


CSV_COLUMNS = (
    "customer_key",
    "customer_name",
    "sla_tier",
    "severity",
    "contact_email",
    "services",
    "machines",
)


def notification_list(runtime: Runtime, incident_id: str) -> list[Notification]:
    """Return the customers to notify (not do_not_notify), worst first."""
    incident_service.require_incident(runtime, incident_id, "incidentId")
    rows = runtime.db.read(
        "incident_notification_list",
        id=incident_id,
        notify_kinds=[str(kind) for kind in NOTIFY_KINDS],
        affected_kinds=[str(kind) for kind in AFFECTED_KINDS],
        usage_types=list(CUSTOMER_USAGE_TYPES),
    )
    items = [_notification(row) for row in rows]
    return sorted(items, key=lambda n: (n.severity != "down", n.customer_key))


def _notification(row: dict[str, Any]) -> Notification:
    customer = row["customer"]
    used = [u for u in row["used"] if u.get("state") in AFFECTED_STATES]
    return Notification(
        customer_id=customer["id"],
        customer_key=customer["key"],
        customer_name=customer["name"],
        sla_tier=customer.get("sla_tier"),
        contact_email=customer.get("contact_email"),
        severity=row["state"],
        kind=row["kind"],
        services=sorted(u["key"] for u in used if u["type"] == SERVICE_TYPE),
        machines=sorted(u["key"] for u in used if u["type"] == MACHINE_TYPE),
    )


def notifications_csv(items: Sequence[Notification]) -> str:
    """Return the notification list as CSV text, one customer a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        row = asdict(item)
        row["services"] = ";".join(item.services)
        row["machines"] = ";".join(item.machines)
        writer.writerow([row[column] or "" for column in CSV_COLUMNS])
    return buffer.getvalue()


def notifications_document(items: Sequence[Notification]) -> list[dict[str, Any]]:
    """Return the notification list as JSON-ready mappings."""
    return [asdict(item) for item in items]


# Weekly review.


@dataclass
class RepeatedCI:
    """A CI that more than one incident in the period started from or hurt."""

    id: str
    type: str
    key: str
    name: str
    incidents: list[str]


@dataclass
class Review:
    """Incidents of a period: by priority, how fast, and what keeps failing."""

    start: datetime
    end: datetime
    total: int
    by_priority: dict[str, int]
    open: int
    mean_time_to_acknowledge: timedelta | None
    mean_time_to_resolve: timedelta | None
    repeated_cis: list[RepeatedCI]
    repeated_services: list[RepeatedCI]


def weekly_review(
    runtime: Runtime,
    start: datetime,
    end: datetime | None = None,
    *,
    min_repeats: int = 2,
) -> Review:
    """Review the incidents opened from ``start`` until ``end`` (a week later)."""
    start, end = _period(start, end)
    rows = runtime.db.read(
        "incident_review",
        period_start=start,
        period_end=end,
        service_types=[SERVICE_TYPE],
        affected_kinds=[str(kind) for kind in AFFECTED_KINDS],
        states=list(AFFECTED_STATES),
    )
    incidents = [row["incident"] for row in rows]
    by_priority: dict[str, int] = defaultdict(int)
    for incident in incidents:
        by_priority[f"P{incident.get('priority') or '?'}"] += 1
    return Review(
        start=start,
        end=end,
        total=len(incidents),
        by_priority=dict(sorted(by_priority.items())),
        open=sum(1 for i in incidents if is_open(i["status"])),
        mean_time_to_acknowledge=_mean_delay(incidents, "acknowledged_at"),
        mean_time_to_resolve=_mean_delay(incidents, "resolved_at"),
        repeated_cis=_repeated(rows, "starts", min_repeats),
        repeated_services=_repeated(rows, "services", min_repeats),
    )


def _period(start: datetime, end: datetime | None) -> tuple[datetime, datetime]:
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    end = end or start + timedelta(days=REVIEW_DAYS)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    if end <= start:
        raise CMDBError.single("to", ErrorCode.INVALID_VALUE, "must be after from")
    return start, end


def _mean_delay(incidents: list[dict[str, Any]], stamp: str) -> timedelta | None:
    delays = [
        (incident[stamp] - incident["created_at"]).total_seconds()
        for incident in incidents
        if incident.get(stamp) is not None
    ]
    return timedelta(seconds=statistics.fmean(delays)) if delays else None


def _repeated(
    rows: list[dict[str, Any]], column: str, minimum: int
) -> list[RepeatedCI]:
    seen: dict[str, RepeatedCI] = {}
    for row in rows:
        for ci in row[column]:
            entry = seen.setdefault(
                ci["id"], RepeatedCI(ci["id"], ci["type"], ci["key"], ci["name"], [])
            )
            entry.incidents.append(row["incident"]["id"])
    repeated = [entry for entry in seen.values() if len(entry.incidents) >= minimum]
    return sorted(repeated, key=lambda e: (-len(e.incidents), e.type, e.key))
