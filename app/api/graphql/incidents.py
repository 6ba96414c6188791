"""GraphQL types and resolvers for incidents and helpdesk tickets."""

from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.api.graphql.impact import CIRefInput, ReasonStep, start_specs
from app.domain.access import Permission
from app.domain.incidents import Transition
from app.services import incident_reports, tickets
from app.services import incidents as incident_service

# Views.


@strawberry.type(description="A configuration item as an incident names it.")
class IncidentCI:
    id: strawberry.ID
    type: str
    key: str
    name: str


@strawberry.type(description="The team an incident is routed to.")
class IncidentTeam:
    id: strawberry.ID
    key: str
    name: str
    email: str | None
    on_call: str | None
    support_level: int | None


@strawberry.type(description="An incident's link to a CI or customer.")
class IncidentLink:
    ci: IncidentCI
    kind: str = strawberry.field(
        description="computed, manual, not_impacted or do_not_notify."
    )
    state: str | None
    start: bool
    depth: int
    restarts: bool = strawberry.field(
        description="Down, but expected to restart elsewhere (vSphere HA)."
    )
    at_risk: bool
    reason: list[ReasonStep]
    actor: str | None = strawberry.field(description="Who set a person's link.")
    note: str | None
    computed_at: datetime | None


@strawberry.type
class IncidentLinkConnection:
    items: list[IncidentLink]
    next_cursor: str | None


@strawberry.type
class IncidentLinkCount:
    kind: str
    type: str
    state: str | None
    count: int


@strawberry.type(description="One thing done to an incident: who, how, when, what.")
class IncidentActivity:
    id: strawberry.ID
    at: datetime
    actor: str
    source: str
    request_id: str
    action: str
    details: JSON


@strawberry.type
class IncidentActivityConnection:
    items: list[IncidentActivity]
    next_cursor: str | None


@strawberry.type(description="A customer to notify and what of theirs is hurt.")
class CustomerNotification:
    customer_id: strawberry.ID
    customer_key: str
    customer_name: str
    sla_tier: str | None
    contact_email: str | None
    severity: str | None
    services: list[str]
    machines: list[str]


@strawberry.type(description="A helpdesk ticket and what it is linked to.")
class HelpdeskTicket:
    id: strawberry.ID
    system: str
    ticket_id: str
    url: str | None
    title: str | None
    created_at: datetime | None
    _ticket: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The incidents the ticket is linked to.")
    def incidents(self, info: strawberry.Info) -> list["Incident"]:
        info.context.require(Permission.READ)
        found = _ticket_links(info, self._ticket)
        return [incident(info.context.runtime, row["id"]) for row in found["incidents"]]

    @strawberry.field(description="The CIs the ticket is linked to directly.")
    def cis(self, info: strawberry.Info) -> list[IncidentCI]:
        info.context.require(Permission.READ)
        return [_ci(ci) for ci in _ticket_links(info, self._ticket)["cis"]]

    @strawberry.field(description="Incidents through which a CI's ticket was found.")
    def via_incidents(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self._ticket.get("via_incidents", [])]

    @strawberry.field(description="Links and unlinks of the ticket, newest first.")
    def history(self, info: strawberry.Info, first: int = 50) -> list[IncidentActivity]:
        info.context.require(Permission.READ)
        entries = tickets.ticket_history(info.context.runtime, self._ticket, first)
        return [_activity(entry) for entry in entries]


