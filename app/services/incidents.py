"""Incidents: open, route, link affected CIs and customers, move through states.

Computed links come from impact analysis in failure mode, with the CIs down
in other open incidents as context and the CIs a person marked not_impacted
excluded. A person's links (manual, not_impacted, do_not_notify) are never
removed by recomputation. Every write of an incident, its links, its
priority and its activity entries happens in one transaction.
"""

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from app.db import Tx
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.incidents import (
    CUSTOMER_TYPE,
    MANUAL_STATES,
    OPEN_STATUSES,
    SERVICE_TYPE,
    IncidentStatus,
    LinkKind,
    PriorityInput,
    Transition,
    activity_entry,
    check_link_kind,
    check_title,
    derive_priority,
    is_open,
    next_status,
    parse_urgency,
)
from app.domain.records import WriteContext, new_id
from app.impact import AffectedCI
from app.services import impact as impact_service
from app.services.bulk import batches
from app.services.impact_context import down_elsewhere
from app.services.pages import Page, decode_cursor, encode_cursor, page_size
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

Incident = dict[str, Any]
TEAM_TYPE = "Team"
# What a person's link replaces of the computed fields (None removes them).
MANUAL_FIELDS = {
    "depth": 0,
    "start": False,
    "reason": "[]",
    "restarts": None,
    "at_risk": None,
    "digest": None,
}
EXCLUDED_FIELDS = {**MANUAL_FIELDS, "state": None, "depth": None, "reason": None}
PRIORITY_KINDS = (LinkKind.COMPUTED, LinkKind.MANUAL, LinkKind.DO_NOT_NOTIFY)
AFFECTED_STATES = ("down", "degraded")
STALE_RETRIES = 3
# Incidents feed each other's context; passes over the open ones until settled.
MAX_RECOMPUTE_PASSES = 3


@dataclass(frozen=True)
class IncidentDraft:
    """What a person gives to open an incident."""

    title: str
    starts: Sequence[impact_service.StartSpec]
    urgency: int | str = 2
    description: str = ""
    team_id: str | None = None
    support_level: int | None = None


@dataclass
class Snapshot:
    """An incident as recomputation reads it: version, starts and links."""

    incident_id: str
    version: int
    start_ids: list[str]
    links: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class PersonChange:
    """A link a person sets (``link`` given) or removes (``link`` None)."""

    ci_id: str
    link: dict[str, Any] | None


@dataclass
class LinkChanges:
    """What a recomputation writes: new links, changed links, links to remove."""

    creates: list[dict[str, Any]]
    upserts: list[dict[str, Any]]
    deletes: list[str]
    affected: int

    @property
    def written(self) -> int:
        """Return how many links are created or changed."""
        return len(self.creates) + len(self.upserts)


class _StaleSnapshotError(Exception):
    """The incident changed between reading and writing; plan again."""


# Opening.


def open_incident(
    runtime: Runtime, draft: IncidentDraft, context: WriteContext
) -> Incident:
    """Open an incident on its starting CIs, link what they hurt, route it."""
    started = time.perf_counter()
    title, urgency = _check_draft(draft)
    start_ids = impact_service.resolve_starts(runtime, draft.starts)
    team, level, overridden = _routing(runtime, start_ids, draft)
    incident = {
        "id": new_id(),
        "title": title,
        "description": (draft.description or "").strip(),
        "urgency": urgency,
        "status": str(IncidentStatus.NEW),
        "created_at": context.at,
        "updated_at": context.at,
        "created_by": context.actor,
        "version": 1,
    }
    snapshot = Snapshot(incident["id"], 1, start_ids)
    report = _analyse(runtime, snapshot)
    changes = _plan(snapshot, report, context.at)
    opened = {"title": title, "urgency": urgency, "starts": start_ids}

    def work(tx: Tx) -> None:
        tx.run("incident_create", incident=incident, start_ids=start_ids)
        _log(tx, context, incident["id"], "open", opened)
        _write_assignment(tx, incident["id"], team, level, overridden, context)
        _write_links(tx, runtime, incident["id"], changes)
        _write_priority(tx, incident, urgency, context)

    runtime.db.transaction(work)
    logger.info(
        "Opened incident %s on %d CI(s): %d links in %.3f s",
        incident["id"],
        len(start_ids),
        changes.written,
        time.perf_counter() - started,
    )
    recompute_open_incidents(
        runtime, context, exclude_incident_id=incident["id"], because="opened"
    )
    return get_incident(runtime, incident["id"])


