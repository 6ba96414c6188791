"""Fixtures for tests against the real Neo4j server."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.api.main import create_app
from app.domain.records import WriteContext
from app.services.runtime import Runtime
from app.services.schema import apply_schema
from app.settings import Settings


@pytest.fixture(scope="session")
def session_runtime(neo4j_settings: Settings) -> Iterator[Runtime]:
    """One runtime for the whole session, with the catalogue applied."""
    runtime = Runtime.open(neo4j_settings)
    apply_schema(runtime)
    yield runtime
    runtime.close()


@pytest.fixture
def runtime(session_runtime: Runtime) -> Runtime:
    """The session runtime over a graph emptied for this test."""
    session_runtime.db.auto_commit("graph_clear")
    return session_runtime


@pytest.fixture
def context() -> WriteContext:
    """A write context naming the test as the actor."""
    return WriteContext(actor="tester", source="test")


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """An HTTP client of the API over the test runtime."""
    app = create_app(runtime.settings, runtime=runtime)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def graphql(client: TestClient) -> Callable[..., dict]:
    """Post a GraphQL request and return the decoded response."""

    def post(query: str, **variables: object) -> dict:
        response = client.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.status_code == 200, response.text
        return response.json()

    return post
