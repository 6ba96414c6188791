"""Conflicts between overlapping changes, and with blackout periods."""

import pytest

from app.domain.errors import CMDBError
from app.services import changes
from tests.integration.changes.conftest import as_actor, window

pytestmark = pytest.mark.neo4j


def conflicting_ids(runtime, change_id: str) -> list[str]:
    return [
        c.change["id"] for c in changes.change_conflicts(runtime, change_id).changes
    ]


def test_overlapping_changes_on_one_cluster_conflict_on_both(estate, make_change):
    first = make_change("Host:h1", planned=window(0, 3), submit=True)
    second = make_change("Host:h2", planned=window(2, 3), submit=True)

    assert conflicting_ids(estate, first["id"]) == [second["id"]]
    assert conflicting_ids(estate, second["id"]) == [first["id"]]


def test_a_conflict_names_what_the_changes_share(estate, make_change):
    first = make_change("Host:h1", planned=window(0, 3), submit=True)
    make_change("Host:h2", planned=window(2, 3), submit=True)

    conflict = changes.change_conflicts(estate, first["id"]).changes[0]

    shared = {f"{ci['type']}:{ci['key']}" for ci in conflict.shared_cis}
    assert {"Cluster:c1", "Service:shop"} <= shared
    assert [c["key"] for c in conflict.shared_customers] == ["acme"]


def test_changes_on_unrelated_clusters_do_not_conflict(estate, make_change):
    first = make_change("Host:h1", planned=window(0, 3), submit=True)
    second = make_change("Host:h4", planned=window(1, 3), submit=True)

    assert conflicting_ids(estate, first["id"]) == []
    assert conflicting_ids(estate, second["id"]) == []


def test_changes_in_windows_that_do_not_overlap_do_not_conflict(estate, make_change):
    first = make_change("Host:h1", planned=window(0, 2), submit=True)
    make_change("Host:h2", planned=window(2, 2), submit=True)

    assert conflicting_ids(estate, first["id"]) == []


def test_a_cancelled_change_no_longer_conflicts(estate, make_change):
    first = make_change("Host:h1", submit=True)
    second = make_change("Host:h2", submit=True)

    changes.transition_change(estate, second["id"], "cancel", as_actor("alice"))

    assert conflicting_ids(estate, first["id"]) == []


def test_an_estate_wide_blackout_conflicts(estate, make_change):
    start, end = window(-1, 4)
    blackout = changes.create_blackout(
        estate, "Year-end freeze", start, end, as_actor("cm")
    )
    change = make_change("Host:h4", submit=True)

    found = changes.change_conflicts(estate, change["id"]).blackouts

    assert [b.blackout["id"] for b in found] == [blackout["id"]]
    assert found[0].estate_wide


def test_a_blackout_on_other_cis_does_not_conflict(estate, make_change, ci_id):
    start, end = window(-1, 4)
    changes.create_blackout(
        estate, "Shop sale", start, end, as_actor("cm"), ci_ids=[ci_id("Service:shop")]
    )
    on_shop = make_change("Host:h1", submit=True)
    on_mail = make_change("Host:h4", submit=True)

    assert len(changes.change_conflicts(estate, on_shop["id"]).blackouts) == 1
    assert changes.change_conflicts(estate, on_mail["id"]).blackouts == []


def test_a_reversed_blackout_is_refused(estate):
    start, end = window()

    with pytest.raises(CMDBError) as error:
        changes.create_blackout(estate, "x", end, start, as_actor("cm"))

    assert error.value.problems[0].field == "window.end"
    assert changes.list_blackouts(estate) == []
