"""GraphQL types and resolvers for impact analysis."""

from collections.abc import Sequence
from enum import Enum

import strawberry

from app.api.graphql.context import IN_MEMORY
from app.domain.access import Permission
from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.impact import DependencyCI, ImpactState, Mode
from app.services import impact as impact_service
from app.services.pages import page_size

# The evaluator's states, served by name: OK, DEGRADED, DOWN.
strawberry.enum(ImpactState, description="How badly a CI is hurt.")


@strawberry.enum(description="Failure of the starting CIs, or planned work on them.")
class ImpactMode(Enum):
    FAILURE = "failure"
    PLANNED = "planned"


@strawberry.input(description="A CI by id, or by type and natural key.")
class CIRefInput:
    id: strawberry.ID | None = None
    type: str | None = None
    key: str | None = None


@strawberry.input(description="What to analyse and within which limits.")
class ImpactInput:
    starts: list[CIRefInput]
    mode: ImpactMode = ImpactMode.FAILURE
    context_down: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="CIs already down elsewhere; they count in redundancy groups.",
    )
    excluded: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="CIs a person judged not impacted; they stop propagation.",
    )
    use_context: bool = strawberry.field(
        default=True,
        description="Also count as down what open incidents and changes under way "
        "now already take down.",
    )
    max_depth: int | None = None
    max_affected: int | None = None


@strawberry.type(description="One relationship on the way from a starting CI.")
class ReasonStep:
    """The view of the evaluator's reason steps, which it serves as they are."""

    source_id: strawberry.ID
    rel_type: str = strawberry.field(name="relationshipType")
    target_id: strawberry.ID


@strawberry.type(description="A CI the starting CIs hurt, and why.")
class AffectedItem:
    """The view of the evaluator's affected CIs, which it serves as they are."""

    id: strawberry.ID
    type: str
    key: str
    name: str
    state: ImpactState
    depth: int
    start: bool
    restarts: bool = strawberry.field(
        description="Down, but expected to restart elsewhere (vSphere HA)."
    )
    at_risk: bool = strawberry.field(
        description="Planned work: rides it out by moving live, at risk meanwhile."
    )
    reason: list[ReasonStep]


@strawberry.type
class AffectedPage:
    items: list[AffectedItem]
    total: int
    next_cursor: str | None


@strawberry.type(description="An affected customer and which of its CIs are hurt.")
class CustomerImpactItem:
    customer: AffectedItem
    sla_tier: str | None
    contact_email: str | None
    _impact: strawberry.Private[impact_service.CustomerImpact]

    @strawberry.field(
        description="The customer's CIs that are hurt.", metadata=IN_MEMORY
    )
    def affected_cis(self) -> list[AffectedItem]:
        return self._impact.affected_cis  # type: ignore[return-value]


@strawberry.type
class CustomerPage:
    items: list[CustomerImpactItem]
    total: int
    next_cursor: str | None


@strawberry.type(description="A team or person owning affected CIs.")
class OwnerItem:
    id: strawberry.ID
    type: str
    key: str
    name: str
    support_level: int | None
    email: str | None
    on_call: str | None
    owned_affected: int


@strawberry.type
class StateCount:
    type: str
    state: str
    count: int


@strawberry.type(description="The blast radius of a failure or a planned change.")
class ImpactReportType:
    mode: str
    starts: list[strawberry.ID]
    total_affected: int
    counts: list[StateCount]
    limit_hit: bool
    limit_reason: str | None
    omitted: int
    explanation: str | None
    seconds: float
    owners: list[OwnerItem]
    _report: strawberry.Private[impact_service.ImpactReport]

    @strawberry.field(
        description="Affected CIs, nearest first, one page at a time.",
        metadata=IN_MEMORY,
    )
    def affected(
        self,
        info: strawberry.Info,
        first: int = 100,
        after: str | None = None,
        type: str | None = None,
        state: str | None = None,
    ) -> AffectedPage:
        affected = self._report.result.affected
        ids = impact_service.affected_ids(affected, type, state)
        page, cursor = _slice(ids, first, after, _max_page(info))
        return AffectedPage(
            items=[affected[ci] for ci in page],  # type: ignore[misc]
            total=len(ids),
            next_cursor=cursor,
        )

    @strawberry.field(
        description="Affected customers, one page at a time.", metadata=IN_MEMORY
    )
    def customers(
        self, info: strawberry.Info, first: int = 100, after: str | None = None
    ) -> CustomerPage:
        customers = self._report.customers
        page, cursor = _slice(customers, first, after, _max_page(info))
        items = [
            CustomerImpactItem(
                customer=c.customer,  # type: ignore[arg-type]
                sla_tier=c.sla_tier,
                contact_email=c.contact_email,
                _impact=c,
            )
            for c in page
        ]
        return CustomerPage(items=items, total=len(customers), next_cursor=cursor)


