"""Configuration history: a CI as it was at a time, and every write in a period."""

import logging
from datetime import datetime
from typing import Any

from app.domain.configuration_history import CIAsOf, ci_as_of
from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import decode_history_entry
from app.services.cis import require_ci
from app.services.pages import (
    Page,
    decode_time_position,
    page_size,
    time_ordered_page,
)
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)


def configuration_as_of(runtime: Runtime, ci_id: str, at: datetime) -> CIAsOf:
    """Rebuild a CI's attributes and relationships as they were at ``at``."""
    require_ci(runtime, ci_id)
    _require_aware(at, "at")
    rows = runtime.db.read("change_history_of_ci_until", id=ci_id, at=at)
    entries = [decode_history_entry(row["entry"]) for row in rows]
    snapshot = ci_as_of(ci_id, entries, at)
    logger.debug("Rebuilt %s as of %s from %d entries", ci_id, at, len(entries))
    return snapshot


def estate_history(
    runtime: Runtime,
    since: datetime,
    until: datetime,
    *,
    actor: str | None = None,
    source: str | None = None,
    ci_type: str | None = None,
    first: int = 100,
    after: str | None = None,
) -> Page[dict[str, Any]]:
    """Return one page of every write in ``[since, until)``, oldest first."""
    _require_aware(since, "since")
    _require_aware(until, "until")
    if until <= since:
        raise CMDBError.single(
            "until", ErrorCode.INVALID_VALUE, "the period ends before it starts"
        )
    if ci_type is not None and runtime.catalogue.ci_type(ci_type) is None:
        raise CMDBError.single("ciType", ErrorCode.UNKNOWN_TYPE, repr(ci_type))
    limit = page_size(first, runtime.settings.max_page_size)
    after_at, after_id = decode_time_position(after)
    rows = runtime.db.read(
        "change_estate_history",
        since=since,
        until=until,
        actor=actor,
        source=source,
        ci_type=ci_type,
        after_at=after_at,
        after_id=after_id,
        limit=limit + 1,
    )
    return time_ordered_page([decode_history_entry(r["entry"]) for r in rows], limit)


def _require_aware(moment: datetime, field: str) -> None:
    if moment.tzinfo is None:
        raise CMDBError.single(
            field, ErrorCode.INVALID_VALUE, "give a time zone (such as Z or +01:00)"
        )
