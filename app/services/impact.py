"""Blast radius and root dependencies, answered from the graph.

A process that keeps the impact index (the API) answers from its in-memory
copy of the graph, brought up to date before each question
(``app.services.impact_index``), and reads nothing else. Without the index,
or while it is being read, the graph is walked one step at a time from the
starting CIs, one statement a step, fetching only what the evaluation needs:
the downstream closure and, for every CI in it, the size of each requirement
group (so redundancy is counted right without reading members that cannot
fail). Either way the pure evaluator in ``app.impact`` decides every state.
"""

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from app.catalogue import Dependent
from app.db import Tx
from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.impact import (
    RETIRED,
    AffectedCI,
    AffectedCIs,
    CompactGraph,
    DependencyResult,
    ImpactEdge,
    ImpactGraph,
    ImpactNode,
    ImpactResult,
    ImpactState,
    Mode,
    evaluate_dependencies,
    evaluate_impact,
    summarise,
)
from app.services.bulk import batches, fetch_cis
from app.services.impact_context import read_down_elsewhere
from app.services.impact_index import OWNER_TYPES, collection_paused, details_of
from app.services.runtime import Runtime
from app.settings import Settings

logger = logging.getLogger(__name__)

CUSTOMER_TYPE = "Customer"
HARD_MAX_DEPTH = 100
# Up to this many CIs down in the context, their dependents are looked up
# first, so that only those CIs' requirement groups are searched for them.
CONTEXT_LOOKUP_LIMIT = 5000


@dataclass(frozen=True)
class StartSpec:
    """A starting CI by id, or by type and natural key."""

    id: str | None = None
    ref: CIRef | None = None


@dataclass
class CustomerImpact:
    """An affected customer, its SLA tier and which of its CIs are hurt.

    The hurt CIs are found when first read.
    """

    customer: AffectedCI
    sla_tier: str | None
    contact_email: str | None
    find_affected_cis: Callable[[], list[AffectedCI]] = field(repr=False)

    @cached_property
    def affected_cis(self) -> list[AffectedCI]:
        """Return the customer's CIs that are hurt, in the order it uses them."""
        return self.find_affected_cis()


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
    """The evaluated result with the customers and owners to tell.

    ``fetched_nodes`` counts the CIs read from Neo4j for the answer: none
    when the impact index gave it.
    """

    result: ImpactResult
    customers: Sequence[CustomerImpact]
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


def resolve_starts(
    runtime: Runtime, starts: Sequence[StartSpec], *, check_ids: bool = True
) -> list[str]:
    """Turn ids and references into ids; NOT_FOUND names every unknown one.

    With ``check_ids`` false, starts given by id are taken as they are, for a
    caller that finds out itself whether they exist (see ``missing_starts``).
    """
    if not starts:
        raise CMDBError.single(
            "starts", ErrorCode.INVALID_VALUE, "give at least one starting CI"
        )
    refs = {spec.ref for spec in starts if spec.ref is not None}
    by_ref = {ref: ci["id"] for ref, ci in fetch_cis(runtime, refs).items()}
    missing = [str(ref) for ref in refs if ref not in by_ref]
    ids = [spec.id for spec in starts if spec.id is not None]
    if check_ids:
        found = {row["node"]["id"] for row in runtime.db.read("impact_nodes", ids=ids)}
        missing += [f"id {i}" for i in ids if i not in found]
    if missing:
        raise missing_starts(missing)
    resolved = [spec.id if spec.id is not None else by_ref[spec.ref] for spec in starts]
    return list(dict.fromkeys(resolved))


def missing_starts(missing: Iterable[str]) -> CMDBError:
    """Return the NOT_FOUND error naming starting CIs that do not exist."""
    return CMDBError.single(
        "starts", ErrorCode.NOT_FOUND, f"no such CI: {', '.join(sorted(missing))}"
    )


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
    use_context: bool = False,
    excluded: Iterable[str] = (),
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> ImpactReport:
    """Evaluate what the starting CIs hurt, with customers and owners.

    ``context_down`` are CIs already down; with ``use_context`` so are those
    down in open incidents and in changes under way (``down_elsewhere``).
    """
    started = time.perf_counter()
    check_limits(runtime, max_depth, max_affected)
    start_ids = resolve_starts(runtime, starts, check_ids=False)
    context_down, revision = frozenset(context_down), None
    if use_context:
        elsewhere = read_down_elsewhere(runtime)
        context_down, revision = context_down | elsewhere.cis, elsewhere.revision
    question = _Question(
        start_ids,
        Mode(mode),
        context_down,
        frozenset(excluded),
        max_depth,
        max_affected,
    )
    report = None
    if runtime.impact_index is not None:
        with runtime.impact_index.current(revision) as graph:
            if graph is not None:
                report = _from_index(runtime, graph, question)
    if report is None:
        report = _from_neo4j(runtime, question)
    report.seconds = time.perf_counter() - started
    logger.info(
        "Impact of %d CI(s) in %s mode: %d affected, %d customers, %.3f s%s",
        len(start_ids),
        mode,
        len(report.result.affected),
        len(report.customers),
        report.seconds,
        "" if report.fetched_nodes else " (impact index)",
    )
    return report


