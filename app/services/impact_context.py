"""What is already down elsewhere, for impact analysis to count in redundancy."""

from datetime import UTC, datetime

from app.domain.incidents import OPEN_STATUSES, LinkKind
from app.services.changes import cis_in_active_changes
from app.services.runtime import Runtime

DOWN = "down"
# Link kinds whose state says the CI is down in that incident; a person's
# not_impacted exclusion never does.
DOWN_KINDS = (LinkKind.COMPUTED, LinkKind.MANUAL, LinkKind.DO_NOT_NOTIFY)


def down_in_open_incidents(
    runtime: Runtime, *, exclude_incident_id: str | None = None
) -> frozenset[str]:
    """Return the CIs down in open incidents: starting CIs and down links."""
    rows = runtime.db.read_values(
        "incident_down_in_open",
        open_statuses=[str(status) for status in OPEN_STATUSES],
        exclude_id=exclude_incident_id,
        down=DOWN,
        down_kinds=[str(kind) for kind in DOWN_KINDS],
    )
    return frozenset(row["ci_id"] for row in rows)


def down_elsewhere(
    runtime: Runtime,
    *,
    exclude_incident_id: str | None = None,
    at: datetime | None = None,
) -> frozenset[str]:
    """Return what counts as already down: open incidents and changes under way.

    CIs down in open incidents (but the excluded one) and CIs that
    authorised changes whose window contains ``at`` (now by default) work on.
    """
    at = at or datetime.now(UTC)
    incidents = down_in_open_incidents(runtime, exclude_incident_id=exclude_incident_id)
    return incidents | cis_in_active_changes(runtime, at)