@strawberry.type(description="An unplanned interruption and everything it hurts.")
class Incident:
    id: strawberry.ID
    title: str
    description: str
    urgency: int = strawberry.field(description="1 (high) to 3 (low).")
    status: str
    impact: int | None = strawberry.field(
        description="1 (extensive) to 3 (minor), from customers and services."
    )
    priority: str | None = strawberry.field(description="P1 to P5, ITIL matrix.")
    priority_explanation: str | None
    priority_inputs: JSON
    created_at: datetime
    created_by: str | None
    updated_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopened_at: datetime | None
    support_level: int | None
    assignment_overridden: bool
    team: IncidentTeam | None
    starts: list[IncidentCI]
    parent_id: strawberry.ID | None
    child_ids: list[strawberry.ID]
    probable_cause: IncidentCI | None
    probable_cause_explains: int | None

    @strawberry.field(description="Linked CIs and customers, nearest first.")
    def links(
        self,
        info: strawberry.Info,
        kinds: list[str] | None = None,
        type: str | None = None,
        state: str | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> IncidentLinkConnection:
        info.context.require(Permission.READ)
        page = incident_service.list_links(
            info.context.runtime,
            str(self.id),
            kinds=kinds,
            type_name=type,
            state=state,
            first=first,
            after=after,
        )
        return IncidentLinkConnection(
            items=[_link(item) for item in page.items], next_cursor=page.next_cursor
        )

    @strawberry.field(description="How many links by kind, CI type and state.")
    def link_counts(self, info: strawberry.Info) -> list[IncidentLinkCount]:
        info.context.require(Permission.READ)
        rows = incident_service.link_counts(info.context.runtime, str(self.id))
        return [IncidentLinkCount(**row) for row in rows]

    @strawberry.field(description="Who did what to the incident, newest first.")
    def activity(
        self, info: strawberry.Info, first: int = 50, after: str | None = None
    ) -> IncidentActivityConnection:
        info.context.require(Permission.READ)
        page = incident_service.activity(
            info.context.runtime, str(self.id), first=first, after=after
        )
        return IncidentActivityConnection(
            items=[_activity(entry) for entry in page.items],
            next_cursor=page.next_cursor,
        )

    @strawberry.field(description="The helpdesk tickets linked to the incident.")
    def tickets(self, info: strawberry.Info) -> list[HelpdeskTicket]:
        info.context.require(Permission.READ)
        found = tickets.tickets_of_incident(info.context.runtime, str(self.id))
        return [helpdesk_ticket(ticket) for ticket in found]

    @strawberry.field(description="The customers to notify (not do_not_notify).")
    def notification_list(self, info: strawberry.Info) -> list[CustomerNotification]:
        info.context.require(Permission.READ)
        items = incident_reports.notification_list(info.context.runtime, str(self.id))
        return [_notification(item) for item in items]

    @strawberry.field(description="The notification list as CSV text.")
    def notification_csv(self, info: strawberry.Info) -> str:
        info.context.require(Permission.READ)
        items = incident_reports.notification_list(info.context.runtime, str(self.id))
        return incident_reports.notifications_csv(items)


@strawberry.type
class IncidentConnection:
    items: list[Incident]
    next_cursor: str | None


@strawberry.type(description="An upstream CI and the symptoms it would explain.")
class CauseCandidate:
    ci: IncidentCI
    explained: int
    explains: list[strawberry.ID]
    distance: int = strawberry.field(description="Summed depth to the symptoms.")


@strawberry.type(description="Upstream CIs ranked by how many symptoms they explain.")
class ProbableCauseReport:
    symptoms: list[strawberry.ID]
    candidates: list[CauseCandidate]
    proposal: str | None


@strawberry.type(description="A CI or service that several incidents involved.")
class RepeatedCI:
    ci: IncidentCI
    incident_count: int
    incident_ids: list[strawberry.ID]


@strawberry.type
class PriorityCount:
    priority: str
    count: int


@strawberry.type(description="Incidents of a period, how fast, what keeps failing.")
class IncidentReview:
    start: datetime
    end: datetime
    total: int
    open: int
    by_priority: list[PriorityCount]
    mean_seconds_to_acknowledge: float | None
    mean_seconds_to_resolve: float | None
    repeated_cis: list[RepeatedCI]
    repeated_services: list[RepeatedCI]


@strawberry.type(description="A ticket after linking or unlinking, and what changed.")
class TicketLinkResult:
    ticket: HelpdeskTicket
    incidents_changed: list[strawberry.ID]
    cis_changed: list[strawberry.ID]


# Inputs.


@strawberry.enum(description="How a person links a CI or customer.")
class IncidentLinkKind(Enum):
    MANUAL = "manual"
    NOT_IMPACTED = "not_impacted"
    DO_NOT_NOTIFY = "do_not_notify"


@strawberry.input(description="What to open an incident on.")
class IncidentInput:
    title: str
    starts: list[CIRefInput]
    urgency: str = strawberry.field(
        default="2", description="1, 2, 3 or high, medium, low."
    )
    description: str = ""
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="Route elsewhere than the starting CI's owner."
    )
    support_level: int | None = None