@dataclass(frozen=True)
class _Question:
    """What an impact question asks, once its starts are ids."""

    start_ids: list[str]
    mode: Mode
    context_down: frozenset[str]
    excluded: frozenset[str]
    max_depth: int | None
    max_affected: int | None

    def evaluate(self, runtime: Runtime, graph: ImpactGraph | CompactGraph):
        """Evaluate the question on ``graph``."""
        return evaluate_impact(
            runtime.catalogue,
            graph,
            self.start_ids,
            mode=self.mode,
            context_down=self.context_down,
            excluded=self.excluded,
            max_depth=self.max_depth,
            max_affected=self.max_affected,
        )


def _from_neo4j(runtime: Runtime, question: _Question) -> ImpactReport:
    """Answer by fetching what the question reads, step by step."""
    fetched = fetch_downstream(
        runtime, question.start_ids, question.excluded, question.context_down
    )
    graph = fetched.graph
    missing = [f"id {ci}" for ci in question.start_ids if ci not in graph.nodes]
    if missing:
        raise missing_starts(missing)
    result = question.evaluate(runtime, graph)

    def used_by(customer: str) -> list[str]:
        return [edge.target for edge in graph.outgoing.get(customer, [])]

    customers = CustomerList(result, used_by, lambda ci: fetched.details.get(ci, {}))
    owned = ((ci, fetched.owned_by.get(ci, ())) for ci in result.affected)
    owners = _owners(owned, fetched.owners.__getitem__)
    return ImpactReport(
        result, customers, owners, _counts(result), 0.0, len(graph.nodes)
    )


def _from_index(
    runtime: Runtime, graph: CompactGraph, question: _Question
) -> ImpactReport:
    """Answer from the impact index, which holds contacts and SLA tiers too."""
    missing = [f"id {ci}" for ci in question.start_ids if ci not in graph.index]
    if missing:
        raise missing_starts(missing)
    with collection_paused():
        result = question.evaluate(runtime, graph)
        ids, index = graph.ids, graph.index
        owner_type = graph.rule_of[OWNER_TYPES[0]]
        edge_type, edge_source = graph.edge_type, graph.edge_source

        def owned() -> Iterator[tuple[str, list[str]]]:
            links = graph.links.of
            for ci in result.affected.numbers():
                found, edges = links(ci)
                if found:
                    owners = [
                        ids[owner]
                        for owner, edge in zip(found, edges, strict=True)
                        if edge_type[edge] == owner_type
                    ]
                    if owners:
                        yield ids[ci], owners

        def used_by(customer: str) -> list[str]:
            number = index[customer]
            found, edges = graph.dependencies.of(number)
            return [
                ids[used]
                for used, edge in zip(found, edges, strict=True)
                if edge_source[edge] == number
            ]

        def detail(ci: str) -> dict[str, Any]:
            number = index[ci]
            return {**graph.node_fields(number), **details_of(graph, number)}

        customers = CustomerList(result, used_by, detail)
        owners = _owners(owned(), detail)
        counts = _counts(result)
    return ImpactReport(result, customers, owners, counts, 0.0, 0)


def affected_ids(
    affected: AffectedCIs, type_name: str | None, state: str | None
) -> Sequence[str]:
    """Return the ids of the affected CIs of a type and a state name, in order.

    None matches every type or state; a state name that is none of OK,
    DEGRADED and DOWN matches nothing.
    """
    if state is not None and state not in ImpactState.__members__:
        return []
    return affected.select(type_name, None if state is None else ImpactState[state])


def _counts(result: ImpactResult) -> dict[tuple[str, str], int]:
    """Count the affected CIs by type and state name."""
    return {(t, s.name): n for (t, s), n in summarise(result).items()}


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


def _counted_types(runtime: Runtime) -> dict[str, list[list[str]]]:
    """Return, per dependent end, the types whose group sizes a step counts.

    Three scopes: types with a default redundancy (a CI without policies of
    its own), types allowing redundancy (a CI with policies), all types (when
    members down in the context must be found).
    """
    relationships = runtime.catalogue.relationships
    counted = {}
    for name, dependent in (("source", Dependent.SOURCE), ("target", Dependent.TARGET)):
        types = runtime.catalogue.impact_types(dependent)
        counted[f"counted_{name}"] = [
            [t for t in types if relationships[t].redundancy.default_min_up],
            [t for t in types if relationships[t].redundancy.allowed],
            list(types),
        ]
    return counted


