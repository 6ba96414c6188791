"""A graph of configuration items held by number, small enough for a whole estate.

A million CIs as objects take gigabytes; here a CI is a position in a few
lists, and each relationship a position in a few typed arrays. Neighbours
are kept twice, in the two directions impact analysis walks: the CIs that
suffer when a CI fails (its *dependents*) and the CIs whose failure a CI
suffers (its *dependencies*), each once as a compressed row array built by
``freeze`` and, for CIs changed since, as a small overlay of lists. A CI's
number never changes, so an answer made from the graph stays readable while
the graph takes in changes.
"""

import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.catalogue import Catalogue, Dependent, MinUp
from app.impact.model import RETIRED, ImpactGraph, parse_redundancy

_SOURCE, _TARGET = Dependent.SOURCE, Dependent.TARGET
# A requirement group is numbered group name * KEY_SPAN + relationship type.
KEY_SPAN = 1024


@dataclass(frozen=True, slots=True)
class Rule:
    """What the catalogue says about one relationship type, ready for lookups."""

    name: str
    dependent: Dependent
    redundancy_allowed: bool
    default_min_up: MinUp | None
    survives_planned: bool
    restarts_on_failure: bool

    def min_up(self, override: MinUp | None, size: int) -> int | None:
        """Return how many members must stay up, or None when all are required.

        The CI's own policy wins when the type allows redundancy, then the
        type's default.
        """
        use_own = override is not None and self.redundancy_allowed
        policy = override if use_own else self.default_min_up
        return None if policy is None else policy.required(size)


def catalogue_rules(catalogue: Catalogue) -> list[Rule]:
    """Return one rule per relationship type of the catalogue, in name order."""
    return [
        Rule(
            name=name,
            dependent=rel.dependent,
            redundancy_allowed=rel.redundancy.allowed,
            default_min_up=(
                None
                if rel.redundancy.default_min_up is None
                else MinUp.parse(rel.redundancy.default_min_up)
            ),
            survives_planned=rel.survives_planned,
            restarts_on_failure=rel.restarts_on_failure,
        )
        for name, rel in sorted(catalogue.relationships.items())
    ]


class _Neighbours:
    """One direction of adjacency: per CI, neighbour numbers and edge numbers."""

    __slots__ = ("edges", "neighbours", "offsets", "overlay")

    def __init__(self) -> None:
        self.offsets = array("q", [0])
        self.neighbours = array("i")
        self.edges = array("i")
        self.overlay: dict[int, tuple[list[int], list[int]]] = {}

    def of(self, ci: int) -> tuple[Any, Any]:
        """Return the neighbours of ``ci`` and the edges leading to them."""
        found = self.overlay.get(ci)
        if found is not None:
            return found
        if ci + 1 >= len(self.offsets):
            return (), ()
        start, end = self.offsets[ci], self.offsets[ci + 1]
        return self.neighbours[start:end], self.edges[start:end]

    def build(self, count: int, entries: list[tuple[array, array, array]]) -> None:
        """Lay out ``(owner, neighbour, edge)`` arrays as rows, keeping order.

        Entries keep the order they are given in within each CI: a stable
        counting sort by owner.
        """
        sizes = array("q", bytes(8 * (count + 1)))
        for owners, _, _ in entries:
            for owner in owners:
                sizes[owner + 1] += 1
        for position in range(count):
            sizes[position + 1] += sizes[position]
        total = sizes[count]
        neighbours = array("i", bytes(4 * total))
        edges = array("i", bytes(4 * total))
        cursor = sizes[:count]
        for owners, others, numbers in entries:
            for owner, other, number in zip(owners, others, numbers, strict=True):
                slot = cursor[owner]
                neighbours[slot] = other
                edges[slot] = number
                cursor[owner] = slot + 1
        self.offsets = sizes
        self.neighbours, self.edges = neighbours, edges
        self.overlay = {}


