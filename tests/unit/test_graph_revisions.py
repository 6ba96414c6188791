"""What a writing transaction changed, for the graph revision log, without a server."""

import doctest
import re
from pathlib import Path

import pytest

from app.db import revisions
from app.db.revisions import GraphChanges, history_entries, touched_ci_ids
from app.db.statements import GraphChange, StatementStore, classify

QUERIES = Path(__file__).resolve().parents[2] / "queries"

WRITE_CLAUSE = re.compile(r"\b(?:CREATE|MERGE|SET|DELETE|REMOVE)\b")
# A CI, or a node of any label, which may be one.
ANY_NODE = re.compile(r":CI\b|MATCH \(\w+\)")
# Statements that write next to CIs but change neither a CI nor a relationship
# between two CIs: links from change requests, incidents and tickets to CIs
# (or between incidents), and the lock marker that is set and removed again.
LEAVE_CIS_ALONE = {
    "change_affects_batch",
    "change_blast_radius_clear",
    "change_create",
    "change_lock",
    "change_notifies_batch",
    "change_set_targets",
    "ci_lock_by_id",
    "incident_assign",
    "incident_create",
    "incident_delete_all",
    "incident_link_create_batch",
    "incident_link_delete_batch",
    "incident_link_upsert_batch",
    "incident_set_cause",
    "incident_set_parent",
    "ticket_link",
    "ticket_unlink",
}


@pytest.fixture
def store() -> StatementStore:
    return StatementStore(QUERIES)


def make_history(ci_id: str | None, other_id: str | None = None) -> dict:
    return {"id": f"h-{ci_id}-{other_id}", "ci_id": ci_id, "other_id": other_id}


def test_history_comes_from_rows_and_from_a_single_parameter():
    rows = [{"history": make_history("a")}, {"history": make_history("b")}]

    from_rows = history_entries({"rows": rows})
    single = history_entries({"source": "a", "history": make_history("a", "b")})

    assert [entry["ci_id"] for entry in from_rows] == ["a", "b"]
    assert [entry["ci_id"] for entry in single] == ["a"]


def test_rows_without_history_carry_none():
    assert history_entries({"rows": [{"id": "a"}, {"history": None}]}) == []
    assert history_entries({"id": "a"}) == []


def test_a_relationship_entry_names_both_ends():
    entries = [make_history("a", "b"), make_history("c")]

    assert touched_ci_ids(entries) == {"a", "b", "c"}


def test_an_entry_naming_no_ci_makes_the_change_unknown():
    assert touched_ci_ids([make_history("a"), make_history(None)]) is None


def test_changes_gather_over_statements():
    changes = GraphChanges()

    changes.add_statement({"rows": [{"history": make_history("b")}]})
    changes.add_statement({"history": make_history("a", "b")})

    assert changes.touched
    assert changes.revision() == {"cis": ["a", "b"], "all": False}


def test_statements_without_history_touch_nothing():
    changes = GraphChanges()

    changes.add_statement({"rows": []})

    assert not changes.touched


def test_more_cis_than_the_limit_count_as_the_whole_graph():
    changes = GraphChanges(limit=2)
    rows = [{"history": make_history(ci_id)} for ci_id in ("a", "b", "c")]

    changes.add_statement({"rows": rows})
    changes.add_statement({"history": make_history("d")})

    assert changes.revision() == {"cis": None, "all": True}


def test_an_entry_naming_no_ci_counts_as_the_whole_graph():
    changes = GraphChanges()

    changes.add_statement({"history": make_history(None)})

    assert changes.revision() == {"cis": None, "all": True}


def test_examples_in_the_docstrings_hold():
    failed, _ = doctest.testmod(revisions)

    assert failed == 0


def test_statements_creating_history_change_the_cis_they_name(store):
    for name in ("ci_create_batch", "relationship_delete", "sync_ci_update_batch"):
        assert store.graph_change(name) is GraphChange.NAMED, name


def test_reading_history_changes_nothing(store):
    for name in ("history_of_ci", "change_estate_history", "graph_revision_record"):
        assert store.graph_change(name) is GraphChange.NONE, name


def test_clearing_and_restoring_change_the_whole_graph(store):
    for name in ("graph_clear", "restore_nodes_batch", "restore_relationships_batch"):
        assert store.graph_change(name) is GraphChange.WHOLE, name


def test_history_is_detected_with_or_without_a_variable():
    assert classify("x", "MERGE (:HistoryEntry {id: $id})") is GraphChange.NAMED
    assert classify("x", "CREATE (h:HistoryEntry)") is GraphChange.NAMED
    assert classify("x", "MATCH (h:HistoryEntry) RETURN h") is GraphChange.NONE


def test_a_comment_about_history_is_not_a_write():
    text = "// Like CREATE (h:HistoryEntry) elsewhere.\nMATCH (n:CI) RETURN n"

    assert classify("x", text) is GraphChange.NONE


def test_every_statement_writing_cis_is_recorded_or_known_to_leave_them(store):
    for name in store.names():
        code = "\n".join(
            line
            for line in (QUERIES / f"{name}.cypher").read_text().splitlines()
            if not line.lstrip().startswith("//")
        )
        writes = WRITE_CLAUSE.search(code) and not name.startswith("schema_")
        near_cis = ANY_NODE.search(code) or "$(row.labels)" in code
        if not (writes and near_cis) or name in LEAVE_CIS_ALONE:
            continue
        assert store.graph_change(name) is not GraphChange.NONE, name
