"""Fixtures for tests against the real Neo4j server."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.api.main import create_app
from app.domain.access import Role
from app.domain.records import WriteContext
from app.services.runtime import Runtime
from app.services.schema import apply_schema
from app.services.tokens import create_token
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


def make_token(runtime: Runtime, role: Role | str, name: str | None = None) -> str:
    """Create an API token with one role and return its secret."""
    role = Role(role)
    return create_token(runtime, name or f"test-{role}", [role.value]).secret


def bearer(secret: str) -> dict[str, str]:
    """Return the header that sends an API token."""
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin_token(runtime: Runtime) -> str:
    """The secret of an admin token, created for this test."""
    return make_token(runtime, Role.ADMIN, "test-admin")


@pytest.fixture
def client(runtime: Runtime, admin_token: str) -> Iterator[TestClient]:
    """An HTTP client of the API over the test runtime, sending an admin token."""
    app = create_app(runtime.settings, runtime=runtime)
    with TestClient(app, headers=bearer(admin_token)) as test_client:
        yield test_client


class GraphQLPoster:
    """Post GraphQL requests as admin, as another role, or with no token.

    ``graphql(query, **variables)`` returns the decoded response of a 200;
    ``graphql.as_role("viewer")`` and ``graphql.anonymous()`` give posters
    that send another role's token or none.
    """

    def __init__(self, client: TestClient, runtime: Runtime, headers: dict) -> None:
        self.client = client
        self.runtime = runtime
        self.headers = headers

    def __call__(self, query: str, **variables: object) -> dict:
        response = self.post(query, **variables)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, query: str, **variables: object):
        """Post and return the HTTP response, whatever its status."""
        return self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=self.headers,
        )

    def as_role(self, role: Role | str) -> "GraphQLPoster":
        """Return a poster that sends a new token carrying only ``role``."""
        headers = bearer(make_token(self.runtime, role))
        return GraphQLPoster(self.client, self.runtime, headers)

    def with_secret(self, secret: str) -> "GraphQLPoster":
        """Return a poster that sends the given token secret."""
        return GraphQLPoster(self.client, self.runtime, bearer(secret))

    def anonymous(self) -> "GraphQLPoster":
        """Return a poster that sends no token at all."""
        return GraphQLPoster(self.client, self.runtime, {"Authorization": ""})


@pytest.fixture
def graphql(client: TestClient, runtime: Runtime) -> GraphQLPoster:
    """Post a GraphQL request as admin and return the decoded response."""
    return GraphQLPoster(client, runtime, {})
