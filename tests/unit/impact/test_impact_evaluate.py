"""Impact analysis on small hand-drawn estates, one behaviour per test."""

import pytest

from app.impact import (
    ImpactEdge,
    ImpactGraph,
    ImpactNode,
    ImpactResult,
    ImpactState,
    Mode,
    ReasonStep,
    evaluate_dependencies,
    evaluate_impact,
    summarise,
)

TYPE_BY_PREFIX = {
    "host": "Host",
    "cluster": "Cluster",
    "vm": "VirtualMachine",
    "ds": "Datastore",
    "vol": "Volume",
    "array": "StorageArray",
    "net": "Network",
    "switch": "Switch",
    "rack": "Rack",
    "feed": "PowerFeed",
    "site": "Site",
    "svc": "Service",
    "cust": "Customer",
    "team": "Team",
}


def make_ci(ci_id: str, status: str = "active", *redundancy: str) -> ImpactNode:
    """Make a CI whose type follows from its id, such as ``host-1``."""
    ci_type = TYPE_BY_PREFIX[ci_id.split("-")[0]]
    return ImpactNode(ci_id, ci_type, ci_id, ci_id.upper(), status, redundancy)


def make_graph(
    relationships: list[tuple[str, str, str] | tuple[str, str, str, str]],
    *cis: ImpactNode,
) -> ImpactGraph:
    """Make a graph of ``(source, TYPE, target[, group])`` relationships.

    CIs not given explicitly are made active with ``make_ci``.
    """
    nodes = {ci.id: ci for ci in cis}
    edges = []
    for source, rel_type, target, *group in relationships:
        for ci_id in (source, target):
            nodes.setdefault(ci_id, make_ci(ci_id))
        edges.append(ImpactEdge(source, target, rel_type, *group))
    return ImpactGraph.from_rows(nodes.values(), edges)


def make_two_host_cluster() -> ImpactGraph:
    """Make a cluster of two hosts under the default policy, one host up."""
    return make_graph(
        [("host-1", "MEMBER_OF", "cluster-1"), ("host-2", "MEMBER_OF", "cluster-1")]
    )


def make_three_host_cluster(*policy: str) -> ImpactGraph:
    """Make a cluster of three hosts with the given redundancy policy."""
    return make_graph(
        [(f"host-{n}", "MEMBER_OF", "cluster-1") for n in (1, 2, 3)],
        make_ci("cluster-1", "active", *policy),
    )


def make_vm_on_host() -> ImpactGraph:
    """Make a VM on a host in a rack, on a datastore and a network."""
    return make_graph(
        [
            ("vm-1", "RUNS_ON", "host-1"),
            ("vm-1", "STORED_ON", "ds-1"),
            ("vm-1", "CONNECTED_TO", "net-1"),
            ("host-1", "LOCATED_IN", "rack-1"),
            ("cust-1", "OWNS", "vm-1"),
        ]
    )


def make_service_cycle() -> ImpactGraph:
    """Make two services that depend on each other, one on a VM."""
    return make_graph(
        [
            ("svc-a", "DEPENDS_ON", "svc-b"),
            ("svc-b", "DEPENDS_ON", "svc-a"),
            ("svc-a", "DEPENDS_ON", "vm-1"),
            ("cust-1", "SUBSCRIBES_TO", "svc-b"),
        ]
    )


def make_rack_chain() -> ImpactGraph:
    """Make a rack holding a host, running a VM a customer owns."""
    return make_graph(
        [
            ("host-1", "LOCATED_IN", "rack-1"),
            ("vm-1", "RUNS_ON", "host-1"),
            ("cust-1", "OWNS", "vm-1"),
        ]
    )


def states(result: ImpactResult) -> dict[str, str]:
    """Return the state of every listed CI, as plain strings."""
    return {ci.id: str(ci.state) for ci in result.affected.values()}


# Requirement groups


def test_cluster_losing_one_of_two_hosts_is_degraded(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result) == {"host-1": "down", "cluster-1": "degraded"}


