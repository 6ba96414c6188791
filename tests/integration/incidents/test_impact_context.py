"""Impact questions count what open incidents already take down."""

import pytest

from .conftest import make_incident

pytestmark = pytest.mark.neo4j

QUERY = """
query($useContext: Boolean!) {
  impact(input: {starts: [{type: "Host", key: "h1"}], useContext: $useContext}) {
    affected(type: "Cluster") { items { key state } }
  }
}
"""


def cluster_state(graphql, use_context: bool) -> str:
    data = graphql(QUERY, useContext=use_context)["data"]
    return data["impact"]["affected"]["items"][0]["state"]


def test_host_failure_with_the_other_host_down_in_an_incident(estate, graphql):
    make_incident(estate, "Host:h2")

    assert cluster_state(graphql, use_context=True) == "DOWN"
    assert cluster_state(graphql, use_context=False) == "DEGRADED"


def test_without_open_incidents_the_cluster_is_only_degraded(estate, graphql):
    assert cluster_state(graphql, use_context=True) == "DEGRADED"


def test_download_counts_the_context_too(estate, client):
    make_incident(estate, "Host:h2")

    document = client.get("/api/impact.json", params={"start": "Host:h1"}).json()
    states = {ci["key"]: ci["state"] for ci in document["affected"]}

    assert states["c1"] == "DOWN"
