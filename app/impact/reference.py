"""A deliberately naive impact evaluation, the baseline for tests and benchmarks.

It shares no code path with ``evaluate.py``: it builds a networkx multigraph in
the direction failure travels, takes every descendant of the starts, and
recomputes each of them from its requirement groups, over and over, until a
whole pass changes nothing. Slow and obviously right is the point.
"""

from collections.abc import Collection, Iterable

import networkx as nx

from app.catalogue import Catalogue, Dependent, MinUp, RelationshipType
from app.impact.model import ImpactGraph, ImpactState, Mode

_RANK = {ImpactState.OK: 0, ImpactState.DEGRADED: 1, ImpactState.DOWN: 2}


def reference_impact(
    catalogue: Catalogue,
    graph: ImpactGraph,
    starts: Iterable[str],
    mode: Mode = Mode.FAILURE,
    context_down: Collection[str] = frozenset(),
    excluded: Collection[str] = frozenset(),
) -> dict[str, ImpactState]:
    """Return the state of every CI the starts hurt; CIs left OK are absent.

    >>> from app.catalogue import load_catalogue
    >>> from app.impact.model import ImpactEdge, ImpactNode
    >>> from app.settings import REPOSITORY_ROOT
    >>> catalogue = load_catalogue(REPOSITORY_ROOT / "schema")
    >>> graph = ImpactGraph.from_rows(
    ...     [
    ...         ImpactNode("h1", "Host", "esx-1", "esx-1", "active"),
    ...         ImpactNode("vm", "VirtualMachine", "web-1", "web-1", "active"),
    ...     ],
    ...     [ImpactEdge("vm", "h1", "RUNS_ON")],
    ... )
    >>> states = reference_impact(catalogue, graph, ["h1"], Mode.PLANNED)
    >>> sorted((ci, str(state)) for ci, state in states.items())
    [('h1', 'down'), ('vm', 'degraded')]
    """
    flow = _failure_flow(catalogue, graph)
    live_starts = {ci for ci in starts if graph.nodes[ci].status != "retired"}
    reached = _reached(flow, graph, live_starts, excluded)
    states = dict.fromkeys(reached, ImpactState.OK)
    states.update(dict.fromkeys(live_starts, ImpactState.DOWN))

    changed = True
    while changed:
        changed = False
        for ci in reached - live_starts:
            state = _recompute(flow, graph, ci, states, mode, context_down)
            if state != states[ci]:
                states[ci] = state
                changed = True
    return {ci: state for ci, state in states.items() if state != ImpactState.OK}


def _failure_flow(catalogue: Catalogue, graph: ImpactGraph) -> nx.MultiDiGraph:
    """Return a multigraph with an edge from each failing end to its dependent."""
    flow = nx.MultiDiGraph()
    flow.add_nodes_from(graph.nodes)
    for edge in graph.edges:
        rel = catalogue.relationships[edge.type]
        if rel.dependent is Dependent.SOURCE:
            failing, dependent = edge.target, edge.source
        elif rel.dependent is Dependent.TARGET:
            failing, dependent = edge.source, edge.target
        else:
            continue
        group = edge.type if edge.group is None else edge.type + ":" + edge.group
        flow.add_edge(failing, dependent, rel=rel, group=group)
    return flow


def _reached(
    flow: nx.MultiDiGraph,
    graph: ImpactGraph,
    starts: set[str],
    excluded: Collection[str],
) -> set[str]:
    """Return the starts and everything downstream of them through live CIs."""
    passable = [
        ci
        for ci, node in graph.nodes.items()
        if ci in starts or (node.status != "retired" and ci not in excluded)
    ]
    view = flow.subgraph(passable)
    reached = set(starts)
    for start in starts:
        reached |= nx.descendants(view, start)
    return reached


def _recompute(
    flow: nx.MultiDiGraph,
    graph: ImpactGraph,
    ci: str,
    states: dict[str, ImpactState],
    mode: Mode,
    context_down: Collection[str],
) -> ImpactState:
    """Return the worst state among the requirement groups of ``ci``."""
    members: dict[str, set[str]] = {}
    rels: dict[str, RelationshipType] = {}
    for member, _, data in flow.in_edges(ci, data=True):
        if graph.nodes[member].status == "retired":
            continue
        members.setdefault(data["group"], set()).add(member)
        rels[data["group"]] = data["rel"]

    worst = ImpactState.OK
    for group, group_members in members.items():
        rel = rels[group]
        seen = [
            _seen(member, rel, states, mode, context_down) for member in group_members
        ]
        state = _group_state(rel, _own_policy(graph, ci, group), seen)
        worst = max(worst, state, key=_RANK.__getitem__)
    return worst


def _seen(
    member: str,
    rel: RelationshipType,
    states: dict[str, ImpactState],
    mode: Mode,
    context_down: Collection[str],
) -> ImpactState:
    """Return what ``member`` counts as in a group of type ``rel``."""
    if member in context_down:
        return ImpactState.DOWN
    state = states.get(member, ImpactState.OK)
    if mode == Mode.PLANNED and rel.planned == "survives" and state == ImpactState.DOWN:
        return ImpactState.DEGRADED
    return state


def _own_policy(graph: ImpactGraph, ci: str, group: str) -> str | None:
    """Return the CI's own MIN_UP text for ``group``, if it sets one."""
    found = None
    for entry in graph.nodes[ci].redundancy:
        name, _, min_up = entry.rpartition("=")
        if name.strip() == group:
            found = min_up
    return found


def _group_state(
    rel: RelationshipType, own: str | None, seen: list[ImpactState]
) -> ImpactState:
    """Apply the group rule to the states the members count as."""
    down = sum(1 for state in seen if state == ImpactState.DOWN)
    degraded = sum(1 for state in seen if state == ImpactState.DEGRADED)
    if own is not None and rel.redundancy.allowed:
        policy = own
    else:
        policy = rel.redundancy.default_min_up
    if policy is None:
        if down:
            return ImpactState.DOWN
        return ImpactState.DEGRADED if degraded else ImpactState.OK
    up = len(seen) - down
    if down > 0 and up < MinUp.parse(policy).required(len(seen)):
        return ImpactState.DOWN
    return ImpactState.DEGRADED if down or degraded else ImpactState.OK
