"""The graph revision log: every change to CIs recorded once, against the real Neo4j."""

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor

import neo4j
import pytest

from app.db import Database, Tx
from app.domain.errors import CMDBError
from app.domain.records import WriteContext, history_entry, new_id, node_properties
from app.domain.references import CIRef
from app.domain.validation import validate_ci
from app.services import bulk
from app.services import cis as ci_service
from app.services.backup import export_graph, restore_graph
from app.services.tokens import create_token

pytestmark = pytest.mark.neo4j

WRITERS = 8


def head(runtime) -> int:
    return runtime.db.read("graph_revision_head")[0]["revision"]


def revisions_after(runtime, after: int) -> list[dict]:
    return runtime.db.read("graph_revision_since", after=after)


def make_site(runtime, key: str = "AMS1") -> dict:
    return ci_service.create_ci(
        runtime, {"type": "Site", "key": key}, WriteContext("tester", "test")
    )


def make_rack(runtime, key: str = "AMS1-R01") -> dict:
    return ci_service.create_ci(
        runtime, {"type": "Rack", "key": key}, WriteContext("tester", "test")
    )


def make_create_row(runtime, key: str) -> dict:
    """Return a ``ci_create_batch`` row for a new Site, with its history."""
    context = WriteContext("tester", "test")
    ci, problems = validate_ci(runtime.catalogue, {"type": "Site", "key": key})
    assert not problems
    properties = node_properties(ci, new_id(), context.at)
    changes = {k: {"before": None, "after": v} for k, v in properties.items()}
    history = history_entry(context, "create", properties, changes)
    return {"properties": properties, "history": history}


def make_document() -> dict:
    return {
        "version": 1,
        "cis": [
            {"type": "Site", "key": "AMS1"},
            {"type": "Rack", "key": "AMS1-R01"},
            {"type": "PowerFeed", "key": "AMS1-A"},
        ],
        "relationships": [
            {"type": "LOCATED_IN", "from": "Rack:AMS1-R01", "to": "Site:AMS1"},
            {"type": "FED_BY", "from": "Rack:AMS1-R01", "to": "PowerFeed:AMS1-A"},
        ],
    }


def test_schema_apply_creates_the_log_constraints(runtime):
    records = runtime.db.driver.execute_query("SHOW CONSTRAINTS YIELD name").records
    names = {record["name"] for record in records}

    assert {"graph_revision_unique", "graph_revision_head_id_unique"} <= names


def test_creating_a_ci_records_one_revision_naming_it(runtime):
    before = head(runtime)

    site = make_site(runtime)

    assert revisions_after(runtime, before) == [
        {"revision": before + 1, "cis": [site["id"]], "all": False}
    ]
    assert head(runtime) == before + 1


def test_relating_names_both_ends(runtime, context):
    site, rack = make_site(runtime), make_rack(runtime)
    before = head(runtime)

    ci_service.relate(runtime, rack["id"], "LOCATED_IN", site["id"], None, context)

    [revision] = revisions_after(runtime, before)
    assert sorted(revision["cis"]) == sorted([rack["id"], site["id"]])


def test_unrelating_names_both_ends(runtime, context):
    site, rack = make_site(runtime), make_rack(runtime)
    ci_service.relate(runtime, rack["id"], "LOCATED_IN", site["id"], None, context)
    before = head(runtime)

    ci_service.unrelate(runtime, rack["id"], "LOCATED_IN", site["id"], context)

    [revision] = revisions_after(runtime, before)
    assert sorted(revision["cis"]) == sorted([rack["id"], site["id"]])


def test_a_bulk_load_names_every_ci_once_per_batch_transaction(runtime, context):
    before = head(runtime)

    bulk.load_document(runtime, make_document(), context)

    ids = {
        ci_service.find_ci(runtime, CIRef(ci["type"], ci["key"]))["id"]
        for ci in make_document()["cis"]
    }
    created, related = revisions_after(runtime, before)
    assert (created["revision"], related["revision"]) == (before + 1, before + 2)
    assert set(created["cis"]) == ids
    assert set(related["cis"]) == ids


def test_a_load_that_finds_no_differences_records_nothing(runtime, context):
    bulk.load_document(runtime, make_document(), context)
    before = head(runtime)

    bulk.load_document(runtime, make_document(), context)

    assert head(runtime) == before


def test_an_update_that_changes_nothing_records_nothing(runtime, context):
    site = make_site(runtime)
    before = head(runtime)

    ci_service.update_ci(runtime, site["id"], {"name": site["name"]}, context)

    assert head(runtime) == before


