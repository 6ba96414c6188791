"""Random small estates: subgraph, whole graph and the naive reference agree."""

from collections.abc import Iterator
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalogue import Dependent, load_catalogue
from app.impact import (
    ImpactEdge,
    ImpactGraph,
    ImpactNode,
    ImpactResult,
    Mode,
    ReasonStep,
    evaluate_dependencies,
    evaluate_impact,
    required_subgraph,
)
from app.impact.reference import reference_impact
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


def summary(result: ImpactResult) -> dict[str, tuple]:
    """Return what must not depend on which part of the graph was read."""
    return {
        ci.id: (ci.state, ci.depth, ci.restarts, ci.at_risk, ci.start)
        for ci in result.affected.values()
    }


PROPERTY_SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(make_question())
def test_subgraph_whole_graph_and_reference_agree(question):
    for variant in question.variants():
        subgraph = required_subgraph(
            CATALOGUE, variant.graph, variant.starts, variant.excluded
        )

        whole = variant.ask(variant.graph)
        part = variant.ask(subgraph)
        naive = reference_impact(
            CATALOGUE,
            variant.graph,
            variant.starts,
            variant.mode,
            variant.context_down,
            variant.excluded,
        )

        assert summary(part) == summary(whole)
        assert {ci.id: ci.state for ci in whole.affected.values()} == naive


@PROPERTY_SETTINGS
@given(make_question())
def test_every_reason_is_a_chain_of_impact_from_a_start(question):
    for variant in question.variants():
        result = variant.ask(variant.graph)

        for ci in result.affected.values():
            assert len(ci.reason) == ci.depth
            assert _walk_back(ci.id, ci.reason) in variant.starts


def _walk_back(ci: str, reason: tuple[ReasonStep, ...]) -> str:
    """Follow ``reason`` back from ``ci``, checking each step leads to it."""
    for step in reversed(reason):
        failing, dependent = _ends(step.source_id, step.rel_type, step.target_id)
        assert dependent == ci
        ci = failing
    return ci


def _ends(source: str, rel_type: str, target: str) -> tuple[str, str]:
    """Return the failing end and the dependent end of a relationship."""
    if CATALOGUE.relationships[rel_type].dependent is Dependent.SOURCE:
        return target, source
    return source, target


@PROPERTY_SETTINGS
@given(
    make_question(),
    st.none() | st.integers(0, 3),
    st.none() | st.integers(1, 4),
)
def test_limits_list_the_nearest_with_unchanged_states(question, depth, count):
    whole = question.ask(question.graph)

    limited = question.ask(question.graph, max_depth=depth, max_affected=count)

    listed = summary(limited)
    assert listed == {
        ci: whole_ci for ci, whole_ci in summary(whole).items() if ci in listed
    }
    assert len(listed) + limited.omitted == len(whole.affected)
    assert (
        limited.limit_hit == (limited.omitted > 0) == (limited.limit_reason is not None)
    )
    nearest = sorted(ci.depth for ci in whole.affected.values())[: len(listed)]
    assert sorted(ci.depth for ci in limited.affected.values()) == nearest


@PROPERTY_SETTINGS
@given(make_question())
def test_dependencies_mirror_impact(question):
    start = question.starts[0]

    upstream = evaluate_dependencies(CATALOGUE, question.graph, [start])

    for ci in upstream.dependencies:
        downstream = evaluate_impact(CATALOGUE, question.graph, [ci])
        assert start in downstream.affected
        assert downstream.affected[start].depth == upstream.dependencies[ci].depth
