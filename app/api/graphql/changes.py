"""GraphQL types and resolvers for change requests, history and drift."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.api.graphql.types import HistoryConnection, history_entry
from app.domain.access import Permission
from app.domain.changes import ChangeAction, ChangeState, ChangeType, RiskClass
from app.domain.configuration_history import CIAsOf
from app.domain.errors import CMDBError, ErrorCode
from app.services import changes as change_service
from app.services import configuration_history, drift
from app.services.pages import Page

ChangeTypeEnum = strawberry.enum(ChangeType, name="ChangeType")
ChangeStateEnum = strawberry.enum(ChangeState, name="ChangeState")
RiskClassEnum = strawberry.enum(RiskClass, name="RiskClass")


@strawberry.enum(description="Steps that move a change on after its review.")
class ChangeWorkflowAction(Enum):
    SCHEDULE = ChangeAction.SCHEDULE.value
    START = ChangeAction.START.value
    COMPLETE = ChangeAction.COMPLETE.value
    FAIL = ChangeAction.FAIL.value
    CANCEL = ChangeAction.CANCEL.value
    REVISE = ChangeAction.REVISE.value


@strawberry.type(description="A CI named by a change, in brief.")
class ChangeCI:
    id: strawberry.ID
    type: str
    key: str
    name: str


@strawberry.type(description="One step in a change request's life.")
class ChangeTransition:
    action: str
    from_state: str
    to_state: str
    actor: str
    at: datetime
    comment: str | None
    fields: list[str]


@strawberry.type(description="One approval of a change request.")
class ChangeApproval:
    actor: str
    change_manager: bool
    at: datetime
    comment: str | None


@strawberry.type(description="A CI in a change's planned blast radius.")
class ChangeImpact:
    ci: ChangeCI
    state: str
    at_risk: bool = strawberry.field(
        description="Rides the change out by moving live; at risk meanwhile."
    )
    depth: int
    start: bool


@strawberry.type
class ChangeImpactPage:
    items: list[ChangeImpact]
    total: int
    next_cursor: str | None


@strawberry.type(description="A team or person to notify of a change.")
class ChangeOwner:
    ci: ChangeCI
    support_level: int | None
    email: str | None
    owned_affected: int


@strawberry.type(description="A planned change colliding with another.")
class ChangeConflictItem:
    change_id: strawberry.ID
    title: str
    state: str
    risk: str | None
    requester: str
    window_start: datetime
    window_end: datetime
    shared_cis: list[ChangeCI]
    shared_customers: list[ChangeCI]


@strawberry.type(description="A time in which no change should run.")
class BlackoutPeriod:
    id: strawberry.ID
    name: str
    start: datetime
    end: datetime
    ci_ids: list[strawberry.ID] = strawberry.field(
        description="The CIs it protects; empty for the whole estate."
    )
    reason: str
    created_by: str


@strawberry.type(description="A blackout period a change's window falls into.")
class BlackoutConflictItem:
    blackout: BlackoutPeriod
    estate_wide: bool
    shared_cis: list[ChangeCI]


@strawberry.type(description="Everything a change collides with.")
class ChangeConflicts:
    changes: list[ChangeConflictItem]
    blackouts: list[BlackoutConflictItem]


@strawberry.type(description="A customer to inform of a change.")
class NoticeCustomer:
    key: str
    name: str
    sla_tier: str | None
    contact_email: str | None
    impact: str = strawberry.field(description="'outage' or 'at risk'.")
    services: list[ChangeCI]


@strawberry.type(
    description="Who to tell about a scheduled change, about what and when."
)
class MaintenanceNotice:
    change_id: strawberry.ID
    title: str
    window_start: datetime
    window_end: datetime
    customers: list[NoticeCustomer]
    csv: str = strawberry.field(description="One row per customer and service.")
    document: JSON = strawberry.field(description="The notice as JSON.")


@strawberry.type(description="A request to change CIs in a planned window.")
class ChangeRequest:
    id: strawberry.ID
    title: str
    description: str
    requester: str
    type: ChangeTypeEnum
    state: ChangeStateEnum
    window_start: datetime
    window_end: datetime
    created_at: datetime
    updated_at: datetime
    version: int
    targets: list[ChangeCI]
    risk: RiskClassEnum | None
    risk_score: float | None
    risk_explanation: list[str]
    approvals: list[ChangeApproval]
    transitions: list[ChangeTransition]
    affected_count: int
    at_risk_count: int
    customer_count: int
    owner_count: int

    @strawberry.field(description="The stored blast radius, nearest first.")
    def blast_radius(
        self,
        info: strawberry.Info,
        first: int = 100,
        after: str | None = None,
        type: str | None = None,
    ) -> ChangeImpactPage:
        info.context.require(Permission.READ)
        offset = _offset(after)
        page, total = change_service.blast_radius_page(
            info.context.runtime,
            str(self.id),
            first=first,
            offset=offset,
            type_name=type,
        )
        more = offset + first < total
        return ChangeImpactPage(
            items=[_impact(row) for row in page],
            total=total,
            next_cursor=str(offset + first) if more else None,
        )

    @strawberry.field(description="Teams and people owning affected CIs.")
    def owners(self, info: strawberry.Info) -> list[ChangeOwner]:
        info.context.require(Permission.READ)
        rows = change_service.stored_owners(info.context.runtime, str(self.id))
        return [
            ChangeOwner(
                ci=_ci(row["owner"]),
                support_level=row["owner"].get("support_level"),
                email=row["owner"].get("email"),
                owned_affected=row["owned_affected"] or 0,
            )
            for row in rows
        ]

    @strawberry.field(description="Overlapping changes and blackouts it meets.")
    def conflicts(self, info: strawberry.Info) -> ChangeConflicts:
        info.context.require(Permission.READ)
        return conflicts_of(info, str(self.id))


@strawberry.type
class ChangeRequestConnection:
    items: list[ChangeRequest]
    next_cursor: str | None


@strawberry.type(description="A difference an importer saw that no change covered.")
class UnauthorisedChange:
    id: strawberry.ID
    status: str
    at: datetime
    ci_id: strawberry.ID
    ci_type: str | None
    ci_key: str | None
    other_id: strawberry.ID | None
    relationship_type: str | None
    action: str
    actor: str
    source: str
    request_id: str | None
    changes: JSON = strawberry.field(description="Each field before and after.")
    change_request_id: strawberry.ID | None
    reason: str | None
    closed_by: str | None
    closed_at: datetime | None


@strawberry.type
class UnauthorisedChangeConnection:
    items: list[UnauthorisedChange]
    next_cursor: str | None


@strawberry.type(description="A relationship as it stood at the time asked.")
class RelationshipAsOf:
    direction: str
    type: str
    other_id: strawberry.ID
    properties: JSON


@strawberry.type(description="A CI's fields and relationships at a given time.")
class ConfigurationAsOf:
    ci_id: strawberry.ID
    at: datetime
    exists: bool
    properties: JSON
    relationships: list[RelationshipAsOf]
    entries_applied: int


@strawberry.input(description="A new change request.")
class ChangeRequestInput:
    title: str
    target_ids: list[strawberry.ID]
    window_start: datetime
    window_end: datetime
    type: ChangeTypeEnum = ChangeType.NORMAL
    description: str = ""


@strawberry.input(description="Edits to a change request; fields left out stay.")
class ChangeRequestUpdateInput:
    title: str | None = None
    description: str | None = None
    type: ChangeTypeEnum | None = None
    target_ids: list[strawberry.ID] | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None


@strawberry.input(description="A new blackout period.")
class BlackoutPeriodInput:
    name: str
    start: datetime
    end: datetime
    ci_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    reason: str = ""


def _offset(after: str | None) -> int:
    try:
        offset = int(after) if after else 0
    except ValueError:
        offset = -1
    if offset < 0:
        raise CMDBError.single("after", ErrorCode.INVALID_VALUE, "bad cursor")
    return offset


def _ci(row: dict[str, Any]) -> ChangeCI:
    return ChangeCI(
        id=strawberry.ID(row["id"]), type=row["type"], key=row["key"], name=row["name"]
    )


def _impact(row: dict[str, Any]) -> ChangeImpact:
    impact = row["impact"]
    return ChangeImpact(
        ci=_ci(row["ci"]),
        state=impact["state"],
        at_risk=impact["at_risk"],
        depth=impact["depth"],
        start=impact["start"],
    )


def change_request(change: dict[str, Any]) -> ChangeRequest:
    """Build the GraphQL view of a change request."""
    return ChangeRequest(
        id=strawberry.ID(change["id"]),
        title=change["title"],
        description=change.get("description") or "",
        requester=change["requester"],
        type=ChangeType(change["type"]),
        state=ChangeState(change["state"]),
        window_start=change["window_start"],
        window_end=change["window_end"],
        created_at=change["created_at"],
        updated_at=change["updated_at"],
        version=change["version"],
        targets=[_ci(t) for t in change["targets"]],
        risk=RiskClass(change["risk"]) if change.get("risk") else None,
        risk_score=change.get("risk_score"),
        risk_explanation=change["risk_explanation"],
        approvals=[
            ChangeApproval(
                actor=a["actor"],
                change_manager=a["change_manager"],
                at=datetime.fromisoformat(a["at"]),
                comment=a.get("comment"),
            )
            for a in change["approvals"]
        ],
        transitions=[
            ChangeTransition(
                action=t["action"],
                from_state=t["from"],
                to_state=t["to"],
                actor=t["actor"],
                at=datetime.fromisoformat(t["at"]),
                comment=t.get("comment"),
                fields=t.get("fields") or [],
            )
            for t in change["transitions"]
        ],
        affected_count=change.get("affected_count") or 0,
        at_risk_count=change.get("at_risk_count") or 0,
        customer_count=change.get("customer_count") or 0,
        owner_count=change.get("owner_count") or 0,
    )


def _blackout(row: dict[str, Any]) -> BlackoutPeriod:
    return BlackoutPeriod(
        id=strawberry.ID(row["id"]),
        name=row["name"],
        start=row["start"],
        end=row["end"],
        ci_ids=[strawberry.ID(i) for i in row.get("ci_ids") or []],
        reason=row.get("reason") or "",
        created_by=row["created_by"],
    )


def conflicts_of(info: strawberry.Info, change_id: str) -> ChangeConflicts:
    """Resolve the conflicts of a change request."""
    found = change_service.change_conflicts(info.context.runtime, change_id)
    return ChangeConflicts(
        changes=[
            ChangeConflictItem(
                change_id=strawberry.ID(c.change["id"]),
                title=c.change["title"],
                state=c.change["state"],
                risk=c.change.get("risk"),
                requester=c.change["requester"],
                window_start=c.change["window_start"],
                window_end=c.change["window_end"],
                shared_cis=[_ci(ci) for ci in c.shared_cis],
                shared_customers=[_ci(ci) for ci in c.shared_customers],
            )
            for c in found.changes
        ],
        blackouts=[
            BlackoutConflictItem(
                blackout=_blackout(b.blackout),
                estate_wide=b.estate_wide,
                shared_cis=[_ci(ci) for ci in b.shared_cis],
            )
            for b in found.blackouts
        ],
    )


def _notice(notice: change_service.MaintenanceNotice) -> MaintenanceNotice:
    return MaintenanceNotice(
        change_id=strawberry.ID(notice.change_id),
        title=notice.title,
        window_start=notice.window_start,
        window_end=notice.window_end,
        customers=[
            NoticeCustomer(
                key=c.key,
                name=c.name,
                sla_tier=c.sla_tier,
                contact_email=c.contact_email,
                impact="outage" if c.state == "DOWN" else "at risk",
                services=[_ci(s) for s in c.services],
            )
            for c in notice.customers
        ],
        csv=change_service.notice_csv(notice),
        document=change_service.notice_document(notice),
    )


def _unauthorised(row: dict[str, Any]) -> UnauthorisedChange:
    return UnauthorisedChange(
        id=strawberry.ID(row["id"]),
        status=row["status"],
        at=row["at"],
        ci_id=strawberry.ID(row["ci_id"]),
        ci_type=row.get("ci_type"),
        ci_key=row.get("ci_key"),
        other_id=row.get("other_id"),
        relationship_type=row.get("rel_type"),
        action=row["action"],
        actor=row["actor"],
        source=row["source"],
        request_id=row.get("request_id"),
        changes=row["changes"],
        change_request_id=row.get("change_request_id"),
        reason=row.get("reason"),
        closed_by=row.get("closed_by"),
        closed_at=row.get("closed_at"),
    )


def _as_of(snapshot: CIAsOf) -> ConfigurationAsOf:
    return ConfigurationAsOf(
        ci_id=strawberry.ID(snapshot.ci_id),
        at=snapshot.at,
        exists=snapshot.exists,
        properties=dict(snapshot.properties),
        relationships=[
            RelationshipAsOf(
                direction=r.direction,
                type=r.type,
                other_id=strawberry.ID(r.other_id),
                properties=dict(r.properties),
            )
            for r in snapshot.relationships
        ],
        entries_applied=snapshot.entries_applied,
    )


def _connection(page: Page[dict[str, Any]]) -> ChangeRequestConnection:
    return ChangeRequestConnection(
        items=[change_request(c) for c in page.items], next_cursor=page.next_cursor
    )


@strawberry.type
class ChangeQuery:
    @strawberry.field(description="One change request by id.")
    def change_request(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> ChangeRequest | None:
        info.context.require(Permission.READ)
        found = change_service.get_change(info.context.runtime, str(id))
        return change_request(found) if found else None

    @strawberry.field(description="Change requests by window start, filtered.")
    def change_requests(
        self,
        info: strawberry.Info,
        states: list[ChangeStateEnum] | None = None,
        requester: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ChangeRequestConnection:
        info.context.require(Permission.READ)
        page = change_service.list_changes(
            info.context.runtime,
            states=[s.value for s in states] if states is not None else None,
            requester=requester,
            first=first,
            after=after,
        )
        return _connection(page)

    @strawberry.field(description="Overlapping changes and blackouts a change meets.")
    def change_conflicts(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> ChangeConflicts:
        info.context.require(Permission.READ)
        return conflicts_of(info, str(id))

    @strawberry.field(description="Customers to inform of a scheduled change.")
    def maintenance_notice(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> MaintenanceNotice:
        info.context.require(Permission.READ)
        return _notice(change_service.maintenance_notice(info.context.runtime, str(id)))

    @strawberry.field(description="Blackout periods overlapping a period, or all.")
    def blackout_periods(
        self,
        info: strawberry.Info,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[BlackoutPeriod]:
        info.context.require(Permission.READ)
        rows = change_service.list_blackouts(info.context.runtime, start, end)
        return [_blackout(row) for row in rows]

    @strawberry.field(description="A CI's attributes and relationships at a time.")
    def configuration_as_of(
        self, info: strawberry.Info, ci_id: strawberry.ID, at: datetime
    ) -> ConfigurationAsOf:
        info.context.require(Permission.READ)
        snapshot = configuration_history.configuration_as_of(
            info.context.runtime, str(ci_id), at
        )
        return _as_of(snapshot)

    @strawberry.field(description="Every write across the estate in a period.")
    def estate_history(
        self,
        info: strawberry.Info,
        since: datetime,
        until: datetime,
        actor: str | None = None,
        source: str | None = None,
        ci_type: str | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> HistoryConnection:
        info.context.require(Permission.READ)
        page = configuration_history.estate_history(
            info.context.runtime,
            since,
            until,
            actor=actor,
            source=source,
            ci_type=ci_type,
            first=first,
            after=after,
        )
        return HistoryConnection(
            items=[history_entry(e) for e in page.items], next_cursor=page.next_cursor
        )

    @strawberry.field(description="Unauthorised changes, newest first.")
    def unauthorised_changes(
        self,
        info: strawberry.Info,
        status: str | None = drift.OPEN,
        ci_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> UnauthorisedChangeConnection:
        info.context.require(Permission.READ)
        page = drift.list_unauthorised_changes(
            info.context.runtime,
            status=status,
            ci_id=str(ci_id) if ci_id is not None else None,
            first=first,
            after=after,
        )
        return UnauthorisedChangeConnection(
            items=[_unauthorised(row) for row in page.items],
            next_cursor=page.next_cursor,
        )


def _edits(input: ChangeRequestUpdateInput) -> dict[str, Any]:
    edits = {
        name: getattr(input, name)
        for name in ("title", "description", "window_start", "window_end")
        if getattr(input, name) is not None
    }
    if input.type is not None:
        edits["type"] = ChangeType(input.type).value
    if input.target_ids is not None:
        edits["target_ids"] = [str(i) for i in input.target_ids]
    return edits


@strawberry.type
class ChangeMutation:
    @strawberry.mutation(description="Create a draft change request.")
    def create_change_request(
        self, info: strawberry.Info, input: ChangeRequestInput
    ) -> ChangeRequest:
        info.context.require(Permission.REQUEST_CHANGES)
        draft = change_service.ChangeDraft(
            title=input.title,
            target_ids=[str(i) for i in input.target_ids],
            window_start=input.window_start,
            window_end=input.window_end,
            type=ChangeType(input.type).value,
            description=input.description,
        )
        created = change_service.create_change(
            info.context.runtime, draft, info.context.write_context()
        )
        return change_request(created)

    @strawberry.mutation(description="Edit a draft or submitted change request.")
    def update_change_request(
        self, info: strawberry.Info, id: strawberry.ID, input: ChangeRequestUpdateInput
    ) -> ChangeRequest:
        info.context.require(Permission.REQUEST_CHANGES)
        updated = change_service.update_change(
            info.context.runtime, str(id), _edits(input), info.context.write_context()
        )
        return change_request(updated)

    @strawberry.mutation(description="Submit a change for review; computes its risk.")
    def submit_change_request(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> ChangeRequest:
        info.context.require(Permission.REQUEST_CHANGES)
        submitted = change_service.submit_change(
            info.context.runtime, str(id), info.context.write_context()
        )
        return change_request(submitted)

    @strawberry.mutation(description="Approve somebody else's submitted change.")
    def approve_change_request(
        self, info: strawberry.Info, id: strawberry.ID, comment: str | None = None
    ) -> ChangeRequest:
        info.context.require(Permission.APPROVE_CHANGES)
        approved = change_service.approve_change(
            info.context.runtime,
            str(id),
            info.context.write_context(),
            info.context.roles,
            comment,
        )
        return change_request(approved)

    @strawberry.mutation(description="Reject somebody else's submitted change.")
    def reject_change_request(
        self, info: strawberry.Info, id: strawberry.ID, reason: str
    ) -> ChangeRequest:
        info.context.require(Permission.APPROVE_CHANGES)
        rejected = change_service.reject_change(
            info.context.runtime, str(id), info.context.write_context(), reason
        )
        return change_request(rejected)

    @strawberry.mutation(
        description="Schedule, start, complete, fail, cancel or revise."
    )
    def transition_change_request(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        action: ChangeWorkflowAction,
        comment: str | None = None,
    ) -> ChangeRequest:
        info.context.require(Permission.REQUEST_CHANGES)
        moved = change_service.transition_change(
            info.context.runtime,
            str(id),
            action.value,
            info.context.write_context(),
            comment,
        )
        return change_request(moved)

    @strawberry.mutation(description="Declare a blackout period.")
    def create_blackout_period(
        self, info: strawberry.Info, input: BlackoutPeriodInput
    ) -> BlackoutPeriod:
        info.context.require(Permission.APPROVE_CHANGES)
        created = change_service.create_blackout(
            info.context.runtime,
            input.name,
            input.start,
            input.end,
            info.context.write_context(),
            ci_ids=[str(i) for i in input.ci_ids],
            reason=input.reason,
        )
        return _blackout(created)

    @strawberry.mutation(description="Remove a blackout period; false if none.")
    def delete_blackout_period(self, info: strawberry.Info, id: strawberry.ID) -> bool:
        info.context.require(Permission.APPROVE_CHANGES)
        return change_service.delete_blackout(info.context.runtime, str(id))

    @strawberry.mutation(
        description="Close an unauthorised change: link a change or accept it."
    )
    def close_unauthorised_change(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        change_request_id: strawberry.ID | None = None,
        accept_reason: str | None = None,
    ) -> UnauthorisedChange:
        info.context.require(Permission.MANAGE_DRIFT)
        closed = drift.close_unauthorised_change(
            info.context.runtime,
            str(id),
            info.context.write_context(),
            change_request_id=str(change_request_id) if change_request_id else None,
            accept_reason=accept_reason,
        )
        return _unauthorised(closed)
