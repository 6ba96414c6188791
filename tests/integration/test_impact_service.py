"""Impact analysis through the service and GraphQL, against the real Neo4j.

The service tests run twice: answered from Neo4j step by step, and from the
impact index, read after the estate is loaded and catching up with every
write a test makes afterwards.
"""

import dataclasses

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.impact import ImpactState, Mode
from app.services import bulk, cis
from app.services.impact import StartSpec, analyse_dependencies, analyse_impact
from app.services.impact_index import ImpactIndex

pytestmark = pytest.mark.neo4j


def make_estate() -> dict:
    """Two hosts in one HA cluster, a VM on each, a customer, a team."""
    return {
        "cis": [
            {"type": "Cluster", "key": "c1", "redundancy": ["MEMBER_OF=1"]},
            {"type": "Host", "key": "h1"},
            {"type": "Host", "key": "h2"},
            {"type": "VirtualMachine", "key": "vm1"},
            {"type": "VirtualMachine", "key": "vm2"},
            {"type": "Service", "key": "web", "redundancy": ["DEPENDS_ON=1"]},
            {"type": "Customer", "key": "acme", "attributes": {"sla_tier": "gold"}},
            {"type": "Team", "key": "virt", "name": "Virtualisation",
             "attributes": {"support_level": 2}},
        ],
        "relationships": [
            {"type": "MEMBER_OF", "from": "Host:h1", "to": "Cluster:c1"},
            {"type": "MEMBER_OF", "from": "Host:h2", "to": "Cluster:c1"},
            {"type": "RUNS_ON", "from": "VirtualMachine:vm1", "to": "Host:h1"},
            {"type": "RUNS_ON", "from": "VirtualMachine:vm2", "to": "Host:h2"},
            {"type": "DEPENDS_ON", "from": "Service:web", "to": "VirtualMachine:vm1"},
            {"type": "DEPENDS_ON", "from": "Service:web", "to": "VirtualMachine:vm2"},
            {"type": "SUBSCRIBES_TO", "from": "Customer:acme", "to": "Service:web"},
            {"type": "OWNED_BY", "from": "Host:h1", "to": "Team:virt"},
        ],
    }  # fmt: skip


@pytest.fixture(params=["neo4j", "index"])
def estate(request, runtime, context):
    bulk.load_document(runtime, make_estate(), context)
    if request.param == "neo4j":
        return runtime
    indexed = dataclasses.replace(runtime, impact_index=ImpactIndex(runtime))
    indexed.impact_index.build()
    return indexed


def ref(text: str) -> StartSpec:
    return StartSpec(ref=CIRef.parse(text))


def states(report) -> dict[str, str]:
    return {
        f"{ci.type}:{ci.key}": ci.state.name for ci in report.result.affected.values()
    }


def test_one_host_down_degrades_cluster_and_service(estate):
    report = analyse_impact(estate, [ref("Host:h1")])

    assert states(report) == {
        "Host:h1": "DOWN",
        "Cluster:c1": "DEGRADED",
        "VirtualMachine:vm1": "DOWN",
        "Service:web": "DEGRADED",
        "Customer:acme": "DEGRADED",
    }


def test_both_hosts_down_take_everything_down(estate):
    report = analyse_impact(estate, [ref("Host:h1"), ref("Host:h2")])

    assert states(report)["Cluster:c1"] == "DOWN"
    assert states(report)["Customer:acme"] == "DOWN"


def test_host_down_in_another_incident_counts_in_redundancy(estate):
    other = cis.find_ci(estate, CIRef("Host", "h2"))["id"]

    report = analyse_impact(estate, [ref("Host:h1")], context_down=[other])

    assert states(report)["Cluster:c1"] == "DOWN"
    assert "Host:h2" not in states(report)


def test_planned_maintenance_puts_vms_at_risk(estate):
    report = analyse_impact(estate, [ref("Host:h1")], mode=Mode.PLANNED)

    vm = next(ci for ci in report.result.affected.values() if ci.key == "vm1")
    assert (vm.state, vm.at_risk) == (ImpactState.DEGRADED, True)


def test_failure_mode_expects_ha_restart(estate):
    report = analyse_impact(estate, [ref("Host:h1")])

    vm = next(ci for ci in report.result.affected.values() if ci.key == "vm1")
    assert (vm.state, vm.restarts) == (ImpactState.DOWN, True)


def test_customers_listed_with_sla_tier_and_affected_cis(estate):
    report = analyse_impact(estate, [ref("Host:h1")])

    [customer] = report.customers
    assert (customer.customer.key, customer.sla_tier) == ("acme", "gold")
    assert [ci.key for ci in customer.affected_cis] == ["web"]


def test_owners_listed_with_support_level(estate):
    report = analyse_impact(estate, [ref("Host:h1")])

    assert [(o.key, o.support_level) for o in report.owners] == [("virt", 2)]


def test_reason_chain_leads_from_the_start(estate):
    report = analyse_impact(estate, [ref("Host:h1")])

    customer = next(c for c in report.result.affected.values() if c.key == "acme")
    assert [step.rel_type for step in customer.reason] == [
        "RUNS_ON",
        "DEPENDS_ON",
        "SUBSCRIBES_TO",
    ]


