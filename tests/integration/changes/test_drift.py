"""Unauthorised changes from importer history entries, and closing them."""

from datetime import timedelta

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import WriteContext
from app.services import changes, cis, drift
from tests.integration.changes.conftest import START, as_actor, window

pytestmark = pytest.mark.neo4j


def importer_update(runtime, ci_id: str, at, **fields) -> WriteContext:
    """Record a difference as the vSphere importer would."""
    context = WriteContext(actor="importer:vsphere", source="vsphere:vc1", at=at)
    cis.update_ci(runtime, ci_id, {"attributes": fields}, context)
    return context


@pytest.fixture
def approved_on_vm(estate, make_change) -> dict:
    change = make_change("VirtualMachine:vm-h4", planned=window(0, 2), submit=True)
    return changes.approve_change(estate, change["id"], as_actor("bob"), [])


def test_an_importer_difference_outside_any_change_is_flagged(estate, ci_id):
    vm = ci_id("VirtualMachine:vm-h4")
    context = importer_update(estate, vm, START, cpu_count=8)

    report = drift.detect_unauthorised_changes(estate, request_id=context.request_id)

    found = drift.list_unauthorised_changes(estate).items
    assert (report.flagged, report.created) == (1, 1)
    assert found[0]["ci_id"] == vm
    assert found[0]["changes"]["cpu_count"] == {"before": None, "after": 8}


def test_a_difference_inside_an_approved_window_is_not_flagged(
    estate, ci_id, approved_on_vm
):
    vm = ci_id("VirtualMachine:vm-h4")
    context = importer_update(estate, vm, START + timedelta(hours=1), cpu_count=8)

    report = drift.detect_unauthorised_changes(estate, request_id=context.request_id)

    assert (report.covered, report.flagged) == (1, 0)


def test_a_difference_in_the_blast_radius_of_a_change_is_covered(
    estate, ci_id, make_change
):
    change = make_change("Host:h4", planned=window(0, 2), submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])
    vm = ci_id("VirtualMachine:vm-h4")
    context = importer_update(estate, vm, START + timedelta(hours=1), cpu_count=8)

    report = drift.detect_unauthorised_changes(estate, request_id=context.request_id)

    assert report.flagged == 0


def test_a_submitted_change_does_not_cover(estate, ci_id, make_change):
    make_change("VirtualMachine:vm-h4", planned=window(0, 2), submit=True)
    vm = ci_id("VirtualMachine:vm-h4")
    context = importer_update(estate, vm, START + timedelta(hours=1), cpu_count=8)

    assert drift.detect_unauthorised_changes(
        estate, request_id=context.request_id
    ).flagged == 1  # fmt: skip


def test_scanning_twice_flags_once(estate, ci_id):
    context = importer_update(estate, ci_id("VirtualMachine:vm-h4"), START, cpu_count=8)
    drift.detect_unauthorised_changes(estate, request_id=context.request_id)

    again = drift.detect_unauthorised_changes(
        estate, since=START, until=START + timedelta(minutes=1)
    )

    assert (again.flagged, again.created) == (1, 0)
    assert len(drift.list_unauthorised_changes(estate).items) == 1


def test_accepting_closes_it_with_the_reason(estate, ci_id):
    context = importer_update(estate, ci_id("VirtualMachine:vm-h4"), START, cpu_count=8)
    drift.detect_unauthorised_changes(estate, request_id=context.request_id)
    found = drift.list_unauthorised_changes(estate).items[0]

    closed = drift.close_unauthorised_change(
        estate, found["id"], as_actor("cm"), accept_reason="tuning agreed by phone"
    )

    assert (closed["status"], closed["closed_by"]) == ("accepted", "cm")
    assert drift.list_unauthorised_changes(estate).items == []


def test_linking_a_retroactive_change_closes_it(estate, ci_id, make_change):
    vm = ci_id("VirtualMachine:vm-h4")
    context = importer_update(estate, vm, START, cpu_count=8)
    drift.detect_unauthorised_changes(estate, request_id=context.request_id)
    found = drift.list_unauthorised_changes(estate).items[0]
    retro = make_change("VirtualMachine:vm-h4", type="emergency", submit=True)

    closed = drift.close_unauthorised_change(
        estate, found["id"], as_actor("cm"), change_request_id=retro["id"]
    )

    assert (closed["status"], closed["change_request_id"]) == ("linked", retro["id"])


def test_a_change_on_other_cis_cannot_account_for_it(estate, ci_id, make_change):
    context = importer_update(estate, ci_id("VirtualMachine:vm-h4"), START, cpu_count=8)
    drift.detect_unauthorised_changes(estate, request_id=context.request_id)
    found = drift.list_unauthorised_changes(estate).items[0]
    other = make_change("Host:h1", submit=True)

    with pytest.raises(CMDBError) as error:
        drift.close_unauthorised_change(
            estate, found["id"], as_actor("cm"), change_request_id=other["id"]
        )

    assert error.value.problems[0].field == "changeRequestId"
    assert drift.list_unauthorised_changes(estate).items[0]["status"] == "open"


def test_closing_needs_exactly_one_way(estate):
    with pytest.raises(CMDBError) as error:
        drift.close_unauthorised_change(estate, "x", as_actor("cm"))

    assert error.value.code == ErrorCode.INVALID_VALUE
