"""Change requests: blast radius, risk, approval and transitions."""

import pytest

from app.domain.access import Role
from app.domain.errors import CMDBError, ErrorCode
from app.services import changes
from app.services.impact_context import cis_in_active_changes
from tests.integration.changes.conftest import as_actor, window

pytestmark = pytest.mark.neo4j


def affected_by_key(runtime, change_id: str) -> dict[str, dict]:
    rows = changes.stored_blast_radius(runtime, change_id)
    return {f"{r['ci']['type']}:{r['ci']['key']}": r["impact"] for r in rows}


def change_count(runtime) -> int:
    rows = runtime.db.driver.execute_query(
        "MATCH (c:ChangeRequest) RETURN count(c) AS n"
    ).records
    return rows[0]["n"]


def test_a_new_change_is_a_draft_of_its_requester(make_change):
    change = make_change("Host:h1")

    assert change["state"] == "draft"
    assert change["requester"] == "alice"
    assert [t["key"] for t in change["targets"]] == ["h1"]


def test_submit_stores_the_planned_blast_radius(estate, make_change):
    change = make_change("Host:h1", submit=True)

    affected = affected_by_key(estate, change["id"])
    assert change["state"] == "submitted"
    assert affected["Host:h1"]["start"] is True
    assert affected["VirtualMachine:vm-h1"]["at_risk"] is True
    assert affected["VirtualMachine:vm-h1"]["state"] == "DEGRADED"
    assert "Customer:acme" in affected
    assert change["affected_count"] == len(affected)
    assert change["owner_count"] == 1


def test_risk_is_derived_and_explained(make_change):
    change = make_change("Service:shop", submit=True)

    assert change["risk"] == "high"
    assert any("platinum" in line for line in change["risk_explanation"])


def test_a_small_change_on_a_bronze_customer_is_low_risk(make_change):
    change = make_change("Host:h4", submit=True)

    assert change["risk"] == "low"


def test_nobody_approves_their_own_change(estate, make_change):
    change = make_change("Host:h4", submit=True)

    with pytest.raises(CMDBError) as error:
        changes.approve_change(estate, change["id"], as_actor("alice"), [])

    assert error.value.code == ErrorCode.SELF_APPROVAL
    assert error.value.problems[0].field == "approver"
    assert changes.get_change(estate, change["id"])["approvals"] == []


def test_one_approval_approves_a_low_risk_change(estate, make_change):
    change = make_change("Host:h4", submit=True)

    approved = changes.approve_change(estate, change["id"], as_actor("bob"), [])

    assert approved["state"] == "approved"
    assert [t["action"] for t in approved["transitions"]] == ["submit", "approve"]
    assert approved["transitions"][-1]["actor"] == "bob"


def test_a_high_risk_change_needs_a_change_manager_among_two(estate, make_change):
    change = make_change("Service:shop", submit=True)

    first = changes.approve_change(estate, change["id"], as_actor("bob"), [])
    second = changes.approve_change(estate, change["id"], as_actor("carol"), [])
    third = changes.approve_change(
        estate, change["id"], as_actor("dave"), [Role.CHANGE_MANAGER]
    )

    assert (first["state"], second["state"]) == ("submitted", "submitted")
    assert third["state"] == "approved"
    assert [a["actor"] for a in third["approvals"]] == ["bob", "carol", "dave"]


def test_the_same_person_cannot_approve_twice(estate, make_change):
    change = make_change("Service:shop", submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])

    with pytest.raises(CMDBError) as error:
        changes.approve_change(estate, change["id"], as_actor("bob"), [])

    assert error.value.code == ErrorCode.DUPLICATE_ENTRY


def test_a_standard_change_is_pre_approved(make_change):
    change = make_change("Host:h4", type="standard", submit=True)

    assert change["state"] == "approved"
    assert change["transitions"][-1]["actor"] == changes.PRE_APPROVER


def test_transitions_out_of_order_are_refused(estate, make_change):
    change = make_change("Host:h4")

    with pytest.raises(CMDBError) as error:
        changes.transition_change(estate, change["id"], "start", as_actor("alice"))

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert error.value.problems[0].field == "state"
    assert changes.get_change(estate, change["id"])["state"] == "draft"


def test_the_whole_life_of_a_change_is_logged(estate, make_change):
    change = make_change("Host:h4", submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])
    for action in ("schedule", "start", "complete"):
        change = changes.transition_change(
            estate, change["id"], action, as_actor("alice")
        )

    log = [(t["from"], t["to"]) for t in change["transitions"]]
    assert log == [
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "scheduled"),
        ("scheduled", "in_progress"),
        ("in_progress", "completed"),
    ]


def test_a_window_that_ends_before_it_starts_is_refused(estate, make_change):
    start, end = window()

    with pytest.raises(CMDBError) as error:
        make_change("Host:h1", planned=(end, start))

    assert error.value.problems[0].field == "window.end"
    assert change_count(estate) == 0


def test_an_unknown_target_is_refused(estate):
    start, end = window()
    draft = changes.ChangeDraft("t", ["no-such-ci"], start, end)

    with pytest.raises(CMDBError) as error:
        changes.create_change(estate, draft, as_actor("alice"))

    assert error.value.code == ErrorCode.NOT_FOUND
    assert error.value.problems[0].field == "targets[0]"
    assert change_count(estate) == 0


def test_new_targets_recompute_the_blast_radius(estate, make_change, ci_id):
    change = make_change("Host:h4", submit=True)

    edited = changes.update_change(
        estate, change["id"], {"target_ids": [ci_id("Host:h1")]}, as_actor("alice")
    )

    affected = affected_by_key(estate, change["id"])
    assert "VirtualMachine:vm-h1" in affected
    assert "VirtualMachine:vm-h4" not in affected
    assert edited["transitions"][-1]["action"] == "edit"


def test_cis_in_active_changes_are_the_targets_of_authorised_changes(
    estate, make_change, ci_id
):
    change = make_change("Host:h4", submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])
    start, end = window()

    assert cis_in_active_changes(estate, start) == {ci_id("Host:h4")}
    assert cis_in_active_changes(estate, end) == frozenset()
