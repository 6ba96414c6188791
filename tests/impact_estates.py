"""Random small estates for impact analysis tests, drawn with hypothesis.

Shared by the in-memory property tests and the ones through the service
against Neo4j.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from app.catalogue import Dependent, load_catalogue
from app.catalogue.models import PropertyKind
from app.domain.validation import validate_ci
from app.impact import (
    ImpactEdge,
    ImpactGraph,
    ImpactNode,
    ImpactResult,
    Mode,
    evaluate_impact,
)
from app.settings import REPOSITORY_ROOT

CATALOGUE = load_catalogue(REPOSITORY_ROOT / "schema")

# Types drawn more often appear more often; together they cover every kind of
# group: all required, redundant with and without a default, planned survival
# and HA restart, cycles through services, and relationships without impact.
TYPES = (
    *("Host",) * 3,
    "Cluster",
    *("VirtualMachine",) * 2,
    "Datastore",
    "Volume",
    "Network",
    "Switch",
    "Rack",
    "PowerFeed",
    *("Service",) * 2,
    "Customer",
    "Team",
)
STATUSES = (*("active",) * 5, "planned", "maintenance", "retired")
GROUP_NAMES = (None, None, None, "a", "b")
MIN_UPS = ("0", "1", "2", "3", "34%", "50%", "100%")


def _endpoints(types: set[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return each relationship type with the type pairs it may join here."""
    found = []
    for name, rel in CATALOGUE.relationships.items():
        pairs = [
            (source, target)
            for source in sorted(types)
            for target in sorted(types)
            if rel.allows(source, target)
        ]
        if pairs:
            found.append((name, pairs))
    return found


@dataclass(frozen=True)
class Question:
    """An estate and one impact question about it."""

    graph: ImpactGraph
    starts: list[str]
    mode: Mode
    context_down: frozenset[str]
    excluded: frozenset[str]

    def ask(self, graph: ImpactGraph, **limits: int | None) -> ImpactResult:
        """Evaluate the question on ``graph``."""
        return evaluate_impact(
            CATALOGUE,
            graph,
            self.starts,
            mode=self.mode,
            context_down=self.context_down,
            excluded=self.excluded,
            **limits,
        )

    def variants(self) -> Iterator["Question"]:
        """Yield this question, then the same asked of each CI on its own."""
        yield self
        for ci in self.graph.nodes:
            if ci not in self.excluded:
                yield replace(self, starts=[ci])


