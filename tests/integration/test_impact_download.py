"""The whole impact report as one JSON download, against the real Neo4j."""

import pytest

from app.services import bulk

pytestmark = pytest.mark.neo4j


def make_estate() -> dict:
    """A host running two VMs, one owned by a customer."""
    return {
        "cis": [
            {"type": "Host", "key": "h1"},
            {"type": "VirtualMachine", "key": "vm1"},
            {"type": "VirtualMachine", "key": "vm2"},
            {"type": "Customer", "key": "acme", "attributes": {"sla_tier": "gold"}},
        ],
        "relationships": [
            {"type": "RUNS_ON", "from": "VirtualMachine:vm1", "to": "Host:h1"},
            {"type": "RUNS_ON", "from": "VirtualMachine:vm2", "to": "Host:h1"},
            {"type": "OWNS", "from": "Customer:acme", "to": "VirtualMachine:vm1"},
        ],
    }


@pytest.fixture
def estate(runtime, context):
    bulk.load_document(runtime, make_estate(), context)
    return runtime


def test_download_holds_every_affected_ci_and_customer(estate, client):
    response = client.get("/api/impact.json", params={"start": "Host:h1"})

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    document = response.json()
    assert document["total_affected"] == 4
    assert {ci["key"] for ci in document["affected"]} == {"h1", "vm1", "vm2", "acme"}
    assert [c["customer"]["key"] for c in document["customers"]] == ["acme"]


def test_download_of_an_unknown_ci_is_a_404_naming_it(estate, client):
    response = client.get("/api/impact.json", params={"start": "Host:nope"})

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NOT_FOUND"
    assert "Host:nope" in error["message"]


def test_download_without_a_start_is_refused(estate, client):
    response = client.get("/api/impact.json")

    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["field"] == "starts"
