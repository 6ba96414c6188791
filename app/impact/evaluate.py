"""Impact analysis: what the starting CIs hurt downstream, and what they rely on.

Evaluation runs on a ``CompactGraph`` (an ``ImpactGraph`` is numbered into
one first) and is linear in the part of the graph reachable from the
starting CIs: one breadth-first walk finds the affected CIs and their depths,
and, as it passes each relationship, files the CI it left as a member of the
requirement group of the CI it reached. A worklist then settles the states.
Every group keeps counters of its down and degraded members, and a CI's state
only ever gets worse (at most twice), so each relationship is looked at a
bounded number of times, cycles included. Affected CIs and their reasons are
made only when asked for, so a large answer costs little until it is read.
"""

import threading
import weakref
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from app.catalogue import Catalogue
from app.impact.compact import KEY_SPAN, CompactGraph, Rule
from app.impact.model import (
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
)

_OK, _DEGRADED, _DOWN = 0, 1, 2
# Requirement groups of an evaluation are numbered dependent * _GROUP_SPAN +
# group key (see KEY_SPAN).
_GROUP_SPAN = 1 << 32


@dataclass(slots=True)
class _Walk:
    """A breadth-first walk: CIs in visiting order, depths and the way in.

    ``via`` maps a reached CI to the CI one hop nearer and the edge between.
    """

    order: list[int] = field(default_factory=list)
    depth: "dict[int, int] | array" = field(default_factory=dict)
    via: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _Group:
    """One requirement group of a dependent CI, with counters of its members.

    ``min_up`` is None when every member is required. ``soften`` is set in
    planned mode for a type whose dependents survive planned loss: a member
    down through this evaluation then counts as degraded. ``last`` is the
    member filed last, so that two relationships to one member count once.
    """

    dependent: int
    rule: Rule
    size: int
    min_up: int | None
    soften: bool
    down: int = 0
    degraded: int = 0
    softened: int = 0
    last: int = -1

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
    graph: ImpactGraph | CompactGraph,
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
    compact = _compact(catalogue, graph)
    given, live, retired = _check_starts(compact, starts, excluded)
    evaluation = _Evaluation(
        compact,
        _numbers(compact, live),
        mode,
        context_down=set(_numbers(compact, context_down)),
        excluded=set(_numbers(compact, excluded)),
    )
    walk = _Walk(evaluation.order, evaluation.depth)
    kept, omitted, reason = _cut(walk, len(live), max_depth, max_affected)
    return ImpactResult(
        affected=AffectedCIs(evaluation, kept),
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
    graph: ImpactGraph | CompactGraph,
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
    compact = _compact(catalogue, graph)
    given, live, retired = _check_starts(compact, starts, frozenset())
    walk = _walk(compact, _numbers(compact, live), compact.dependencies.of, set())
    kept, omitted, reason = _cut(walk, len(live), max_depth, max_affected)
    reasons = _reasons(compact, kept, walk.via)
    ids, types, keys, names = compact.ids, compact.types, compact.keys, compact.names
    dependencies = {
        ids[ci]: DependencyCI(
            ids[ci],
            types[ci],
            keys[ci],
            names[ci],
            walk.depth[ci],
            reasons[ci],
            walk.depth[ci] == 0,
        )
        for ci in kept
    }
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
    graph: ImpactGraph | CompactGraph,
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
    compact = _compact(catalogue, graph)
    _, live, _ = _check_starts(compact, starts, frozenset(excluded))
    blocked = set(_numbers(compact, excluded))
    walk = _walk(compact, _numbers(compact, live), compact.dependents.of, blocked)
    return {compact.ids[ci] for ci in walk.order}


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
    compact = _compact(catalogue, graph)
    given, live, _ = _check_starts(compact, starts, frozenset(excluded))
    blocked = set(_numbers(compact, excluded))
    walk = _walk(compact, _numbers(compact, live), compact.dependents.of, blocked)
    nodes = graph.nodes
    subgraph = ImpactGraph()
    edges = []
    for ci in [*given, *(compact.ids[n] for n in walk.order)]:
        subgraph.add_node(nodes[ci])
    for ci in walk.order:
        members, numbers = compact.dependencies.of(ci)
        for member, edge in zip(members, numbers, strict=True):
            subgraph.add_node(nodes[compact.ids[member]])
            edges.append(_edge(compact, edge))
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
    affected = result.affected
    if isinstance(affected, AffectedCIs):
        counts = affected.counts()
    else:
        counts = defaultdict(int)
        for ci in affected.values():
            counts[ci.type, ci.state] += 1
    return dict(
        sorted(counts.items(), key=lambda item: (item[0][0], -item[0][1].severity))
    )


# An evaluation that reached at most this many CIs, or this share of the
# graph if more, hands its per-CI arrays on to the next: clearing what it
# reached then costs less than making them anew, a third of a millisecond at
# a million CIs, more than a host's whole evaluation.
REUSE_REACHED = 256
REUSE_SHARE = 1 / 1024
# Arrays kept for reuse, per graph: one set per evaluation running at once.
REUSE_KEPT = 8


class _Scratch:
    """The per-CI arrays of one evaluation, each as long as the graph.

    Entries no evaluation wrote hold their first values: 0 for the state, the
    state passed on (``sent``) and being listed, -1 for the depth and the way
    in (``via``).
    """

    __slots__ = ("depth", "listed", "sent", "state", "via")

    def __init__(self, count: int) -> None:
        self.state = bytearray(count)
        self.sent = bytearray(count)
        self.listed = bytearray(count)
        self.depth = array("i", [-1]) * count
        self.via = array("i", [-1]) * count

    def __len__(self) -> int:
        return len(self.state)

    def fit(self, count: int) -> None:
        """Lengthen the arrays for CIs added to the graph since they were made."""
        more = count - len(self.state)
        if more > 0:
            for flags in (self.state, self.sent, self.listed):
                flags.extend(bytes(more))
            for numbers in (self.depth, self.via):
                numbers.extend(array("i", [-1]) * more)

    def clear(self, reached: Iterable[int]) -> None:
        """Put back the first values of the entries of the CIs reached."""
        state, sent, listed = self.state, self.sent, self.listed
        depth, via = self.depth, self.via
        for ci in reached:
            state[ci] = sent[ci] = listed[ci] = 0
            depth[ci] = via[ci] = -1


class _ScratchPool:
    """Arrays of finished evaluations on one graph, for the next ones."""

    def __init__(self) -> None:
        self._free: list[_Scratch] = []
        self._lock = threading.Lock()

    def take(self, count: int) -> _Scratch:
        """Return cleared arrays for a graph of ``count`` CIs."""
        with self._lock:
            scratch = self._free.pop() if self._free else None
        if scratch is None:
            return _Scratch(count)
        scratch.fit(count)
        return scratch

    def give_back(self, scratch: _Scratch, reached: list[int]) -> None:
        """Keep the arrays of an evaluation that reached few CIs, cleared."""
        if len(reached) > max(REUSE_REACHED, len(scratch) * REUSE_SHARE):
            return
        scratch.clear(reached)
        with self._lock:
            if len(self._free) < REUSE_KEPT:
                self._free.append(scratch)


_POOLS: "weakref.WeakKeyDictionary[CompactGraph, _ScratchPool]" = (
    weakref.WeakKeyDictionary()
)
_POOLS_LOCK = threading.Lock()


def _scratch_pool(graph: CompactGraph) -> _ScratchPool:
    with _POOLS_LOCK:
        pool = _POOLS.get(graph)
        if pool is None:
            pool = _POOLS[graph] = _ScratchPool()
        return pool


class _Evaluation:
    """The states of the reached CIs, settled to a fixed point.

    Per-CI facts live in arrays as long as the graph (a byte per CI for the
    state, four for the depth and the way in), cheaper than dictionaries once
    hundreds of thousands of CIs are reached. An evaluation that reached few
    CIs hands them on, cleared, when it is no longer read (see ``_Scratch``).
    Requirement groups are kept by ``dependent * _GROUP_SPAN + group key``.
    """

    def __init__(
        self,
        graph: CompactGraph,
        starts: list[int],
        mode: Mode,
        *,
        context_down: set[int],
        excluded: set[int],
    ) -> None:
        self.graph = graph
        self.mode = mode
        self.planned = mode is Mode.PLANNED
        self.groups: dict[int, _Group] = {}
        self.memberships: dict[int, list[_Group]] = {}
        self.starts = frozenset(starts)
        pool = _scratch_pool(graph)
        scratch = pool.take(len(graph))
        self.state, self.depth, self.via = scratch.state, scratch.depth, scratch.via
        self.sent, self.listed = scratch.sent, scratch.listed
        self.order = self._walk(starts, context_down, excluded)
        # The arrays go back to the pool once nothing reads this evaluation;
        # one that fails before this point just leaves them to be collected.
        weakref.finalize(self, pool.give_back, scratch, self.order)
        self._count_context(context_down)
        self._settle([ci for ci in self.order if self.state[ci] != _OK])
        self._reasons: dict[int, tuple[ReasonStep, ...]] = {}

    def _walk(
        self, starts: list[int], context: set[int], excluded: set[int]
    ) -> list[int]:
        """Walk breadth first, filing each CI left in the groups of those reached.

        Return the reached CIs in visiting order. Starts are down and have no
        groups; a CI down in the context is counted as down in its groups (see
        ``_count_context``), not filed.
        """
        graph, groups, memberships = self.graph, self.groups, self.memberships
        retired, keys, dependents = graph.retired, graph.edge_key, graph.dependents.of
        depth, via, state = self.depth, self.via, self.state
        order = list(dict.fromkeys(starts))
        for ci in order:
            depth[ci] = 0
            state[ci] = _DOWN
        for ci in order:
            nearer = depth[ci] + 1
            counted = ci not in context
            filed = []
            found, edges = dependents(ci)
            for other, edge in zip(found, edges, strict=True):
                reached = depth[other]
                if reached < 0:
                    if retired[other] or other in excluded:
                        continue
                    depth[other] = nearer
                    via[other] = edge
                    order.append(other)
                elif reached == 0:
                    continue
                if counted:
                    key = other * _GROUP_SPAN + keys[edge]
                    group = groups.get(key)
                    if group is None:
                        group = self._group(other, keys[edge])
                    if group.last != ci:
                        group.last = ci
                        filed.append(group)
            if filed:
                memberships[ci] = filed
        return order

    def _group(self, ci: int, key: int) -> _Group:
        """Make a reached CI's requirement group ``key``, when first met."""
        graph = self.graph
        group_number, rule_number = divmod(key, KEY_SPAN)
        rule = graph.rules[rule_number]
        own = None
        policies = graph.policies.get(ci)
        if policies:
            name = graph.group_names[group_number]
            own = policies.get(rule.name if name is None else f"{rule.name}:{name}")
        size, min_up = 0, rule.min_up(own, 0)
        if min_up is not None:
            size = self._size(ci, key)
            min_up = rule.min_up(own, size)
        soften = self.planned and rule.survives_planned
        group = _Group(ci, rule, size, min_up, soften)
        self.groups[ci * _GROUP_SPAN + key] = group
        return group

    def groups_of(self, ci: int) -> list[_Group]:
        """Return the requirement groups of a reached CI that count anything."""
        graph, groups = self.graph, self.groups
        base, keys = ci * _GROUP_SPAN, graph.edge_key
        found = {}
        for edge in graph.dependencies.of(ci)[1]:
            group = groups.get(base + keys[edge])
            if group is not None:
                found[id(group)] = group
        return list(found.values())

    def _size(self, ci: int, key: int) -> int:
        """Return how many active members a requirement group has in the estate."""
        graph = self.graph
        retired, keys = graph.retired, graph.edge_key
        found, edges = graph.dependencies.of(ci)
        members = {
            member
            for member, edge in zip(found, edges, strict=True)
            if keys[edge] == key and not retired[member]
        }
        return max(len(members), graph.group_sizes.get(ci, {}).get(key, 0))

    def _count_context(self, context: set[int]) -> None:
        """Count the CIs down in the context as down members of reached CIs."""
        graph, groups, depth = self.graph, self.groups, self.depth
        retired, keys = graph.retired, graph.edge_key
        hurt = []
        for ci in context:
            if retired[ci]:
                continue
            found, edges = graph.dependents.of(ci)
            for other, edge in zip(found, edges, strict=True):
                if depth[other] > 0:
                    key = keys[edge]
                    group = groups.get(other * _GROUP_SPAN + key)
                    if group is None:
                        group = self._group(other, key)
                    if group.last != ci:
                        group.last = ci
                        group.down += 1
                        hurt.append(other)
        state = self.state
        for ci in hurt:
            state[ci] = max(state[ci], *(g.state() for g in self.groups_of(ci)))

    def _settle(self, worklist: list[int]) -> None:
        """Pass state changes on to dependents until nothing changes."""
        state, memberships, sent = self.state, self.memberships, self.sent
        while worklist:
            ci = worklist.pop()
            before, after = sent[ci], state[ci]
            if before == after:
                continue
            sent[ci] = after
            for group in memberships.get(ci, ()):
                group_state = group.shift(before, after)
                if group_state > state[group.dependent]:
                    state[group.dependent] = group_state
                    worklist.append(group.dependent)

    def affected(self, ci: int) -> AffectedCI:
        """Return the answer for one reached CI."""
        graph = self.graph
        return AffectedCI(
            id=graph.ids[ci],
            type=graph.types[ci],
            key=graph.keys[ci],
            name=graph.names[ci],
            state=STATES_BY_SEVERITY[self.state[ci]],
            depth=self.depth[ci],
            reason=self.reason(ci),
            restarts=self._restarts(ci),
            at_risk=self._at_risk(ci),
            start=ci in self.starts,
        )

    def reason(self, ci: int) -> tuple[ReasonStep, ...]:
        """Return one shortest chain of stored relationships from a start to ``ci``."""
        chain = []
        while ci not in self._reasons and ci not in self.starts:
            nearer, edge = self._way_in(ci)
            chain.append((ci, edge))
            ci = nearer
        reason = self._reasons.get(ci, ())
        for later, edge in reversed(chain):
            reason = self._reasons[later] = (*reason, _step(self.graph, edge))
        return reason

    def _way_in(self, ci: int) -> tuple[int, int]:
        """Return the way into ``ci`` one hop nearer a start that explains it best.

        Of the CIs one hop nearer, prefer one in the group that made ``ci`` as
        bad as it is, then the worst of those.
        """
        graph, depth, groups, state = self.graph, self.depth, self.groups, self.state
        edge = self.via[ci]
        source = graph.edge_source[edge]
        best = (graph.edge_target[edge] if source == ci else source, edge)
        best_score = (-1, -1)
        nearer, base, keys = depth[ci] - 1, ci * _GROUP_SPAN, graph.edge_key
        found, edges = graph.dependencies.of(ci)
        for member, edge in zip(found, edges, strict=True):
            if depth[member] == nearer:
                group = groups.get(base + keys[edge])
                score = (_OK if group is None else group.state(), state[member])
                if score > best_score:
                    best, best_score = (member, edge), score
        return best

    def _restarts(self, ci: int) -> bool:
        """Whether a down CI is down only through types that restart it."""
        if self.mode is not Mode.FAILURE or self.state[ci] != _DOWN:
            return False
        down = [group for group in self.groups_of(ci) if group.state() == _DOWN]
        return bool(down) and all(group.rule.restarts_on_failure for group in down)

    def _at_risk(self, ci: int) -> bool:
        """Whether a degraded CI rides out planned loss of something it needs."""
        if not self.planned or self.state[ci] != _DEGRADED:
            return False
        return any(group.softened for group in self.groups_of(ci))


# Affected CIs an answer keeps once made: a page or two of them, read again
# for its customers, but not a whole download of a site's.
MADE_KEPT = 4096


class AffectedCIs(Mapping[str, AffectedCI]):
    """The affected CIs of one evaluation by id, nearest first, made when read.

    Counting and choosing by type or state read the evaluation directly, so a
    page of a large answer costs only its own CIs.
    """

    def __init__(self, evaluation: _Evaluation, kept: list[int]) -> None:
        self._evaluation = evaluation
        self._kept = kept
        # The CIs made so far, read again by customers and their hurt CIs.
        self._made: dict[int, AffectedCI] = {}
        self._listed = evaluation.listed
        for ci in kept:
            self._listed[ci] = 1

    def _number(self, ci_id: object) -> int | None:
        number = self._evaluation.graph.index.get(ci_id)  # type: ignore[call-overload]
        if number is None or number >= len(self._listed) or not self._listed[number]:
            return None
        return number

    def __getitem__(self, ci_id: str) -> AffectedCI:
        number = self._number(ci_id)
        if number is None:
            raise KeyError(ci_id)
        made = self._made.get(number)
        if made is None:
            made = self._evaluation.affected(number)
            if len(self._made) < MADE_KEPT:
                self._made[number] = made
        return made

    def __contains__(self, ci_id: object) -> bool:
        return self._number(ci_id) is not None

    def __iter__(self) -> Iterator[str]:
        ids = self._evaluation.graph.ids
        return (ids[ci] for ci in self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def numbers(self) -> list[int]:
        """Return the numbers of the affected CIs in the graph, in order."""
        return self._kept

    def counts(self) -> dict[tuple[str, ImpactState], int]:
        """Count the affected CIs by type and state."""
        types, state = self._evaluation.graph.types, self._evaluation.state
        counts: dict[tuple[str, ImpactState], int] = defaultdict(int)
        for ci in self._kept:
            counts[types[ci], STATES_BY_SEVERITY[state[ci]]] += 1
        return dict(counts)

    def select(
        self, type_name: str | None = None, state: ImpactState | None = None
    ) -> Sequence[str]:
        """Return the ids of the affected CIs of one type or state, in order.

        Without either, the ids are looked up as they are read, so a page of
        them costs only the page.
        """
        evaluation = self._evaluation
        types, states = evaluation.graph.types, evaluation.state
        ids = evaluation.graph.ids
        if type_name is None and state is None:
            return _Ids(self._kept, ids)
        severity = None if state is None else state.severity
        return [
            ids[ci]
            for ci in self._kept
            if (type_name is None or types[ci] == type_name)
            and (severity is None or states[ci] == severity)
        ]


class _Ids(Sequence[str]):
    """The ids of CIs given by number, looked up when read."""

    def __init__(self, numbers: Sequence[int], ids: Sequence[str]) -> None:
        self._numbers = numbers
        self._ids = ids

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, position):  # type: ignore[override]
        if isinstance(position, slice):
            return [self._ids[ci] for ci in self._numbers[position]]
        return self._ids[self._numbers[position]]


def _compact(catalogue: Catalogue, graph: ImpactGraph | CompactGraph) -> CompactGraph:
    if isinstance(graph, CompactGraph):
        return graph
    return CompactGraph.from_graph(catalogue, graph)


def _numbers(graph: CompactGraph, ids: Iterable[str]) -> list[int]:
    """Return the numbers of the CIs of ``ids`` the graph holds."""
    index = graph.index
    return [index[ci] for ci in ids if ci in index]


def _step(graph: CompactGraph, edge: int) -> ReasonStep:
    return ReasonStep(
        graph.ids[graph.edge_source[edge]],
        graph.rules[graph.edge_type[edge]].name,
        graph.ids[graph.edge_target[edge]],
    )


def _edge(graph: CompactGraph, edge: int) -> ImpactEdge:
    return ImpactEdge(
        graph.ids[graph.edge_source[edge]],
        graph.ids[graph.edge_target[edge]],
        graph.rules[graph.edge_type[edge]].name,
        graph.group_names[graph.edge_key[edge] // KEY_SPAN],
    )


def _check_limits(max_depth: int | None, max_affected: int | None) -> None:
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be 0 or more, not {max_depth}")
    if max_affected is not None and max_affected < 1:
        raise ValueError(f"max_affected must be 1 or more, not {max_affected}")


def _check_starts(
    graph: CompactGraph, starts: Iterable[str], excluded: Collection[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return the starts as given, those taking part, and the retired ones."""
    if isinstance(starts, str):
        raise TypeError("starts must be a collection of CI ids, not one string")
    given = tuple(dict.fromkeys(starts))
    if not given:
        raise ValueError("impact analysis needs at least one starting CI")
    unknown = [ci for ci in given if ci not in graph.index]
    if unknown:
        raise ValueError(f"unknown starting CIs: {', '.join(unknown)}")
    clash = [ci for ci in given if ci in excluded]
    if clash:
        raise ValueError(f"starting CIs cannot be excluded: {', '.join(clash)}")
    retired = tuple(ci for ci in given if graph.retired[graph.index[ci]])
    live = tuple(ci for ci in given if not graph.retired[graph.index[ci]])
    return given, live, retired


def _explain_retired(retired: tuple[str, ...], live: tuple[str, ...]) -> str | None:
    if not retired:
        return None
    names = ", ".join(retired)
    if not live:
        return f"Every starting CI is retired and takes no part in impact: {names}."
    return f"Retired starting CIs take no part in impact and were skipped: {names}."


def _walk(graph: CompactGraph, starts: list[int], neighbours, blocked: set[int]):
    """Walk breadth first from ``starts``, recording depth and the way in.

    ``neighbours`` is ``graph.dependents.of`` or ``graph.dependencies.of``;
    retired CIs and ``blocked`` ones are not entered.
    """
    retired = graph.retired
    walk = _Walk(list(starts), dict.fromkeys(starts, 0))
    depth, via, order = walk.depth, walk.via, walk.order
    for ci in order:
        nearer = depth[ci] + 1
        found, edges = neighbours(ci)
        for other, edge in zip(found, edges, strict=True):
            if other not in depth and not retired[other] and other not in blocked:
                depth[other] = nearer
                via[other] = (ci, edge)
                order.append(other)
    return walk


def _cut(
    walk: _Walk, starts: int, max_depth: int | None, max_affected: int | None
) -> tuple[list[int], int, str | None]:
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
    graph: CompactGraph, kept: list[int], via: dict[int, tuple[int, int]]
) -> dict[int, tuple[ReasonStep, ...]]:
    """Return the chain of stored relationships the walk took to each kept CI."""
    reasons: dict[int, tuple[ReasonStep, ...]] = {}
    for ci in kept:
        if ci not in via:
            reasons[ci] = ()
            continue
        previous, edge = via[ci]
        reasons[ci] = (*reasons[previous], _step(graph, edge))
    return reasons