@st.composite
def make_estate(draw: st.DrawFn) -> ImpactGraph:
    """Draw CIs of a few types joined by relationships the catalogue allows."""
    types = draw(st.lists(st.sampled_from(TYPES), min_size=4, max_size=10))
    ids_by_type: dict[str, list[str]] = {}
    for n, ci_type in enumerate(types):
        ids_by_type.setdefault(ci_type, []).append(f"ci-{n}")
    endpoints = _endpoints(set(types))
    if not endpoints:
        return ImpactGraph.from_rows(
            [_make_node(n, t) for n, t in enumerate(types)], []
        )

    edges = []
    choice = st.integers(0, 99)
    for which, source, target, group in draw(
        st.lists(st.tuples(choice, choice, choice, choice), min_size=6, max_size=30)
    ):
        name, pairs = endpoints[which % len(endpoints)]
        source_type, target_type = pairs[which // len(endpoints) % len(pairs)]
        sources, targets = ids_by_type[source_type], ids_by_type[target_type]
        group_name = GROUP_NAMES[group % len(GROUP_NAMES)]
        edge = ImpactEdge(
            sources[source % len(sources)],
            targets[target % len(targets)],
            name,
            group_name,
        )
        edges.append(edge)

    statuses = draw(st.lists(st.sampled_from(STATUSES), min_size=len(types)))
    policies = draw(st.lists(st.tuples(choice, choice, choice), max_size=8))
    nodes = [
        _make_node(n, ci_type, statuses[n], _policies(n, edges, policies))
        for n, ci_type in enumerate(types)
    ]
    return ImpactGraph.from_rows(nodes, edges)


def _make_node(
    n: int, ci_type: str, status: str = "active", policies: tuple[str, ...] = ()
) -> ImpactNode:
    return ImpactNode(f"ci-{n}", ci_type, f"key-{n}", f"CI {n}", status, policies)


def _policies(
    n: int, edges: list[ImpactEdge], drawn: list[tuple[int, int, int]]
) -> tuple[str, ...]:
    """Turn drawn numbers into policies for groups the CI has, and one it lacks."""
    groups = sorted({"DEPENDS_ON:a", *_own_groups(f"ci-{n}", edges)})
    return tuple(
        f"{groups[group % len(groups)]}={MIN_UPS[min_up % len(MIN_UPS)]}"
        for owner, group, min_up in drawn
        if owner % 10 == n
    )


def _own_groups(ci: str, edges: list[ImpactEdge]) -> set[str]:
    """Return the requirement groups ``ci`` has as a dependent."""
    groups = set()
    for edge in edges:
        dependent = CATALOGUE.relationships[edge.type].dependent
        if ci == {Dependent.SOURCE: edge.source, Dependent.TARGET: edge.target}.get(
            dependent
        ):
            groups.add(edge.group_key)
    return groups


@st.composite
def make_question(draw: st.DrawFn) -> Question:
    """Draw an estate, starts, context, exclusions and a mode."""
    graph = draw(make_estate())
    ids = sorted(graph.nodes)
    starts = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    others = [ci for ci in ids if ci not in starts]
    subsets = st.frozensets(st.sampled_from(others), max_size=2)
    if not others:
        subsets = st.just(frozenset())
    return Question(
        graph=graph,
        starts=starts,
        mode=draw(st.sampled_from(Mode)),
        context_down=draw(subsets),
        excluded=draw(subsets),
    )


def as_document(graph: ImpactGraph) -> dict[str, Any]:
    """Return ``graph`` as a bulk-load document; CIs are referred to by key."""
    refs = {ci.id: f"{ci.type}:{ci.key}" for ci in graph.nodes.values()}
    return {
        "cis": [
            {
                "type": ci.type,
                "key": ci.key,
                "name": ci.name,
                "status": ci.status,
                "redundancy": list(ci.redundancy),
                "attributes": _required_attributes(ci.type),
            }
            for ci in graph.nodes.values()
        ],
        "relationships": [
            {
                "type": edge.type,
                "from": refs[edge.source],
                "to": refs[edge.target],
                **({"properties": {"group": edge.group}} if edge.group else {}),
            }
            for edge in graph.edges
        ],
    }


def _required_attributes(type_name: str) -> dict[str, Any]:
    """Return a valid value for every attribute the type requires."""
    examples = {
        PropertyKind.STRING: "x",
        PropertyKind.INTEGER: 1,
        PropertyKind.FLOAT: 1.0,
        PropertyKind.BOOLEAN: True,
        PropertyKind.LIST: [],
    }
    spec = CATALOGUE.types[type_name]
    return {
        name: prop.values[0] if prop.values else examples[prop.type]
        for name, prop in spec.properties.items()
        if prop.required
    }


def storable(graph: ImpactGraph) -> ImpactGraph:
    """Return ``graph`` as the store keeps it: one relationship per type and ends.

    A drawn estate may join two CIs twice with one type (in different groups)
    or join a CI to itself; the store keeps one relationship per source, type
    and target, and the first one drawn stands. Group names on types without
    them, and redundancy policies the catalogue refuses for the CI's type, are
    dropped.
    """
    nodes = [
        replace(node, redundancy=tuple(filter(_valid_policy(node), node.redundancy)))
        for node in graph.nodes.values()
    ]
    seen, edges = set(), []
    for drawn in graph.edges:
        grouped = "group" in CATALOGUE.relationship_properties(drawn.type)
        edge = drawn if grouped else replace(drawn, group=None)
        key = (edge.source, edge.type, edge.target)
        if key not in seen and edge.source != edge.target:
            seen.add(key)
            edges.append(edge)
    return ImpactGraph.from_rows(nodes, edges)


def _valid_policy(node: ImpactNode):
    def valid(policy: str) -> bool:
        entry = {"type": node.type, "key": node.key, "redundancy": [policy]}
        entry["attributes"] = _required_attributes(node.type)
        return not validate_ci(CATALOGUE, entry, "ci")[1]

    return valid