def _check_draft(draft: IncidentDraft) -> tuple[str, int]:
    """Return the clean title and urgency, or refuse with every problem found."""
    problems: list[Problem] = []
    checked: list[Any] = []
    for check, value in ((check_title, draft.title), (parse_urgency, draft.urgency)):
        try:
            checked.append(check(value))
        except CMDBError as error:
            problems += error.problems
    if problems:
        raise CMDBError(problems)
    title, urgency = checked
    return title, urgency


def _routing(
    runtime: Runtime, start_ids: list[str], draft: IncidentDraft
) -> tuple[dict[str, Any] | None, int | None, bool]:
    """Return the team, support level and whether a person chose them."""
    level = _check_support_level(draft.support_level)
    if draft.team_id is not None:
        return _require_team(runtime, draft.team_id), level, True
    team = owning_team(runtime, start_ids)
    default_level = team.get("support_level") if team else None
    return team, level or default_level, level is not None


def owning_team(runtime: Runtime, start_ids: list[str]) -> dict[str, Any] | None:
    """Return the Team owning the first starting CI that has one."""
    rows = runtime.db.read(
        "impact_owners", ids=start_ids, owner_types=list(impact_service.OWNER_TYPES)
    )
    teams = {
        row["ci_id"]: row["owner"] for row in rows if row["owner"]["type"] == TEAM_TYPE
    }
    return next((teams[ci] for ci in start_ids if ci in teams), None)


def _require_team(runtime: Runtime, team_id: str) -> dict[str, Any]:
    rows = runtime.db.read("ci_get_by_id", id=team_id)
    if not rows or rows[0]["ci"]["type"] != TEAM_TYPE:
        raise CMDBError.single("teamId", ErrorCode.NOT_FOUND, f"no team {team_id!r}")
    return rows[0]["ci"]


def _check_support_level(level: int | None) -> int | None:
    if level is not None and level not in (1, 2, 3):
        raise CMDBError.single(
            "supportLevel", ErrorCode.INVALID_VALUE, "must be 1, 2 or 3"
        )
    return level


def _write_assignment(
    tx: Tx,
    incident_id: str,
    team: dict[str, Any] | None,
    level: int | None,
    overridden: bool,
    context: WriteContext,
) -> None:
    tx.run(
        "incident_assign",
        id=incident_id,
        team_id=team["id"] if team else None,
        support_level=level,
        overridden=overridden,
        at=context.at,
    )


# Reading.


def get_incident(runtime: Runtime, incident_id: str) -> Incident | None:
    """Return the incident with its starts, assignment, parent and cause."""
    rows = runtime.db.read("incident_get", id=incident_id)
    return _incident(rows[0]) if rows else None


def require_incident(
    runtime: Runtime, incident_id: str, field_name: str = "id"
) -> Incident:
    """Return the incident or raise NOT_FOUND naming ``field_name``."""
    incident = get_incident(runtime, incident_id)
    if incident is None:
        raise CMDBError.single(
            field_name, ErrorCode.NOT_FOUND, f"no incident {incident_id!r}"
        )
    return incident


def _incident(row: dict[str, Any]) -> Incident:
    incident = dict(row["incident"])
    incident["priority_inputs"] = json.loads(incident.get("priority_inputs") or "{}")
    incident.update(
        starts=row["starts"],
        team=row["team"],
        assignment=row["assignment"],
        parent_id=row["parent_id"],
        child_ids=row["child_ids"],
        cause=row["cause"],
        cause_details=row["cause_details"],
    )
    return incident


