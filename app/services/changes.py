"""Change requests: plan, assess, review, schedule and carry out changes.

A change request names target CIs and a planned window. When it is
submitted, and whenever its targets, window or type change afterwards, its
blast radius is computed in planned mode and stored with it (affected CIs,
customers and owners), and a risk class is derived from it. Reviewers
approve or reject it; its transitions follow ``app.domain.changes``.
"""

import csv
import io
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.db import Tx
from app.domain.access import Role
from app.domain.changes import (
    AUTHORISED,
    EDITABLE,
    PLANNED,
    Approval,
    ChangeAction,
    ChangeState,
    ChangeType,
    CustomerExposure,
    RiskAssessment,
    RiskClass,
    ServiceExposure,
    approval_complete,
    approval_problems,
    assess_risk,
    next_state,
    pre_approved,
    window_problems,
)
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.records import WriteContext, new_id
from app.impact import ImpactState, Mode
from app.services.bulk import batches
from app.services.impact import ImpactReport, StartSpec, analyse_impact
from app.services.pages import Page, decode_cursor, encode_cursor, page_size
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

Change = dict[str, Any]
EDITABLE_FIELDS = frozenset(
    {"title", "description", "type", "target_ids", "window_start", "window_end"}
)
PLAN_FIELDS = frozenset({"type", "target_ids", "window_start", "window_end"})
JSON_FIELDS = ("transitions", "approvals", "risk_explanation")
WORKFLOW_ACTIONS = frozenset(
    {
        ChangeAction.SCHEDULE,
        ChangeAction.START,
        ChangeAction.COMPLETE,
        ChangeAction.FAIL,
        ChangeAction.CANCEL,
        ChangeAction.REVISE,
    }
)
PRE_APPROVER = "service:standard-change"


@dataclass(frozen=True)
class ChangeDraft:
    """What a requester gives to create a change request."""

    title: str
    target_ids: Sequence[str]
    window_start: datetime | None
    window_end: datetime | None
    type: str = ChangeType.NORMAL.value
    description: str = ""


@dataclass
class BlastRadius:
    """A change's planned-mode impact and the risk derived from it."""

    report: ImpactReport
    assessment: RiskAssessment
    affected_rows: list[dict[str, Any]]
    owner_rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ChangeConflict:
    """Another planned change whose window and blast radius overlap this one's."""

    change: dict[str, Any]
    shared_cis: list[dict[str, Any]]
    shared_customers: list[dict[str, Any]]


@dataclass(frozen=True)
class BlackoutConflict:
    """A blackout period the change's window falls into."""

    blackout: dict[str, Any]
    shared_cis: list[dict[str, Any]]

    @property
    def estate_wide(self) -> bool:
        """Whether the blackout covers every CI."""
        return not self.blackout.get("ci_ids")


@dataclass(frozen=True)
class Conflicts:
    """Everything a change collides with."""

    changes: list[ChangeConflict] = field(default_factory=list)
    blackouts: list[BlackoutConflict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.blackouts)


@dataclass(frozen=True)
class NoticeCustomer:
    """A customer to inform, with the services of theirs the change affects."""

    id: str
    key: str
    name: str
    sla_tier: str | None
    contact_email: str | None
    state: str
    services: list[dict[str, Any]]


@dataclass(frozen=True)
class MaintenanceNotice:
    """Who to tell about a scheduled change, about what and when."""

    change_id: str
    title: str
    window_start: datetime
    window_end: datetime
    customers: list[NoticeCustomer]


# Reading change requests.


def get_change(runtime: Runtime, change_id: str) -> Change | None:
    """Return the change request with this id, or None."""
    rows = runtime.db.read("change_get", id=change_id)
    return _decode(rows[0]["change"], rows[0]["targets"]) if rows else None


def require_change(runtime: Runtime, change_id: str, field: str = "id") -> Change:
    """Return the change request or raise NOT_FOUND naming ``field``."""
    change = get_change(runtime, change_id)
    if change is None:
        raise CMDBError.single(
            field, ErrorCode.NOT_FOUND, f"no change request {change_id!r}"
        )
    return change