def fetch_downstream(
    runtime: Runtime,
    start_ids: Sequence[str],
    excluded: frozenset[str] = frozenset(),
    context_down: frozenset[str] = frozenset(),
) -> "FetchedGraph":
    """Fetch the downstream closure of the starts with its requirement groups.

    One statement per step reads, for each newly reached CI, the CIs that
    depend on it and the size of each of its own requirement groups, with
    the members down in the context. Members outside the closure are counted,
    not fetched: nothing in them can fail. The whole closure is fetched even
    under a depth limit: a deeper CI can feed back into a nearer one, and the
    evaluator must see it to get states right and to count what the limits
    leave out.
    """
    # The path without the impact index: a storage array's radius (about
    # 116,000 CIs at a million) takes about 20 s this way, mostly decoding rows.
    return runtime.db.read_transaction(
        partial(_fetch_downstream, runtime, start_ids, excluded, context_down)
    )


def _fetch_downstream(
    runtime: Runtime,
    start_ids: Sequence[str],
    excluded: frozenset[str],
    context_down: frozenset[str],
    tx: Tx,
) -> "FetchedGraph":
    builder = _GraphBuilder()
    types = _impact_types(runtime)
    context_dependents = _context_dependents(runtime, tx, context_down, types)
    params = {
        **types,
        **_counted_types(runtime),
        "context": sorted(context_down),
        "context_everywhere": context_dependents is None,
        "context_dependents": sorted(context_dependents or ()),
        "owner_types": list(OWNER_TYPES),
        "retired": RETIRED,
    }
    frontier = [i for i in start_ids if i not in excluded]
    steps = 0
    while frontier:
        steps += 1
        reached = []
        params["with_nodes"] = steps == 1
        for row in _read_batched(runtime, tx, "impact_step", frontier, params):
            if row["node"] is not None:
                builder.node(row["node"])
            builder.owned(row["id"], row["owners"])
            for source, rel_type, target, group, node in row["dependents"]:
                fresh = builder.node(node)
                if fresh and node["id"] not in excluded and node["status"] != RETIRED:
                    reached.append(node["id"])
                builder.edge(source, rel_type, target, group)
            builder.groups(row["id"], row["groups"])
        frontier = reached
    logger.debug("Fetched %d CIs in %d steps", len(builder.nodes), steps)
    return FetchedGraph(
        builder.graph(), builder.details, builder.owned_by, builder.owners
    )


def fetch_upstream(runtime: Runtime, start_ids: Sequence[str]) -> ImpactGraph:
    """Fetch everything the starts rely on, one step at a time, in one read."""
    return runtime.db.read_transaction(partial(_fetch_upstream, runtime, start_ids))


def _fetch_upstream(runtime: Runtime, start_ids: Sequence[str], tx: Tx) -> ImpactGraph:
    builder = _GraphBuilder()
    types = _impact_types(runtime)
    for row in tx.run_values("impact_nodes", ids=list(start_ids)):
        builder.node(row["node"])
    frontier = list(start_ids)
    while frontier:
        reached = []
        for row in _read_batched(runtime, tx, "impact_requirements", frontier, types):
            if builder.node(row["node"]) and row["node"]["status"] != RETIRED:
                reached.append(row["node"]["id"])
            builder.edge(row["source"], row["type"], row["target"], row.get("group"))
        frontier = reached
    return builder.graph()


def _context_dependents(
    runtime: Runtime,
    tx: Tx,
    context_down: frozenset[str],
    types: dict[str, list[str]],
) -> set[str] | None:
    """Return the CIs with a member down in the context, or None for "look in all".

    A few context CIs are cheaper to follow one step than to look for among
    the members of every CI in the closure; many are not.
    """
    if len(context_down) > CONTEXT_LOOKUP_LIMIT:
        return None
    rows = _read_batched(
        runtime, tx, "impact_context_dependents", sorted(context_down), types
    )
    return {row["id"] for row in rows}


def _read_batched(
    runtime: Runtime, tx: Tx, statement: str, ids: list[str], params: dict[str, Any]
) -> Iterable[dict[str, Any]]:
    for batch in batches(ids, runtime.settings.batch_size):
        yield from tx.run_values(statement, ids=list(batch), **params)