def test_a_rejected_request_records_nothing(runtime, context):
    before = head(runtime)

    with pytest.raises(CMDBError):
        ci_service.create_ci(runtime, {"type": "Spaceship", "key": "x"}, context)

    assert head(runtime) == before


def test_a_transaction_that_fails_after_writing_records_nothing(runtime):
    row = make_create_row(runtime, "AMS1")
    before = head(runtime)

    def work(tx: Tx) -> None:
        tx.run("ci_create_batch", rows=[row])
        raise CMDBError.single("", "CONFLICT", "changed my mind")

    with pytest.raises(CMDBError):
        runtime.db.transaction(work)

    assert head(runtime) == before
    assert ci_service.get_ci(runtime, row["properties"]["id"]) is None


def test_reads_record_nothing(runtime):
    site = make_site(runtime)
    before = head(runtime)

    ci_service.get_ci(runtime, site["id"])
    ci_service.list_cis(runtime, "Site")
    runtime.db.read_transaction(lambda tx: tx.run("ci_get_by_id", id=site["id"]))

    assert head(runtime) == before


def test_writes_to_records_other_than_cis_record_nothing(runtime):
    before = head(runtime)

    create_token(runtime, "revision-test", ["viewer"])

    assert head(runtime) == before


def test_a_graph_changing_write_records_in_its_own_transaction(runtime):
    row = make_create_row(runtime, "AMS1")
    before = head(runtime)

    runtime.db.write("ci_create_batch", rows=[row])

    assert revisions_after(runtime, before) == [
        {"revision": before + 1, "cis": [row["properties"]["id"]], "all": False}
    ]


def test_clearing_the_graph_records_the_whole_graph_before_and_after(runtime):
    make_site(runtime)
    before = head(runtime)

    runtime.db.auto_commit("graph_clear")

    assert head(runtime) == before + 2
    assert revisions_after(runtime, 0) == [
        {"revision": before + 2, "cis": None, "all": True}
    ]


def test_a_restore_records_the_whole_graph(runtime):
    make_site(runtime)
    document = export_graph(runtime)
    runtime.db.auto_commit("graph_clear")
    before = head(runtime)

    restore_graph(runtime, document)

    restored = revisions_after(runtime, before)
    assert restored
    assert all(revision["all"] for revision in restored)
    assert "GraphRevision" not in {
        label for node in document["nodes"] for label in node["labels"]
    }


def test_revisions_go_up_by_one_per_writing_transaction(runtime, context):
    before = head(runtime)

    site, rack = make_site(runtime), make_rack(runtime)
    ci_service.relate(runtime, rack["id"], "LOCATED_IN", site["id"], None, context)
    ci_service.update_ci(runtime, site["id"], {"name": "Amsterdam 1"}, context)

    numbers = [revision["revision"] for revision in revisions_after(runtime, before)]
    assert numbers == [before + 1, before + 2, before + 3, before + 4]


def test_a_retried_transaction_records_once(runtime):
    row = make_create_row(runtime, "AMS1")
    attempts = []
    before = head(runtime)

    def work(tx: Tx) -> None:
        attempts.append(tx)
        tx.run("ci_create_batch", rows=[row])
        if len(attempts) == 1:
            raise neo4j.exceptions.SessionExpired("lost the first attempt")

    runtime.db.transaction(work)

    assert len(attempts) == 2
    assert revisions_after(runtime, before) == [
        {"revision": before + 1, "cis": [row["properties"]["id"]], "all": False}
    ]


def test_concurrent_writers_commit_consecutive_revisions(runtime):
    barrier = threading.Barrier(WRITERS)
    before = head(runtime)

    def write(index: int) -> str:
        barrier.wait()
        return make_site(runtime, f"SITE-{index}")["id"]

    with ThreadPoolExecutor(WRITERS) as pool:
        ids = set(pool.map(write, range(WRITERS)))

    revisions = revisions_after(runtime, before)
    assert [r["revision"] for r in revisions] == list(
        range(before + 1, before + WRITERS + 1)
    )
    assert sorted(ci_id for r in revisions for ci_id in r["cis"]) == sorted(ids)


def test_pruning_keeps_the_newest_revisions(runtime):
    db = runtime.db
    small_log = Database(db.driver, db.statements, db.database, revisions_kept=3)
    pruned = dataclasses.replace(runtime, db=small_log)
    before = head(runtime)

    for index in range(5):
        make_site(pruned, f"SITE-{index}")

    newest = head(runtime)
    assert newest == before + 5
    assert [r["revision"] for r in revisions_after(runtime, 0)] == [
        newest - 2,
        newest - 1,
        newest,
    ]
    assert revisions_after(runtime, before)[0]["revision"] > before + 1  # a gap
