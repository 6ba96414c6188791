"""The data impact analysis works on and the answers it gives.

Plain frozen dataclasses with slots: an evaluation may touch a hundred thousand
configuration items, so nothing here validates more than it must.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.catalogue import MinUp

RETIRED = "retired"


class ImpactState(StrEnum):
    """How badly a configuration item is hurt, ordered from OK to DOWN."""

    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"

    @property
    def severity(self) -> int:
        """Return 0 for OK, 1 for DEGRADED and 2 for DOWN."""
        return _SEVERITY[self]

    @classmethod
    def worst(cls, states: Iterable["ImpactState"]) -> "ImpactState":
        """Return the worst of ``states``, OK when there are none.

        >>> ImpactState.worst([ImpactState.DEGRADED, ImpactState.OK])
        <ImpactState.DEGRADED: 'degraded'>
        """
        return max(states, key=_SEVERITY.__getitem__, default=cls.OK)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ImpactState):
            return NotImplemented
        return _SEVERITY[self] < _SEVERITY[other]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, ImpactState):
            return NotImplemented
        return _SEVERITY[self] <= _SEVERITY[other]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, ImpactState):
            return NotImplemented
        return _SEVERITY[self] > _SEVERITY[other]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, ImpactState):
            return NotImplemented
        return _SEVERITY[self] >= _SEVERITY[other]


_SEVERITY = {ImpactState.OK: 0, ImpactState.DEGRADED: 1, ImpactState.DOWN: 2}
STATES_BY_SEVERITY = (ImpactState.OK, ImpactState.DEGRADED, ImpactState.DOWN)


class Mode(StrEnum):
    """Whether the starting CIs fail or go into planned maintenance."""

    FAILURE = "failure"
    PLANNED = "planned"


@dataclass(frozen=True, slots=True)
class ImpactNode:
    """A configuration item as impact analysis sees it.

    ``redundancy`` holds the CI's own policies as ``GROUP=MIN_UP`` strings, such
    as ``"MEMBER_OF=2"`` or ``"DEPENDS_ON:db=50%"``.
    """

    id: str
    type: str
    key: str
    name: str
    status: str
    redundancy: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.redundancy:
            parse_redundancy(self.id, self.redundancy)

    @property
    def retired(self) -> bool:
        """Whether the CI is retired and so takes no part in impact analysis."""
        return self.status == RETIRED


@dataclass(frozen=True, slots=True)
class ImpactEdge:
    """A stored relationship ``source -[type]-> target``, with its group name."""

    source: str
    target: str
    type: str
    group: str | None = None

    @property
    def group_key(self) -> str:
        """Return the requirement group: the type, or ``TYPE:group``."""
        return self.type if self.group is None else f"{self.type}:{self.group}"


def parse_redundancy(ci_id: str, entries: Iterable[str]) -> dict[str, MinUp]:
    """Parse ``GROUP=MIN_UP`` entries into policies by group key.

    >>> parse_redundancy("c1", ["MEMBER_OF=2"])["MEMBER_OF"].required(5)
    2
    """
    policies = {}
    for entry in entries:
        group, separator, min_up = entry.rpartition("=")
        if not separator or not group.strip():
            raise ValueError(
                f"CI {ci_id!r}: redundancy entry {entry!r} is not GROUP=MIN_UP"
            )
        try:
            policies[group.strip()] = MinUp.parse(min_up)
        except ValueError as error:
            raise ValueError(f"CI {ci_id!r}: {error}") from None
    return policies


@dataclass(slots=True)
class ImpactGraph:
    """Configuration items by id and the relationships between them.

    ``group_sizes`` lets a graph fetched in part still count redundancy right:
    for a CI, how many active members each of its requirement groups has in
    the whole estate, keyed by ``(type, group)``, where only some of those
    members are in the graph. Without an entry a group has the members the
    graph holds.
    """

    nodes: dict[str, ImpactNode] = field(default_factory=dict)
    edges: list[ImpactEdge] = field(default_factory=list)
    group_sizes: dict[str, dict[tuple[str, str | None], int]] = field(
        default_factory=dict
    )
    outgoing: dict[str, list[ImpactEdge]] = field(default_factory=dict, repr=False)
    incoming: dict[str, list[ImpactEdge]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_rows(
        cls,
        nodes: Iterable[ImpactNode | Mapping[str, Any]],
        edges: Iterable[ImpactEdge | Mapping[str, Any]],
    ) -> "ImpactGraph":
        """Build a graph from nodes and edges, as objects or as query rows."""
        graph = cls()
        for node in nodes:
            graph.add_node(node if isinstance(node, ImpactNode) else _node(node))
        for edge in edges:
            graph.add_edge(edge if isinstance(edge, ImpactEdge) else _edge(edge))
        return graph

    def add_node(self, node: ImpactNode) -> None:
        """Add a CI, replacing one with the same id."""
        self.nodes[node.id] = node
        self.outgoing.setdefault(node.id, [])
        self.incoming.setdefault(node.id, [])

    def add_edge(self, edge: ImpactEdge) -> None:
        """Add a relationship between two CIs already in the graph."""
        missing = [end for end in (edge.source, edge.target) if end not in self.nodes]
        if missing:
            raise ValueError(f"relationship {edge} joins unknown CIs: {missing}")
        self.edges.append(edge)
        self.outgoing[edge.source].append(edge)
        self.incoming[edge.target].append(edge)


def _node(row: Mapping[str, Any]) -> ImpactNode:
    return ImpactNode(
        id=row["id"],
        type=row["type"],
        key=row["key"],
        name=row["name"],
        status=row["status"],
        redundancy=tuple(row.get("redundancy") or ()),
    )


def _edge(row: Mapping[str, Any]) -> ImpactEdge:
    return ImpactEdge(row["source"], row["target"], row["type"], row.get("group"))


@dataclass(frozen=True, slots=True)
class ReasonStep:
    """One stored relationship on the way from a starting CI, as it is stored."""

    source_id: str
    rel_type: str
    target_id: str


@dataclass(frozen=True, slots=True)
class AffectedCI:
    """A configuration item the starting CIs hurt, and why.

    ``restarts``: in failure mode, down but expected to restart elsewhere.
    ``at_risk``: in planned mode, degraded because it must move live.
    """

    id: str
    type: str
    key: str
    name: str
    state: ImpactState
    depth: int
    reason: tuple[ReasonStep, ...]
    restarts: bool = False
    at_risk: bool = False
    start: bool = False


@dataclass(frozen=True, slots=True)
class ImpactResult:
    """What the starting CIs hurt, nearest first, and whether a limit cut it.

    ``omitted`` counts the affected CIs the limits left out. Retired starting
    CIs take no part and are listed in ``retired_starts``, with an
    ``explanation`` a person can read.
    """

    affected: Mapping[str, AffectedCI]
    starts: tuple[str, ...]
    mode: Mode
    limit_hit: bool = False
    limit_reason: str | None = None
    max_depth: int | None = None
    max_affected: int | None = None
    omitted: int = 0
    retired_starts: tuple[str, ...] = ()
    explanation: str | None = None


@dataclass(frozen=True, slots=True)
class DependencyCI:
    """A configuration item the starting CIs rely on, and through what."""

    id: str
    type: str
    key: str
    name: str
    depth: int
    reason: tuple[ReasonStep, ...]
    start: bool = False


@dataclass(frozen=True, slots=True)
class DependencyResult:
    """What the starting CIs rely on, nearest first, and whether a limit cut it."""

    dependencies: dict[str, DependencyCI]
    starts: tuple[str, ...]
    limit_hit: bool = False
    limit_reason: str | None = None
    max_depth: int | None = None
    max_affected: int | None = None
    omitted: int = 0
    retired_starts: tuple[str, ...] = ()
    explanation: str | None = None
