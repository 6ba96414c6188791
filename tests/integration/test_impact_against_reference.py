"""Random estates loaded into Neo4j: the service answers as the naive reference.

Each drawn estate is stored through the bulk loader, then impact questions
about it are asked through the service (which fetches only part of the graph,
step by step, counting group members it does not fetch) and of the naive
networkx evaluation over the whole drawn graph. The states must agree.
"""

import pytest
from hypothesis import HealthCheck, given, settings

from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.impact.reference import reference_impact
from app.services import bulk
from app.services.impact import StartSpec, analyse_impact
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

    for variant in question.variants():
        report = analyse_impact(
            runtime,
            [StartSpec(id=ids[ci]) for ci in variant.starts],
            mode=variant.mode,
            context_down={ids[ci] for ci in variant.context_down},
            excluded={ids[ci] for ci in variant.excluded},
        )
        naive = reference_impact(
            CATALOGUE,
            question.graph,
            variant.starts,
            variant.mode,
            variant.context_down,
            variant.excluded,
        )

        affected = report.result.affected.values()
        assert {drawn_ids[ci.id]: ci.state for ci in affected} == naive