@strawberry.input
class IncidentUpdateInput:
    id: strawberry.ID
    title: str | None = None
    description: str | None = None
    urgency: str | None = None


@strawberry.input
class IncidentAssignmentInput:
    id: strawberry.ID
    team_id: strawberry.ID | None = None
    support_level: int | None = None


@strawberry.input(description="A person's link of a CI or customer to an incident.")
class IncidentLinkInput:
    incident_id: strawberry.ID
    ci_id: strawberry.ID
    kind: IncidentLinkKind
    state: str = strawberry.field(
        default="down", description="For manual links: down or degraded."
    )
    note: str | None = None


@strawberry.input(description="Incidents or symptom CIs to find a common cause for.")
class ProbableCauseInput:
    incident_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    symptom_ci_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    limit: int = 10


@strawberry.input(description="Group incidents under a parent and a probable cause.")
class IncidentGroupingInput:
    incident_ids: list[strawberry.ID]
    cause_ci_id: strawberry.ID
    parent_incident_id: strawberry.ID | None = strawberry.field(
        default=None, description="Without one, a parent is opened on the cause."
    )


@strawberry.input(description="A helpdesk ticket and what to link it to.")
class TicketLinkInput:
    system: str
    ticket_id: str
    url: str | None = None
    title: str | None = None
    incident_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    ci_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


# Mapping.


def _ci(row: dict[str, Any]) -> IncidentCI:
    return IncidentCI(
        id=strawberry.ID(row["id"]), type=row["type"], key=row["key"], name=row["name"]
    )


def _link(item: dict[str, Any]) -> IncidentLink:
    return IncidentLink(
        ci=_ci(item["ci"]),
        kind=item["link"],
        state=item["state"],
        start=item["start"],
        depth=item["depth"],
        restarts=bool(item["restarts"]),
        at_risk=bool(item["at_risk"]),
        reason=[
            ReasonStep(
                source_id=strawberry.ID(source),
                rel_type=rel_type,
                target_id=strawberry.ID(target),
            )
            for source, rel_type, target in item["reason"]
        ],
        actor=item["actor"],
        note=item["note"],
        computed_at=item["computed_at"],
    )


def _activity(entry: dict[str, Any]) -> IncidentActivity:
    return IncidentActivity(
        id=strawberry.ID(entry["id"]),
        at=entry["at"],
        actor=entry["actor"],
        source=entry["source"],
        request_id=entry["request_id"],
        action=entry["action"],
        details=entry["details"],
    )


def _notification(item: incident_reports.Notification) -> CustomerNotification:
    return CustomerNotification(
        customer_id=strawberry.ID(item.customer_id),
        customer_key=item.customer_key,
        customer_name=item.customer_name,
        sla_tier=item.sla_tier,
        contact_email=item.contact_email,
        severity=item.severity,
        services=item.services,
        machines=item.machines,
    )


