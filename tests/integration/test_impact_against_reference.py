"""Random estates loaded into Neo4j: the service answers as the naive reference.

Each drawn estate is stored through the bulk loader, then impact questions
about it are asked of the naive networkx evaluation over the whole drawn
graph and of the service three ways: fetching only part of the graph from
Neo4j, step by step, counting group members it does not fetch; from an
impact index read before the estate was loaded, which must catch up with the
load's revisions; and from one read after. The states must agree.
"""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.impact.reference import reference_impact
from app.services import bulk
from app.services.impact import StartSpec, analyse_impact
from app.services.impact_index import ImpactIndex
from tests.impact_estates import (
    CATALOGUE,
    Question,
    as_document,
    make_question,
    storable,
)

pytestmark = pytest.mark.neo4j

CONTEXT = WriteContext(actor="tester", source="test")
# Each example loads an estate into the server, so fewer than in memory.
STORED_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@STORED_SETTINGS
@given(drawn=make_question())
def test_service_on_the_stored_estate_agrees_with_the_reference(
    session_runtime, drawn: Question
):
    runtime = session_runtime
    runtime.db.auto_commit("graph_clear")
    caught_up = dataclasses.replace(runtime, impact_index=ImpactIndex(runtime))
    caught_up.impact_index.build()
    question = Question(
        storable(drawn.graph),
        drawn.starts,
        drawn.mode,
        drawn.context_down,
        drawn.excluded,
    )
    bulk.load_document(runtime, as_document(question.graph), CONTEXT)
    nodes = question.graph.nodes
    refs = {CIRef(ci.type, ci.key): ci.id for ci in nodes.values()}
    ids = {refs[ref]: ci["id"] for ref, ci in bulk.fetch_cis(runtime, refs).items()}
    drawn_ids = {stored_id: ci for ci, stored_id in ids.items()}
    read_after = dataclasses.replace(runtime, impact_index=ImpactIndex(runtime))
    read_after.impact_index.build()

    for variant in question.variants():
        naive = reference_impact(
            CATALOGUE,
            question.graph,
            variant.starts,
            variant.mode,
            variant.context_down,
            variant.excluded,
        )

        answers = []
        for asked in (runtime, caught_up, read_after):
            report = analyse_impact(
                asked,
                [StartSpec(id=ids[ci]) for ci in variant.starts],
                mode=variant.mode,
                context_down={ids[ci] for ci in variant.context_down},
                excluded={ids[ci] for ci in variant.excluded},
            )
            affected = report.result.affected.values()
            assert {drawn_ids[ci.id]: ci.state for ci in affected} == naive
            answers.append(_summary(report))
        assert answers[1] == answers[0] == answers[2]
    assert caught_up.impact_index.reads == 1, "the load was not caught up with"


def _summary(report) -> tuple:
    """What must not depend on how the answer was reached."""
    result = report.result
    return (
        {ci.id: (ci.state, ci.depth, ci.restarts, ci.at_risk) for ci in
         result.affected.values()},
        sorted((c.customer.id, sorted(ci.id for ci in c.affected_cis)) for c in
               report.customers),
        sorted((o.id, sorted(o.owned)) for o in report.owners),
        report.counts,
    )  # fmt: skip
