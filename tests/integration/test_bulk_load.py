"""Bulk loading documents, against the real Neo4j."""

import json

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import bulk, cis

pytestmark = pytest.mark.neo4j


def make_document(city: str = "Amsterdam") -> dict:
    return {
        "version": 1,
        "cis": [
            {"type": "Site", "key": "AMS1", "attributes": {"city": city}},
            {"type": "Rack", "key": "AMS1-R01", "attributes": {"units": 42}},
            {"type": "PowerFeed", "key": "AMS1-A", "attributes": {"side": "A"}},
        ],
        "relationships": [
            {"type": "LOCATED_IN", "from": "Rack:AMS1-R01", "to": "Site:AMS1"},
            {
                "type": "FED_BY",
                "from": {"type": "Rack", "key": "AMS1-R01"},
                "to": "PowerFeed:AMS1-A",
                "properties": {"group": "power"},
            },
        ],
    }


def count_history(runtime) -> int:
    result = runtime.db.driver.execute_query(
        "MATCH (h:HistoryEntry) RETURN count(h) AS n"
    )
    return result.records[0]["n"]


def test_first_load_creates_everything_with_history(runtime, context):
    report = bulk.load_document(runtime, make_document(), context)

    assert (report.cis_created, report.relationships_created) == (3, 2)
    assert count_history(runtime) == 5


def test_second_load_changes_nothing_and_records_nothing(runtime, context):
    bulk.load_document(runtime, make_document(), context)
    before = count_history(runtime)

    report = bulk.load_document(runtime, make_document(), WriteContext("t", "test"))

    assert (report.cis_created, report.cis_updated) == (0, 0)
    assert (report.cis_unchanged, report.relationships_unchanged) == (3, 2)
    assert count_history(runtime) == before


def test_changed_attribute_updates_the_same_ci(runtime, context):
    bulk.load_document(runtime, make_document(), context)
    site_id = cis.find_ci(runtime, CIRef("Site", "AMS1"))["id"]

    report = bulk.load_document(runtime, make_document(city="Amstelveen"), context)
    site = cis.find_ci(runtime, CIRef("Site", "AMS1"))

    assert report.cis_updated == 1
    assert site["id"] == site_id
    assert (site["city"], site["version"]) == ("Amstelveen", 2)


def test_update_keeps_creation_time_and_removes_a_nulled_attribute(runtime, context):
    bulk.load_document(runtime, make_document(), context)
    created = cis.find_ci(runtime, CIRef("Site", "AMS1"))["created_at"]
    document = make_document()
    document["cis"][0]["attributes"] = {"city": None, "country": "NL"}
    document["relationships"][1]["properties"] = {"group": "dual"}

    report = bulk.load_document(runtime, document, context)
    site = cis.find_ci(runtime, CIRef("Site", "AMS1"))
    feed = runtime.db.driver.execute_query(
        "MATCH ()-[r:FED_BY]->() RETURN r.group AS g, r.created_at AS at"
    ).records[0]

    assert (report.cis_updated, report.relationships_updated) == (1, 1)
    assert site["created_at"] == created
    assert "city" not in site
    assert site["country"] == "NL"
    assert feed["g"] == "dual"
    assert feed["at"] is not None


def test_invalid_document_is_rejected_whole_listing_every_problem(runtime, context):
    document = make_document()
    document["cis"].append({"type": "Rack", "key": "R2", "attributes": {"units": "x"}})
    document["cis"].append({"type": "Nope", "key": "n"})
    document["relationships"].append(
        {"type": "LOCATED_IN", "from": "Rack:R9", "to": "Site:AMS1"}
    )

    with pytest.raises(CMDBError) as raised:
        bulk.load_document(runtime, document, context)

    fields = [problem.field for problem in raised.value.problems]
    assert fields == ["cis[3].attributes.units", "cis[4].type"]
    assert count_history(runtime) == 0


def test_reference_to_a_missing_ci_is_rejected(runtime, context):
    document = make_document()
    document["relationships"].append(
        {"type": "LOCATED_IN", "from": "Rack:R9", "to": "Site:AMS1"}
    )

    with pytest.raises(CMDBError) as raised:
        bulk.load_document(runtime, document, context)

    problem = raised.value.problems[0]
    assert (problem.field, problem.code) == (
        "relationships[2].from",
        ErrorCode.NOT_FOUND,
    )
    assert count_history(runtime) == 0


def test_relationships_may_refer_to_cis_already_stored(runtime, context):
    bulk.load_document(runtime, make_document(), context)
    document = {
        "cis": [{"type": "Rack", "key": "AMS1-R02"}],
        "relationships": [
            {"type": "LOCATED_IN", "from": "Rack:AMS1-R02", "to": "Site:AMS1"}
        ],
    }

    report = bulk.load_document(runtime, document, context)

    assert (report.cis_created, report.relationships_created) == (1, 1)


def test_dry_run_writes_nothing(runtime, context):
    report = bulk.load_document(runtime, make_document(), context, dry_run=True)

    assert report.cis_created == 3
    assert count_history(runtime) == 0


def test_graphql_mutation_loads_the_same_document(graphql):
    mutation = """mutation($doc: JSON!) { loadDocument(document: $doc) {
        cisCreated relationshipsCreated } }"""

    result = graphql(mutation, doc=make_document())

    assert result["data"]["loadDocument"] == {
        "cisCreated": 3,
        "relationshipsCreated": 2,
    }


def test_graphql_mutation_reports_problems_by_position(graphql):
    mutation = "mutation($doc: JSON!) { loadDocument(document: $doc) { cisCreated } }"
    document = {"cis": [{"type": "Site"}]}

    result = graphql(mutation, doc=document)

    problems = result["errors"][0]["extensions"]["problems"]
    assert problems[0]["field"] == "cis[0].key"


def test_cli_loads_a_json_file(runtime, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import cli

    path = tmp_path / "estate.json"
    path.write_text(json.dumps(make_document()))
    for name, value in _environment(runtime).items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["load", str(path)])

    assert result.exit_code == 0, result.output
    assert cis.find_ci(runtime, CIRef("Rack", "AMS1-R01")) is not None


def test_cli_rejects_an_invalid_file_and_exits_non_zero(runtime, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import cli

    path = tmp_path / "estate.yaml"
    path.write_text("cis:\n  - {type: Site, key: X, attributes: {tier: 7}}\n")
    for name, value in _environment(runtime).items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["load", str(path)])

    assert result.exit_code == 1
    assert "cis[0].attributes.tier" in result.output
    assert count_history(runtime) == 0


def _environment(runtime) -> dict[str, str]:
    from app.settings import get_settings

    get_settings.cache_clear()
    settings = runtime.settings
    return {
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
    }
