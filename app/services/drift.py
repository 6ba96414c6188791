"""Unauthorised changes: differences importers observe that no change covered.

After a sync, the history entries it recorded are scanned. An entry is
covered when an authorised change (approved, scheduled or in progress)
whose window contains the entry's time targets the CI or holds it in its
blast radius; for a relationship, either end will do. Every entry that is
not covered becomes an ``UnauthorisedChange`` with the diff, open until it
is linked to a retroactive change request or accepted with a reason.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import Tx
from app.domain.changes import ACCOUNTABLE, AUTHORISED, ChangeState
from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import WriteContext, new_id
from app.services.bulk import batches
from app.services.pages import Page, decode_cursor, encode_cursor, page_size
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

IMPORTER_SOURCE_PREFIX = "vsphere:"
OPEN, LINKED, ACCEPTED = "open", "linked", "accepted"
STATUSES = (OPEN, LINKED, ACCEPTED)


@dataclass(frozen=True)
class DriftReport:
    """What one scan looked at and what it flagged."""

    entries: int
    covered: int
    discovered: int
    flagged: int
    created: int
    seconds: float


def detect_unauthorised_changes(
    runtime: Runtime,
    *,
    request_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    source_prefix: str = IMPORTER_SOURCE_PREFIX,
) -> DriftReport:
    """Scan one sync's history entries (by request id or time range) for drift.

    Entries about CIs the sync itself created are discoveries, not drift.
    Running a scan again flags nothing twice.
    """
    started = time.perf_counter()
    entries = _entries(runtime, request_id, since, until, source_prefix)
    created_here = {e["ci_id"] for e in entries if e["action"] == "create"}
    candidates = [
        e
        for e in entries
        if e["ci_id"] not in created_here and e.get("other_id") not in created_here
    ]
    covered = _covered(runtime, candidates)
    flagged = [e for e in candidates if e["id"] not in covered]
    created = _record(runtime, flagged)
    report = DriftReport(
        entries=len(entries),
        covered=len(covered),
        discovered=len(entries) - len(candidates),
        flagged=len(flagged),
        created=created,
        seconds=round(time.perf_counter() - started, 3),
    )
    logger.info(
        "Drift scan: %d entries, %d covered by changes, %d discoveries, "
        "%d unauthorised (%d new), %.2f s",
        report.entries,
        report.covered,
        report.discovered,
        report.flagged,
        report.created,
        report.seconds,
    )
    return report


def _entries(
    runtime: Runtime,
    request_id: str | None,
    since: datetime | None,
    until: datetime | None,
    source_prefix: str,
) -> list[dict[str, Any]]:
    if request_id is not None:
        return [
            row["entry"]
            for row in runtime.db.read(
                "change_drift_entries_of_request",
                request_id=request_id,
                source_prefix=source_prefix,
            )
        ]
    if since is None or until is None:
        raise CMDBError.single(
            "requestId",
            ErrorCode.INVALID_VALUE,
            "give a request id, or since and until",
        )
    rows = runtime.db.read(
        "change_drift_entries_between",
        since=since,
        until=until,
        source_prefix=source_prefix,
    )
    return [row["entry"] for row in rows]


def _covered(runtime: Runtime, entries: list[dict[str, Any]]) -> set[str]:
    covered: set[str] = set()
    rows = [
        {
            "id": e["id"],
            "at": e["at"],
            "ci_ids": [i for i in (e["ci_id"], e.get("other_id")) if i],
        }
        for e in entries
    ]
    for batch in batches(rows, runtime.settings.batch_size):
        found = runtime.db.read(
            "change_drift_coverage", entries=list(batch), states=sorted(AUTHORISED)
        )
        covered.update(row["entry_id"] for row in found)
    return covered


def _record(runtime: Runtime, entries: list[dict[str, Any]]) -> int:
    if not entries:
        return 0
    rows = [_unauthorised(entry) for entry in entries]

    def work(tx: Tx) -> int:
        created = 0
        for batch in batches(rows, runtime.settings.batch_size):
            found = tx.run("unauthorised_change_create_batch", rows=list(batch))
            created += sum(1 for row in found if row["created"])
        return created

    return runtime.db.transaction(work)


def _unauthorised(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id(),
        "history_entry_id": entry["id"],
        "status": OPEN,
        "at": entry["at"],
        "ci_id": entry["ci_id"],
        "ci_type": entry.get("ci_type"),
        "ci_key": entry.get("ci_key"),
        "other_id": entry.get("other_id"),
        "rel_type": entry.get("rel_type"),
        "action": entry["action"],
        "actor": entry["actor"],
        "source": entry["source"],
        "request_id": entry.get("request_id"),
        "changes": entry.get("changes") or "{}",
    }


def list_unauthorised_changes(
    runtime: Runtime,
    *,
    status: str | None = OPEN,
    ci_id: str | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[dict[str, Any]]:
    """Return one page of unauthorised changes, newest first."""
    if status is not None and status not in STATUSES:
        raise CMDBError.single(
            "status", ErrorCode.INVALID_VALUE, f"not one of {', '.join(STATUSES)}"
        )
    limit = page_size(first, runtime.settings.max_page_size)
    skip = decode_cursor(after) or 0
    rows = runtime.db.read(
        "unauthorised_change_list",
        status=status,
        ci_id=ci_id,
        skip=skip,
        limit=limit + 1,
    )
    items = [_decoded(row["unauthorised"]) for row in rows[:limit]]
    return Page(items, encode_cursor(skip + limit) if len(rows) > limit else None)


def close_unauthorised_change(
    runtime: Runtime,
    unauthorised_id: str,
    context: WriteContext,
    *,
    change_request_id: str | None = None,
    accept_reason: str | None = None,
) -> dict[str, Any]:
    """Close an open unauthorised change: link a retroactive change, or accept it."""
    if (change_request_id is None) == (not str(accept_reason or "").strip()):
        raise CMDBError.single(
            "changeRequestId",
            ErrorCode.INVALID_VALUE,
            "give either a retroactive change request or a reason to accept",
        )

    def work(tx: Tx) -> dict[str, Any]:
        rows = tx.run("unauthorised_change_lock", id=unauthorised_id)
        if not rows:
            raise CMDBError.single(
                "id", ErrorCode.NOT_FOUND, f"no unauthorised change {unauthorised_id!r}"
            )
        found = rows[0]["unauthorised"]
        if found["status"] != OPEN:
            raise CMDBError.single(
                "status", ErrorCode.INVALID_TRANSITION, f"already {found['status']}"
            )
        properties = {"closed_by": context.actor, "closed_at": context.at}
        if change_request_id is not None:
            _check_retroactive(tx, change_request_id, found)
            properties.update(status=LINKED, change_request_id=change_request_id)
        else:
            properties.update(status=ACCEPTED, reason=accept_reason.strip())
        return tx.run(
            "unauthorised_change_close", id=unauthorised_id, properties=properties
        )[0]["unauthorised"]

    closed = runtime.db.transaction(work)
    logger.info(
        "Closed unauthorised change %s as %s", unauthorised_id, closed["status"]
    )
    return _decoded(closed)


def _check_retroactive(tx: Tx, change_id: str, unauthorised: dict[str, Any]) -> None:
    rows = tx.run("change_covers_ci", id=change_id, ci_id=unauthorised["ci_id"])
    if not rows:
        raise CMDBError.single(
            "changeRequestId", ErrorCode.NOT_FOUND, f"no change request {change_id!r}"
        )
    if ChangeState(rows[0]["state"]) not in ACCOUNTABLE:
        raise CMDBError.single(
            "changeRequestId",
            ErrorCode.INVALID_VALUE,
            f"a {rows[0]['state']} change cannot account for it",
        )
    if not rows[0]["covers"]:
        raise CMDBError.single(
            "changeRequestId",
            ErrorCode.INVALID_VALUE,
            f"change request {change_id} does not cover {unauthorised['ci_key']}",
        )


def _decoded(found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "changes": json.loads(found.get("changes") or "{}")}
