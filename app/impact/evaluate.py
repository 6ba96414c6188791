"""Impact analysis: what the starting CIs hurt downstream, and what they rely on.

Evaluation is linear in the part of the graph reachable from the starting CIs:
one breadth-first walk finds the affected CIs, depths and reasons; a worklist
then settles the states. Every requirement group keeps counters of its down
and degraded members, and a CI's state only ever gets worse (at most twice),
so each relationship is looked at a bounded number of times, cycles included.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from app.catalogue import Catalogue, Dependent, MinUp
from app.impact.model import (
    RETIRED,
    STATES_BY_SEVERITY,
    AffectedCI,
    DependencyCI,
    DependencyResult,
    ImpactEdge,
    ImpactGraph,
    ImpactResult,
    ImpactState,
    Mode,
    ReasonStep,
    parse_redundancy,
)

_OK, _DEGRADED, _DOWN = 0, 1, 2
_SOURCE, _TARGET = Dependent.SOURCE, Dependent.TARGET

Neighbours = Callable[[str], list[tuple[str, ImpactEdge]]]


@dataclass(frozen=True, slots=True)
class _Rule:
    """What the catalogue says about one relationship type, ready for lookups."""

    dependent: Dependent
    redundancy_allowed: bool
    default_min_up: MinUp | None
    survives_planned: bool
    restarts_on_failure: bool


@dataclass(slots=True)
class _Walk:
    """A breadth-first walk: CIs in visiting order, depths and the way in."""

    order: list[str] = field(default_factory=list)
    depth: dict[str, int] = field(default_factory=dict)
    via: dict[str, tuple[str, ImpactEdge]] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _Group:
    """One requirement group of a dependent CI, with counters of its members.

    ``min_up`` is None when every member is required. ``soften`` is set in
    planned mode for a type whose dependents survive planned loss: a member
    down through this evaluation then counts as degraded.
    """

    dependent: str
    rule: _Rule
    size: int
    min_up: int | None
    soften: bool
    down: int = 0
    degraded: int = 0
    softened: int = 0

    def state(self) -> int:
        """Return the group's state from its counters."""
        if self.min_up is None:
            return _DOWN if self.down else (_DEGRADED if self.degraded else _OK)
        if self.down and self.size - self.down < self.min_up:
            return _DOWN
        return _DEGRADED if self.down or self.degraded else _OK

    def shift(self, before: int, after: int) -> int:
        """Count a member that moved from ``before`` to ``after``; return the state.

        States only get worse: ``before`` is OK or DEGRADED, ``after`` is worse.
        """
        if self.soften:
            self.softened += (after == _DOWN) - (before == _DOWN)
            before = _DEGRADED if before == _DOWN else before
            after = _DEGRADED if after == _DOWN else after
        if before == _DEGRADED:
            self.degraded -= 1
        if after == _DOWN:
            self.down += 1
        else:
            self.degraded += 1
        return self.state()


