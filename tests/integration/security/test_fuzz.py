"""Generated queries and mutations, valid and invalid: never a 5xx, never masked.

Every request is made as admin against a small seeded estate, so that most
generated requests get past the permission check and reach the services.
"""

from datetime import UTC, datetime

import graphql as graphql_core
import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, mutations, nodes, queries

from app.api.graphql.schema import Mutation, Query
from app.demo import generate_estate
from app.domain.records import WriteContext
from app.services import bulk

pytestmark = pytest.mark.neo4j

SCHEMA = str(strawberry.Schema(query=Query, mutation=Mutation))
KEYS = ["type", "key", "name", "cis", "relationships", "city", "tier", "from", "to"]


def fuzz(examples: int) -> settings:
    """Settings of one fuzzing run: seeded, with no per-example deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )


def json_node(value) -> graphql_core.ValueNode:
    """Write a JSON value as a GraphQL literal."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([json_node(item) for item in value])
    return nodes.Object(
        [
            graphql_core.ObjectFieldNode(
                name=graphql_core.NameNode(value=name), value=json_node(item)
            )
            for name, item in value.items()
        ]
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4
        )
    ),
    max_leaves=12,
)
DATETIMES = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)
SCALARS = {
    "JSON": JSON_VALUES.map(json_node),
    "DateTime": DATETIMES.map(lambda value: nodes.String(value.isoformat())),
}


@pytest.fixture
def estate(runtime):
    bulk.load_document(
        runtime, generate_estate(vms=5, seed=11), WriteContext("fuzz", "test")
    )
    return runtime


def check(client, query) -> None:
    response = client.post("/graphql", json={"query": query})

    assert response.status_code < 500, (query, response.text)
    assert "INTERNAL_SERVER_ERROR" not in error_codes(response), (query, response.text)


def error_codes(response) -> set[str]:
    """Return the codes of a GraphQL response's errors; none for plain text."""
    if "json" not in response.headers.get("content-type", ""):
        return set()
    body = response.json()
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    return {(error.get("extensions") or {}).get("code") for error in errors}


def test_generated_valid_queries(client, estate):
    @fuzz(200)
    @given(queries(SCHEMA, custom_scalars=SCALARS))
    def run(query):
        check(client, query)

    run()


def test_generated_valid_mutations(client, estate):
    @fuzz(200)
    @given(mutations(SCHEMA, custom_scalars=SCALARS))
    def run(query):
        check(client, query)

    run()


def test_generated_invalid_queries(client, estate):
    @fuzz(600)
    @given(from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
    def run(query):
        check(client, query)

    run()


def test_arbitrary_text_as_a_query(client, estate):
    @fuzz(800)
    @given(st.text(max_size=300))
    def run(query):
        check(client, query)

    run()
