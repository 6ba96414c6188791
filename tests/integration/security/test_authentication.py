"""API tokens at the door: who may call, and as whom their writes are recorded."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.api.main import create_app
from app.domain.tokens import hash_secret
from app.services.tokens import create_token, revoke_token

pytestmark = pytest.mark.neo4j

CIS_TYPES = "{ ciTypes { name } }"
CREATE_SITE = """
mutation($key: String!) {
  createCi(input: {type: "Site", key: $key}) { id }
}
"""
HISTORY = "query($id: ID!) { ci(id: $id) { history(first: 5) { items { actor } } } }"
REVOKE = "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def post(client: TestClient, headers: dict[str, str]):
    return client.post("/graphql", json={"query": CIS_TYPES}, headers=headers)


def test_no_token_is_401_with_a_json_error(graphql):
    response = graphql.anonymous().post(CIS_TYPES)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "header", ["Bearer", "Basic dXNlcjpwYXNz", "Bearer cmdb_not-a-real-token"]
)
def test_malformed_or_unknown_token_is_401(client, header):
    response = post(client, {"Authorization": header})

    assert response.status_code == 401
    assert response.json()["data"] is None


def test_revoked_token_is_401(client, runtime):
    created = create_token(runtime, "leaver", ["viewer"])
    revoke_token(runtime, created.record["id"])

    response = post(client, bearer(created.secret))

    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]


def test_a_revocation_in_this_process_counts_at_once(client, runtime, graphql):
    created = create_token(runtime, "leaver", ["viewer"])
    assert post(client, bearer(created.secret)).status_code == 200

    graphql(REVOKE, id=created.record["id"])
    response = post(client, bearer(created.secret))

    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]


def test_a_revocation_elsewhere_counts_once_the_cached_check_is_old(runtime):
    # Asked without pause, the token's cached check must still age out.
    settings = runtime.settings.model_copy(update={"token_cache_s": 0.5})
    created = create_token(runtime, "leaver", ["viewer"])
    with TestClient(create_app(settings, runtime=runtime)) as client:
        assert post(client, bearer(created.secret)).status_code == 200
        runtime.db.write(
            "api_token_revoke", id=created.record["id"], now=datetime.now(UTC)
        )
        deadline = time.monotonic() + 10
        while post(client, bearer(created.secret)).status_code == 200:
            assert time.monotonic() < deadline, "the cached check never aged out"
            time.sleep(0.05)


def test_expired_token_is_401(client, runtime):
    created = create_token(runtime, "short-lived", ["viewer"], timedelta(minutes=1))
    runtime.db.driver.execute_query(
        "MATCH (t:ApiToken {id: $id}) SET t.expires_at = $past",
        {"id": created.record["id"], "past": datetime.now(UTC) - timedelta(hours=1)},
    )

    response = post(client, bearer(created.secret))

    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["message"]


def test_good_token_is_served_and_its_use_recorded(client, runtime):
    created = create_token(runtime, "reader", ["viewer"])

    response = post(client, bearer(created.secret))

    assert response.status_code == 200
    assert "errors" not in response.json()
    rows = runtime.db.read("api_token_list")
    used = [r["token"] for r in rows if r["token"]["id"] == created.record["id"]]
    assert used[0]["last_used_at"] is not None


def test_only_the_hash_of_a_secret_is_stored(runtime):
    created = create_token(runtime, "auditor", ["viewer"])

    records, _, _ = runtime.db.driver.execute_query(
        "MATCH (t:ApiToken {id: $id}) RETURN properties(t) AS p",
        {"id": created.record["id"]},
    )

    stored = records[0]["p"]
    assert stored["hash"] == hash_secret(created.secret)
    assert created.secret not in {str(value) for value in stored.values()}


def test_history_records_the_token_name_as_actor(graphql):
    engineer = graphql.as_role("engineer")

    site = engineer(CREATE_SITE, key="AMS1")["data"]["createCi"]
    history = graphql(HISTORY, id=site["id"])["data"]["ci"]["history"]["items"]

    assert history[0]["actor"] == "test-engineer"


def test_wrong_role_is_forbidden_with_no_data(graphql):
    result = graphql.as_role("viewer")(CREATE_SITE, key="AMS1")

    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_request_id_comes_back_with_answers_and_refusals(client):
    served = client.post(
        "/graphql", json={"query": CIS_TYPES}, headers={"X-Request-ID": "req-7"}
    )
    refused = client.post(
        "/graphql",
        json={"query": CIS_TYPES},
        headers={"X-Request-ID": "req-8", "Authorization": ""},
    )

    assert (served.status_code, refused.status_code) == (200, 401)
    assert served.headers["X-Request-ID"] == "req-7"
    assert refused.headers["X-Request-ID"] == "req-8"


def test_health_probes_need_no_token(client):
    response = client.get("/healthz", headers={"Authorization": ""})

    assert response.status_code == 200


def test_graphiql_page_loads_without_a_token(client):
    response = client.get(
        "/graphql", headers={"Accept": "text/html", "Authorization": ""}
    )

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_authentication_can_be_switched_off_for_local_use(runtime):
    settings = runtime.settings.model_copy(update={"auth_enabled": False})
    with TestClient(create_app(settings, runtime=runtime)) as client:
        response = client.post(
            "/graphql", json={"query": CREATE_SITE, "variables": {"key": "L1"}}
        )

    assert response.status_code == 200
    assert "errors" not in response.json()


def test_graphiql_and_introspection_can_be_switched_off(runtime, admin_token):
    settings = runtime.settings.model_copy(
        update={"graphiql": False, "graphql_introspection": False}
    )
    app = create_app(settings, runtime=runtime)
    with TestClient(app, headers=bearer(admin_token)) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
        introspection = client.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}
        )

    assert page.status_code != 200 or "graphiql" not in page.text.lower()
    assert introspection.json()["errors"][0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )


def test_openapi_description_follows_introspection(runtime):
    settings = runtime.settings.model_copy(update={"graphql_introspection": False})
    with TestClient(create_app(settings, runtime=runtime)) as client:
        described = client.get("/openapi.json")
        docs = client.get("/docs")

    assert (described.status_code, docs.status_code) == (404, 404)
