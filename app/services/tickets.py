"""Helpdesk tickets linked to incidents and directly to CIs.

A ticket is found by its helpdesk system and ticket id. Linking what is
already linked changes nothing and records nothing; every link and unlink
that does change something is recorded in the ticket's activity and, for an
incident, in the incident's activity, in the same transaction.
"""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.db import Tx
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.incidents import activity_entry
from app.domain.records import WriteContext, new_id
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

Ticket = dict[str, Any]


@dataclass(frozen=True)
class TicketRef:
    """A helpdesk ticket: the helpdesk system's name and the ticket's id there."""

    system: str
    ticket_id: str
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class LinkResult:
    """The ticket after linking, and what the call changed."""

    ticket: Ticket
    incidents_changed: list[str]
    cis_changed: list[str]


def _check_ref(ref: TicketRef) -> TicketRef:
    problems = []
    for field_name, value in (("system", ref.system), ("ticketId", ref.ticket_id)):
        if not (value or "").strip():
            message = "a non-empty value is required"
            problems.append(Problem(field_name, ErrorCode.INVALID_VALUE, message))
    if problems:
        raise CMDBError(problems)
    return TicketRef(
        ref.system.strip(),
        ref.ticket_id.strip(),
        (ref.url or "").strip() or None,
        (ref.title or "").strip() or None,
    )


def _check_targets(
    runtime: Runtime, incident_ids: Sequence[str], ci_ids: Sequence[str]
) -> None:
    """Refuse unknown incidents or CIs, and a link to nothing."""
    if not incident_ids and not ci_ids:
        raise CMDBError.single(
            "incidentIds", ErrorCode.INVALID_VALUE, "give an incident, a CI or both"
        )
    problems = []
    for incident_id in incident_ids:
        if not runtime.db.read("incident_get", id=incident_id):
            message = f"no incident {incident_id!r}"
            problems.append(Problem("incidentIds", ErrorCode.NOT_FOUND, message))
    found = {row["node"]["id"] for row in runtime.db.read("impact_nodes", ids=ci_ids)}
    for ci_id in ci_ids:
        if ci_id not in found:
            problems.append(Problem("ciIds", ErrorCode.NOT_FOUND, f"no CI {ci_id!r}"))
    if problems:
        raise CMDBError(problems)


def link_ticket(
    runtime: Runtime,
    ref: TicketRef,
    context: WriteContext,
    *,
    incident_ids: Sequence[str] = (),
    ci_ids: Sequence[str] = (),
) -> LinkResult:
    """Link a ticket to incidents and CIs, creating the ticket when new."""
    ref = _check_ref(ref)
    incident_ids, ci_ids = (
        list(dict.fromkeys(incident_ids)),
        list(dict.fromkeys(ci_ids)),
    )
    _check_targets(runtime, incident_ids, ci_ids)

    def work(tx: Tx) -> LinkResult:
        ticket = _merge(tx, ref, context)
        row = tx.run(
            "ticket_link",
            ticket_id=ticket["id"],
            incident_ids=incident_ids,
            ci_ids=ci_ids,
            at=context.at,
            actor=context.actor,
        )[0]
        _record(tx, context, "link", ticket, row["new_incidents"], row["new_cis"])
        return LinkResult(ticket, row["new_incidents"], row["new_cis"])

    result = runtime.db.transaction(work)
    logger.info(
        "Linked ticket %s/%s: %d incident(s), %d CI(s) new",
        ref.system,
        ref.ticket_id,
        len(result.incidents_changed),
        len(result.cis_changed),
    )
    return result


def unlink_ticket(
    runtime: Runtime,
    ref: TicketRef,
    context: WriteContext,
    *,
    incident_ids: Sequence[str] = (),
    ci_ids: Sequence[str] = (),
) -> LinkResult:
    """Unlink a ticket from incidents and CIs; the unlink is recorded."""
    ref = _check_ref(ref)
    if not incident_ids and not ci_ids:
        raise CMDBError.single(
            "incidentIds", ErrorCode.INVALID_VALUE, "give an incident, a CI or both"
        )
    ticket = get_ticket(runtime, ref.system, ref.ticket_id)
    if ticket is None:
        raise CMDBError.single(
            "ticketId", ErrorCode.NOT_FOUND, f"no ticket {ref.system}/{ref.ticket_id}"
        )

    def work(tx: Tx) -> LinkResult:
        row = tx.run(
            "ticket_unlink",
            ticket_id=ticket["id"],
            incident_ids=list(incident_ids),
            ci_ids=list(ci_ids),
        )[0]
        _record(tx, context, "unlink", ticket, row["gone_incidents"], row["gone_cis"])
        return LinkResult(ticket, row["gone_incidents"], row["gone_cis"])

    result = runtime.db.transaction(work)
    logger.info(
        "Unlinked ticket %s/%s: %d incident(s), %d CI(s)",
        ref.system,
        ref.ticket_id,
        len(result.incidents_changed),
        len(result.cis_changed),
    )
    return result


def _merge(tx: Tx, ref: TicketRef, context: WriteContext) -> Ticket:
    return tx.run(
        "ticket_merge",
        system=ref.system,
        external_id=ref.ticket_id,
        id=new_id(),
        at=context.at,
        url=ref.url,
        title=ref.title,
    )[0]["ticket"]


def _record(
    tx: Tx,
    context: WriteContext,
    action: str,
    ticket: Ticket,
    incident_ids: list[str],
    ci_ids: list[str],
) -> None:
    """Record what changed, on the ticket and on each incident concerned."""
    if not incident_ids and not ci_ids:
        return
    label = f"{ticket['system']}/{ticket['external_id']}"
    details = {"ticket": label, "incidents": incident_ids, "cis": ci_ids}
    entries = [activity_entry(context, action, details, ticket_id=ticket["id"])]
    tx.run("ticket_activity_create", rows=entries)
    incident_entries = [
        activity_entry(
            context, f"{action}_ticket", {"ticket": label}, incident_id=incident_id
        )
        for incident_id in incident_ids
    ]
    if incident_entries:
        tx.run("incident_activity_create", rows=incident_entries)


def get_ticket(runtime: Runtime, system: str, ticket_id: str) -> Ticket | None:
    """Return the ticket with the incidents and CIs it is linked to, or None."""
    rows = runtime.db.read("ticket_get", system=system, external_id=ticket_id)
    if not rows:
        return None
    row = rows[0]
    return {**row["ticket"], "incidents": row["incidents"], "cis": row["cis"]}


def ticket_history(runtime: Runtime, ticket: Ticket, first: int = 50) -> list[dict]:
    """Return the ticket's links and unlinks, newest first."""
    rows = runtime.db.read("ticket_activity_page", id=ticket["id"], limit=first)
    return [{**r["entry"], "details": json.loads(r["entry"]["details"])} for r in rows]


def tickets_of_ci(runtime: Runtime, ci_id: str) -> list[Ticket]:
    """Return the tickets about a CI, directly or through its incidents."""
    rows = runtime.db.read("tickets_of_ci", id=ci_id)
    return [{**row["ticket"], "via_incidents": row["via_incidents"]} for row in rows]


def tickets_of_incident(runtime: Runtime, incident_id: str) -> list[Ticket]:
    """Return the tickets linked to an incident."""
    return [
        row["ticket"] for row in runtime.db.read("tickets_of_incident", id=incident_id)
    ]
