"""Blast radius and root dependencies, answered from the graph.

The graph is walked one step at a time from the starting CIs, one query a
step, fetching only what the evaluation needs: the downstream closure and,
for every CI in it, all its requirements (so redundancy groups are counted
right). The pure evaluator in ``app.impact`` then decides every state.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.catalogue import Dependent
from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.impact import (
    AffectedCI,
    DependencyResult,
    ImpactEdge,
    ImpactGraph,
    ImpactNode,
    ImpactResult,
    Mode,
    evaluate_dependencies,
    evaluate_impact,
)
from app.services.bulk import batches, fetch_cis
from app.services.runtime import Runtime
from app.settings import Settings

logger = logging.getLogger(__name__)

OWNER_TYPES = ("OWNED_BY",)
HARD_MAX_DEPTH = 100


@dataclass(frozen=True)
class StartSpec:
    """A starting CI by id, or by type and natural key."""

    id: str | None = None
    ref: CIRef | None = None


@dataclass
class CustomerImpact:
    """An affected customer, its SLA tier and which of its CIs are hurt."""

    customer: AffectedCI
    sla_tier: str | None
    contact_email: str | None
    affected_cis: list[AffectedCI]


@dataclass
class Owner:
    """A team or person owning affected CIs."""

    id: str
    type: str
    key: str
    name: str
    support_level: int | None
    email: str | None
    on_call: str | None
    owned: list[str] = field(default_factory=list)


@dataclass
class ImpactReport:
    """The evaluated result with the customers and owners to tell."""

    result: ImpactResult
    customers: list[CustomerImpact]
    owners: list[Owner]
    counts: dict[tuple[str, str], int]
    seconds: float
    fetched_nodes: int

    def as_document(self) -> dict[str, Any]:
        """Return the whole report as a JSON-ready mapping, for tools."""
        report, result = self, self.result
        return {
            "mode": str(result.mode),
            "starts": list(result.starts),
            "total_affected": len(result.affected),
            "limit_hit": result.limit_hit,
            "limit_reason": result.limit_reason,
            "omitted": result.omitted,
            "explanation": result.explanation,
            "seconds": round(report.seconds, 4),
            "counts": [
                {"type": t, "state": s, "count": n}
                for (t, s), n in sorted(report.counts.items())
            ],
            "affected": [_affected_document(ci) for ci in result.affected.values()],
            "customers": [
                {
                    "customer": _affected_document(c.customer),
                    "sla_tier": c.sla_tier,
                    "contact_email": c.contact_email,
                    "affected_cis": [ci.id for ci in c.affected_cis],
                }
                for c in report.customers
            ],
            "owners": [
                {
                    "id": o.id,
                    "type": o.type,
                    "key": o.key,
                    "name": o.name,
                    "support_level": o.support_level,
                    "email": o.email,
                    "owned_affected": o.owned,
                }
                for o in report.owners
            ],
        }


def resolve_starts(runtime: Runtime, starts: Sequence[StartSpec]) -> list[str]:
    """Turn ids and references into ids; NOT_FOUND names every unknown one."""
    if not starts:
        raise CMDBError.single(
            "starts", ErrorCode.INVALID_VALUE, "give at least one starting CI"
        )
    refs = {spec.ref for spec in starts if spec.ref is not None}
    by_ref = {ref: ci["id"] for ref, ci in fetch_cis(runtime, refs).items()}
    ids = [spec.id for spec in starts if spec.id is not None]
    found = {row["node"]["id"] for row in runtime.db.read("impact_nodes", ids=ids)}
    missing = [f"id {i}" for i in ids if i not in found]
    missing += [str(ref) for ref in refs if ref not in by_ref]
    if missing:
        raise CMDBError.single(
            "starts", ErrorCode.NOT_FOUND, f"no such CI: {', '.join(sorted(missing))}"
        )
    resolved = [spec.id or by_ref[spec.ref] for spec in starts]
    return list(dict.fromkeys(resolved))


def check_limits(runtime: Runtime, max_depth: int | None, max_affected: int | None):
    """Refuse negative or absurd limits with a clear error."""
    if max_depth is not None and not 0 <= max_depth <= HARD_MAX_DEPTH:
        raise CMDBError.single(
            "maxDepth", ErrorCode.INVALID_VALUE, f"must be 0 to {HARD_MAX_DEPTH}"
        )
    if max_affected is not None and max_affected < 1:
        raise CMDBError.single(
            "maxAffected", ErrorCode.INVALID_VALUE, "must be at least 1"
        )


def capped_limits(
    settings: Settings, max_depth: int | None, max_affected: int | None
) -> tuple[int, int]:
    """Apply the configured caps to the limits a caller asked for."""
    depth, affected = settings.max_impact_depth, settings.max_impact_affected
    return (
        depth if max_depth is None else min(max_depth, depth),
        affected if max_affected is None else min(max_affected, affected),
    )


def analyse_impact(
    runtime: Runtime,
    starts: Sequence[StartSpec],
    *,
    mode: Mode = Mode.FAILURE,
    context_down: Iterable[str] = (),
    excluded: Iterable[str] = (),
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> ImpactReport:
    """Evaluate what the starting CIs hurt, with customers and owners."""
    started = time.perf_counter()
    check_limits(runtime, max_depth, max_affected)
    start_ids = resolve_starts(runtime, starts)
    excluded = frozenset(excluded)
    graph = fetch_downstream(runtime, start_ids, excluded)
    result = evaluate_impact(
        runtime.catalogue,
        graph,
        start_ids,
        mode=mode,
        context_down=frozenset(context_down),
        excluded=excluded,
        max_depth=max_depth,
        max_affected=max_affected,
    )
    customers = _customers(runtime, graph, result)
    owners = _owners(runtime, result)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for ci in result.affected.values():
        counts[(ci.type, ci.state.name)] += 1
    report = ImpactReport(
        result,
        customers,
        owners,
        dict(counts),
        time.perf_counter() - started,
        len(graph.nodes),
    )
    logger.info(
        "Impact of %d CI(s) in %s mode: %d affected, %d customers, %.3f s",
        len(start_ids),
        mode,
        len(result.affected),
        len(customers),
        report.seconds,
    )
    return report


def analyse_dependencies(
    runtime: Runtime,
    starts: Sequence[StartSpec],
    *,
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> DependencyResult:
    """Find everything the starting CIs rely on, transitively."""
    check_limits(runtime, max_depth, max_affected)
    start_ids = resolve_starts(runtime, starts)
    graph = fetch_upstream(runtime, start_ids)
    return evaluate_dependencies(
        runtime.catalogue,
        graph,
        start_ids,
        max_depth=max_depth,
        max_affected=max_affected,
    )


def _impact_types(runtime: Runtime) -> dict[str, list[str]]:
    catalogue = runtime.catalogue
    return {
        "source_dependent": list(catalogue.impact_types(Dependent.SOURCE)),
        "target_dependent": list(catalogue.impact_types(Dependent.TARGET)),
    }


def fetch_downstream(
    runtime: Runtime, start_ids: Sequence[str], excluded: frozenset[str] = frozenset()
) -> ImpactGraph:
    """Fetch the downstream closure of the starts and every requirement in it.

    The whole closure is fetched even under a depth limit: a deeper CI can
    feed back into a nearer one, and the evaluator must see it to get states
    right and to count what the limits leave out.
    """
    # TODO(#3): two round trips per step make a host's answer several times
    # the bare reachability query; fetch the closure and its requirement
    # edges in one statement instead.
    builder = _GraphBuilder()
    types = _impact_types(runtime)
    for row in runtime.db.read("impact_nodes", ids=list(start_ids)):
        builder.node(row["node"])
    frontier = [i for i in start_ids if i not in excluded]
    while frontier:
        reached = []
        for row in _read_batched(runtime, "impact_dependents", frontier, types):
            node = row["node"]
            fresh = builder.node(node)
            if fresh and node["id"] not in excluded and node["status"] != "retired":
                reached.append(node["id"])
            builder.edge(row)
        for row in _read_batched(runtime, "impact_requirements", reached, types):
            builder.node(row["node"], member_only=True)
            builder.edge(row)
        frontier = reached
    return builder.graph()


def fetch_upstream(runtime: Runtime, start_ids: Sequence[str]) -> ImpactGraph:
    """Fetch everything the starts rely on, one step at a time."""
    builder = _GraphBuilder()
    types = _impact_types(runtime)
    for row in runtime.db.read("impact_nodes", ids=list(start_ids)):
        builder.node(row["node"])
    frontier = list(start_ids)
    while frontier:
        reached = []
        for row in _read_batched(runtime, "impact_requirements", frontier, types):
            if builder.node(row["node"]) and row["node"]["status"] != "retired":
                reached.append(row["node"]["id"])
            builder.edge(row)
        frontier = reached
    return builder.graph()


def _read_batched(
    runtime: Runtime, statement: str, ids: list[str], types: dict[str, list[str]]
) -> Iterable[dict[str, Any]]:
    for batch in batches(ids, runtime.settings.batch_size):
        yield from runtime.db.read(statement, ids=list(batch), **types)


class _GraphBuilder:
    """Collects nodes and edges as rows arrive; each edge once."""

    def __init__(self) -> None:
        self.nodes: dict[str, ImpactNode] = {}
        self.expanded: set[str] = set()
        self.edges: dict[tuple[str, str, str], ImpactEdge] = {}

    def node(self, row: dict[str, Any], member_only: bool = False) -> bool:
        """Add a node; return True when it is newly reached downstream."""
        node_id = row["id"]
        if node_id not in self.nodes:
            self.nodes[node_id] = ImpactNode(
                id=node_id,
                type=row["type"],
                key=row["key"],
                name=row["name"],
                status=row["status"],
                redundancy=tuple(row.get("redundancy") or ()),
            )
        if member_only or node_id in self.expanded:
            return False
        self.expanded.add(node_id)
        return True

    def edge(self, row: dict[str, Any]) -> None:
        """Add the relationship a row describes, once."""
        source, rel_type, target = row["source"], row["type"], row["target"]
        key = (source, rel_type, target)
        if key not in self.edges:
            self.edges[key] = ImpactEdge(source, target, rel_type, row.get("group"))

    def graph(self) -> ImpactGraph:
        """Return the collected graph."""
        return ImpactGraph.from_rows(self.nodes.values(), self.edges.values())


def _customers(
    runtime: Runtime, graph: ImpactGraph, result: ImpactResult
) -> list[CustomerImpact]:
    customers = [ci for ci in result.affected.values() if ci.type == "Customer"]
    if not customers:
        return []
    details = {
        row["id"]: row
        for batch in batches([c.id for c in customers], runtime.settings.batch_size)
        for row in runtime.db.read("impact_customer_details", ids=list(batch))
    }
    found = []
    for customer in customers:
        used = [
            result.affected[edge.target]
            for edge in graph.outgoing.get(customer.id, [])
            if edge.target in result.affected
        ]
        detail = details.get(customer.id, {})
        found.append(
            CustomerImpact(
                customer, detail.get("sla_tier"), detail.get("contact_email"), used
            )
        )
    return found


def _owners(runtime: Runtime, result: ImpactResult) -> list[Owner]:
    owners: dict[str, Owner] = {}
    ids = list(result.affected)
    for batch in batches(ids, runtime.settings.batch_size):
        rows = runtime.db.read(
            "impact_owners", ids=list(batch), owner_types=list(OWNER_TYPES)
        )
        for row in rows:
            data = row["owner"]
            owner = owners.get(data["id"])
            if owner is None:
                owner = owners[data["id"]] = Owner(
                    data["id"],
                    data["type"],
                    data["key"],
                    data["name"],
                    data.get("support_level"),
                    data.get("email"),
                    data.get("on_call"),
                )
            owner.owned.append(row["ci_id"])
    return sorted(owners.values(), key=lambda o: (o.support_level or 9, o.key))


def _affected_document(ci: AffectedCI) -> dict[str, Any]:
    return {
        "id": ci.id,
        "type": ci.type,
        "key": ci.key,
        "name": ci.name,
        "state": ci.state.name,
        "depth": ci.depth,
        "start": ci.start,
        "restarts": ci.restarts,
        "at_risk": ci.at_risk,
        "reason": [[s.source_id, s.rel_type, s.target_id] for s in ci.reason],
    }
