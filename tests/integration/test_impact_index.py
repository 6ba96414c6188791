"""The impact index against the real Neo4j: current before every answer.

It must take in what every write changed by reading only the touched CIs,
read everything again when it cannot (a cleared graph, a gap in the
revision log), and meanwhile let the answer come from Neo4j.
"""

import dataclasses

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.services import bulk, cis
from app.services.impact import StartSpec, analyse_impact
from app.services.impact_index import ImpactIndex
from tests.integration.incidents.conftest import make_incident
from tests.integration.test_impact_service import make_estate, states

pytestmark = pytest.mark.neo4j


@pytest.fixture
def indexed(runtime, context):
    bulk.load_document(runtime, make_estate(), context)
    indexed = dataclasses.replace(runtime, impact_index=ImpactIndex(runtime))
    indexed.impact_index.build()
    return indexed


def host(runtime, key: str) -> str:
    return cis.find_ci(runtime, CIRef("Host", key))["id"]


def test_index_answers_without_reading_the_graph(indexed):
    report = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])

    assert report.fetched_nodes == 0
    assert states(report)["Cluster:c1"] == "DEGRADED"


def test_new_ci_and_relationship_are_taken_in(indexed, context):
    index = indexed.impact_index
    vm = cis.create_ci(indexed, {"type": "VirtualMachine", "key": "vm3"}, context)
    cis.relate(indexed, vm["id"], "RUNS_ON", host(indexed, "h1"), None, context)

    report = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])

    assert states(report)["VirtualMachine:vm3"] == "DOWN"
    assert report.fetched_nodes == 0
    head = indexed.db.read_values("graph_revision_head")[0]["revision"]
    assert index.revision == head
    assert index.reads == 1


def test_start_written_after_the_graph_was_held_is_found(indexed, context):
    # The index, read before vm3 was, must catch up before looking the start up.
    vm = cis.create_ci(indexed, {"type": "VirtualMachine", "key": "vm3"}, context)

    report = analyse_impact(indexed, [StartSpec(id=vm["id"])])

    assert report.result.affected[vm["id"]].start
    assert report.fetched_nodes == 0


def test_unknown_start_is_refused_by_the_index(indexed):
    with pytest.raises(CMDBError) as refused:
        analyse_impact(indexed, [StartSpec(id="no-such-ci")])

    assert refused.value.code is ErrorCode.NOT_FOUND
    assert "no-such-ci" in str(refused.value)


def test_incident_opened_since_the_last_question_is_counted(indexed):
    # The index answers both; the second must count h2, down since the first.
    h1 = [StartSpec(id=host(indexed, "h1"))]
    before = analyse_impact(indexed, h1, use_context=True)
    make_incident(indexed, "Host:h2")

    after = analyse_impact(indexed, h1, use_context=True)

    assert states(before)["Cluster:c1"] == "DEGRADED"
    assert states(after)["Cluster:c1"] == "DOWN"
    assert after.fetched_nodes == 0


def test_removed_relationship_and_retired_member_are_taken_in(indexed, context):
    vm1 = cis.find_ci(indexed, CIRef("VirtualMachine", "vm1"))["id"]
    cis.unrelate(indexed, vm1, "RUNS_ON", host(indexed, "h1"), context)
    cis.retire_ci(indexed, host(indexed, "h2"), context)

    report = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])

    # vm1 no longer runs on h1; with h2 retired, h1 is the cluster's only
    # member, and the cluster needs one.
    assert "VirtualMachine:vm1" not in states(report)
    assert states(report)["Cluster:c1"] == "DOWN"


def test_renamed_ci_is_answered_with_its_new_name(indexed, context):
    vm1 = cis.find_ci(indexed, CIRef("VirtualMachine", "vm1"))["id"]
    cis.update_ci(indexed, vm1, {"name": "web-one"}, context)

    report = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])

    assert report.result.affected[vm1].name == "web-one"


def test_cleared_graph_is_read_again_and_answered_from_neo4j_meanwhile(
    indexed, context
):
    index = indexed.impact_index
    indexed.db.auto_commit("graph_clear")
    bulk.load_document(indexed, make_estate(), context)

    report = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])

    assert report.fetched_nodes > 0
    assert states(report)["Cluster:c1"] == "DEGRADED"
    assert index.wait_ready(60)
    again = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])
    assert again.fetched_nodes == 0
    assert states(again) == states(report)


def test_gap_in_the_revision_log_reads_everything_again(indexed, context):
    index = indexed.impact_index
    vm = cis.create_ci(indexed, {"type": "VirtualMachine", "key": "vm3"}, context)
    cis.relate(indexed, vm["id"], "RUNS_ON", host(indexed, "h1"), None, context)
    indexed.db.run_text("MATCH (r:GraphRevision) DELETE r")

    report = analyse_impact(indexed, [StartSpec(id=host(indexed, "h1"))])

    assert report.fetched_nodes > 0
    assert states(report)["VirtualMachine:vm3"] == "DOWN"
    assert index.wait_ready(60)
    assert (
        index.revision == indexed.db.read_values("graph_revision_head")[0]["revision"]
    )


def test_index_not_yet_read_answers_from_neo4j(runtime, context):
    bulk.load_document(runtime, make_estate(), context)
    index = ImpactIndex(runtime)
    unread = dataclasses.replace(runtime, impact_index=index)

    report = analyse_impact(unread, [StartSpec(id=host(runtime, "h1"))])

    assert report.fetched_nodes > 0
    assert index.wait_ready(60)