class CompactGraph:
    """Configuration items by number and the relationships between them.

    ``add_node`` and ``add_edge`` collect; ``freeze`` lays the neighbours out;
    ``replace_neighbourhood`` then takes in the new relationships of changed
    CIs without laying everything out again. Relationship types without an
    impact direction (ownership) are kept as plain outgoing *links*.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.rules = catalogue_rules(catalogue)
        self.rule_of = {rule.name: number for number, rule in enumerate(self.rules)}
        if len(self.rules) > KEY_SPAN:
            raise ValueError(f"at most {KEY_SPAN} relationship types are supported")
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.types: list[str] = []
        self.keys: list[str] = []
        self.names: list[str] = []
        self.statuses: list[str] = []
        self.retired = bytearray()
        self.policies: dict[int, dict[str, MinUp]] = {}
        # What answers tell about some CIs beyond their names (a customer's
        # SLA tier, an owner's contact), by CI number, as the caller gave it.
        self.details: dict[int, Any] = {}
        self.group_names: list[str | None] = [None]
        self._group_number: dict[str | None, int] = {None: 0}
        self.edge_source = array("i")
        self.edge_target = array("i")
        self.edge_type = array("H")
        # The requirement group each relationship files its dependent's
        # member in (see KEY_SPAN).
        self.edge_key = array("i")
        # For a graph fetched in part: the true size of requirement groups, by
        # CI and group key; see ImpactGraph.group_sizes.
        self.group_sizes: dict[int, dict[int, int]] = {}
        self.dependents = _Neighbours()
        self.dependencies = _Neighbours()
        self.links = _Neighbours()

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_graph(cls, catalogue: Catalogue, graph: ImpactGraph) -> "CompactGraph":
        """Number the CIs and relationships of an ``ImpactGraph``, in its order."""
        compact = cls(catalogue)
        for node in graph.nodes.values():
            compact.add_node(
                node.id, node.type, node.key, node.name, node.status, node.redundancy
            )
        unknown = {edge.type for edge in graph.edges} - compact.rule_of.keys()
        if unknown:
            raise ValueError(
                f"relationship types not in the catalogue: {', '.join(sorted(unknown))}"
            )
        for edge in graph.edges:
            compact.add_edge(edge.source, edge.target, edge.type, edge.group)
        for ci_id, sizes in graph.group_sizes.items():
            if ci_id in compact.index:
                compact.group_sizes[compact.index[ci_id]] = {
                    compact.group_number(g) * KEY_SPAN + compact.rule_of[t]: size
                    for (t, g), size in sizes.items()
                    if t in compact.rule_of
                }
        compact.freeze()
        return compact

    def add_node(
        self,
        ci_id: str,
        type_name: str,
        key: str,
        name: str,
        status: str,
        redundancy: Iterable[str] = (),
        details: Any = None,
    ) -> int:
        """Add a CI, or update the one with that id; return its number.

        ``details`` are kept for answers to read, as given.
        """
        policies = parse_redundancy(ci_id, redundancy) if redundancy else {}
        type_name, status = sys.intern(type_name), sys.intern(status)
        if name == key:
            name = key
        number = self.index.get(ci_id)
        if number is None:
            number = len(self.ids)
            self.index[ci_id] = number
            self.ids.append(ci_id)
            self.types.append(type_name)
            self.keys.append(key)
            self.names.append(name)
            self.statuses.append(status)
            self.retired.append(status == RETIRED)
        else:
            self.types[number], self.keys[number] = type_name, key
            self.names[number], self.statuses[number] = name, status
            self.retired[number] = status == RETIRED
        if policies:
            self.policies[number] = policies
        else:
            self.policies.pop(number, None)
        if details:
            self.details[number] = details
        else:
            self.details.pop(number, None)
        return number

    def add_edge(
        self, source: str, target: str, type_name: str, group: str | None = None
    ) -> int:
        """Record a relationship between two known CIs; return its number.

        It joins the neighbours at the next ``freeze``.
        """
        rule = self.rule_of.get(type_name)
        if rule is None:
            raise ValueError(f"relationship type not in the catalogue: {type_name}")
        ends = [self.index.get(source), self.index.get(target)]
        if None in ends:
            raise ValueError(
                f"relationship {source} -[{type_name}]-> {target} joins unknown CIs"
            )
        self.edge_source.append(ends[0])
        self.edge_target.append(ends[1])
        group_number = self.group_number(group)
        self.edge_type.append(rule)
        self.edge_key.append(group_number * KEY_SPAN + rule)
        return len(self.edge_source) - 1

    def group_number(self, group: str | None) -> int:
        """Return the number of a group name, adding it when new."""
        number = self._group_number.get(group)
        if number is None:
            number = self._group_number[group] = len(self.group_names)
            self.group_names.append(group)
        return number

    def freeze(self) -> None:
        """Lay out the neighbours of every CI from every recorded relationship.

        In the order ImpactGraph keeps them: a CI's dependents are first those
        whose relationship to it is incoming, then outgoing; its dependencies
        first outgoing, then incoming; each in the order they were added.
        """
        sources, targets, types = self.edge_source, self.edge_target, self.edge_type
        dependent = [rule.dependent for rule in self.rules]
        by_source = array(
            "i", (e for e in range(len(types)) if dependent[types[e]] is _SOURCE)
        )
        by_target = array(
            "i", (e for e in range(len(types)) if dependent[types[e]] is _TARGET)
        )
        linked = array(
            "i",
            (e for e in range(len(types)) if dependent[types[e]] is Dependent.NONE),
        )

        def ends(edges: array) -> tuple[array, array]:
            return (
                array("i", (sources[e] for e in edges)),
                array("i", (targets[e] for e in edges)),
            )

        source_ends, target_ends = ends(by_source), ends(by_target)
        self.dependents.build(
            len(self),
            [
                (source_ends[1], source_ends[0], by_source),
                (target_ends[0], target_ends[1], by_target),
            ],
        )
        self.dependencies.build(
            len(self),
            [
                (source_ends[0], source_ends[1], by_source),
                (target_ends[1], target_ends[0], by_target),
            ],
        )
        link_ends = ends(linked)
        self.links.build(len(self), [(link_ends[0], link_ends[1], linked)])

    def replace_neighbourhood(
        self, ci: int, relationships: Iterable[tuple[str, str, str, str | None]]
    ) -> None:
        """Replace every neighbour of ``ci`` with its current relationships.

        ``relationships`` are ``(source id, type, target id, group)`` with
        ``ci`` at one end, all of them: whatever is not given is gone. The CI
        at the other end must be replaced too, or already agree.
        """
        dependents: tuple[list[int], list[int]] = ([], [])
        incoming_dependents: tuple[list[int], list[int]] = ([], [])
        dependencies: tuple[list[int], list[int]] = ([], [])
        incoming_dependencies: tuple[list[int], list[int]] = ([], [])
        links: tuple[list[int], list[int]] = ([], [])
        for source, type_name, target, group in relationships:
            edge = self.add_edge(source, target, type_name, group)
            dependent = self.rules[self.edge_type[edge]].dependent
            outgoing = self.edge_source[edge] == ci
            other = self.edge_target[edge] if outgoing else self.edge_source[edge]
            if dependent is _SOURCE:
                chosen = dependencies if outgoing else incoming_dependents
            elif dependent is _TARGET:
                chosen = dependents if outgoing else incoming_dependencies
            elif outgoing:
                chosen = links
            else:
                continue
            chosen[0].append(other)
            chosen[1].append(edge)
        self.dependents.overlay[ci] = (
            incoming_dependents[0] + dependents[0],
            incoming_dependents[1] + dependents[1],
        )
        self.dependencies.overlay[ci] = (
            dependencies[0] + incoming_dependencies[0],
            dependencies[1] + incoming_dependencies[1],
        )
        self.links.overlay[ci] = links

    @property
    def changed(self) -> int:
        """Return how many CIs have taken in changes since the last ``freeze``."""
        return len(self.dependencies.overlay)

    def node_fields(self, ci: int) -> dict[str, Any]:
        """Return a CI's id, type, key, name and status."""
        return {
            "id": self.ids[ci],
            "type": self.types[ci],
            "key": self.keys[ci],
            "name": self.names[ci],
            "status": self.statuses[ci],
        }
