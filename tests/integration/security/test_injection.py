"""Hostile names and attributes are stored exactly; hostile labels never run."""

import pytest

pytestmark = pytest.mark.neo4j

CREATE = """
mutation($input: CIInput!) { createCi(input: $input) { id name attributes } }
"""
READ = "query($id: ID!) { ci(id: $id) { name attributes } }"
RELATE = """
mutation($s: ID!, $t: String!, $d: ID!) {
  relate(input: {sourceId: $s, type: $t, targetId: $d})
}
"""
# Every node but the graph revision log, which a graph clear leaves behind.
COUNT = (
    "MATCH (n) WHERE NOT (n:GraphRevisionHead OR n:GraphRevision) RETURN count(n) AS n"
)
MAX_KEY_LENGTH = 512
MAX_TEXT_LENGTH = 65_536

HOSTILE = [
    'O\'Brien "the" `rack`',
    "x'}) MATCH (n) DETACH DELETE n //",
    '"}) WITH 1 AS x CALL { MATCH (n) DETACH DELETE n } RETURN x //',
    "`Site` :Host {{label}} $(row.type) ${key}",
    "\\'; DROP DATABASE neo4j; --",
    "zero\u200bwidth\u200djoiner and e\u0301 combining",
    "\u202eright-to-left override\u202c",
    "emoji \U0001f525\U0001f9d1\u200d\U0001f4bb and astral \U00010348",
    "null \x00 byte and \t tab \n newline",
    "\ufeffbyte order mark, \uffff noncharacter",
    "y" * 20_000,
]


def node_count(runtime) -> int:
    return runtime.db.driver.execute_query(COUNT).records[0]["n"]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_name_and_attribute_are_stored_exactly(graphql, text):
    created = graphql(
        CREATE,
        input={
            "type": "Site",
            "key": text[:MAX_KEY_LENGTH],
            "name": text,
            "attributes": {"city": text},
        },
    )["data"]["createCi"]

    stored = graphql(READ, id=created["id"])["data"]["ci"]

    assert stored["name"] == text
    assert stored["attributes"]["city"] == text


def test_text_beyond_the_limits_is_refused_not_cut(graphql, runtime):
    result = graphql(
        CREATE,
        input={
            "type": "Site",
            "key": "k" * (MAX_KEY_LENGTH + 1),
            "name": "n" * (MAX_TEXT_LENGTH + 1),
        },
    )

    fields = {p["field"] for p in result["errors"][0]["extensions"]["problems"]}
    assert fields == {"key", "name"}
    assert node_count(runtime) == 2  # the catalogue version and the caller's token


@pytest.mark.parametrize("text", HOSTILE[:5], ids=range(5))
def test_hostile_key_finds_exactly_its_ci(graphql, text):
    graphql(CREATE, input={"type": "Site", "key": text})
    graphql(CREATE, input={"type": "Site", "key": "plain"})

    found = graphql('query($k: String!) { ci(type: "Site", key: $k) { key } }', k=text)[
        "data"
    ]["ci"]

    assert found["key"] == text


@pytest.mark.parametrize(
    "type_name",
    ["Site`) DETACH DELETE n //", "CI", "HistoryEntry", "ApiToken", "site", ""],
)
def test_a_type_outside_the_catalogue_is_refused(graphql, runtime, type_name):
    before = node_count(runtime)

    result = graphql(CREATE, input={"type": type_name, "key": "k"})

    assert result["errors"][0]["extensions"]["code"] in {
        "UNKNOWN_TYPE",
        "INVALID_VALUE",
    }
    assert node_count(runtime) == before


@pytest.mark.parametrize(
    "rel_type", ["RUNS_ON]->() DETACH DELETE a //", "OWNED_BY`", "runs_on", ""]
)
def test_a_relationship_type_outside_the_catalogue_is_refused(graphql, rel_type):
    site = graphql(CREATE, input={"type": "Site", "key": "S"})["data"]["createCi"]
    rack = graphql(CREATE, input={"type": "Rack", "key": "R", "name": "R"})["data"][
        "createCi"
    ]

    result = graphql(RELATE, s=rack["id"], t=rel_type, d=site["id"])

    assert result["errors"][0]["extensions"]["code"] == "UNKNOWN_RELATIONSHIP_TYPE"


def test_a_load_document_naming_an_unknown_type_writes_nothing(graphql, runtime):
    before = node_count(runtime)
    document = {
        "cis": [
            {"type": "Site", "key": "ok"},
            {"type": "Site`:Evil", "key": "bad"},
        ]
    }

    result = graphql(
        "mutation($d: JSON!) { loadDocument(document: $d) { cisCreated } }",
        d=document,
    )

    assert result["data"] is None
    assert node_count(runtime) == before