def test_cluster_losing_second_host_in_another_incident_is_down(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_impact(catalogue, graph, ["host-1"], context_down={"host-2"})

    assert states(result) == {"host-1": "down", "cluster-1": "down"}


def test_cluster_losing_both_hosts_as_starts_is_down(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_impact(catalogue, graph, ["host-1", "host-2"])

    assert states(result)["cluster-1"] == "down"


def test_context_down_alone_makes_nothing_affected(catalogue):
    graph = make_graph(
        [("host-1", "MEMBER_OF", "cluster-1"), ("host-3", "LOCATED_IN", "rack-1")]
    )

    result = evaluate_impact(catalogue, graph, ["rack-1"], context_down={"host-1"})

    assert set(result.affected) == {"rack-1", "host-3"}


def test_percentage_policy_rounds_up(catalogue):
    graph = make_three_host_cluster("MEMBER_OF=50%")

    one_lost = evaluate_impact(catalogue, graph, ["host-1"])
    two_lost = evaluate_impact(catalogue, graph, ["host-1", "host-2"])

    assert states(one_lost)["cluster-1"] == "degraded"
    assert states(two_lost)["cluster-1"] == "down"


def test_own_policy_overrides_the_default(catalogue):
    graph = make_three_host_cluster("MEMBER_OF=3")

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result)["cluster-1"] == "down"


def test_own_policy_is_ignored_where_the_type_forbids_redundancy(catalogue):
    graph = make_graph(
        [("vol-1", "ON", "array-1"), ("vol-1", "ON", "array-2")],
        make_ci("vol-1", "active", "ON=1"),
    )

    result = evaluate_impact(catalogue, graph, ["array-1"])

    assert states(result)["vol-1"] == "down"


def test_all_required_group_takes_the_worst_member(catalogue):
    graph = make_graph(
        [("vm-1", "CONNECTED_TO", "net-1"), ("vm-1", "CONNECTED_TO", "net-2")]
    )

    result = evaluate_impact(catalogue, graph, ["net-1"])

    assert states(result)["vm-1"] == "down"


def test_all_required_group_passes_degraded_on(catalogue):
    graph = make_graph(
        [
            ("svc-1", "DEPENDS_ON", "cluster-1"),
            ("host-1", "MEMBER_OF", "cluster-1"),
            ("host-2", "MEMBER_OF", "cluster-1"),
        ]
    )

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result)["svc-1"] == "degraded"


def test_named_groups_are_evaluated_apart(catalogue):
    graph = make_graph(
        [
            ("svc-1", "DEPENDS_ON", "vm-1", "db"),
            ("svc-1", "DEPENDS_ON", "vm-2", "db"),
            ("svc-1", "DEPENDS_ON", "vm-3", "web"),
            ("svc-1", "DEPENDS_ON", "vm-4", "web"),
        ],
        make_ci("svc-1", "active", "DEPENDS_ON:db=1", "DEPENDS_ON:web=1"),
    )

    result = evaluate_impact(catalogue, graph, ["vm-1", "vm-3"])

    assert states(result)["svc-1"] == "degraded"


def test_group_without_policy_is_all_required(catalogue):
    graph = make_graph(
        [
            ("svc-1", "DEPENDS_ON", "vm-1", "db"),
            ("svc-1", "DEPENDS_ON", "vm-2", "db"),
        ],
        make_ci("svc-1", "active", "DEPENDS_ON=1"),
    )

    result = evaluate_impact(catalogue, graph, ["vm-1"])

    assert states(result)["svc-1"] == "down"


def test_retired_member_is_not_counted(catalogue):
    graph = make_graph(
        [("host-1", "MEMBER_OF", "cluster-1"), ("host-2", "MEMBER_OF", "cluster-1")],
        make_ci("host-2", "retired"),
    )

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result)["cluster-1"] == "down"