def list_incidents(
    runtime: Runtime,
    *,
    statuses: Sequence[str] | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[Incident]:
    """Return one page of incidents, newest first."""
    for status in statuses or ():
        if status not in {str(known) for known in IncidentStatus}:
            raise CMDBError.single("status", ErrorCode.INVALID_VALUE, f"{status!r}")
    limit = page_size(first, runtime.settings.max_page_size)
    before_at, before_id = _position(decode_cursor(after))
    rows = runtime.db.read(
        "incident_list",
        statuses=list(statuses) if statuses else None,
        before_at=before_at,
        before_id=before_id,
        limit=limit + 1,
    )
    items = [row["incident"] for row in rows[:limit]]
    last = items[-1] if items else None
    more = len(rows) > limit and last is not None
    cursor = encode_cursor([last["created_at"], last["id"]]) if more else None
    return Page(items, cursor)


def _position(cursor: Any) -> tuple[datetime | None, str | None]:
    if cursor is None:
        return None, None
    try:
        return datetime.fromisoformat(cursor[0]), str(cursor[1])
    except (TypeError, ValueError, IndexError):
        raise CMDBError.single(
            "after", ErrorCode.INVALID_VALUE, "not a cursor this service issued"
        ) from None


def list_links(
    runtime: Runtime,
    incident_id: str,
    *,
    kinds: Sequence[str] | None = None,
    type_name: str | None = None,
    state: str | None = None,
    first: int = 100,
    after: str | None = None,
) -> Page[dict[str, Any]]:
    """Return one page of an incident's links, nearest first."""
    limit = page_size(first, runtime.settings.max_page_size)
    cursor = decode_cursor(after)
    after_depth, after_id = cursor if cursor else (None, None)
    rows = runtime.db.read(
        "incident_links_page",
        id=incident_id,
        kinds=list(kinds) if kinds else None,
        type=type_name,
        state=state,
        after_depth=after_depth,
        after_id=after_id,
        limit=limit + 1,
    )
    items = [_link_view(row) for row in rows[:limit]]
    if len(rows) <= limit:
        return Page(items, None)
    return Page(items, encode_cursor([rows[limit - 1]["depth"], items[-1]["ci"]["id"]]))


def _link_view(row: dict[str, Any]) -> dict[str, Any]:
    link = dict.fromkeys(("state", "note", "actor", "at", "computed_at"))
    link.update(restarts=False, at_risk=False, start=False, depth=0)
    link.update({k: v for k, v in row["link"].items() if v is not None})
    link["reason"] = json.loads(link.get("reason") or "[]")
    return {"ci": row["ci"], **link}


def link_counts(runtime: Runtime, incident_id: str) -> list[dict[str, Any]]:
    """Return how many links the incident has by kind, CI type and state."""
    return runtime.db.read("incident_link_counts", id=incident_id)


def activity(
    runtime: Runtime, incident_id: str, *, first: int = 50, after: str | None = None
) -> Page[dict[str, Any]]:
    """Return one page of the incident's activity log, newest first."""
    limit = page_size(first, runtime.settings.max_page_size)
    before_at, before_id = _position(decode_cursor(after))
    rows = runtime.db.read(
        "incident_activity_page",
        id=incident_id,
        before_at=before_at,
        before_id=before_id,
        limit=limit + 1,
    )
    items = [
        {**row["entry"], "details": json.loads(row["entry"]["details"])}
        for row in rows[:limit]
    ]
    last = items[-1] if items else None
    more = len(rows) > limit and last is not None
    cursor = encode_cursor([last["recorded_at"], last["id"]]) if more else None
    return Page(items, cursor)


# Lifecycle.


def transition(
    runtime: Runtime,
    incident_id: str,
    step: Transition,
    context: WriteContext,
    note: str | None = None,
) -> Incident:
    """Move the incident to its next status, stamping when it happened."""

    def work(tx: Tx) -> tuple[str, str]:
        stored = _lock(tx, incident_id)
        status, stamp = next_status(stored["status"], step)
        properties = {"status": str(status), stamp: context.at}
        properties["updated_at"] = context.at
        tx.run("incident_update", id=incident_id, properties=properties)
        details = {"from": stored["status"], "to": str(status), "note": note}
        _log(tx, context, incident_id, str(step), details)
        return stored["status"], str(status)

    before, after = runtime.db.transaction(work)
    logger.info("Incident %s: %s (%s -> %s)", incident_id, step, before, after)
    if is_open(before) != is_open(after):
        if is_open(after):
            recompute_links(runtime, incident_id, context, because=str(step))
        recompute_open_incidents(
            runtime, context, exclude_incident_id=incident_id, because=str(step)
        )
    return require_incident(runtime, incident_id)


def update_incident(
    runtime: Runtime,
    incident_id: str,
    context: WriteContext,
    *,
    title: str | None = None,
    description: str | None = None,
    urgency: int | str | None = None,
) -> Incident:
    """Change the title, description or urgency; priority follows urgency."""
    properties: dict[str, Any] = {}
    if title is not None:
        properties["title"] = check_title(title)
    if description is not None:
        properties["description"] = description.strip()
    if urgency is not None:
        properties["urgency"] = parse_urgency(urgency)

    def work(tx: Tx) -> None:
        stored = _lock(tx, incident_id)
        changes = {
            name: {"before": stored.get(name), "after": value}
            for name, value in properties.items()
            if stored.get(name) != value
        }
        if not changes:
            return
        tx.run(
            "incident_update",
            id=incident_id,
            properties={**properties, "updated_at": context.at},
        )
        _log(tx, context, incident_id, "update", changes)
        if "urgency" in changes:
            _write_priority(tx, stored, properties["urgency"], context)

    runtime.db.transaction(work)
    return require_incident(runtime, incident_id)


def assign_incident(
    runtime: Runtime,
    incident_id: str,
    context: WriteContext,
    *,
    team_id: str | None = None,
    support_level: int | None = None,
) -> Incident:
    """Route the incident to another team or support level."""
    level = _check_support_level(support_level)
    incident = require_incident(runtime, incident_id)
    if team_id is None and level is None:
        raise CMDBError.single(
            "teamId", ErrorCode.INVALID_VALUE, "give a team, a support level or both"
        )
    team = _require_team(runtime, team_id) if team_id else incident["team"]
    level = level or (team or {}).get("support_level")

    def work(tx: Tx) -> None:
        _lock(tx, incident_id)
        _write_assignment(tx, incident_id, team, level, True, context)
        details = {"team": team["key"] if team else None, "support_level": level}
        _log(tx, context, incident_id, "assign", details)

    runtime.db.transaction(work)
    return require_incident(runtime, incident_id)


def _lock(tx: Tx, incident_id: str) -> Incident:
    rows = tx.run("incident_lock", id=incident_id)
    if not rows:
        raise CMDBError.single(
            "id", ErrorCode.NOT_FOUND, f"no incident {incident_id!r}"
        )
    return rows[0]["incident"]


# A person's links.


def link_ci(
    runtime: Runtime,
    incident_id: str,
    ci_id: str,
    kind: str,
    context: WriteContext,
    *,
    state: str = "down",
    note: str | None = None,
) -> Incident:
    """Link a CI or customer as manual, not_impacted or do_not_notify."""
    snapshot = _snapshot(runtime, incident_id)
    ci = _require_ci(runtime, ci_id)
    link_kind = check_link_kind(kind, ci["type"])
    if ci_id in snapshot.start_ids:
        raise CMDBError.single(
            "ciId", ErrorCode.INVALID_VALUE, "a starting CI is always down"
        )
    if link_kind is LinkKind.MANUAL and state not in MANUAL_STATES:
        raise CMDBError.single(
            "state", ErrorCode.INVALID_VALUE, f"{state!r} is not down or degraded"
        )
    link = {
        "link": str(link_kind),
        "actor": context.actor,
        "at": context.at,
        "note": note,
    }
    if link_kind is LinkKind.MANUAL:
        link.update(MANUAL_FIELDS, state=state)
    elif link_kind is LinkKind.NOT_IMPACTED:
        link.update(EXCLUDED_FIELDS)
    details = {"ci": _label(ci), "kind": str(link_kind), "note": note}
    return _change_person_link(
        runtime, incident_id, PersonChange(ci_id, link), context, "link_ci", details
    )


def unlink_ci(
    runtime: Runtime, incident_id: str, ci_id: str, context: WriteContext
) -> Incident:
    """Remove a person's link; recomputation may link the CI again as computed."""
    snapshot = _snapshot(runtime, incident_id)
    ci = _require_ci(runtime, ci_id)
    stored = snapshot.links.get(ci_id)
    if stored is None or stored["link"] == LinkKind.COMPUTED:
        raise CMDBError.single(
            "ciId",
            ErrorCode.NOT_FOUND,
            f"{_label(ci)} has no manual, not_impacted or do_not_notify link; "
            "mark a computed link not_impacted instead",
        )
    details = {"ci": _label(ci), "kind": stored["link"]}
    return _change_person_link(
        runtime, incident_id, PersonChange(ci_id, None), context, "unlink_ci", details
    )


def _change_person_link(
    runtime: Runtime,
    incident_id: str,
    change: PersonChange,
    context: WriteContext,
    action: str,
    details: dict[str, Any],
) -> Incident:
    _require_open(runtime, incident_id)
    recompute_links(runtime, incident_id, context, change=change, log=(action, details))
    recompute_open_incidents(
        runtime, context, exclude_incident_id=incident_id, because=action
    )
    return require_incident(runtime, incident_id)


def _require_open(runtime: Runtime, incident_id: str) -> None:
    incident = require_incident(runtime, incident_id, "incidentId")
    if not is_open(incident["status"]):
        raise CMDBError.single(
            "incidentId",
            ErrorCode.INVALID_TRANSITION,
            f"the incident is {incident['status']}; reopen it to change its links",
        )


def _require_ci(runtime: Runtime, ci_id: str) -> dict[str, Any]:
    rows = runtime.db.read("impact_nodes", ids=[ci_id])
    if not rows:
        raise CMDBError.single("ciId", ErrorCode.NOT_FOUND, f"no CI {ci_id!r}")
    return rows[0]["node"]


def _label(ci: dict[str, Any]) -> str:
    return f"{ci['type']}:{ci['key']}"


# Recomputation.


def recompute_links(
    runtime: Runtime,
    incident_id: str,
    context: WriteContext,
    *,
    change: PersonChange | None = None,
    log: tuple[str, dict[str, Any]] | None = None,
    because: str | None = None,
) -> LinkChanges:
    """Recompute the computed links (applying a person's change) and priority.

    ``log`` is the activity entry to record; without one, a ``recompute`` entry
    saying ``because`` is recorded when links changed.
    """
    started = time.perf_counter()
    for _ in range(STALE_RETRIES):
        snapshot = _snapshot(runtime, incident_id)
        if change is not None:
            _apply_person_change(snapshot, change)
        report = _analyse(runtime, snapshot)
        changes = _plan(snapshot, report, context.at)
        if change is not None:
            _add_person_change(changes, change)
        entry = log or ("recompute", {"because": because})
        try:
            store = partial(
                _store_recomputed,
                runtime=runtime,
                snapshot=snapshot,
                changes=changes,
                context=context,
                entry=entry,
                always=log is not None,
            )
            runtime.db.transaction(store)
        except _StaleSnapshotError:
            continue
        logger.info(
            "Recomputed incident %s: %d affected, %d written, %d removed in %.3f s",
            incident_id,
            changes.affected,
            changes.written,
            len(changes.deletes),
            time.perf_counter() - started,
        )
        return changes
    raise CMDBError.single(
        "id", ErrorCode.CONFLICT, "the incident kept changing; try again"
    )


def recompute_open_incidents(
    runtime: Runtime,
    context: WriteContext,
    *,
    exclude_incident_id: str | None = None,
    because: str | None = None,
) -> int:
    """Recompute every other open incident, since what is down has changed.

    Each one sees the others as they are stored when its turn comes. Incidents
    feed each other's context, so when a pass over two or more changed any
    links, another pass follows (an earlier one may depend on a later one),
    until a pass changes nothing or ``MAX_RECOMPUTE_PASSES`` have run.
    Returns how many incidents were recomputed (counting each once).
    """
    reason = f"incident {exclude_incident_id} {because}" if because else None
    rows = runtime.db.read(
        "incident_open_ids",
        open_statuses=[str(status) for status in OPEN_STATUSES],
        exclude_id=exclude_incident_id,
    )
    ids = [row["id"] for row in rows]
    for number in range(1, MAX_RECOMPUTE_PASSES + 1):
        changed = 0
        for incident_id in ids:
            changes = recompute_links(runtime, incident_id, context, because=reason)
            changed += bool(changes.written or changes.deletes)
        if len(ids) < 2 or not changed:
            break
        if number == MAX_RECOMPUTE_PASSES:
            logger.warning(
                "Open incidents still changing after %d recompute passes: %s",
                number,
                ", ".join(ids),
            )
    return len(ids)


def refresh_incident(
    runtime: Runtime, incident_id: str, context: WriteContext
) -> Incident:
    """Recompute an open incident's links now, after the CIs themselves changed."""
    _require_open(runtime, incident_id)
    recompute_links(runtime, incident_id, context, because="asked")
    return require_incident(runtime, incident_id)


def _snapshot(runtime: Runtime, incident_id: str) -> Snapshot:
    incident = require_incident(runtime, incident_id, "incidentId")
    snapshot = Snapshot(
        incident_id, incident["version"], [start["id"] for start in incident["starts"]]
    )
    for row in runtime.db.read_values("incident_links_all", id=incident_id):
        snapshot.links[row["ci_id"]] = row["link"]
    return snapshot


def _apply_person_change(snapshot: Snapshot, change: PersonChange) -> None:
    if change.link is None:
        snapshot.links.pop(change.ci_id, None)
    else:
        snapshot.links[change.ci_id] = change.link


def _add_person_change(changes: LinkChanges, change: PersonChange) -> None:
    if change.link is None:
        changes.deletes.append(change.ci_id)  # removed before links are created
    else:
        changes.upserts.append({"ci_id": change.ci_id, "link": change.link})


def _analyse(runtime: Runtime, snapshot: Snapshot) -> impact_service.ImpactReport:
    """Run impact analysis from the starts and the CIs a person named down."""
    manual_down = [
        ci
        for ci, link in snapshot.links.items()
        if link["link"] == LinkKind.MANUAL and link.get("state") == "down"
    ]
    excluded = [
        ci
        for ci, link in snapshot.links.items()
        if link["link"] == LinkKind.NOT_IMPACTED
    ]
    starts = list(dict.fromkeys(snapshot.start_ids + manual_down))
    context_down = down_elsewhere(runtime, exclude_incident_id=snapshot.incident_id)
    return impact_service.analyse_impact(
        runtime,
        [impact_service.StartSpec(id=ci) for ci in starts],
        context_down=context_down,
        excluded=excluded,
    )


def _plan(
    snapshot: Snapshot, report: impact_service.ImpactReport, at: datetime
) -> LinkChanges:
    """Compare the analysis with the stored links: what to write and remove."""
    starts = set(snapshot.start_ids)
    affected = report.result.affected
    creates, upserts = [], []
    for ci_id, ci in affected.items():
        stored = snapshot.links.get(ci_id)
        kind = stored["link"] if stored else LinkKind.COMPUTED
        if kind in (LinkKind.MANUAL, LinkKind.NOT_IMPACTED):
            continue
        fields = computed_fields(ci, ci_id in starts)
        if stored and stored.get("digest") == fields["digest"]:
            continue
        link = {**fields, "link": str(kind), "computed_at": at}
        (upserts if stored else creates).append({"ci_id": ci_id, "link": link})
    deletes = [
        ci_id
        for ci_id, link in snapshot.links.items()
        if link["link"] == LinkKind.COMPUTED and ci_id not in affected
    ]
    return LinkChanges(creates, upserts, deletes, len(affected))


def computed_fields(ci: AffectedCI, start: bool) -> dict[str, Any]:
    """Return what a computed link stores about an affected CI."""
    reason = [[step.source_id, step.rel_type, step.target_id] for step in ci.reason]
    fields = {
        "state": str(ci.state),
        "restarts": ci.restarts,
        "at_risk": ci.at_risk,
        "depth": ci.depth,
        "start": start,
        "reason": json.dumps(reason),
    }
    text = json.dumps(fields, sort_keys=True).encode()
    return {**fields, "digest": hashlib.blake2b(text, digest_size=8).hexdigest()}


def _store_recomputed(
    tx: Tx,
    runtime: Runtime,
    snapshot: Snapshot,
    changes: LinkChanges,
    context: WriteContext,
    entry: tuple[str, dict[str, Any]],
    *,
    always: bool,
) -> None:
    stored = _lock(tx, snapshot.incident_id)
    if stored["version"] - 1 != snapshot.version:
        raise _StaleSnapshotError()
    _write_links(tx, runtime, snapshot.incident_id, changes)
    if always or changes.written or changes.deletes:
        action, details = entry
        counts = {"written": changes.written, "removed": len(changes.deletes)}
        _log(tx, context, snapshot.incident_id, action, {**details, **counts})
    _write_priority(tx, stored, stored["urgency"], context)


def _write_links(
    tx: Tx, runtime: Runtime, incident_id: str, changes: LinkChanges
) -> None:
    size = runtime.settings.batch_size
    for batch in batches(changes.deletes, size):
        tx.run("incident_link_delete_batch", id=incident_id, ci_ids=list(batch))
    for statement, rows in (
        ("incident_link_create_batch", changes.creates),
        ("incident_link_upsert_batch", changes.upserts),
    ):
        for batch in batches(rows, size):
            tx.run(statement, id=incident_id, rows=list(batch))


def _write_priority(
    tx: Tx, stored: Incident, urgency: int, context: WriteContext
) -> None:
    """Derive the priority from the stored links and record it if it moved."""
    incident_id = stored["id"]
    rows = tx.run(
        "incident_priority_inputs",
        id=incident_id,
        types=[CUSTOMER_TYPE, SERVICE_TYPE],
        kinds=[str(kind) for kind in PRIORITY_KINDS],
        states=list(AFFECTED_STATES),
    )
    priority = derive_priority(urgency, [PriorityInput(**row) for row in rows])
    properties = {
        "priority": priority.priority,
        "impact": priority.impact,
        "priority_explanation": priority.explanation,
        "priority_inputs": json.dumps(priority.inputs, sort_keys=True),
    }
    if all(stored.get(k) == v for k, v in properties.items()):
        return
    tx.run("incident_update", id=incident_id, properties=properties)
    if stored.get("priority") != priority.priority:
        details = {
            "before": stored.get("priority"),
            "after": priority.priority,
            "why": priority.explanation,
        }
        _log(tx, context, incident_id, "priority", details)


def _log(
    tx: Tx,
    context: WriteContext,
    incident_id: str,
    action: str,
    details: dict[str, Any],
) -> None:
    entry = activity_entry(context, action, details, incident_id=incident_id)
    tx.run("incident_activity_create", rows=[entry])