def test_retired_vm_takes_no_part(estate, context):
    vm = cis.find_ci(estate, CIRef("VirtualMachine", "vm1"))
    cis.retire_ci(estate, vm["id"], context)

    report = analyse_impact(estate, [ref("Host:h1")])

    assert "VirtualMachine:vm1" not in states(report)
    assert "Service:web" not in states(report)


def test_depth_limit_is_reported(estate):
    report = analyse_impact(estate, [ref("Host:h1")], max_depth=1)

    assert report.result.limit_hit
    assert "Customer:acme" not in states(report)


def test_dependencies_upstream(estate):
    result = analyse_dependencies(estate, [ref("Customer:acme")])

    keys = {f"{ci.type}:{ci.key}" for ci in result.dependencies.values()}
    assert {"Service:web", "VirtualMachine:vm1", "Host:h2"} <= keys


def test_unknown_start_is_not_found(estate):
    with pytest.raises(CMDBError) as raised:
        analyse_impact(estate, [ref("Host:nope")])

    assert raised.value.code is ErrorCode.NOT_FOUND
    assert "Host:nope" in str(raised.value)


def test_empty_id_is_not_found(estate):
    with pytest.raises(CMDBError) as raised:
        analyse_impact(estate, [StartSpec(id=""), ref("Host:h1")])

    assert raised.value.code is ErrorCode.NOT_FOUND


def test_empty_start_set_is_refused(estate):
    with pytest.raises(CMDBError, match="at least one"):
        analyse_impact(estate, [])


@pytest.mark.parametrize("depth", [-1, 10_000])
def test_absurd_depth_is_refused(estate, depth):
    with pytest.raises(CMDBError) as raised:
        analyse_impact(estate, [ref("Host:h1")], max_depth=depth)

    assert raised.value.problems[0].field == "maxDepth"


def test_retired_start_gives_an_explained_empty_answer(estate, context):
    host = cis.find_ci(estate, CIRef("Host", "h1"))
    cis.retire_ci(estate, host["id"], context)

    report = analyse_impact(estate, [ref("Host:h1")])

    assert report.result.affected == {}
    assert "retired" in report.result.explanation


IMPACT = """
query($starts: [CIRefInput!]!, $mode: ImpactMode!) {
  impact(input: {starts: $starts, mode: $mode}) {
    totalAffected limitHit
    counts { type state count }
    affected(first: 2) { items { key state reason { relationshipType } } nextCursor }
    customers { items { customer { key state } slaTier } }
    owners { key supportLevel }
  }
}
"""


def test_graphql_impact_report(graphql, estate):
    result = graphql(IMPACT, starts=[{"type": "Host", "key": "h1"}], mode="FAILURE")

    impact = result["data"]["impact"]
    assert impact["totalAffected"] == 5
    assert impact["affected"]["items"][0] == {
        "key": "h1",
        "state": "DOWN",
        "reason": [],
    }
    assert impact["affected"]["nextCursor"] == "2"
    assert impact["customers"]["items"] == [
        {"customer": {"key": "acme", "state": "DEGRADED"}, "slaTier": "gold"}
    ]
    assert impact["owners"] == [{"key": "virt", "supportLevel": 2}]


PAGES = """
query($after: String) {
  impact(input: {starts: [{type: "Host", key: "h1"}]}) {
    affected(first: 2, after: $after) { items { key } total nextCursor }
    customers {
      items {
        customer { key }
        affectedCis { key reason { sourceId relationshipType targetId } }
      }
    }
  }
}
"""


def test_graphql_impact_pages_and_customers_hurt_cis(graphql, estate):
    pages, after = [], None
    while True:
        page = graphql(PAGES, after=after)["data"]["impact"]["affected"]
        pages.append([item["key"] for item in page["items"]])
        after = page["nextCursor"]
        if after is None:
            break
    customers = graphql(PAGES)["data"]["impact"]["customers"]["items"]

    assert pages == [["h1", "vm1"], ["c1", "web"], ["acme"]]
    assert page["total"] == 5
    web = cis.find_ci(estate, CIRef("Service", "web"))["id"]
    vm1 = cis.find_ci(estate, CIRef("VirtualMachine", "vm1"))["id"]
    h1 = cis.find_ci(estate, CIRef("Host", "h1"))["id"]
    assert customers == [
        {
            "customer": {"key": "acme"},
            "affectedCis": [
                {
                    "key": "web",
                    "reason": [
                        {
                            "sourceId": vm1,
                            "relationshipType": "RUNS_ON",
                            "targetId": h1,
                        },
                        {
                            "sourceId": web,
                            "relationshipType": "DEPENDS_ON",
                            "targetId": vm1,
                        },
                    ],
                }
            ],
        }
    ]


def test_graphql_impact_unknown_ci_is_an_error_not_a_crash(graphql, estate):
    result = graphql(IMPACT, starts=[{"type": "Host", "key": "zz"}], mode="FAILURE")

    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
