"""Bounded queries: depth, aliases, tokens, batches, pages, impact and time."""

import logging

import pytest
from fastapi.testclient import TestClient

from app.api.main import create_app
from app.services import cis as ci_service
from app.services.runtime import Runtime

pytestmark = pytest.mark.neo4j

CREATE_SITE = 'mutation { createCi(input: {type: "Site", key: "AMS1"}) { id } }'


def codes_of(result: dict) -> set[str]:
    return {e["extensions"].get("code") for e in result.get("errors") or []}


def limited_client(runtime: Runtime, admin_token: str, **limits) -> TestClient:
    settings = runtime.settings.model_copy(update=limits)
    limited = Runtime(settings, runtime.catalogue, runtime.db)
    app = create_app(settings, runtime=limited)
    return TestClient(app, headers={"Authorization": f"Bearer {admin_token}"})


def test_too_deep_a_query_is_refused(graphql):
    nested = "relationships { items { ci { " * 8 + "id" + " } } }" * 8
    result = graphql(f'{{ ci(type: "Site", key: "x") {{ {nested} }} }}')

    assert result["data"] is None
    assert "exceeds maximum operation depth" in result["errors"][0]["message"]


def test_too_many_aliases_are_refused(graphql):
    aliases = " ".join(f"a{i}: ciTypes {{ name }}" for i in range(40))
    result = graphql(f"{{ {aliases} }}")

    assert "aliases" in result["errors"][0]["message"]


def test_too_many_tokens_are_refused(graphql):
    fields = " ".join(["__typename"] * 3000)
    result = graphql(f"{{ {fields} }}")

    assert "tokens" in result["errors"][0]["message"].lower()


def test_batches_are_bounded(client):
    batch = [{"query": "{ __typename }"}] * 11

    response = client.post("/graphql", json=batch)

    assert response.status_code == 400
    assert "too many operations" in response.text.lower()


def test_a_small_batch_is_served(client):
    response = client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)

    assert response.status_code == 200
    assert response.json() == [{"data": {"__typename": "Query"}}] * 2


def test_page_size_is_capped(graphql):
    result = graphql('{ cis(type: "Site", first: 100000) { nextCursor } }')

    assert codes_of(result) == {"INVALID_VALUE"}


def test_impact_depth_is_capped_by_the_settings(runtime, admin_token, graphql):
    site = graphql(CREATE_SITE)["data"]["createCi"]
    rack = graphql(
        'mutation { createCi(input: {type: "Rack", key: "R1", name: "R1"}) { id } }'
    )["data"]["createCi"]
    graphql(
        "mutation($r: ID!, $s: ID!) "
        '{ relate(input: {sourceId: $r, type: "LOCATED_IN", targetId: $s}) }',
        r=rack["id"],
        s=site["id"],
    )
    query = """
    query($id: ID!) {
      impact(input: {starts: [{id: $id}], maxDepth: 90}) { limitHit totalAffected }
    }
    """
    with limited_client(runtime, admin_token, max_impact_depth=0) as client:
        response = client.post(
            "/graphql", json={"query": query, "variables": {"id": site["id"]}}
        )

    assert response.json()["data"]["impact"]["limitHit"] is True, response.json()


def test_oversized_body_is_413(client, runtime):
    settings_limit = runtime.settings.max_request_bytes
    body = "x" * (settings_limit + 1)

    response = client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_slow_request_times_out(runtime, admin_token, monkeypatch):
    import time

    def slow_list(*args, **kwargs):
        time.sleep(2)

    monkeypatch.setattr(ci_service, "list_cis", slow_list)
    with limited_client(runtime, admin_token, request_timeout_s=0.3) as client:
        response = client.post(
            "/graphql", json={"query": '{ cis(type: "Site") { nextCursor } }'}
        )

    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    client, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk path /secret/place")

    monkeypatch.setattr(ci_service, "list_cis", broken)
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/graphql",
            json={"query": '{ cis(type: "Site") { nextCursor } }'},
            headers={"X-Request-ID": "req-42"},
        )

    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": "req-42",
    }
    assert "/secret/place" not in response.text
    assert "req-42" in caplog.text
    assert "/secret/place" in caplog.text


def test_unreachable_database_is_503(neo4j_settings):
    settings = neo4j_settings.model_copy(
        update={
            "neo4j_uri": "neo4j://127.0.0.1:9",
            "auth_enabled": False,
            "neo4j_max_retry_time_s": 0.5,
            "neo4j_connection_timeout_s": 0.5,
        }
    )
    runtime = Runtime.open(settings)
    try:
        with TestClient(create_app(settings, runtime=runtime)) as client:
            response = client.post(
                "/graphql", json={"query": '{ cis(type: "Site") { nextCursor } }'}
            )
    finally:
        runtime.close()

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


def test_unreachable_database_during_authentication_is_503(neo4j_settings):
    settings = neo4j_settings.model_copy(
        update={
            "neo4j_uri": "neo4j://127.0.0.1:9",
            "neo4j_max_retry_time_s": 0.5,
            "neo4j_connection_timeout_s": 0.5,
        }
    )
    runtime = Runtime.open(settings)
    try:
        with TestClient(create_app(settings, runtime=runtime)) as client:
            response = client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"Authorization": "Bearer cmdb_anything"},
            )
    finally:
        runtime.close()

    assert response.status_code == 503


class ServerError(Exception):
    """Stands for a driver error: it carries the server's error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@pytest.mark.parametrize(
    ("server_code", "code"),
    [
        (
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
            "TIMEOUT",
        ),
        ("Neo.TransientError.General.DatabaseUnavailable", "UNAVAILABLE"),
        ("Neo.ClientError.Schema.ConstraintValidationFailed", "CONFLICT"),
    ],
)
def test_server_errors_get_their_own_codes(client, monkeypatch, server_code, code):
    def failing(*args, **kwargs):
        raise ServerError(server_code)

    monkeypatch.setattr(ci_service, "list_cis", failing)
    response = client.post(
        "/graphql", json={"query": '{ cis(type: "Site") { nextCursor } }'}
    )

    assert response.json()["errors"][0]["extensions"]["code"] == code