def test_excluded_member_counts_as_up(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_impact(catalogue, graph, ["host-1"], excluded={"host-2"})

    assert states(result)["cluster-1"] == "degraded"


def test_excluded_member_down_in_another_incident_counts_as_down(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_impact(
        catalogue, graph, ["host-1"], excluded={"host-2"}, context_down={"host-2"}
    )

    assert states(result)["cluster-1"] == "down"


def test_policy_asking_for_more_than_the_group_has_is_all_required(catalogue):
    graph = make_graph(
        [("host-1", "MEMBER_OF", "cluster-1"), ("host-2", "MEMBER_OF", "cluster-1")],
        make_ci("cluster-1", "active", "MEMBER_OF=5"),
    )

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result)["cluster-1"] == "down"


def test_policy_asking_for_more_than_the_group_has_holds_while_all_are_up(catalogue):
    graph = make_graph(
        [
            ("svc-1", "DEPENDS_ON", "vm-1", "db"),
            ("svc-1", "DEPENDS_ON", "vm-2", "db"),
            ("svc-1", "DEPENDS_ON", "vm-3", "web"),
        ],
        make_ci("svc-1", "active", "DEPENDS_ON:db=1", "DEPENDS_ON:web=2"),
    )

    result = evaluate_impact(catalogue, graph, ["vm-1"])

    assert states(result)["svc-1"] == "degraded"


def test_parallel_relationships_count_one_member(catalogue):
    graph = make_graph(
        [
            ("host-1", "MEMBER_OF", "cluster-1"),
            ("host-1", "MEMBER_OF", "cluster-1"),
            ("host-2", "MEMBER_OF", "cluster-1"),
        ],
        make_ci("cluster-1", "active", "MEMBER_OF=50%"),
    )

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result)["cluster-1"] == "degraded"


# Propagation