def incident_view(data: dict[str, Any]) -> Incident:
    """Build the GraphQL view of a stored incident."""
    team, cause = data.get("team"), data.get("cause")
    return Incident(
        id=strawberry.ID(data["id"]),
        title=data["title"],
        description=data.get("description") or "",
        urgency=data["urgency"],
        status=data["status"],
        impact=data.get("impact"),
        priority=f"P{data['priority']}" if data.get("priority") else None,
        priority_explanation=data.get("priority_explanation"),
        priority_inputs=data.get("priority_inputs") or {},
        created_at=data["created_at"],
        created_by=data.get("created_by"),
        updated_at=data.get("updated_at"),
        acknowledged_at=data.get("acknowledged_at"),
        resolved_at=data.get("resolved_at"),
        closed_at=data.get("closed_at"),
        reopened_at=data.get("reopened_at"),
        support_level=data.get("support_level"),
        assignment_overridden=bool(data.get("assignment_overridden")),
        team=_team(team) if team else None,
        starts=[_ci(start) for start in data.get("starts", [])],
        parent_id=data.get("parent_id"),
        child_ids=[strawberry.ID(i) for i in data.get("child_ids", [])],
        probable_cause=_ci(cause) if cause else None,
        probable_cause_explains=(data.get("cause_details") or {}).get("explained"),
    )


def _team(team: dict[str, Any]) -> IncidentTeam:
    return IncidentTeam(
        id=strawberry.ID(team["id"]),
        key=team["key"],
        name=team["name"],
        email=team.get("email"),
        on_call=team.get("on_call"),
        support_level=team.get("support_level"),
    )


def incident(runtime: Any, incident_id: str) -> Incident:
    """Read and build the GraphQL view of one incident."""
    return incident_view(incident_service.require_incident(runtime, incident_id))


def helpdesk_ticket(ticket: dict[str, Any]) -> HelpdeskTicket:
    """Build the GraphQL view of a stored ticket."""
    return HelpdeskTicket(
        id=strawberry.ID(ticket["id"]),
        system=ticket["system"],
        ticket_id=ticket["external_id"],
        url=ticket.get("url"),
        title=ticket.get("title"),
        created_at=ticket.get("created_at"),
        _ticket=ticket,
    )


def _ticket_links(info: strawberry.Info, ticket: dict[str, Any]) -> dict[str, Any]:
    if "cis" in ticket and "incidents" in ticket:
        return ticket
    found = tickets.get_ticket(
        info.context.runtime, ticket["system"], ticket["external_id"]
    )
    return found or {"incidents": [], "cis": []}


def _repeated(entry: incident_reports.RepeatedCI) -> RepeatedCI:
    return RepeatedCI(
        ci=IncidentCI(
            id=strawberry.ID(entry.id), type=entry.type, key=entry.key, name=entry.name
        ),
        incident_count=len(entry.incidents),
        incident_ids=[strawberry.ID(i) for i in entry.incidents],
    )


def _seconds(delay: timedelta | None) -> float | None:
    return delay.total_seconds() if delay is not None else None


def _ticket_ref(input: TicketLinkInput) -> tickets.TicketRef:
    return tickets.TicketRef(input.system, input.ticket_id, input.url, input.title)


def _ticket_result(result: tickets.LinkResult) -> TicketLinkResult:
    return TicketLinkResult(
        ticket=helpdesk_ticket(result.ticket),
        incidents_changed=[strawberry.ID(i) for i in result.incidents_changed],
        cis_changed=[strawberry.ID(i) for i in result.cis_changed],
    )


# Resolvers.


