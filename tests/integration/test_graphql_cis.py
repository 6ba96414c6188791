"""Configuration items through GraphQL, against the real Neo4j."""

import pytest

pytestmark = pytest.mark.neo4j

CREATE = """
mutation Create($input: CIInput!) {
  createCi(input: $input) { id type key name status version attributes }
}
"""
UPDATE = """
mutation Update($id: ID!, $input: CIUpdateInput!, $version: Int) {
  updateCi(id: $id, input: $input, expectedVersion: $version) {
    id name version attributes
  }
}
"""
HISTORY = """
query History($id: ID!, $first: Int!, $after: String) {
  ci(id: $id) {
    history(first: $first, after: $after) {
      items { action actor source requestId changes relationshipType otherId }
      nextCursor
    }
  }
}
"""
RELATE = """
mutation Relate($input: RelationshipInput!) { relate(input: $input) }
"""


def make_site(graphql, key="AMS1", **attributes) -> dict:
    result = graphql(
        CREATE, input={"type": "Site", "key": key, "attributes": attributes}
    )
    assert "errors" not in result, result
    return result["data"]["createCi"]


def make_rack(graphql, key="AMS1-R01") -> dict:
    result = graphql(CREATE, input={"type": "Rack", "key": key, "name": "Rack 1"})
    return result["data"]["createCi"]


def error_of(result: dict) -> dict:
    assert result["data"] is None, result
    return result["errors"][0]["extensions"]


def test_create_returns_the_stored_ci(graphql):
    site = make_site(graphql, city="Amsterdam", tier=3)

    assert site["type"] == "Site"
    assert site["name"] == "AMS1"
    assert site["status"] == "active"
    assert site["version"] == 1
    assert site["attributes"] == {"city": "Amsterdam", "tier": 3}


def test_read_by_id_and_by_type_and_key(graphql):
    site = make_site(graphql)

    by_id = graphql("query($id: ID!) { ci(id: $id) { key } }", id=site["id"])
    by_key = graphql('{ ci(type: "Site", key: "AMS1") { id } }')

    assert by_id["data"]["ci"]["key"] == "AMS1"
    assert by_key["data"]["ci"]["id"] == site["id"]


def test_unknown_type_is_refused_with_a_code(graphql):
    result = graphql(CREATE, input={"type": "Toaster", "key": "t1"})

    assert error_of(result)["code"] == "UNKNOWN_TYPE"
    assert error_of(result)["field"] == "type"


def test_unknown_property_is_refused_naming_the_field(graphql):
    result = graphql(
        CREATE, input={"type": "Site", "key": "X", "attributes": {"colour": "red"}}
    )

    assert error_of(result)["code"] == "UNKNOWN_PROPERTY"
    assert error_of(result)["field"] == "attributes.colour"


def test_missing_required_property_is_refused(graphql):
    result = graphql(CREATE, input={"type": "Customer", "key": "C-1"})

    assert error_of(result)["code"] == "MISSING_PROPERTY"
    assert error_of(result)["field"] == "attributes.sla_tier"


def test_wrong_value_type_is_refused(graphql):
    result = graphql(
        CREATE, input={"type": "Site", "key": "X", "attributes": {"tier": "three"}}
    )

    assert error_of(result)["code"] == "INVALID_VALUE"
    assert error_of(result)["field"] == "attributes.tier"


def test_duplicate_key_is_refused_and_nothing_written(graphql):
    first = make_site(graphql)

    result = graphql(CREATE, input={"type": "Site", "key": "AMS1"})
    history = graphql(HISTORY, id=first["id"], first=10)

    assert error_of(result)["code"] == "DUPLICATE_KEY"
    assert len(history["data"]["ci"]["history"]["items"]) == 1


def test_rejected_request_writes_nothing(graphql, runtime):
    graphql(CREATE, input={"type": "Site", "key": "S", "attributes": {"tier": 9}})

    assert runtime.db.read("ci_get_by_key", type="Site", key="S") == []
    rows = runtime.db.driver.execute_query(
        "MATCH (n) WHERE NOT (n:ApiToken OR n:GraphRevisionHead OR n:GraphRevision) "
        "RETURN count(n) AS n"
    )
    assert rows.records[0]["n"] == 1  # only the catalogue version record


def test_update_records_before_and_after(graphql):
    site = make_site(graphql, city="Amsterdam")

    updated = graphql(UPDATE, id=site["id"], input={"name": "Amsterdam 1"}, version=1)[
        "data"
    ]["updateCi"]
    history = graphql(HISTORY, id=site["id"], first=10)["data"]["ci"]["history"]

    assert updated["version"] == 2
    newest = history["items"][0]
    assert newest["action"] == "update"
    assert newest["actor"] == "test-admin"  # the name of the caller's token
    assert newest["source"] == "api"
    assert newest["changes"] == {"name": {"before": "AMS1", "after": "Amsterdam 1"}}


def test_stale_version_is_a_conflict(graphql):
    site = make_site(graphql)
    graphql(UPDATE, id=site["id"], input={"name": "first"}, version=1)

    result = graphql(UPDATE, id=site["id"], input={"name": "second"}, version=1)

    assert error_of(result)["code"] == "CONFLICT"


