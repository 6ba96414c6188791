"""Random small estates: subgraph, whole graph and the naive reference agree."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalogue import Dependent
from app.impact import (
    CompactGraph,
    ImpactResult,
    ReasonStep,
    evaluate_dependencies,
    evaluate_impact,
    required_subgraph,
)
from app.impact.reference import reference_impact
from tests.impact_estates import CATALOGUE, make_question


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
def test_evaluations_one_after_another_on_one_graph_answer_as_if_alone(question):
    # Evaluations on one graph hand their per-CI arrays on to the next; every
    # other one is kept and read only after all of them ran.
    compact = CompactGraph.from_graph(CATALOGUE, question.graph)
    answers = []
    for n, variant in enumerate(question.variants()):
        result = variant.ask(compact)
        answers.append((variant, result if n % 2 else _full(result)))

    for variant, answer in answers:
        alone = _full(variant.ask(variant.graph))
        assert (answer if isinstance(answer, dict) else _full(answer)) == alone


def _full(result: ImpactResult) -> dict[str, tuple]:
    return {
        ci.id: (ci.state, ci.depth, ci.restarts, ci.at_risk, ci.start, ci.reason)
        for ci in result.affected.values()
    }


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