@strawberry.type
class IncidentQuery:
    @strawberry.field(description="One incident by id.")
    def incident(self, info: strawberry.Info, id: strawberry.ID) -> Incident | None:
        info.context.require(Permission.READ)
        found = incident_service.get_incident(info.context.runtime, str(id))
        return incident_view(found) if found else None

    @strawberry.field(description="Incidents, newest first, one page at a time.")
    def incidents(
        self,
        info: strawberry.Info,
        statuses: list[str] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> IncidentConnection:
        info.context.require(Permission.READ)
        runtime = info.context.runtime
        page = incident_service.list_incidents(
            runtime, statuses=statuses, first=first, after=after
        )
        return IncidentConnection(
            items=[incident(runtime, item["id"]) for item in page.items],
            next_cursor=page.next_cursor,
        )

    @strawberry.field(description="Upstream CIs that would explain the symptoms.")
    def probable_cause(
        self, info: strawberry.Info, input: ProbableCauseInput
    ) -> ProbableCauseReport:
        info.context.require(Permission.READ)
        report = incident_reports.probable_causes(
            info.context.runtime,
            incident_ids=[str(i) for i in input.incident_ids],
            symptom_ci_ids=[str(i) for i in input.symptom_ci_ids],
            limit=input.limit,
        )
        return ProbableCauseReport(
            symptoms=[strawberry.ID(s) for s in report.symptoms],
            candidates=[
                CauseCandidate(
                    ci=IncidentCI(
                        id=strawberry.ID(c.id), type=c.type, key=c.key, name=c.name
                    ),
                    explained=c.explained,
                    explains=[strawberry.ID(s) for s in c.explains],
                    distance=c.distance,
                )
                for c in report.candidates
            ],
            proposal=report.proposal,
        )

    @strawberry.field(description="The review of incidents opened in a period.")
    def incident_review(
        self, info: strawberry.Info, start: datetime, end: datetime | None = None
    ) -> IncidentReview:
        info.context.require(Permission.READ)
        review = incident_reports.weekly_review(info.context.runtime, start, end)
        return IncidentReview(
            start=review.start,
            end=review.end,
            total=review.total,
            open=review.open,
            by_priority=[
                PriorityCount(priority=p, count=n)
                for p, n in review.by_priority.items()
            ],
            mean_seconds_to_acknowledge=_seconds(review.mean_time_to_acknowledge),
            mean_seconds_to_resolve=_seconds(review.mean_time_to_resolve),
            repeated_cis=[_repeated(e) for e in review.repeated_cis],
            repeated_services=[_repeated(e) for e in review.repeated_services],
        )

    @strawberry.field(description="A helpdesk ticket by its system and ticket id.")
    def helpdesk_ticket(
        self, info: strawberry.Info, system: str, ticket_id: str
    ) -> HelpdeskTicket | None:
        info.context.require(Permission.READ)
        found = tickets.get_ticket(info.context.runtime, system, ticket_id)
        return helpdesk_ticket(found) if found else None

    @strawberry.field(description="The tickets about a CI, directly or via incidents.")
    def ci_tickets(
        self, info: strawberry.Info, ci_id: strawberry.ID
    ) -> list[HelpdeskTicket]:
        info.context.require(Permission.READ)
        found = tickets.tickets_of_ci(info.context.runtime, str(ci_id))
        return [helpdesk_ticket(ticket) for ticket in found]


def _transition(
    info: strawberry.Info, id: strawberry.ID, step: Transition, note: str | None
) -> Incident:
    info.context.require(Permission.MANAGE_INCIDENTS)
    stored = incident_service.transition(
        info.context.runtime, str(id), step, info.context.write_context(), note
    )
    return incident_view(stored)


@strawberry.type
class IncidentMutation:
    @strawberry.mutation(description="Open an incident and link what it hurts.")
    def open_incident(self, info: strawberry.Info, input: IncidentInput) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        draft = incident_service.IncidentDraft(
            title=input.title,
            starts=start_specs(input.starts),
            urgency=input.urgency,
            description=input.description,
            team_id=str(input.team_id) if input.team_id else None,
            support_level=input.support_level,
        )
        stored = incident_service.open_incident(
            info.context.runtime, draft, info.context.write_context()
        )
        return incident_view(stored)

    @strawberry.mutation(description="Change an incident's title, text or urgency.")
    def update_incident(
        self, info: strawberry.Info, input: IncidentUpdateInput
    ) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        stored = incident_service.update_incident(
            info.context.runtime,
            str(input.id),
            info.context.write_context(),
            title=input.title,
            description=input.description,
            urgency=input.urgency,
        )
        return incident_view(stored)

    @strawberry.mutation(description="Acknowledge a new incident.")
    def acknowledge_incident(
        self, info: strawberry.Info, id: strawberry.ID, note: str | None = None
    ) -> Incident:
        return _transition(info, id, Transition.ACKNOWLEDGE, note)

    @strawberry.mutation(description="Resolve an open incident.")
    def resolve_incident(
        self, info: strawberry.Info, id: strawberry.ID, note: str | None = None
    ) -> Incident:
        return _transition(info, id, Transition.RESOLVE, note)

    @strawberry.mutation(description="Close a resolved incident.")
    def close_incident(
        self, info: strawberry.Info, id: strawberry.ID, note: str | None = None
    ) -> Incident:
        return _transition(info, id, Transition.CLOSE, note)

    @strawberry.mutation(description="Reopen a resolved or closed incident.")
    def reopen_incident(
        self, info: strawberry.Info, id: strawberry.ID, note: str | None = None
    ) -> Incident:
        return _transition(info, id, Transition.REOPEN, note)

    @strawberry.mutation(description="Route an incident to a team or support level.")
    def assign_incident(
        self, info: strawberry.Info, input: IncidentAssignmentInput
    ) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        stored = incident_service.assign_incident(
            info.context.runtime,
            str(input.id),
            info.context.write_context(),
            team_id=str(input.team_id) if input.team_id else None,
            support_level=input.support_level,
        )
        return incident_view(stored)

    @strawberry.mutation(description="Link a CI or customer by hand; recomputes.")
    def link_incident_ci(
        self, info: strawberry.Info, input: IncidentLinkInput
    ) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        stored = incident_service.link_ci(
            info.context.runtime,
            str(input.incident_id),
            str(input.ci_id),
            input.kind.value,
            info.context.write_context(),
            state=input.state,
            note=input.note,
        )
        return incident_view(stored)

    @strawberry.mutation(description="Remove a person's link; recomputes.")
    def unlink_incident_ci(
        self, info: strawberry.Info, incident_id: strawberry.ID, ci_id: strawberry.ID
    ) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        stored = incident_service.unlink_ci(
            info.context.runtime,
            str(incident_id),
            str(ci_id),
            info.context.write_context(),
        )
        return incident_view(stored)

    @strawberry.mutation(description="Recompute an incident's computed links now.")
    def recompute_incident(self, info: strawberry.Info, id: strawberry.ID) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        stored = incident_service.refresh_incident(
            info.context.runtime, str(id), info.context.write_context()
        )
        return incident_view(stored)

    @strawberry.mutation(description="Group incidents under a parent and a cause.")
    def group_incidents_under_cause(
        self, info: strawberry.Info, input: IncidentGroupingInput
    ) -> Incident:
        info.context.require(Permission.MANAGE_INCIDENTS)
        parent = incident_reports.group_under_cause(
            info.context.runtime,
            [str(i) for i in input.incident_ids],
            str(input.cause_ci_id),
            info.context.write_context(),
            parent_incident_id=(
                str(input.parent_incident_id) if input.parent_incident_id else None
            ),
        )
        return incident_view(parent)

    @strawberry.mutation(
        description="Link a helpdesk ticket; linking twice is harmless."
    )
    def link_ticket(
        self, info: strawberry.Info, input: TicketLinkInput
    ) -> TicketLinkResult:
        info.context.require(Permission.LINK_TICKETS)
        result = tickets.link_ticket(
            info.context.runtime,
            _ticket_ref(input),
            info.context.write_context(),
            incident_ids=[str(i) for i in input.incident_ids],
            ci_ids=[str(i) for i in input.ci_ids],
        )
        return _ticket_result(result)

    @strawberry.mutation(
        description="Unlink a helpdesk ticket; the unlink is recorded."
    )
    def unlink_ticket(
        self, info: strawberry.Info, input: TicketLinkInput
    ) -> TicketLinkResult:
        info.context.require(Permission.LINK_TICKETS)
        result = tickets.unlink_ticket(
            info.context.runtime,
            _ticket_ref(input),
            info.context.write_context(),
            incident_ids=[str(i) for i in input.incident_ids],
            ci_ids=[str(i) for i in input.ci_ids],
        )
        return _ticket_result(result)