def test_failure_travels_only_downstream(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert list(result.affected) == ["host-1", "vm-1", "cust-1"]


def test_relationship_without_dependent_carries_no_impact(catalogue):
    graph = make_graph([("vm-1", "OWNED_BY", "team-1")])

    result = evaluate_impact(catalogue, graph, ["team-1"])

    assert list(result.affected) == ["team-1"]


def test_cycle_terminates_without_duplicates(catalogue):
    graph = make_service_cycle()

    result = evaluate_impact(catalogue, graph, ["vm-1"])

    assert states(result) == {
        "vm-1": "down",
        "svc-a": "down",
        "svc-b": "down",
        "cust-1": "down",
    }


def test_cycle_through_a_start_leaves_the_start_down(catalogue):
    graph = make_service_cycle()

    result = evaluate_impact(catalogue, graph, ["svc-a"])

    assert states(result) == {"svc-a": "down", "svc-b": "down", "cust-1": "down"}


def test_self_dependency_terminates(catalogue):
    graph = make_graph(
        [("svc-a", "DEPENDS_ON", "svc-a"), ("svc-a", "DEPENDS_ON", "vm-1")]
    )

    result = evaluate_impact(catalogue, graph, ["vm-1"])

    assert states(result) == {"vm-1": "down", "svc-a": "down"}


def test_excluded_ci_is_not_affected_and_stops_propagation(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"], excluded={"vm-1"})

    assert list(result.affected) == ["host-1"]


def test_retired_ci_is_never_affected_and_does_not_propagate(catalogue):
    graph = make_graph(
        [("vm-1", "RUNS_ON", "host-1"), ("cust-1", "OWNS", "vm-1")],
        make_ci("vm-1", "retired"),
    )

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert list(result.affected) == ["host-1"]


def test_retired_start_is_skipped_and_explained(catalogue):
    graph = make_graph([("vm-1", "RUNS_ON", "host-1")], make_ci("host-1", "retired"))

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert result.affected == {}
    assert result.retired_starts == ("host-1",)
    assert "retired" in result.explanation


def test_live_starts_are_evaluated_beside_retired_ones(catalogue):
    graph = make_graph(
        [("vm-1", "RUNS_ON", "host-1"), ("vm-2", "RUNS_ON", "host-2")],
        make_ci("host-1", "retired"),
    )

    result = evaluate_impact(catalogue, graph, ["host-1", "host-2"])

    assert list(result.affected) == ["host-2", "vm-2"]
    assert result.starts == ("host-1", "host-2")
    assert result.retired_starts == ("host-1",)


def test_customer_with_one_of_two_services_down_is_down(catalogue):
    graph = make_graph(
        [("cust-1", "SUBSCRIBES_TO", "svc-1"), ("cust-1", "SUBSCRIBES_TO", "svc-2")]
    )

    result = evaluate_impact(catalogue, graph, ["svc-1"])

    assert states(result)["cust-1"] == "down"


def test_starts_are_marked_as_starts(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert [ci.id for ci in result.affected.values() if ci.start] == ["host-1"]


# Planned and failure modes


def test_planned_vm_on_host_in_maintenance_is_at_risk(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"], mode=Mode.PLANNED)

    vm = result.affected["vm-1"]
    assert (str(vm.state), vm.at_risk, vm.restarts) == ("degraded", True, False)


def test_planned_vm_on_datastore_in_maintenance_is_at_risk(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["ds-1"], mode=Mode.PLANNED)

    assert result.affected["vm-1"].at_risk


def test_planned_vm_on_network_in_maintenance_is_down(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["net-1"], mode=Mode.PLANNED)

    vm = result.affected["vm-1"]
    assert (str(vm.state), vm.at_risk) == ("down", False)


def test_planned_start_is_down_for_what_cannot_move(catalogue):
    graph = make_graph([("vol-1", "ON", "array-1")])

    result = evaluate_impact(catalogue, graph, ["array-1"], mode=Mode.PLANNED)

    assert states(result) == {"array-1": "down", "vol-1": "down"}


def test_planned_host_lost_through_its_rack_lets_its_vm_move(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["rack-1"], mode=Mode.PLANNED)

    assert states(result)["host-1"] == "down"
    assert result.affected["vm-1"].at_risk


def test_planned_host_down_in_another_incident_is_not_softened(catalogue):
    graph = make_graph([("vm-1", "RUNS_ON", "host-1"), ("vm-1", "STORED_ON", "ds-1")])

    result = evaluate_impact(
        catalogue, graph, ["ds-1"], mode=Mode.PLANNED, context_down={"host-1"}
    )

    vm = result.affected["vm-1"]
    assert (str(vm.state), vm.at_risk) == ("down", False)


def test_customer_of_an_at_risk_vm_is_degraded(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"], mode=Mode.PLANNED)

    cust = result.affected["cust-1"]
    assert (str(cust.state), cust.at_risk) == ("degraded", False)


def test_failure_vm_on_failed_host_is_down_and_restarts(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"])

    vm = result.affected["vm-1"]
    assert (str(vm.state), vm.restarts, vm.at_risk) == ("down", True, False)


def test_failure_vm_also_losing_its_datastore_does_not_restart(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1", "ds-1"])

    vm = result.affected["vm-1"]
    assert (str(vm.state), vm.restarts) == ("down", False)


def test_failure_of_a_datastore_does_not_restart_its_vm(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["ds-1"])

    assert not result.affected["vm-1"].restarts


def test_customer_of_a_restarting_vm_is_down_without_restart(catalogue):
    graph = make_vm_on_host()

    result = evaluate_impact(catalogue, graph, ["host-1"])

    cust = result.affected["cust-1"]
    assert (str(cust.state), cust.restarts) == ("down", False)


# Reasons and limits


def test_reason_is_a_shortest_chain_of_stored_relationships(catalogue):
    graph = make_graph(
        [
            ("vm-1", "CONNECTED_TO", "net-1"),
            ("svc-1", "DEPENDS_ON", "vm-1"),
            ("svc-2", "DEPENDS_ON", "svc-1"),
            ("cust-1", "SUBSCRIBES_TO", "svc-2"),
            ("cust-1", "OWNS", "vm-1"),
        ]
    )

    result = evaluate_impact(catalogue, graph, ["net-1"])

    assert result.affected["cust-1"].reason == (
        ReasonStep("vm-1", "CONNECTED_TO", "net-1"),
        ReasonStep("cust-1", "OWNS", "vm-1"),
    )


def test_reason_runs_through_the_group_that_set_the_state(catalogue):
    graph = make_graph(
        [
            ("vm-1", "RUNS_ON", "host-1"),
            ("vm-2", "RUNS_ON", "host-1"),
            ("vm-3", "RUNS_ON", "host-2"),
            ("svc-1", "DEPENDS_ON", "vm-1", "web"),
            ("svc-1", "DEPENDS_ON", "vm-3", "web"),
            ("svc-1", "DEPENDS_ON", "vm-2", "db"),
        ],
        make_ci("svc-1", "active", "DEPENDS_ON:web=1"),
    )

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert states(result)["svc-1"] == "down"
    assert result.affected["svc-1"].reason[-1] == ReasonStep(
        "svc-1", "DEPENDS_ON", "vm-2"
    )


def test_reason_keeps_the_stored_direction_where_the_target_suffers(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert result.affected["cluster-1"].reason == (
        ReasonStep("host-1", "MEMBER_OF", "cluster-1"),
    )


def test_affected_cis_are_listed_nearest_first_with_depth(catalogue):
    graph = make_rack_chain()

    result = evaluate_impact(catalogue, graph, ["rack-1"])

    assert [(ci.id, ci.depth) for ci in result.affected.values()] == [
        ("rack-1", 0),
        ("host-1", 1),
        ("vm-1", 2),
        ("cust-1", 3),
    ]


def test_max_depth_cut_is_reported(catalogue):
    graph = make_rack_chain()

    result = evaluate_impact(catalogue, graph, ["rack-1"], max_depth=1)

    assert list(result.affected) == ["rack-1", "host-1"]
    assert (result.limit_hit, result.omitted) == (True, 2)
    assert "max_depth 1" in result.limit_reason


def test_max_affected_keeps_the_nearest_and_is_reported(catalogue):
    graph = make_rack_chain()

    result = evaluate_impact(catalogue, graph, ["rack-1"], max_affected=2)

    assert list(result.affected) == ["rack-1", "host-1", "vm-1"]
    assert (result.limit_hit, result.omitted) == (True, 1)
    assert "max_affected 2" in result.limit_reason


def test_both_limits_are_reported_together(catalogue):
    graph = make_graph(
        [
            ("vm-1", "RUNS_ON", "host-1"),
            ("vm-2", "RUNS_ON", "host-1"),
            ("cust-1", "OWNS", "vm-1"),
        ]
    )

    result = evaluate_impact(catalogue, graph, ["host-1"], max_depth=1, max_affected=1)

    assert list(result.affected) == ["host-1", "vm-1"]
    assert result.limit_reason == (
        "max_depth 1: 1 CI more than 1 hop away not listed; "
        "max_affected 1: 1 CI farther away not listed"
    )


def test_limits_that_cut_nothing_are_not_hit(catalogue):
    graph = make_rack_chain()

    result = evaluate_impact(catalogue, graph, ["rack-1"], max_depth=3, max_affected=3)

    assert (result.limit_hit, result.limit_reason, result.omitted) == (False, None, 0)


def test_limits_do_not_change_the_states_listed(catalogue):
    graph = make_service_cycle()

    limited = evaluate_impact(catalogue, graph, ["vm-1"], max_depth=1)

    assert states(limited) == {"vm-1": "down", "svc-a": "down"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"starts": []}, "at least one starting CI"),
        ({"starts": ["host-1", "nowhere"]}, "unknown starting CIs: nowhere"),
        ({"starts": ["host-1"], "max_depth": -1}, "max_depth"),
        ({"starts": ["host-1"], "max_affected": 0}, "max_affected"),
        ({"starts": ["host-1"], "excluded": {"host-1"}}, "cannot be excluded"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(catalogue, arguments, message):
    graph = make_two_host_cluster()

    with pytest.raises(ValueError, match=message):
        evaluate_impact(catalogue, graph, **arguments)


def test_a_single_string_as_starts_is_refused(catalogue):
    graph = make_two_host_cluster()

    with pytest.raises(TypeError, match="not one string"):
        evaluate_impact(catalogue, graph, "host-1")


def test_relationship_type_unknown_to_the_catalogue_is_refused(catalogue):
    graph = make_graph([("vm-1", "HAUNTS", "host-1")])

    with pytest.raises(ValueError, match="not in the catalogue: HAUNTS"):
        evaluate_impact(catalogue, graph, ["host-1"])


def test_summary_counts_listed_cis_by_type_and_state(catalogue):
    graph = make_vm_on_host()

    summary = summarise(evaluate_impact(catalogue, graph, ["host-1"]))

    assert {(ci_type, str(state)): n for (ci_type, state), n in summary.items()} == {
        ("Customer", "down"): 1,
        ("Host", "down"): 1,
        ("VirtualMachine", "down"): 1,
    }


def test_selecting_by_type_state_or_nothing_keeps_the_order(catalogue):
    graph = make_two_host_cluster()
    affected = evaluate_impact(catalogue, graph, ["host-1"]).affected

    everything = affected.select()

    assert len(everything) == len(affected)
    assert list(everything) == list(affected)
    assert everything[1:] == list(affected)[1:]
    assert everything[0] == "host-1"
    assert affected.select("Cluster") == ["cluster-1"]
    assert affected.select(state=ImpactState.DOWN) == [
        ci for ci in affected if affected[ci].state is ImpactState.DOWN
    ]


# Upstream dependencies


def test_dependencies_follow_failure_backwards(catalogue):
    graph = make_vm_on_host()

    result = evaluate_dependencies(catalogue, graph, ["vm-1"])

    assert [(ci.id, ci.depth) for ci in result.dependencies.values()] == [
        ("vm-1", 0),
        ("host-1", 1),
        ("ds-1", 1),
        ("net-1", 1),
        ("rack-1", 2),
    ]


def test_dependency_reason_leads_from_the_start(catalogue):
    graph = make_vm_on_host()

    result = evaluate_dependencies(catalogue, graph, ["cust-1"])

    assert result.dependencies["host-1"].reason == (
        ReasonStep("cust-1", "OWNS", "vm-1"),
        ReasonStep("vm-1", "RUNS_ON", "host-1"),
    )


def test_dependencies_of_a_cluster_are_its_hosts(catalogue):
    graph = make_two_host_cluster()

    result = evaluate_dependencies(catalogue, graph, ["cluster-1"])

    assert list(result.dependencies) == ["cluster-1", "host-1", "host-2"]


def test_dependencies_skip_retired_cis(catalogue):
    graph = make_graph(
        [("vm-1", "RUNS_ON", "host-1"), ("host-1", "LOCATED_IN", "rack-1")],
        make_ci("host-1", "retired"),
    )

    result = evaluate_dependencies(catalogue, graph, ["vm-1"])

    assert list(result.dependencies) == ["vm-1"]


def test_dependencies_ignore_relationships_without_impact(catalogue):
    graph = make_graph([("vm-1", "OWNED_BY", "team-1")])

    result = evaluate_dependencies(catalogue, graph, ["vm-1"])

    assert list(result.dependencies) == ["vm-1"]


def test_dependency_limits_are_reported(catalogue):
    graph = make_vm_on_host()

    result = evaluate_dependencies(catalogue, graph, ["vm-1"], max_depth=1)

    assert "rack-1" not in result.dependencies
    assert (result.limit_hit, result.omitted) == (True, 1)


def test_group_sizes_count_members_the_graph_does_not_hold(catalogue):
    cluster = make_ci("cluster-1", "active", "MEMBER_OF=2")
    graph = make_graph([("host-1", "MEMBER_OF", "cluster-1")], cluster)
    graph.group_sizes = {"cluster-1": {("MEMBER_OF", None): 3}}

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert str(result.affected["cluster-1"].state) == "degraded"


def test_without_group_sizes_the_graph_holds_every_member(catalogue):
    cluster = make_ci("cluster-1", "active", "MEMBER_OF=2")
    graph = make_graph([("host-1", "MEMBER_OF", "cluster-1")], cluster)

    result = evaluate_impact(catalogue, graph, ["host-1"])

    assert str(result.affected["cluster-1"].state) == "down"
