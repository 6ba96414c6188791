"""vCenter changes the importer observes, flagged unless a change covers them."""

from datetime import UTC, datetime, timedelta

import pytest
from pyVmomi import vim

from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import changes, cis, drift
from importers.vsphere import sync_vcenter

pytestmark = [pytest.mark.vcsim, pytest.mark.neo4j]

VCENTER = "vc-sim"


def vm_ci(runtime, vm) -> dict:
    """The CI of a virtual machine, found by its key."""
    return cis.find_ci(runtime, CIRef("VirtualMachine", f"{VCENTER}:{vm._moId}"))


def approve_change_on(runtime, ci_id: str) -> dict:
    """An approved change on one CI whose window is now."""
    now = datetime.now(UTC)
    draft = changes.ChangeDraft(
        "Resize VM", [ci_id], now - timedelta(hours=1), now + timedelta(hours=1)
    )
    alice = WriteContext(actor="alice", source="test")
    change = changes.create_change(runtime, draft, alice)
    changes.submit_change(runtime, change["id"], alice)
    bob = WriteContext(actor="bob", source="test")
    return changes.approve_change(runtime, change["id"], bob, [])


def resize(vsphere, vm) -> None:
    vsphere.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=4, memoryMB=2048)))


def test_reconfigure_outside_any_change_is_flagged(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)

    resize(vsphere, vm)
    sync_vcenter(sync_runtime, vcenter)

    ci = vm_ci(sync_runtime, vm)
    found = drift.list_unauthorised_changes(sync_runtime, ci_id=ci["id"]).items
    assert [f["changes"]["cpu_count"]["after"] for f in found] == [4]
    assert found[0]["actor"] == "importer:vsphere"


def test_the_first_sync_flags_nothing(sync_runtime, vcsim, make_vcenter):
    sync_vcenter(sync_runtime, make_vcenter(vcsim))

    assert drift.list_unauthorised_changes(sync_runtime).items == []


def test_reconfigure_inside_an_approved_change_is_not_flagged(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)
    ci = vm_ci(sync_runtime, vm)
    approve_change_on(sync_runtime, ci["id"])

    resize(vsphere, vm)
    sync_vcenter(sync_runtime, vcenter)

    assert vm_ci(sync_runtime, vm)["cpu_count"] == 4
    assert drift.list_unauthorised_changes(sync_runtime, ci_id=ci["id"]).items == []