def test_null_attribute_removes_it(graphql):
    site = make_site(graphql, city="Amsterdam")

    updated = graphql(UPDATE, id=site["id"], input={"attributes": {"city": None}})

    assert updated["data"]["updateCi"]["attributes"] == {}


def test_retire_keeps_the_ci_and_its_history(graphql):
    site = make_site(graphql)

    retired = graphql(
        "mutation($id: ID!) { retireCi(id: $id) { status } }", id=site["id"]
    )
    history = graphql(HISTORY, id=site["id"], first=10)["data"]["ci"]["history"]

    assert retired["data"]["retireCi"]["status"] == "retired"
    assert [item["action"] for item in history["items"]] == ["retire", "create"]


def test_relate_and_list_both_directions(graphql):
    site, rack = make_site(graphql), make_rack(graphql)

    graphql(
        RELATE,
        input={"sourceId": rack["id"], "type": "LOCATED_IN", "targetId": site["id"]},
    )
    query = """query($id: ID!, $d: String!) { ci(id: $id) {
        relationships(direction: $d) { items { type direction other { key } } } } }"""
    outgoing = graphql(query, id=rack["id"], d="out")["data"]["ci"]["relationships"]
    incoming = graphql(query, id=site["id"], d="in")["data"]["ci"]["relationships"]

    assert outgoing["items"] == [
        {"type": "LOCATED_IN", "direction": "out", "other": {"key": "AMS1"}}
    ]
    assert incoming["items"][0]["other"]["key"] == "AMS1-R01"


def test_relate_twice_records_once(graphql):
    site, rack = make_site(graphql), make_rack(graphql)
    edge = {"sourceId": rack["id"], "type": "LOCATED_IN", "targetId": site["id"]}

    graphql(RELATE, input=edge)
    graphql(RELATE, input=edge)
    history = graphql(HISTORY, id=site["id"], first=10)["data"]["ci"]["history"]

    assert [item["action"] for item in history["items"]] == ["relate", "create"]


def test_relationship_between_disallowed_types_is_refused(graphql):
    site, rack = make_site(graphql), make_rack(graphql)

    result = graphql(
        RELATE,
        input={"sourceId": site["id"], "type": "LOCATED_IN", "targetId": rack["id"]},
    )

    assert error_of(result)["code"] == "ENDPOINTS_NOT_ALLOWED"


def test_unrelate_is_recorded(graphql):
    site, rack = make_site(graphql), make_rack(graphql)
    edge = {"sourceId": rack["id"], "type": "LOCATED_IN", "targetId": site["id"]}
    graphql(RELATE, input=edge)

    removed = graphql(
        'mutation($s: ID!, $t: ID!) { unrelate(sourceId: $s, type: "LOCATED_IN",'
        " targetId: $t) }",
        s=rack["id"],
        t=site["id"],
    )
    history = graphql(HISTORY, id=rack["id"], first=1)["data"]["ci"]["history"]

    assert removed["data"]["unrelate"] is True
    assert history["items"][0]["action"] == "unrelate"
    assert history["items"][0]["relationshipType"] == "LOCATED_IN"


def test_list_filters_and_paginates(graphql):
    for number in range(5):
        make_site(graphql, key=f"S{number}", city="Amsterdam" if number % 2 else "Oslo")
    query = """query($after: String) { cis(type: "Site", first: 2, after: $after,
        attributes: {city: "Oslo"}) { items { key } nextCursor } }"""

    first = graphql(query)["data"]["cis"]
    second = graphql(query, after=first["nextCursor"])["data"]["cis"]

    assert [ci["key"] for ci in first["items"]] == ["S0", "S2"]
    assert [ci["key"] for ci in second["items"]] == ["S4"]
    assert second["nextCursor"] is None


def test_name_substring_filter_ignores_case(graphql):
    make_site(graphql, key="AMS1")
    make_site(graphql, key="OSL1")

    result = graphql('{ cis(type: "Site", nameContains: "ams") { items { key } } }')

    assert [ci["key"] for ci in result["data"]["cis"]["items"]] == ["AMS1"]


def test_history_pages_newest_first(graphql):
    site = make_site(graphql)
    for number in range(3):
        graphql(UPDATE, id=site["id"], input={"name": f"name {number}"})

    first = graphql(HISTORY, id=site["id"], first=2)["data"]["ci"]["history"]
    rest = graphql(HISTORY, id=site["id"], first=2, after=first["nextCursor"])

    names = [i["changes"]["name"]["after"] for i in first["items"]]
    assert names == ["name 2", "name 1"]
    actions = [i["action"] for i in rest["data"]["ci"]["history"]["items"]]
    assert actions == ["update", "create"]


def test_page_size_is_bounded(graphql):
    result = graphql('{ cis(type: "Site", first: 100000) { items { key } } }')

    assert error_of(result)["code"] == "INVALID_VALUE"
    assert error_of(result)["field"] == "first"
