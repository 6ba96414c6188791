"""Export, restore, export again: the same bytes, the same graph."""

import json
from datetime import datetime

import pytest

from app.demo import generate_estate
from app.domain.backup import render_document
from app.domain.errors import CMDBError
from app.domain.records import WriteContext
from app.services import bulk
from app.services import cis as ci_service
from app.services.backup import export_graph, restore_graph
from app.services.tokens import create_token

pytestmark = pytest.mark.neo4j


def make_estate(runtime) -> None:
    """Load a small estate, change a CI and add a token: every kind of record."""
    context = WriteContext("tester", "test")
    bulk.load_document(runtime, generate_estate(vms=5, seed=3), context)
    site = ci_service.list_cis(runtime, "Site", first=1).items[0]
    ci_service.update_ci(runtime, site["id"], {"name": "renamed \u00e9 `x`"}, context)
    create_token(runtime, "backup-test", ["viewer"])
    runtime.db.driver.execute_query(
        "CREATE (:SyncState {source: $source, floats: $floats, raw: $raw})",
        {"source": "vsphere:vc1", "floats": [1.0, 2.5], "raw": b"\x00\x01"},
    )


def clear(runtime) -> None:
    runtime.db.auto_commit("graph_clear")


def test_export_restore_export_gives_the_same_bytes(runtime):
    make_estate(runtime)
    first = render_document(export_graph(runtime))

    clear(runtime)
    restore_graph(runtime, json.loads(first))
    second = render_document(export_graph(runtime))

    assert second == first


def test_export_holds_every_label_and_relationship_type(runtime):
    make_estate(runtime)

    document = export_graph(runtime)

    labels = {label for node in document["nodes"] for label in node["labels"]}
    assert {"CI", "Site", "HistoryEntry", "ApiToken", "SyncState"} <= labels
    assert "CatalogueVersion" not in labels
    assert {r["type"] for r in document["relationships"]}


def test_datetimes_restore_as_datetimes(runtime):
    make_estate(runtime)
    document = export_graph(runtime)
    clear(runtime)

    restore_graph(runtime, document)

    site = ci_service.list_cis(runtime, "Site", first=1).items[0]
    assert isinstance(site["created_at"], datetime)
    assert site["created_at"].tzinfo is not None


def test_restore_refuses_a_graph_that_is_not_empty(runtime):
    make_estate(runtime)
    document = export_graph(runtime)

    with pytest.raises(CMDBError) as refused:
        restore_graph(runtime, document)

    assert refused.value.code == "CONFLICT"


def test_a_label_outside_the_catalogue_rejects_the_whole_document(runtime):
    make_estate(runtime)
    document = export_graph(runtime)
    clear(runtime)
    document["nodes"][-1]["labels"] = ["Evil`) DETACH DELETE n //"]

    with pytest.raises(CMDBError) as refused:
        restore_graph(runtime, document)

    count = runtime.db.driver.execute_query(
        "MATCH (n) WHERE NOT (n:CatalogueVersion OR n:GraphRevisionHead "
        "OR n:GraphRevision) RETURN count(n) AS n"
    ).records[0]["n"]
    assert refused.value.code == "UNKNOWN_TYPE"
    assert count == 0


def test_a_relationship_type_outside_the_catalogue_rejects_the_document(runtime):
    make_estate(runtime)
    document = export_graph(runtime)
    clear(runtime)
    document["relationships"][0]["type"] = "OWNS_EVERYTHING"

    with pytest.raises(CMDBError) as refused:
        restore_graph(runtime, document)

    assert refused.value.code == "UNKNOWN_RELATIONSHIP_TYPE"
