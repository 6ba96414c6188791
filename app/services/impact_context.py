"""What is already down elsewhere, for impact analysis to count in redundancy."""

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
    rows = runtime.db.read(
        "incident_down_in_open",
        open_statuses=[str(status) for status in OPEN_STATUSES],
        exclude_id=exclude_incident_id,
        down=DOWN,
        down_kinds=[str(kind) for kind in DOWN_KINDS],
    )
    return frozenset(row["ci_id"] for row in rows)