def list_changes(
    runtime: Runtime,
    *,
    states: Iterable[str] | None = None,
    requester: str | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[Change]:
    """Return one page of change requests by window start."""
    wanted = _states(states) if states is not None else None
    limit = page_size(first, runtime.settings.max_page_size)
    skip = decode_cursor(after) or 0
    rows = runtime.db.read(
        "change_list",
        states=wanted,
        requester=requester,
        skip=skip,
        limit=limit + 1,
    )
    items = [_decode(row["change"], row["targets"]) for row in rows[:limit]]
    return Page(items, encode_cursor(skip + limit) if len(rows) > limit else None)


# Creating and editing.


def create_change(
    runtime: Runtime, draft: ChangeDraft, context: WriteContext
) -> Change:
    """Validate and create a draft change request for the caller."""
    problems = _draft_problems(runtime, draft)
    if problems:
        raise CMDBError(problems)
    properties = {
        "id": new_id(),
        "title": draft.title.strip(),
        "description": draft.description,
        "type": draft.type,
        "state": ChangeState.DRAFT.value,
        "requester": context.actor,
        "window_start": draft.window_start,
        "window_end": draft.window_end,
        "created_at": context.at,
        "updated_at": context.at,
        "version": 1,
        "transitions": json.dumps([]),
        "approvals": json.dumps([]),
        "risk_explanation": json.dumps([]),
    }
    target_ids = list(dict.fromkeys(draft.target_ids))
    runtime.db.transaction(
        lambda tx: tx.run("change_create", properties=properties, target_ids=target_ids)
    )
    logger.info(
        "Created change request %s on %d CI(s)", properties["id"], len(target_ids)
    )
    return require_change(runtime, properties["id"])


def update_change(
    runtime: Runtime, change_id: str, changes: dict[str, Any], context: WriteContext
) -> Change:
    """Edit a draft or submitted change; a new plan recomputes its blast radius.

    A submitted change whose targets, window or type change loses the
    approvals it had gathered: reviewers approved another plan.
    """
    stored = require_change(runtime, change_id)
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise CMDBError.single(
            unknown[0], ErrorCode.UNKNOWN_PROPERTY, "not an editable field"
        )
    if ChangeState(stored["state"]) not in EDITABLE:
        raise CMDBError.single(
            "state",
            ErrorCode.INVALID_TRANSITION,
            f"a {stored['state']} change can no longer be edited",
        )
    merged = {**_draft_fields(stored), **changes}
    problems = _draft_problems(runtime, ChangeDraft(**merged))
    if problems:
        raise CMDBError(problems)
    replanned = any(
        _differs(stored, name, changes[name]) for name in changes if name in PLAN_FIELDS
    )
    recompute = replanned and stored["state"] == ChangeState.SUBMITTED.value
    radius = compute_blast_radius(runtime, {**stored, **merged}) if recompute else None

    def work(tx: Tx) -> None:
        locked = _lock(tx, change_id, stored["version"])
        properties = {k: v for k, v in merged.items() if k != "target_ids"}
        properties["title"] = properties["title"].strip()
        properties["updated_at"] = context.at
        if "target_ids" in changes:
            tx.run("change_set_targets", id=change_id, target_ids=_unique(merged))
        if radius is not None:
            _store_radius(tx, change_id, radius, runtime.settings.batch_size)
            properties.update(_radius_properties(radius, context))
            properties["approvals"] = json.dumps([])
        if replanned:
            log = _log(locked, "edit", locked["state"], context, sorted(changes))
            properties["transitions"] = json.dumps(log)
        tx.run("change_update", id=change_id, properties=properties)

    runtime.db.transaction(work)
    logger.info("Edited change request %s: %s", change_id, sorted(changes))
    return require_change(runtime, change_id)


def _draft_fields(change: Change) -> dict[str, Any]:
    return {
        "title": change["title"],
        "description": change.get("description") or "",
        "type": change["type"],
        "target_ids": [t["id"] for t in change["targets"]],
        "window_start": change["window_start"],
        "window_end": change["window_end"],
    }


def _differs(stored: Change, name: str, value: Any) -> bool:
    if name == "target_ids":
        return set(value) != {t["id"] for t in stored["targets"]}
    return stored.get(name) != value


def _unique(fields: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(fields["target_ids"]))


def _draft_problems(runtime: Runtime, draft: ChangeDraft) -> list[Problem]:
    problems = []
    if not str(draft.title or "").strip():
        problems.append(
            Problem("title", ErrorCode.INVALID_VALUE, "a title is required")
        )
    if draft.type not in {t.value for t in ChangeType}:
        choices = ", ".join(t.value for t in ChangeType)
        message = f"{draft.type!r} is not one of {choices}"
        problems.append(Problem("type", ErrorCode.INVALID_VALUE, message))
    problems += window_problems(draft.window_start, draft.window_end)
    problems += _target_problems(runtime, list(draft.target_ids))
    return problems


def _target_problems(runtime: Runtime, target_ids: list[str]) -> list[Problem]:
    if not target_ids:
        return [Problem("targets", ErrorCode.INVALID_VALUE, "name at least one CI")]
    rows = runtime.db.read("impact_nodes", ids=target_ids)
    found = {row["node"]["id"]: row["node"] for row in rows}
    problems = []
    for index, target_id in enumerate(target_ids):
        node = found.get(target_id)
        where = f"targets[{index}]"
        if node is None:
            message = f"no CI with id {target_id!r}"
            problems.append(Problem(where, ErrorCode.NOT_FOUND, message))
        elif node["status"] == "retired":
            message = f"{node['type']} {node['key']} is retired"
            problems.append(Problem(where, ErrorCode.RETIRED, message))
    return problems


# The blast radius and its risk.


def compute_blast_radius(runtime: Runtime, change: Change) -> BlastRadius:
    """Evaluate the change's targets in planned mode and assess the risk.

    CIs that other authorised changes in an overlapping window work on count
    as down, so two changes on one redundant cluster show their combined
    effect.
    """
    target_ids = change.get("target_ids") or [t["id"] for t in change["targets"]]
    busy = runtime.db.read(
        "change_targets_active_between",
        states=sorted(AUTHORISED),
        start=change["window_start"],
        end=change["window_end"],
        exclude_id=change.get("id"),
    )
    context_down = {row["id"] for row in busy} - set(target_ids)
    report = analyse_impact(
        runtime,
        [StartSpec(id=target_id) for target_id in target_ids],
        mode=Mode.PLANNED,
        context_down=context_down,
    )
    assessment = assess_risk(
        ChangeType(change["type"]),
        [
            CustomerExposure(c.customer.key, c.sla_tier, _down(c.customer.state))
            for c in report.customers
        ],
        _services(runtime, report),
    )
    return BlastRadius(report, assessment, _affected_rows(report), _owner_rows(report))


def _down(state: ImpactState) -> bool:
    return state == ImpactState.DOWN


def _services(runtime: Runtime, report: ImpactReport) -> list[ServiceExposure]:
    services = [ci for ci in report.result.affected.values() if ci.type == "Service"]
    if not services:
        return []
    rows = runtime.db.read("change_ci_criticality", ids=[s.id for s in services])
    criticality = {row["id"]: row["criticality"] for row in rows}
    return [
        ServiceExposure(s.key, criticality.get(s.id) or "medium", _down(s.state))
        for s in services
    ]


def _affected_rows(report: ImpactReport) -> list[dict[str, Any]]:
    via = {c.customer.id: [ci.id for ci in c.affected_cis] for c in report.customers}
    return [
        {
            "id": ci.id,
            "properties": {
                "state": ci.state.name,
                "at_risk": ci.at_risk,
                "depth": ci.depth,
                "start": ci.start,
                **({"via": via[ci.id]} if ci.id in via else {}),
            },
        }
        for ci in report.result.affected.values()
    ]


def _owner_rows(report: ImpactReport) -> list[dict[str, Any]]:
    return [
        {"id": owner.id, "properties": {"owned_affected": len(owner.owned)}}
        for owner in report.owners
    ]


def _store_radius(tx: Tx, change_id: str, radius: BlastRadius, size: int) -> None:
    tx.run("change_blast_radius_clear", id=change_id)
    for batch in batches(radius.affected_rows, size):
        tx.run("change_affects_batch", id=change_id, rows=list(batch))
    for batch in batches(radius.owner_rows, size):
        tx.run("change_notifies_batch", id=change_id, rows=list(batch))


def _radius_properties(radius: BlastRadius, context: WriteContext) -> dict[str, Any]:
    affected = radius.report.result.affected.values()
    return {
        "risk": radius.assessment.risk.value,
        "risk_score": radius.assessment.score,
        "risk_explanation": json.dumps(list(radius.assessment.explanation)),
        "affected_count": len(radius.affected_rows),
        "at_risk_count": sum(1 for ci in affected if ci.at_risk),
        "customer_count": len(radius.report.customers),
        "owner_count": len(radius.owner_rows),
        "blast_radius_limit_hit": radius.report.result.limit_hit,
        "blast_radius_at": context.at,
    }


def stored_blast_radius(runtime: Runtime, change_id: str) -> list[dict[str, Any]]:
    """Return the stored affected CIs of a change with how each is affected."""
    require_change(runtime, change_id)
    return runtime.db.read("change_affected", id=change_id)


def blast_radius_page(
    runtime: Runtime,
    change_id: str,
    *,
    first: int,
    offset: int = 0,
    type_name: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Return one page of the stored blast radius, nearest first, and the total."""
    limit = page_size(first, runtime.settings.max_page_size)
    require_change(runtime, change_id)
    [row] = runtime.db.read(
        "change_affected_page",
        id=change_id,
        type=type_name,
        offset=offset,
        limit=limit,
    )
    return row["page"], row["total"]


def stored_owners(runtime: Runtime, change_id: str) -> list[dict[str, Any]]:
    """Return the teams and people the change notifies."""
    return runtime.db.read("change_owners", id=change_id)


# The workflow.


def submit_change(runtime: Runtime, change_id: str, context: WriteContext) -> Change:
    """Submit a draft for review, storing its blast radius and risk.

    A standard change that is not high risk is pre-approved on the spot.
    """
    started = time.perf_counter()
    stored = require_change(runtime, change_id)
    next_state(ChangeState(stored["state"]), ChangeAction.SUBMIT)
    radius = compute_blast_radius(runtime, stored)
    risk = radius.assessment.risk

    def work(tx: Tx) -> None:
        locked = _lock(tx, change_id, stored["version"])
        state = next_state(ChangeState(locked["state"]), ChangeAction.SUBMIT)
        log = _log(locked, ChangeAction.SUBMIT, state, context)
        if pre_approved(ChangeType(locked["type"]), risk):
            state, log = _pre_approve({**locked, "state": state, "transitions": log})
        _store_radius(tx, change_id, radius, runtime.settings.batch_size)
        properties = {
            **_radius_properties(radius, context),
            "state": state.value,
            "transitions": json.dumps(log),
            "approvals": json.dumps([]),
            "updated_at": context.at,
        }
        tx.run("change_update", id=change_id, properties=properties)

    runtime.db.transaction(work)
    logger.info(
        "Submitted change request %s: %d affected, %d customers, risk %s, %.3f s",
        change_id,
        len(radius.affected_rows),
        len(radius.report.customers),
        risk,
        time.perf_counter() - started,
    )
    return require_change(runtime, change_id)


def approve_change(
    runtime: Runtime,
    change_id: str,
    context: WriteContext,
    roles: Iterable[Role],
    comment: str | None = None,
) -> Change:
    """Record an approval; the change is approved once its approvals suffice.

    Nobody approves their own change. A high-risk change needs two
    approvals, one of them from a change manager.
    """
    change_manager = Role.CHANGE_MANAGER in set(roles)

    def work(tx: Tx) -> None:
        locked = _lock(tx, change_id)
        next_state(ChangeState(locked["state"]), ChangeAction.APPROVE)
        approvals = _approvals(locked)
        problems = approval_problems(locked["requester"], context.actor, approvals)
        if problems:
            raise CMDBError(problems)
        approvals.append(Approval(context.actor, change_manager, context.at))
        properties = {"approvals": _encode_approvals(approvals, comment, locked)}
        properties["updated_at"] = context.at
        risk = RiskClass(locked.get("risk") or RiskClass.LOW)
        if approval_complete(risk, approvals):
            state = next_state(ChangeState(locked["state"]), ChangeAction.APPROVE)
            log = _log(locked, ChangeAction.APPROVE, state, context, comment=comment)
            properties.update(state=state.value, transitions=json.dumps(log))
        tx.run("change_update", id=change_id, properties=properties)

    runtime.db.transaction(work)
    logger.info("Approval of change request %s by %s", change_id, context.actor)
    return require_change(runtime, change_id)


def reject_change(
    runtime: Runtime, change_id: str, context: WriteContext, reason: str
) -> Change:
    """Reject a submitted change with a reason; not one's own (cancel that)."""
    if not str(reason or "").strip():
        raise CMDBError.single("reason", ErrorCode.INVALID_VALUE, "give a reason")

    def work(tx: Tx) -> None:
        locked = _lock(tx, change_id)
        state = next_state(ChangeState(locked["state"]), ChangeAction.REJECT)
        if locked["requester"] == context.actor:
            message = f"{context.actor} requested this change; cancel it instead"
            raise CMDBError.single("approver", ErrorCode.SELF_APPROVAL, message)
        log = _log(locked, ChangeAction.REJECT, state, context, comment=reason)
        properties = {
            "state": state.value,
            "transitions": json.dumps(log),
            "updated_at": context.at,
        }
        tx.run("change_update", id=change_id, properties=properties)

    runtime.db.transaction(work)
    logger.info("Rejected change request %s", change_id)
    return require_change(runtime, change_id)


def transition_change(
    runtime: Runtime,
    change_id: str,
    action: str,
    context: WriteContext,
    comment: str | None = None,
) -> Change:
    """Move a change on: schedule, start, complete, fail, cancel or revise."""
    try:
        chosen = ChangeAction(action)
    except ValueError:
        chosen = None
    if chosen not in WORKFLOW_ACTIONS:
        choices = ", ".join(sorted(a.value for a in WORKFLOW_ACTIONS))
        raise CMDBError.single(
            "action", ErrorCode.INVALID_VALUE, f"{action!r} is not one of {choices}"
        )

    def work(tx: Tx) -> ChangeState:
        locked = _lock(tx, change_id)
        state = next_state(ChangeState(locked["state"]), chosen)
        log = _log(locked, chosen, state, context, comment=comment)
        properties = {
            "state": state.value,
            "transitions": json.dumps(log),
            "updated_at": context.at,
        }
        if chosen == ChangeAction.REVISE:
            properties["approvals"] = json.dumps([])
        tx.run("change_update", id=change_id, properties=properties)
        return state

    state = runtime.db.transaction(work)
    logger.info("Change request %s: %s, now %s", change_id, chosen, state)
    return require_change(runtime, change_id)


def _pre_approve(change: Change) -> tuple[ChangeState, list[dict[str, Any]]]:
    """Approve a standard change on the service's behalf at its submission."""
    state = next_state(ChangeState(change["state"]), ChangeAction.APPROVE)
    submitted = change["transitions"][-1]
    context = WriteContext(
        PRE_APPROVER, "service", at=datetime.fromisoformat(submitted["at"])
    )
    comment = "standard change, pre-approved"
    return state, _log(change, ChangeAction.APPROVE, state, context, comment=comment)


def _lock(tx: Tx, change_id: str, expected_version: int | None = None) -> Change:
    rows = tx.run("change_lock", id=change_id)
    if not rows:
        raise CMDBError.single(
            "id", ErrorCode.NOT_FOUND, f"no change request {change_id!r}"
        )
    locked = _decode(rows[0]["change"], [])
    if expected_version is not None and locked["version"] != expected_version:
        raise CMDBError.single(
            "id", ErrorCode.CONFLICT, "the change request changed meanwhile; retry"
        )
    return locked


def _log(
    change: Change,
    action: str,
    state: ChangeState | str,
    context: WriteContext,
    fields: list[str] | None = None,
    comment: str | None = None,
) -> list[dict[str, Any]]:
    entry = {
        "action": str(action),
        "from": str(change["state"]),
        "to": str(state),
        "actor": context.actor,
        "at": context.at.isoformat(),
    }
    if fields:
        entry["fields"] = fields
    if comment:
        entry["comment"] = comment
    return [*change["transitions"], entry]


def _approvals(change: Change) -> list[Approval]:
    return [
        Approval(a["actor"], a["change_manager"], datetime.fromisoformat(a["at"]))
        for a in change["approvals"]
    ]


def _encode_approvals(
    approvals: list[Approval], comment: str | None, change: Change
) -> str:
    comments = {a["actor"]: a.get("comment") for a in change["approvals"]}
    comments[approvals[-1].actor] = comment
    return json.dumps(
        [
            {
                "actor": a.actor,
                "change_manager": a.change_manager,
                "at": a.at.isoformat(),
                "comment": comments.get(a.actor),
            }
            for a in approvals
        ]
    )


def _states(states: Iterable[str]) -> list[str]:
    wanted = list(states)
    known = {s.value for s in ChangeState}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise CMDBError.single(
            "states", ErrorCode.INVALID_VALUE, f"unknown state(s): {unknown}"
        )
    return wanted


def _decode(row: dict[str, Any], targets: list[dict[str, Any]]) -> Change:
    change = dict(row)
    for name in JSON_FIELDS:
        change[name] = json.loads(change.get(name) or "[]")
    change["targets"] = sorted(targets, key=lambda t: (t["type"], t["key"]))
    return change


# Conflicts and blackouts.


def change_conflicts(runtime: Runtime, change_id: str) -> Conflicts:
    """Find planned changes and blackouts the change collides with."""
    change = require_change(runtime, change_id)
    rows = runtime.db.read("change_conflicting", id=change_id, states=sorted(PLANNED))
    changes = [
        ChangeConflict(
            row["change"],
            [ci for ci in row["shared"] if ci["type"] != "Customer"],
            [ci for ci in row["shared"] if ci["type"] == "Customer"],
        )
        for row in rows
    ]
    return Conflicts(changes, _blackout_conflicts(runtime, change))


def _blackout_conflicts(runtime: Runtime, change: Change) -> list[BlackoutConflict]:
    blackouts = list_blackouts(runtime, change["window_start"], change["window_end"])
    if not blackouts:
        return []
    affected = {
        row["ci"]["id"]: row["ci"] for row in stored_blast_radius(runtime, change["id"])
    }
    affected.update({t["id"]: t for t in change["targets"]})
    found = []
    for blackout in blackouts:
        scope = blackout.get("ci_ids") or []
        shared = [_brief(affected[i]) for i in scope if i in affected]
        if not scope or shared:
            found.append(BlackoutConflict(blackout, shared))
    return found


def _brief(ci: dict[str, Any]) -> dict[str, Any]:
    return {name: ci.get(name) for name in ("id", "type", "key", "name")}


def create_blackout(
    runtime: Runtime,
    name: str,
    start: datetime | None,
    end: datetime | None,
    context: WriteContext,
    *,
    ci_ids: Sequence[str] = (),
    reason: str = "",
) -> dict[str, Any]:
    """Create a blackout period, estate-wide or on the given CIs."""
    problems = window_problems(start, end, "window")
    if not str(name or "").strip():
        problems.append(Problem("name", ErrorCode.INVALID_VALUE, "a name is required"))
    if ci_ids:
        problems += [
            Problem(p.field.replace("targets", "ciIds"), p.code, p.message)
            for p in _target_problems(runtime, list(ci_ids))
        ]
    if problems:
        raise CMDBError(problems)
    properties = {
        "id": new_id(),
        "name": name.strip(),
        "start": start,
        "end": end,
        "ci_ids": list(dict.fromkeys(ci_ids)),
        "reason": reason,
        "created_by": context.actor,
        "created_at": context.at,
    }
    rows = runtime.db.transaction(
        lambda tx: tx.run("blackout_create", properties=properties)
    )
    logger.info("Created blackout period %s on %d CI(s)", name, len(ci_ids))
    return rows[0]["blackout"]


def list_blackouts(
    runtime: Runtime, start: datetime | None = None, end: datetime | None = None
) -> list[dict[str, Any]]:
    """Return the blackout periods overlapping ``[start, end)``, or all."""
    return [
        row["blackout"]
        for row in runtime.db.read("blackout_list", start=start, end=end)
    ]


def delete_blackout(runtime: Runtime, blackout_id: str) -> bool:
    """Delete a blackout period; False when there was none."""
    rows = runtime.db.transaction(lambda tx: tx.run("blackout_delete", id=blackout_id))
    return bool(rows and rows[0]["deleted"])


# Maintenance notices.


def maintenance_notice(runtime: Runtime, change_id: str) -> MaintenanceNotice:
    """Return the customers to inform of a scheduled change, with what and when."""
    change = require_change(runtime, change_id)
    if change["state"] not in (ChangeState.SCHEDULED, ChangeState.IN_PROGRESS):
        raise CMDBError.single(
            "state",
            ErrorCode.INVALID_TRANSITION,
            f"a notice is for a scheduled change; this one is {change['state']}",
        )
    rows = runtime.db.read("change_notice_customers", id=change_id)
    customers = [
        NoticeCustomer(
            id=row["customer"]["id"],
            key=row["customer"]["key"],
            name=row["customer"]["name"],
            sla_tier=row["customer"].get("sla_tier"),
            contact_email=row["customer"].get("contact_email"),
            state=row["state"],
            services=row["services"],
        )
        for row in rows
    ]
    return MaintenanceNotice(
        change_id,
        change["title"],
        change["window_start"],
        change["window_end"],
        customers,
    )


def notice_document(notice: MaintenanceNotice) -> dict[str, Any]:
    """Return the notice as a JSON-ready mapping."""
    return {
        "change_id": notice.change_id,
        "title": notice.title,
        "window_start": notice.window_start.isoformat(),
        "window_end": notice.window_end.isoformat(),
        "customers": [
            {
                "key": c.key,
                "name": c.name,
                "sla_tier": c.sla_tier,
                "contact_email": c.contact_email,
                "impact": "outage" if c.state == "DOWN" else "at risk",
                "services": [f"{s['type']}:{s['key']}" for s in c.services],
            }
            for c in notice.customers
        ],
    }


def notice_csv(notice: MaintenanceNotice) -> str:
    """Return the notice as CSV: one row per customer and affected service."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["customer", "name", "sla_tier", "contact_email", "impact", "service",
         "window_start", "window_end"]
    )  # fmt: skip
    for customer in notice_document(notice)["customers"]:
        for service in customer["services"] or [""]:
            writer.writerow(
                [
                    customer["key"],
                    customer["name"],
                    customer["sla_tier"] or "",
                    customer["contact_email"] or "",
                    customer["impact"],
                    service,
                    notice.window_start.isoformat(),
                    notice.window_end.isoformat(),
                ]
            )
    return out.getvalue()
