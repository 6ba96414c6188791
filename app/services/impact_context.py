"""What is already down elsewhere, for impact analysis to count in redundancy."""

from datetime import UTC, datetime

from app.domain.changes import AUTHORISED
from app.domain.incidents import OPEN_STATUSES, LinkKind
from app.services.runtime import Runtime

DOWN = "down"
# Link kinds whose state says the CI is down in that incident; a person's
# not_impacted exclusion never does.
DOWN_KINDS = (LinkKind.COMPUTED, LinkKind.MANUAL, LinkKind.DO_NOT_NOTIFY)


def down_in_open_incidents(
    runtime: Runtime, *, exclude_incident_id: str | None = None
) -> frozenset[str]:
    """Return the CIs down in open incidents: starting CIs and down links."""
    return _down(runtime, exclude_incident_id, datetime.now(UTC))[0]


def cis_in_active_changes(runtime: Runtime, at: datetime) -> frozenset[str]:
    """Return the CIs that authorised changes whose window contains ``at`` target."""
    return _down(runtime, None, at)[1]


def down_elsewhere(
    runtime: Runtime,
    *,
    exclude_incident_id: str | None = None,
    at: datetime | None = None,
) -> frozenset[str]:
    """Return what counts as already down: open incidents and changes under way.

    CIs down in open incidents (but the excluded one) and CIs that
    authorised changes whose window contains ``at`` (now by default) work on,
    read in one statement.
    """
    incidents, changes = _down(runtime, exclude_incident_id, at or datetime.now(UTC))
    return incidents | changes


def _down(
    runtime: Runtime, exclude_incident_id: str | None, at: datetime
) -> tuple[frozenset[str], frozenset[str]]:
    row = runtime.db.read(
        "impact_down_elsewhere",
        **{
            "open_statuses": [str(status) for status in OPEN_STATUSES],
            "exclude_id": exclude_incident_id,
            "down": DOWN,
            "down_kinds": [str(kind) for kind in DOWN_KINDS],
            "change_states": sorted(AUTHORISED),
            "at": at,
        },
    )[0]
    return frozenset(row["incidents"]), frozenset(row["changes"])
