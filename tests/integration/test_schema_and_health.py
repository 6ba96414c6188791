"""The catalogue in the graph, every statement's plan, and the probes."""

import pytest

from app.services.schema import applied_version, apply_schema, schema_is_current

pytestmark = pytest.mark.neo4j

SLOT_VALUES = {"label": "Host", "property": "serial"}


def constraint_names(runtime) -> set[str]:
    records = runtime.db.driver.execute_query("SHOW CONSTRAINTS YIELD name").records
    return {record["name"] for record in records}


def test_apply_creates_a_key_constraint_per_type(runtime):
    names = constraint_names(runtime)

    assert {"ci_id_unique", "ci_type_key_unique", "host_key_unique"} <= names
    assert {f"{t.lower()}_key_unique" for t in runtime.catalogue.types} <= names


def test_apply_is_idempotent_and_records_the_version(runtime):
    before = constraint_names(runtime)

    report = apply_schema(runtime)

    assert constraint_names(runtime) == before
    assert applied_version(runtime)["version"] == runtime.catalogue.version
    assert applied_version(runtime)["digest"] == report.digest
    assert schema_is_current(runtime)


def test_every_statement_plans_on_the_real_server(runtime):
    store = runtime.db.statements
    allowed = runtime.catalogue.labels | {"serial"}
    for name in store.names():
        raw = _raw(store, name)
        slots = {k: v for k, v in SLOT_VALUES.items() if f"{{{{{k}}}}}" in raw}
        text = store.render(name, allowed, **slots) if slots else store.get(name)
        if _is_schema_command(text):
            continue  # apply_schema runs these; the tests above check them
        with runtime.db.driver.session(database=runtime.db.database) as session:
            session.run(f"EXPLAIN {text}").consume()


def _raw(store, name: str) -> str:
    return (store.directory / f"{name}.cypher").read_text()


def _is_schema_command(text: str) -> bool:
    lines = [line for line in text.splitlines() if not line.startswith("//")]
    schema = ("CREATE CONSTRAINT", "CREATE INDEX", "CREATE TEXT", "ALTER CURRENT")
    return lines[0].startswith(schema)


def test_healthz_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_the_catalogue_applied(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["catalogue"] == "applied"


def test_readyz_is_not_ready_without_the_catalogue(client, runtime):
    runtime.db.driver.execute_query("MATCH (c:CatalogueVersion) DELETE c")
    try:
        response = client.get("/readyz")
    finally:
        apply_schema(runtime)

    assert response.status_code == 503
    assert response.json()["catalogue"] == "not applied"


def test_graphql_lists_the_catalogue(graphql):
    result = graphql("{ ciTypes { name } relationshipTypes { name dependent } }")

    names = {t["name"] for t in result["data"]["ciTypes"]}
    assert {"Host", "VirtualMachine", "Customer"} <= names
    runs_on = [r for r in result["data"]["relationshipTypes"] if r["name"] == "RUNS_ON"]
    assert runs_on == [{"name": "RUNS_ON", "dependent": "source"}]