@dataclass
class FetchedGraph:
    """The part of the graph an impact question reads.

    ``details`` holds each customer's SLA tier and contact; ``owned_by`` the
    ids of the owners of every CI in the closure, by CI id, and ``owners``
    each owner once, by id.
    """

    graph: ImpactGraph
    details: dict[str, dict[str, Any]]
    owned_by: dict[str, tuple[str, ...]]
    owners: dict[str, dict[str, Any]]


class _GraphBuilder:
    """Collects nodes, edges and requirement group sizes as rows arrive."""

    def __init__(self) -> None:
        self.nodes: dict[str, ImpactNode] = {}
        self.expanded: set[str] = set()
        self.edges: dict[tuple[str, str, str], ImpactEdge] = {}
        self.sizes: dict[str, dict[tuple[str, str | None], int]] = {}
        self.details: dict[str, dict[str, Any]] = {}
        self.owned_by: dict[str, tuple[str, ...]] = {}
        self.owners: dict[str, dict[str, Any]] = {}

    def node(self, row: dict[str, Any], member_only: bool = False) -> bool:
        """Add a node; return True when it is newly reached downstream."""
        node_id = row["id"]
        if node_id not in self.nodes:
            self.nodes[node_id] = ImpactNode(
                id=node_id,
                type=_interned(row["type"]),
                key=row["key"],
                name=row["name"],
                status=_interned(row["status"]),
                redundancy=tuple(row.get("redundancy") or ()),
            )
            if row["type"] == CUSTOMER_TYPE:
                self.details[node_id] = {
                    "sla_tier": row.get("sla_tier"),
                    "contact_email": row.get("contact_email"),
                }
        if member_only or node_id in self.expanded:
            return False
        self.expanded.add(node_id)
        return True

    def owned(self, ci_id: str, owners: list[dict[str, Any]]) -> None:
        """Record who owns a CI, keeping each owner's details once."""
        if owners:
            self.owned_by[ci_id] = tuple(owner["id"] for owner in owners)
            for owner in owners:
                self.owners.setdefault(owner["id"], owner)

    def edge(self, source: str, rel_type: str, target: str, group: str | None):
        """Add a relationship, once."""
        key = (source, rel_type, target)
        if key not in self.edges:
            self.edges[key] = ImpactEdge(source, target, rel_type, group)

    def groups(self, ci_id: str, groups: list[list[Any]]) -> None:
        """Record a CI's requirement group sizes and its members down in context."""
        sizes = self.sizes.setdefault(ci_id, {})
        for rel_type, group, size, down in groups:
            sizes[rel_type, group] = size
            for source, target, member in down:
                self.node(member, member_only=True)
                self.edge(source, rel_type, target, group)

    def graph(self) -> ImpactGraph:
        """Return the collected graph."""
        graph = ImpactGraph.from_rows(self.nodes.values(), self.edges.values())
        graph.group_sizes = self.sizes
        return graph


def _interned(value: Any) -> Any:
    """Share one copy of the few distinct type and status names."""
    return sys.intern(value) if isinstance(value, str) else value


class CustomerList(Sequence[CustomerImpact]):
    """The affected customers, in the order of the affected CIs, made when read.

    A storage array can hurt a hundred thousand customers; a page of them
    costs only its own.
    """

    def __init__(
        self,
        result: ImpactResult,
        used_by: Callable[[str], list[str]],
        detail: Callable[[str], dict[str, Any]],
    ) -> None:
        self._result = result
        self._used_by = used_by
        self._detail = detail
        self._ids = result.affected.select(CUSTOMER_TYPE)

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, position):  # type: ignore[override]
        if isinstance(position, slice):
            return [self._customer(ci) for ci in self._ids[position]]
        return self._customer(self._ids[position])

    def _customer(self, customer: str) -> CustomerImpact:
        affected = self._result.affected
        detail = self._detail(customer)

        def hurt() -> list[AffectedCI]:
            return [affected[ci] for ci in self._used_by(customer) if ci in affected]

        return CustomerImpact(
            affected[customer],
            detail.get("sla_tier"),
            detail.get("contact_email"),
            hurt,
        )


def _owners(
    owned: Iterable[tuple[str, Iterable[str]]],
    row: Callable[[str], dict[str, Any]],
) -> list[Owner]:
    """List the owners of affected CIs, by support level, with what they own.

    ``owned`` gives each affected CI, in order, with its owners' ids.
    """
    owners: dict[str, Owner] = {}
    for ci_id, owner_ids in owned:
        for owner_id in owner_ids:
            owner = owners.get(owner_id)
            if owner is None:
                data = row(owner_id)
                owner = owners[owner_id] = Owner(
                    data["id"],
                    data["type"],
                    data["key"],
                    data["name"],
                    data.get("support_level"),
                    data.get("email"),
                    data.get("on_call"),
                )
            owner.owned.append(ci_id)
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
