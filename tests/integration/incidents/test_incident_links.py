"""Incident links: computed from impact analysis, kept true as things change."""

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.incidents import Transition
from app.services import incidents
from app.services.impact_context import down_in_open_incidents

from .conftest import make_context, make_incident

pytestmark = pytest.mark.neo4j


def links(runtime, incident) -> dict[str, tuple[str, str]]:
    page = incidents.list_links(runtime, incident["id"], first=500)
    return {
        f"{item['ci']['type']}:{item['ci']['key']}": (item["link"], item["state"])
        for item in page.items
    }


def test_opening_links_every_affected_ci_as_computed(estate):
    incident = make_incident(estate, "Host:h1")

    assert links(estate, incident) == {
        "Host:h1": ("computed", "down"),
        "Cluster:c1": ("computed", "degraded"),
        "VirtualMachine:vm1": ("computed", "down"),
        "Service:web": ("computed", "degraded"),
        "Service:platform": ("computed", "degraded"),
        "Customer:acme": ("computed", "degraded"),
        "Customer:bolt": ("computed", "down"),
    }


def test_computed_link_keeps_restart_flag_and_reason(estate):
    incident = make_incident(estate, "Host:h1")

    page = incidents.list_links(estate, incident["id"], type_name="VirtualMachine")
    [vm] = page.items
    assert vm["restarts"] is True
    assert [step[1] for step in vm["reason"]] == ["RUNS_ON"]


def test_second_host_in_second_incident_takes_the_cluster_down(estate):
    make_incident(estate, "Host:h1")

    second = make_incident(estate, "Host:h2")

    assert links(estate, second)["Cluster:c1"] == ("computed", "down")
    assert links(estate, second)["Service:platform"] == ("computed", "down")


def test_opening_the_second_incident_recomputes_the_first(estate):
    first = make_incident(estate, "Host:h1")

    make_incident(estate, "Host:h2")

    assert links(estate, first)["Cluster:c1"] == ("computed", "down")


def test_resolving_the_first_incident_restores_the_cluster_in_the_second(estate):
    first = make_incident(estate, "Host:h1")
    second = make_incident(estate, "Host:h2")

    incidents.transition(estate, first["id"], Transition.RESOLVE, make_context(5))

    assert links(estate, second)["Cluster:c1"] == ("computed", "degraded")


def test_with_three_open_incidents_each_counts_the_other_two(estate):
    first = make_incident(estate, "Host:h1")
    second = make_incident(estate, "VirtualMachine:vm2")

    make_incident(estate, "Host:h2")

    assert links(estate, first)["Cluster:c1"] == ("computed", "down")
    assert links(estate, first)["Service:web"] == ("computed", "down")
    assert links(estate, second)["Service:web"] == ("computed", "down")
    assert "Cluster:c1" not in links(estate, second)


def test_down_in_open_incidents_names_starts_and_down_links(estate, ids):
    first = make_incident(estate, "Host:h1")

    down = down_in_open_incidents(estate)

    assert {ids["Host:h1"], ids["VirtualMachine:vm1"], ids["Customer:bolt"]} == down
    assert down_in_open_incidents(estate, exclude_incident_id=first["id"]) == set()


def test_not_impacted_stops_propagation(estate, ids):
    incident = make_incident(estate, "Host:h1")

    incidents.link_ci(
        estate,
        incident["id"],
        ids["VirtualMachine:vm1"],
        "not_impacted",
        make_context(1),
    )

    found = links(estate, incident)
    assert found["VirtualMachine:vm1"] == ("not_impacted", None)
    assert "Customer:bolt" not in found
    assert found["Service:platform"] == ("computed", "degraded")


def test_manual_down_link_propagates_and_survives_recomputation(estate, ids):
    incident = make_incident(estate, "Host:h1")

    incidents.link_ci(
        estate, incident["id"], ids["VirtualMachine:vm2"], "manual", make_context(1)
    )
    incidents.recompute_links(estate, incident["id"], make_context(2))

    found = links(estate, incident)
    assert found["VirtualMachine:vm2"] == ("manual", "down")
    assert found["Service:web"] == ("computed", "down")


def test_removing_an_exclusion_links_the_ci_again(estate, ids):
    incident = make_incident(estate, "Host:h1")
    vm = ids["VirtualMachine:vm1"]
    incidents.link_ci(estate, incident["id"], vm, "not_impacted", make_context(1))

    incidents.unlink_ci(estate, incident["id"], vm, make_context(2))

    assert links(estate, incident)["Customer:bolt"] == ("computed", "down")
    page = incidents.list_links(estate, incident["id"], type_name="VirtualMachine")
    assert [item["link"] for item in page.items] == ["computed"]


def test_do_not_notify_customer_keeps_its_state(estate, ids):
    incident = make_incident(estate, "Host:h1")

    incidents.link_ci(
        estate, incident["id"], ids["Customer:bolt"], "do_not_notify", make_context(1)
    )
    incidents.recompute_links(estate, incident["id"], make_context(2))

    assert links(estate, incident)["Customer:bolt"] == ("do_not_notify", "down")


def test_recomputation_by_another_incident_is_logged_with_its_cause(estate):
    first = make_incident(estate, "Host:h1")

    second = make_incident(estate, "Host:h2", context=make_context(1))

    [entry] = [
        e
        for e in incidents.activity(estate, first["id"]).items
        if e["action"] == "recompute"
    ]
    assert entry["details"]["because"] == f"incident {second['id']} opened"


def test_refreshing_a_resolved_incident_is_refused(estate):
    incident = make_incident(estate, "Host:h1")
    incidents.transition(estate, incident["id"], Transition.RESOLVE, make_context(1))

    with pytest.raises(CMDBError) as raised:
        incidents.refresh_incident(estate, incident["id"], make_context(2))

    assert raised.value.code == ErrorCode.INVALID_TRANSITION