def evaluate_impact(
    catalogue: Catalogue,
    graph: ImpactGraph,
    starts: Iterable[str],
    *,
    mode: Mode = Mode.FAILURE,
    context_down: Collection[str] = frozenset(),
    excluded: Collection[str] = frozenset(),
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> ImpactResult:
    """Return every CI the starting CIs hurt, nearest first, with state and reason.

    ``context_down`` holds CIs down for other reasons (other incidents, changes
    in their window); they count as down members of redundant groups but make
    nothing affected on their own. ``excluded`` CIs are never affected and stop
    propagation. ``max_affected`` counts the affected CIs besides the starts.
    Retired starting CIs are skipped and named in ``retired_starts``.

    >>> from app.catalogue import load_catalogue
    >>> from app.settings import REPOSITORY_ROOT
    >>> catalogue = load_catalogue(REPOSITORY_ROOT / "schema")
    >>> graph = ImpactGraph.from_rows(
    ...     [
    ...         {"id": "h1", "type": "Host", "key": "esx-1", "name": "esx-1",
    ...          "status": "active"},
    ...         {"id": "h2", "type": "Host", "key": "esx-2", "name": "esx-2",
    ...          "status": "active"},
    ...         {"id": "c1", "type": "Cluster", "key": "prod", "name": "prod",
    ...          "status": "active"},
    ...     ],
    ...     [
    ...         {"source": "h1", "target": "c1", "type": "MEMBER_OF"},
    ...         {"source": "h2", "target": "c1", "type": "MEMBER_OF"},
    ...     ],
    ... )
    >>> result = evaluate_impact(catalogue, graph, ["h1"])
    >>> {ci.id: str(ci.state) for ci in result.affected.values()}
    {'h1': 'down', 'c1': 'degraded'}
    >>> result.affected["c1"].reason
    (ReasonStep(source_id='h1', rel_type='MEMBER_OF', target_id='c1'),)
    >>> second = evaluate_impact(catalogue, graph, ["h1"], context_down={"h2"})
    >>> str(second.affected["c1"].state)
    'down'
    """
    _check_limits(max_depth, max_affected)
    mode, excluded = Mode(mode), frozenset(excluded)
    given, live, retired = _check_starts(graph, starts, excluded)
    rules = _rules(catalogue, graph)
    walk = _walk(live, _impacted_by(graph, rules), _blocked(graph, excluded))
    evaluation = _Evaluation(graph, rules, walk, mode, frozenset(context_down))
    kept, omitted, reason = _cut(walk, len(live), max_depth, max_affected)
    way_in = {ci: evaluation.way_in(ci, walk) for ci in kept if ci in walk.via}
    reasons = _reasons(kept, way_in)
    affected = {ci: evaluation.affected(ci, walk.depth[ci], reasons[ci]) for ci in kept}
    return ImpactResult(
        affected=affected,
        starts=given,
        mode=mode,
        limit_hit=omitted > 0,
        limit_reason=reason,
        max_depth=max_depth,
        max_affected=max_affected,
        omitted=omitted,
        retired_starts=retired,
        explanation=_explain_retired(retired, live),
    )


def evaluate_dependencies(
    catalogue: Catalogue,
    graph: ImpactGraph,
    starts: Iterable[str],
    *,
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> DependencyResult:
    """Return every CI the starting CIs rely on, nearest first, with a reason.

    Reasons lead from a starting CI to the dependency, one stored relationship
    per hop. Retired CIs are skipped. ``max_affected`` counts the dependencies
    besides the starts.

    >>> from app.catalogue import load_catalogue
    >>> from app.settings import REPOSITORY_ROOT
    >>> catalogue = load_catalogue(REPOSITORY_ROOT / "schema")
    >>> graph = ImpactGraph.from_rows(
    ...     [
    ...         {"id": "vm", "type": "VirtualMachine", "key": "web-1",
    ...          "name": "web-1", "status": "active"},
    ...         {"id": "h1", "type": "Host", "key": "esx-1", "name": "esx-1",
    ...          "status": "active"},
    ...         {"id": "r1", "type": "Rack", "key": "AMS1-R1", "name": "R1",
    ...          "status": "active"},
    ...     ],
    ...     [
    ...         {"source": "vm", "target": "h1", "type": "RUNS_ON"},
    ...         {"source": "h1", "target": "r1", "type": "LOCATED_IN"},
    ...     ],
    ... )
    >>> result = evaluate_dependencies(catalogue, graph, ["vm"])
    >>> [(ci.id, ci.depth) for ci in result.dependencies.values()]
    [('vm', 0), ('h1', 1), ('r1', 2)]
    >>> [step.rel_type for step in result.dependencies["r1"].reason]
    ['RUNS_ON', 'LOCATED_IN']
    """
    _check_limits(max_depth, max_affected)
    given, live, retired = _check_starts(graph, starts, frozenset())
    rules = _rules(catalogue, graph)
    walk = _walk(live, _dependencies_of(graph, rules), _blocked(graph, frozenset()))
    kept, omitted, reason = _cut(walk, len(live), max_depth, max_affected)
    reasons = _reasons(kept, walk.via)
    dependencies = {}
    for ci in kept:
        node = graph.nodes[ci]
        dependencies[ci] = DependencyCI(
            ci, node.type, node.key, node.name, walk.depth[ci], reasons[ci], ci in live
        )
    return DependencyResult(
        dependencies=dependencies,
        starts=given,
        limit_hit=omitted > 0,
        limit_reason=reason,
        max_depth=max_depth,
        max_affected=max_affected,
        omitted=omitted,
        retired_starts=retired,
        explanation=_explain_retired(retired, live),
    )


def downstream_closure(
    catalogue: Catalogue,
    graph: ImpactGraph,
    starts: Iterable[str],
    excluded: Collection[str] = frozenset(),
) -> set[str]:
    """Return the CIs failure can reach from the starts, the starts included.

    Retired CIs, and excluded ones, neither join the closure nor lead on.

    >>> from app.catalogue import load_catalogue
    >>> from app.settings import REPOSITORY_ROOT
    >>> catalogue = load_catalogue(REPOSITORY_ROOT / "schema")
    >>> graph = ImpactGraph.from_rows(
    ...     [
    ...         {"id": "h1", "type": "Host", "key": "esx-1", "name": "esx-1",
    ...          "status": "active"},
    ...         {"id": "vm", "type": "VirtualMachine", "key": "web-1",
    ...          "name": "web-1", "status": "active"},
    ...     ],
    ...     [{"source": "vm", "target": "h1", "type": "RUNS_ON"}],
    ... )
    >>> sorted(downstream_closure(catalogue, graph, ["h1"]))
    ['h1', 'vm']
    >>> sorted(downstream_closure(catalogue, graph, ["vm"]))
    ['vm']
    """
    excluded = frozenset(excluded)
    _, live, _ = _check_starts(graph, starts, excluded)
    rules = _rules(catalogue, graph)
    walk = _walk(live, _impacted_by(graph, rules), _blocked(graph, excluded))
    return set(walk.order)


def required_subgraph(
    catalogue: Catalogue,
    graph: ImpactGraph,
    starts: Iterable[str],
    excluded: Collection[str] = frozenset(),
) -> ImpactGraph:
    """Return the part of ``graph`` that impact analysis of ``starts`` reads.

    That is the starting CIs, their downstream closure, and every dependency
    relationship of each CI in the closure with the CI at its other end, so that
    requirement groups have their true size. Evaluating the subgraph gives the
    same answer as evaluating the whole graph.
    """
    excluded = frozenset(excluded)
    given, live, _ = _check_starts(graph, starts, excluded)
    rules = _rules(catalogue, graph)
    closure = _walk(live, _impacted_by(graph, rules), _blocked(graph, excluded)).order
    dependencies = _dependencies_of(graph, rules)
    subgraph = ImpactGraph()
    edges = []
    for ci in [*given, *closure]:
        subgraph.add_node(graph.nodes[ci])
    for ci in closure:
        for member, edge in dependencies(ci):
            subgraph.add_node(graph.nodes[member])
            edges.append(edge)
    for edge in edges:
        subgraph.add_edge(edge)
    return subgraph


def summarise(result: ImpactResult) -> dict[tuple[str, ImpactState], int]:
    """Count the listed affected CIs by type and state, starts included.

    >>> from app.impact.model import AffectedCI
    >>> host = AffectedCI("h1", "Host", "esx-1", "esx-1", ImpactState.DOWN, 0, ())
    >>> result = ImpactResult(affected={"h1": host}, starts=("h1",), mode=Mode.FAILURE)
    >>> summarise(result)
    {('Host', <ImpactState.DOWN: 'down'>): 1}
    """
    counts: dict[tuple[str, ImpactState], int] = defaultdict(int)
    for ci in result.affected.values():
        counts[ci.type, ci.state] += 1
    return dict(
        sorted(counts.items(), key=lambda item: (item[0][0], -item[0][1].severity))
    )


class _Evaluation:
    """The states of the reached CIs, settled to a fixed point."""

    def __init__(
        self,
        graph: ImpactGraph,
        rules: dict[str, _Rule],
        walk: _Walk,
        mode: Mode,
        context_down: frozenset[str],
    ) -> None:
        self.graph = graph
        self.rules = rules
        self.mode = mode
        self.planned = mode is Mode.PLANNED
        self.context_down = context_down
        self.dependencies = _dependencies_of(graph, rules)
        self.starts = {ci for ci in walk.order if walk.depth[ci] == 0}
        self.state = dict.fromkeys(walk.order, _OK)
        self.sent = dict.fromkeys(walk.order, _OK)
        self.groups: dict[str, dict[tuple[str, str | None], _Group]] = {}
        self.memberships: dict[str, list[_Group]] = defaultdict(list)

        # Starts are down; every other CI starts from what context does to it.
        for ci in walk.order:
            if ci in self.starts:
                self.state[ci] = _DOWN
            else:
                self._add_groups(ci)
        self._settle([ci for ci in walk.order if self.state[ci] != _OK])

    def affected(
        self, ci: str, depth: int, reason: tuple[ReasonStep, ...]
    ) -> AffectedCI:
        """Return the answer for one reached CI."""
        node = self.graph.nodes[ci]
        return AffectedCI(
            id=ci,
            type=node.type,
            key=node.key,
            name=node.name,
            state=STATES_BY_SEVERITY[self.state[ci]],
            depth=depth,
            reason=reason,
            restarts=self._restarts(ci),
            at_risk=self._at_risk(ci),
            start=ci in self.starts,
        )

    def way_in(self, ci: str, walk: _Walk) -> tuple[str, ImpactEdge]:
        """Return the way into ``ci`` one hop nearer a start that explains it best.

        Of the CIs one hop nearer, prefer one in the group that made ``ci`` as
        bad as it is, then the worst of those.
        """
        groups, depth = self.groups[ci], walk.depth[ci] - 1
        best, best_score = walk.via[ci], (-1, -1)
        for member, edge in self.dependencies(ci):
            if walk.depth.get(member) == depth:
                group = groups[edge.type, edge.group]
                score = (group.state(), self.state[member])
                if score > best_score:
                    best, best_score = (member, edge), score
        return best

    def _add_groups(self, ci: str) -> None:
        state, memberships = self.state, self.memberships
        groups = {}
        for key, rule, members, size, min_up in self._requirements(ci):
            soften = self.planned and rule.survives_planned
            group = _Group(ci, rule, size, min_up, soften)
            for member in members:
                if member in self.context_down:
                    group.down += 1
                elif member in state:
                    memberships[member].append(group)
            state[ci] = max(state[ci], group.state())
            groups[key] = group
        self.groups[ci] = groups

    def _requirements(
        self, ci: str
    ) -> list[tuple[tuple[str, str | None], _Rule, set[str], int, int | None]]:
        """Return each requirement group of ``ci`` with members in the graph.

        Each comes as key, rule, the members in the graph, the group's size in
        the estate and min_up. A group none of whose members is in the graph
        is left out: nothing in it can fail.
        """
        nodes = self.graph.nodes
        members: dict[tuple[str, str | None], set[str]] = {}
        for member, edge in self.dependencies(ci):
            if nodes[member].status != RETIRED:
                members.setdefault((edge.type, edge.group), set()).add(member)
        redundancy = nodes[ci].redundancy
        policies = parse_redundancy(ci, redundancy) if redundancy else {}
        sizes = self.graph.group_sizes.get(ci, {})
        requirements = []
        for (rel_type, group), group_members in members.items():
            rule = self.rules[rel_type]
            own = policies.get(rel_type if group is None else f"{rel_type}:{group}")
            size = max(len(group_members), sizes.get((rel_type, group), 0))
            min_up = _min_up(rule, own, size)
            requirements.append(((rel_type, group), rule, group_members, size, min_up))
        return requirements

    def _settle(self, worklist: list[str]) -> None:
        """Pass state changes on to dependents until nothing changes."""
        while worklist:
            ci = worklist.pop()
            before, after = self.sent[ci], self.state[ci]
            if before == after:
                continue
            self.sent[ci] = after
            state = self.state
            for group in self.memberships.get(ci, ()):
                group_state = group.shift(before, after)
                if group_state > state[group.dependent]:
                    state[group.dependent] = group_state
                    worklist.append(group.dependent)

    def _restarts(self, ci: str) -> bool:
        """Whether a down CI is down only through types that restart it."""
        if self.mode is not Mode.FAILURE or self.state[ci] != _DOWN:
            return False
        groups = self.groups.get(ci, {}).values()
        down = [group for group in groups if group.state() == _DOWN]
        return bool(down) and all(group.rule.restarts_on_failure for group in down)

    def _at_risk(self, ci: str) -> bool:
        """Whether a degraded CI rides out planned loss of something it needs."""
        if not self.planned or self.state[ci] != _DEGRADED:
            return False
        return any(group.softened for group in self.groups.get(ci, {}).values())


def _min_up(rule: _Rule, override: MinUp | None, size: int) -> int | None:
    """Return how many members must stay up, or None when all are required.

    The CI's own policy wins when the type allows redundancy, then the type's
    default.
    """
    use_own = override is not None and rule.redundancy_allowed
    policy = override if use_own else rule.default_min_up
    return None if policy is None else policy.required(size)


def _check_limits(max_depth: int | None, max_affected: int | None) -> None:
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be 0 or more, not {max_depth}")
    if max_affected is not None and max_affected < 1:
        raise ValueError(f"max_affected must be 1 or more, not {max_affected}")


def _check_starts(
    graph: ImpactGraph, starts: Iterable[str], excluded: Collection[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return the starts as given, those taking part, and the retired ones."""
    if isinstance(starts, str):
        raise TypeError("starts must be a collection of CI ids, not one string")
    given = tuple(dict.fromkeys(starts))
    if not given:
        raise ValueError("impact analysis needs at least one starting CI")
    unknown = [ci for ci in given if ci not in graph.nodes]
    if unknown:
        raise ValueError(f"unknown starting CIs: {', '.join(unknown)}")
    clash = [ci for ci in given if ci in excluded]
    if clash:
        raise ValueError(f"starting CIs cannot be excluded: {', '.join(clash)}")
    retired = tuple(ci for ci in given if graph.nodes[ci].retired)
    live = tuple(ci for ci in given if not graph.nodes[ci].retired)
    return given, live, retired


def _explain_retired(retired: tuple[str, ...], live: tuple[str, ...]) -> str | None:
    if not retired:
        return None
    names = ", ".join(retired)
    if not live:
        return f"Every starting CI is retired and takes no part in impact: {names}."
    return f"Retired starting CIs take no part in impact and were skipped: {names}."


def _rules(catalogue: Catalogue, graph: ImpactGraph) -> dict[str, _Rule]:
    """Return the rule of every relationship type, checking the graph uses no other."""
    rules = {
        name: _Rule(
            dependent=rel.dependent,
            redundancy_allowed=rel.redundancy.allowed,
            default_min_up=_parse_min_up(rel.redundancy.default_min_up),
            survives_planned=rel.survives_planned,
            restarts_on_failure=rel.restarts_on_failure,
        )
        for name, rel in catalogue.relationships.items()
    }
    unknown = {edge.type for edge in graph.edges} - rules.keys()
    if unknown:
        raise ValueError(
            f"relationship types not in the catalogue: {', '.join(sorted(unknown))}"
        )
    return rules


def _parse_min_up(text: str | None) -> MinUp | None:
    return None if text is None else MinUp.parse(text)


def _impacted_by(graph: ImpactGraph, rules: dict[str, _Rule]) -> Neighbours:
    """Return a function listing the CIs that suffer when a CI fails."""
    sources = {name for name, rule in rules.items() if rule.dependent is _SOURCE}
    targets = {name for name, rule in rules.items() if rule.dependent is _TARGET}

    def impacted(ci: str) -> list[tuple[str, ImpactEdge]]:
        found = [
            (edge.source, edge) for edge in graph.incoming[ci] if edge.type in sources
        ]
        found += [
            (edge.target, edge) for edge in graph.outgoing[ci] if edge.type in targets
        ]
        return found

    return impacted


def _dependencies_of(graph: ImpactGraph, rules: dict[str, _Rule]) -> Neighbours:
    """Return a function listing the CIs whose failure a CI suffers."""
    sources = {name for name, rule in rules.items() if rule.dependent is _SOURCE}
    targets = {name for name, rule in rules.items() if rule.dependent is _TARGET}

    def dependencies(ci: str) -> list[tuple[str, ImpactEdge]]:
        found = [
            (edge.target, edge) for edge in graph.outgoing[ci] if edge.type in sources
        ]
        found += [
            (edge.source, edge) for edge in graph.incoming[ci] if edge.type in targets
        ]
        return found

    return dependencies


def _blocked(graph: ImpactGraph, excluded: Collection[str]) -> Callable[[str], bool]:
    """Return a test for CIs a walk must not enter: retired or excluded ones."""
    nodes = graph.nodes
    return lambda ci: ci in excluded or nodes[ci].retired


def _walk(
    starts: Iterable[str], neighbours: Neighbours, blocked: Callable[[str], bool]
) -> _Walk:
    """Walk breadth first from ``starts``, recording depth and the way in."""
    walk = _Walk()
    for ci in starts:
        walk.depth[ci] = 0
        walk.order.append(ci)
    for ci in walk.order:
        depth = walk.depth[ci] + 1
        for other, edge in neighbours(ci):
            if other not in walk.depth and not blocked(other):
                walk.depth[other] = depth
                walk.via[other] = (ci, edge)
                walk.order.append(other)
    return walk


def _cut(
    walk: _Walk, starts: int, max_depth: int | None, max_affected: int | None
) -> tuple[list[str], int, str | None]:
    """Apply the limits: the CIs to list, how many were left out, and why."""
    kept = walk.order
    reasons = []
    if max_depth is not None:
        within = [ci for ci in kept if walk.depth[ci] <= max_depth]
        if len(within) < len(kept):
            reasons.append(
                f"max_depth {max_depth}: {_plural(len(kept) - len(within), 'CI')} "
                f"more than {_plural(max_depth, 'hop')} away not listed"
            )
        kept = within
    if max_affected is not None and len(kept) - starts > max_affected:
        beyond = len(kept) - starts - max_affected
        reasons.append(
            f"max_affected {max_affected}: {_plural(beyond, 'CI')} farther away "
            "not listed"
        )
        kept = kept[: starts + max_affected]
    omitted = len(walk.order) - len(kept)
    return kept, omitted, "; ".join(reasons) or None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _reasons(
    kept: list[str], via: dict[str, tuple[str, ImpactEdge]]
) -> dict[str, tuple[ReasonStep, ...]]:
    """Return one shortest chain of stored relationships to each kept CI."""
    reasons: dict[str, tuple[ReasonStep, ...]] = {}
    for ci in kept:
        if ci not in via:
            reasons[ci] = ()
            continue
        previous, edge = via[ci]
        step = ReasonStep(edge.source, edge.type, edge.target)
        reasons[ci] = (*reasons[previous], step)
    return reasons
