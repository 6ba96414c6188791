"""The impact data model, and the worked examples in the docstrings."""

import doctest
import importlib

import pytest

from app.impact import ImpactEdge, ImpactGraph, ImpactNode, ImpactState


def test_states_order_from_ok_to_down():
    assert ImpactState.OK < ImpactState.DEGRADED < ImpactState.DOWN


def test_worst_of_no_states_is_ok():
    assert ImpactState.worst([]) is ImpactState.OK


def test_worst_state_wins():
    states = [ImpactState.DEGRADED, ImpactState.DOWN, ImpactState.OK]

    assert ImpactState.worst(states) is ImpactState.DOWN


def test_group_key_is_the_type_or_type_and_group():
    assert ImpactEdge("s", "t", "DEPENDS_ON").group_key == "DEPENDS_ON"
    assert ImpactEdge("s", "t", "DEPENDS_ON", "db").group_key == "DEPENDS_ON:db"


@pytest.mark.parametrize("entry", ["MEMBER_OF", "=2", "MEMBER_OF=two", "X=0%"])
def test_malformed_redundancy_is_refused_naming_the_ci(entry):
    with pytest.raises(ValueError, match="'c1'"):
        ImpactNode("c1", "Cluster", "prod", "prod", "active", (entry,))


def test_graph_is_built_from_query_rows():
    host = {"id": "h1", "type": "Host", "key": "k", "name": "n", "status": "active"}
    cluster = {**host, "id": "c1", "type": "Cluster", "redundancy": ["MEMBER_OF=1"]}
    member_of = {"source": "h1", "target": "c1", "type": "MEMBER_OF", "group": None}

    graph = ImpactGraph.from_rows([host, cluster], [member_of])

    assert graph.nodes["c1"].redundancy == ("MEMBER_OF=1",)
    assert graph.incoming["c1"] == [ImpactEdge("h1", "c1", "MEMBER_OF")]


def test_relationship_to_an_unknown_ci_is_refused():
    graph = ImpactGraph()
    graph.add_node(ImpactNode("h1", "Host", "k", "n", "active"))

    with pytest.raises(ValueError, match="unknown CIs"):
        graph.add_edge(ImpactEdge("h1", "c1", "MEMBER_OF"))


@pytest.mark.parametrize("name", ["model", "evaluate", "reference"])
def test_worked_examples_hold(name):
    module = importlib.import_module(f"app.impact.{name}")

    failed, _ = doctest.testmod(module)

    assert failed == 0