def _max_page(info: strawberry.Info) -> int:
    return info.context.runtime.settings.max_page_size


def _slice(
    items: Sequence, first: int, after: str | None, maximum: int
) -> tuple[Sequence, str | None]:
    page_size(first, maximum)
    try:
        offset = int(after) if after else 0
    except ValueError:
        raise CMDBError.single("after", ErrorCode.INVALID_VALUE, "bad cursor") from None
    page = items[offset : offset + first]
    more = offset + first < len(items)
    return page, str(offset + first) if more else None


def dependency_item(ci: DependencyCI) -> AffectedItem:
    """Build the GraphQL view of a depended-on CI: not hurt, so OK."""
    return AffectedItem(
        id=strawberry.ID(ci.id),
        type=ci.type,
        key=ci.key,
        name=ci.name,
        state=ImpactState.OK,
        depth=ci.depth,
        start=ci.start,
        restarts=False,
        at_risk=False,
        reason=ci.reason,  # type: ignore[arg-type]
    )


def start_specs(starts: list[CIRefInput]) -> list[impact_service.StartSpec]:
    """Turn GraphQL references into service start specifications."""
    specs = []
    for index, start in enumerate(starts):
        if start.id is not None:
            specs.append(impact_service.StartSpec(id=str(start.id)))
        elif start.type and start.key:
            specs.append(impact_service.StartSpec(ref=CIRef(start.type, start.key)))
        else:
            raise CMDBError.single(
                f"starts[{index}]",
                ErrorCode.INVALID_VALUE,
                "give either id, or type and key",
            )
    return specs


def impact_report(report: impact_service.ImpactReport) -> ImpactReportType:
    """Build the GraphQL view of an impact report."""
    result = report.result
    return ImpactReportType(
        mode=str(result.mode),
        starts=[strawberry.ID(i) for i in result.starts],
        total_affected=len(result.affected),
        counts=[
            StateCount(type=t, state=s, count=n)
            for (t, s), n in sorted(report.counts.items())
        ],
        limit_hit=result.limit_hit,
        limit_reason=result.limit_reason,
        omitted=result.omitted,
        explanation=result.explanation,
        seconds=round(report.seconds, 4),
        owners=[
            OwnerItem(
                id=strawberry.ID(o.id),
                type=o.type,
                key=o.key,
                name=o.name,
                support_level=o.support_level,
                email=o.email,
                on_call=o.on_call,
                owned_affected=len(o.owned),
            )
            for o in report.owners
        ],
        _report=report,
    )


@strawberry.type(description="What the starting CIs rely on, transitively.")
class DependencyReportType:
    starts: list[strawberry.ID]
    total: int
    limit_hit: bool
    limit_reason: str | None
    explanation: str | None
    items: list[AffectedItem]


def run_impact(info: strawberry.Info, input: ImpactInput) -> ImpactReportType:
    """Resolve the ``impact`` query."""
    info.context.require(Permission.READ)
    max_depth, max_affected = _capped(info, input.max_depth, input.max_affected)
    runtime = info.context.runtime
    report = impact_service.analyse_impact(
        runtime,
        start_specs(input.starts),
        mode=Mode(input.mode.value),
        context_down={str(i) for i in input.context_down},
        use_context=input.use_context,
        excluded=[str(i) for i in input.excluded],
        max_depth=max_depth,
        max_affected=max_affected,
    )
    return impact_report(report)


def run_dependencies(
    info: strawberry.Info,
    starts: list[CIRefInput],
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> DependencyReportType:
    """Resolve the ``dependencies`` query."""
    info.context.require(Permission.READ)
    max_depth, max_affected = _capped(info, max_depth, max_affected)
    result = impact_service.analyse_dependencies(
        info.context.runtime,
        start_specs(starts),
        max_depth=max_depth,
        max_affected=max_affected,
    )
    return DependencyReportType(
        starts=[strawberry.ID(i) for i in result.starts],
        total=len(result.dependencies),
        limit_hit=result.limit_hit,
        limit_reason=result.limit_reason,
        explanation=result.explanation,
        items=[dependency_item(ci) for ci in result.dependencies.values()],
    )


def _capped(
    info: strawberry.Info, max_depth: int | None, max_affected: int | None
) -> tuple[int, int]:
    """Apply the configured caps; the answer reports a limit it hit."""
    return impact_service.capped_limits(
        info.context.runtime.settings, max_depth, max_affected
    )


@strawberry.type
class ImpactQuery:
    impact: ImpactReportType = strawberry.field(
        resolver=run_impact,
        description="What the starting CIs hurt when they fail or are changed.",
    )
    dependencies: DependencyReportType = strawberry.field(
        resolver=run_dependencies,
        description="What the starting CIs rely on, transitively, and why.",
    )
