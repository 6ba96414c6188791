"""What is already down elsewhere, for impact analysis to count in redundancy."""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.changes import AUTHORISED
from app.domain.incidents import OPEN_STATUSES, LinkKind
from app.services.runtime import Runtime

DOWN = "down"
# Link kinds whose state says the CI is down in that incident; a person's
# not_impacted exclusion never does.
DOWN_KINDS = (LinkKind.COMPUTED, LinkKind.MANUAL, LinkKind.DO_NOT_NOTIFY)


@dataclass(frozen=True)
class DownElsewhere:
    """What counts as already down, and the graph revision it was read at."""

    incidents: frozenset[str]
    changes: frozenset[str]
    revision: int

    @property
    def cis(self) -> frozenset[str]:
        """Return every CI down elsewhere."""
        return self.incidents | self.changes


def down_in_open_incidents(
    runtime: Runtime, *, exclude_incident_id: str | None = None
) -> frozenset[str]:
    """Return the CIs down in open incidents: starting CIs and down links."""
    return read_down_elsewhere(
        runtime, exclude_incident_id=exclude_incident_id
    ).incidents


def cis_in_active_changes(runtime: Runtime, at: datetime) -> frozenset[str]:
    """Return the CIs that authorised changes whose window contains ``at`` target."""
    return read_down_elsewhere(runtime, at=at).changes


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
    return read_down_elsewhere(
        runtime, exclude_incident_id=exclude_incident_id, at=at
    ).cis


def read_down_elsewhere(
    runtime: Runtime,
    *,
    exclude_incident_id: str | None = None,
    at: datetime | None = None,
) -> DownElsewhere:
    """Read what ``down_elsewhere`` returns, by source, in one statement."""
    row = runtime.db.read_values(
        "impact_down_elsewhere",
        open_statuses=[str(status) for status in OPEN_STATUSES],
        exclude_id=exclude_incident_id,
        down=DOWN,
        down_kinds=[str(kind) for kind in DOWN_KINDS],
        change_states=sorted(AUTHORISED),
        at=at or datetime.now(UTC),
    )[0]
    return DownElsewhere(
        frozenset(row["incidents"]), frozenset(row["changes"]), row["revision"]
    )
