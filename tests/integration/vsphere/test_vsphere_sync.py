"""Syncing simulated vCenters: inventory, changes, retirement, failures."""

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pyVmomi import vim

from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import cis
from importers.vsphere import (
    ACTOR,
    VCenterUnreachableError,
    source_name,
    sync_vcenter,
)
from importers.vsphere.transform import CI_TYPE_OF

pytestmark = [pytest.mark.vcsim, pytest.mark.neo4j]

VCENTER = "vc-sim"
SOURCE = source_name(VCENTER)


def expected_inventory(vsphere) -> tuple[Counter, Counter]:
    """Count CIs and relationships from a plain pyVmomi walk of the vCenter."""
    ci_counts: Counter = Counter({"VCenter": 1})
    relationships: Counter = Counter()

    def contained(ci_type: str, target: str = "Datacenter", times: int = 1) -> None:
        relationships[("CONTAINED_IN", ci_type, target)] += times

    for kind in (vim.Datacenter, vim.ClusterComputeResource, vim.HostSystem):
        for item in vsphere.all(kind):
            ci_counts[CI_TYPE_OF[item._wsdlName]] += 1
    contained("Datacenter", "VCenter", ci_counts["Datacenter"])
    contained("Cluster", times=ci_counts["Cluster"])
    for host in vsphere.all(vim.HostSystem):
        contained("Host")
        if isinstance(host.parent, vim.ClusterComputeResource):
            relationships[("MEMBER_OF", "Host", "Cluster")] += 1
        relationships[("MOUNTS", "Host", "Datastore")] += len(set(host.datastore))
    for pool in vsphere.all(vim.ResourcePool):
        ci_counts["ResourcePool"] += 1
        if isinstance(pool.parent, vim.ClusterComputeResource):
            contained("ResourcePool", "Cluster")
        elif isinstance(pool.parent, vim.ResourcePool):
            contained("ResourcePool", "ResourcePool")
    for vm in vsphere.all(vim.VirtualMachine):
        ci_counts["VirtualMachine"] += 1
        if vm.resourcePool is not None:
            contained("VirtualMachine", "ResourcePool")
        if not vm.config.template and vm.runtime.host is not None:
            relationships[("RUNS_ON", "VirtualMachine", "Host")] += 1
        vm_rels = relationships
        vm_rels[("STORED_ON", "VirtualMachine", "Datastore")] += len(set(vm.datastore))
        vm_rels[("CONNECTED_TO", "VirtualMachine", "Network")] += len(set(vm.network))
    for kind, ci_type in (
        (vim.Datastore, "Datastore"),
        (vim.Network, "Network"),
        (vim.DistributedVirtualSwitch, "DistributedSwitch"),
    ):
        for item in vsphere.all(kind):
            ci_counts[ci_type] += 1
            contained(ci_type)
            if isinstance(item, vim.dvs.DistributedVirtualPortgroup):
                relationships[("PART_OF", "Network", "DistributedSwitch")] += 1
    return ci_counts, +relationships


def graph_counts(runtime, vcenter_id: str = VCENTER) -> tuple[Counter, Counter]:
    """Count the CIs and relationships among CIs of one vCenter in the graph."""
    prefix = {"root": vcenter_id, "start": f"{vcenter_id}:"}
    nodes = runtime.db.driver.execute_query(
        "MATCH (n:CI) WHERE n.key = $root OR n.key STARTS WITH $start "
        "RETURN n.type AS type, count(*) AS count",
        prefix,
    ).records
    rels = runtime.db.driver.execute_query(
        "MATCH (a:CI)-[r]->(b:CI) "
        "WHERE (a.key = $root OR a.key STARTS WITH $start) "
        "AND (b.key = $root OR b.key STARTS WITH $start) "
        "RETURN type(r) AS type, a.type AS source, b.type AS target, count(*) AS count",
        prefix,
    ).records
    return (
        Counter({row["type"]: row["count"] for row in nodes}),
        Counter({(r["type"], r["source"], r["target"]): r["count"] for r in rels}),
    )


def graph_snapshot(runtime) -> tuple[int, list, list]:
    """History entry count, every CI's and every relationship's properties."""
    driver = runtime.db.driver
    history = driver.execute_query("MATCH (h:HistoryEntry) RETURN count(h) AS n")
    nodes = driver.execute_query(
        "MATCH (n:CI) RETURN n {.*} AS properties ORDER BY n.id"
    ).records
    rels = driver.execute_query(
        "MATCH (a:CI)-[r]->(b:CI) RETURN a.id AS a, type(r) AS type, b.id AS b, "
        "properties(r) AS properties ORDER BY a, type, b"
    ).records
    as_text = [
        json.dumps(record.data(), default=str, sort_keys=True) for record in nodes
    ]
    rel_text = [
        json.dumps(record.data(), default=str, sort_keys=True) for record in rels
    ]
    return history.records[0]["n"], as_text, rel_text


def vm_ci(runtime, vm) -> dict:
    """The CI of a virtual machine, found by its key."""
    return cis.find_ci(runtime, CIRef("VirtualMachine", f"{VCENTER}:{vm._moId}"))


def host_ci(runtime, host) -> dict:
    """The CI of a host, found by its key."""
    return cis.find_ci(runtime, CIRef("Host", f"{VCENTER}:{host._moId}"))


def history_of(runtime, ci_id: str) -> list[dict]:
    """A CI's history entries, newest first."""
    return cis.ci_history(runtime, ci_id, first=100).items


def runs_on(runtime, ci_id: str) -> list[str]:
    """The ids of the hosts a virtual machine CI runs on."""
    page = cis.list_relationships(runtime, ci_id, direction="out", types=["RUNS_ON"])
    return [row["other"]["id"] for row in page.items]


def make_vm(vsphere, name: str) -> vim.VirtualMachine:
    """Create a virtual machine on the first clustered host."""
    datacenter = vsphere.all(vim.Datacenter)[0]
    cluster = vsphere.all(vim.ClusterComputeResource)[0]
    datastore = vsphere.all(vim.Datastore)[0]
    spec = vim.vm.ConfigSpec(
        name=name,
        guestId="otherGuest",
        numCPUs=2,
        memoryMB=256,
        files=vim.vm.FileInfo(vmPathName=f"[{datastore.name}]"),
    )
    task = datacenter.vmFolder.CreateVM_Task(
        config=spec, pool=cluster.resourcePool, host=cluster.host[0]
    )
    return vsphere.wait(task)


def test_first_sync_matches_the_inventory(sync_runtime, vcsim, vsphere, make_vcenter):
    report = sync_vcenter(sync_runtime, make_vcenter(vcsim))

    expected_cis, expected_relationships = expected_inventory(vsphere)
    stored_cis, stored_relationships = graph_counts(sync_runtime)
    assert stored_cis == expected_cis
    assert stored_relationships == expected_relationships
    assert report.outcome.created == sum(expected_cis.values())
    assert report.outcome.relationships_created == sum(expected_relationships.values())


def test_first_sync_keys_cis_by_moref_and_keeps_attributes(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    sync_vcenter(sync_runtime, make_vcenter(vcsim))

    for vm in vsphere.all(vim.VirtualMachine):
        ci = vm_ci(sync_runtime, vm)
        assert ci["name"] == vm.name
        assert ci["moref"] == vm._moId
        assert ci["cpu_count"] == vm.config.hardware.numCPU
        assert ci["memory_mb"] == vm.config.hardware.memoryMB
        assert ci["instance_uuid"] == vm.config.instanceUuid
        assert ci["power_state"] == vm.runtime.powerState
        assert runs_on(sync_runtime, ci["id"]) == [
            host_ci(sync_runtime, vm.runtime.host)["id"]
        ]
        assert f"cpu_count={SOURCE}" in ci["attribute_sources"]


def test_second_sync_without_changes_writes_nothing(sync_runtime, vcsim, make_vcenter):
    vcenter = make_vcenter(vcsim)
    sync_vcenter(sync_runtime, vcenter)
    before = graph_snapshot(sync_runtime)

    report = sync_vcenter(sync_runtime, vcenter)

    assert report.outcome.writes == 0
    assert report.outcome.created == report.outcome.updated == 0
    assert report.outcome.unchanged == sum(graph_counts(sync_runtime)[0].values())
    assert graph_snapshot(sync_runtime) == before


def test_created_vm_is_added_with_history(sync_runtime, vcsim, vsphere, make_vcenter):
    vcenter = make_vcenter(vcsim)
    sync_vcenter(sync_runtime, vcenter)
    vm = make_vm(vsphere, "web-01")

    report = sync_vcenter(sync_runtime, vcenter)

    ci = vm_ci(sync_runtime, vm)
    assert (report.outcome.created, ci["name"], ci["cpu_count"]) == (1, "web-01", 2)
    assert runs_on(sync_runtime, ci["id"]) == [
        host_ci(sync_runtime, vm.runtime.host)["id"]
    ]
    actions = [
        (h["action"], h["actor"], h["source"])
        for h in history_of(sync_runtime, ci["id"])
    ]
    assert ("create", ACTOR, SOURCE) in actions
    assert ("relate", ACTOR, SOURCE) in actions


def test_clone_is_a_new_ci(sync_runtime, vcsim, vsphere, make_vcenter):
    vcenter = make_vcenter(vcsim)
    original = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)
    original_ci = vm_ci(sync_runtime, original)

    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec())
    clone = vsphere.wait(original.CloneVM_Task(original.parent, "clone-01", spec))
    report = sync_vcenter(sync_runtime, vcenter)

    clone_ci = vm_ci(sync_runtime, clone)
    assert report.outcome.created == 1
    assert clone_ci["id"] != original_ci["id"]
    assert clone_ci["name"] == "clone-01"
    assert vm_ci(sync_runtime, original)["version"] == original_ci["version"]


def test_rename_updates_the_same_ci(sync_runtime, vcsim, vsphere, make_vcenter):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)
    before = vm_ci(sync_runtime, vm)

    vsphere.wait(vm.Rename_Task("renamed-vm"))
    report = sync_vcenter(sync_runtime, vcenter)

    after = vm_ci(sync_runtime, vm)
    assert (after["id"], after["name"]) == (before["id"], "renamed-vm")
    assert report.outcome.updated == 1
    latest = history_of(sync_runtime, after["id"])[0]
    assert latest["action"] == "update"
    assert latest["changes"]["name"] == {
        "before": before["name"],
        "after": "renamed-vm",
    }
    assert (latest["actor"], latest["source"]) == (ACTOR, SOURCE)


def test_vmotion_moves_the_runs_on_relationship(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    old_host = vm.runtime.host
    new_host = next(host for host in old_host.parent.host if host != old_host)
    sync_vcenter(sync_runtime, vcenter)
    ci = vm_ci(sync_runtime, vm)

    vsphere.wait(vm.RelocateVM_Task(vim.vm.RelocateSpec(host=new_host)))
    report = sync_vcenter(sync_runtime, vcenter)

    old_id = host_ci(sync_runtime, old_host)["id"]
    new_id = host_ci(sync_runtime, new_host)["id"]
    assert runs_on(sync_runtime, ci["id"]) == [new_id]
    assert (report.outcome.moved, report.outcome.updated) == (1, 0)
    entries = {
        (h["action"], h.get("rel_type"), h.get("other_id"))
        for h in history_of(sync_runtime, ci["id"])
        if h["source"] == SOURCE
    }
    assert ("unrelate", "RUNS_ON", old_id) in entries
    assert ("relate", "RUNS_ON", new_id) in entries
    assert vm_ci(sync_runtime, vm)["id"] == ci["id"]


def test_reconfigure_updates_cpu_and_memory(sync_runtime, vcsim, vsphere, make_vcenter):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)
    before = vm_ci(sync_runtime, vm)

    vsphere.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=4, memoryMB=2048)))
    sync_vcenter(sync_runtime, vcenter)

    after = vm_ci(sync_runtime, vm)
    assert (after["cpu_count"], after["memory_mb"]) == (4, 2048)
    changes = history_of(sync_runtime, after["id"])[0]["changes"]
    assert changes["cpu_count"] == {"before": before["cpu_count"], "after": 4}
    assert changes["memory_mb"] == {"before": before["memory_mb"], "after": 2048}


def test_powered_off_vm_stays_active(sync_runtime, vcsim, vsphere, make_vcenter):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)

    vsphere.wait(vm.PowerOffVM_Task())
    report = sync_vcenter(sync_runtime, vcenter)

    ci = vm_ci(sync_runtime, vm)
    assert (ci["status"], ci["power_state"]) == ("active", "poweredOff")
    assert report.outcome.retired == 0
    assert runs_on(sync_runtime, ci["id"]) == [
        host_ci(sync_runtime, vm.runtime.host)["id"]
    ]


def test_destroyed_vm_is_retired_by_a_complete_sync(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)
    ci = vm_ci(sync_runtime, vm)

    vsphere.wait(vm.PowerOffVM_Task())
    vsphere.wait(vm.Destroy_Task())
    report = sync_vcenter(sync_runtime, vcenter)

    retired = cis.get_ci(sync_runtime, ci["id"])
    assert retired["status"] == "retired"
    assert retired["missing_since"] is not None
    assert report.outcome.retired == 1
    latest = history_of(sync_runtime, ci["id"])[0]
    assert (latest["action"], latest["actor"], latest["source"]) == (
        "retire",
        ACTOR,
        SOURCE,
    )


def test_destroyed_vm_waits_for_the_grace_period(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    settings = sync_runtime.settings.model_copy(
        update={"sync_grace_period": timedelta(hours=1)}
    )
    patient = dataclasses.replace(sync_runtime, settings=settings)
    vcenter, start = make_vcenter(vcsim), datetime.now(UTC)
    vm = vsphere.clustered_vm()
    sync_vcenter(patient, vcenter, at=start)
    vsphere.wait(vm.PowerOffVM_Task())
    vsphere.wait(vm.Destroy_Task())

    first = sync_vcenter(patient, vcenter, at=start + timedelta(minutes=5))
    within = sync_vcenter(patient, vcenter, at=start + timedelta(minutes=30))
    after = sync_vcenter(patient, vcenter, at=start + timedelta(minutes=70))

    assert (first.outcome.missing, first.outcome.retired) == (1, 0)
    assert within.outcome.writes == 0
    assert after.outcome.retired == 1
    ci = vm_ci(patient, vm)
    assert ci["status"] == "retired"
    assert ci["missing_since"] == start + timedelta(minutes=5)
    assert ci["last_seen_at"] == start


def test_relationships_people_added_are_kept(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    vm = vsphere.clustered_vm()
    sync_vcenter(sync_runtime, vcenter)
    vm_id = vm_ci(sync_runtime, vm)["id"]
    host_id = host_ci(sync_runtime, vm.runtime.host)["id"]
    network = vsphere.all(vim.Network)[0]
    network_id = cis.find_ci(
        sync_runtime, CIRef("Network", f"{VCENTER}:{network._moId}")
    )["id"]
    person = WriteContext(actor="alice", source="api")
    customer = cis.create_ci(
        sync_runtime,
        {"type": "Customer", "key": "C-1", "attributes": {"sla_tier": "gold"}},
        person,
    )
    team = cis.create_ci(
        sync_runtime,
        {"type": "Team", "key": "T-1", "attributes": {"support_level": 2}},
        person,
    )
    service = cis.create_ci(sync_runtime, {"type": "Service", "key": "S-1"}, person)
    added = [
        (customer["id"], "OWNS", vm_id),
        (service["id"], "DEPENDS_ON", vm_id),
        (vm_id, "OWNED_BY", team["id"]),
        (host_id, "CONNECTED_TO", network_id),
    ]
    for source, rel_type, target in added:
        cis.relate(sync_runtime, source, rel_type, target, None, person)

    new_host = next(h for h in vm.runtime.host.parent.host if h != vm.runtime.host)
    vsphere.wait(vm.RelocateVM_Task(vim.vm.RelocateSpec(host=new_host)))
    sync_vcenter(sync_runtime, vcenter)
    vsphere.wait(vm.PowerOffVM_Task())
    vsphere.wait(vm.Destroy_Task())
    sync_vcenter(sync_runtime, vcenter)

    for source, rel_type, target in added:
        page = cis.list_relationships(
            sync_runtime, source, direction="out", types=[rel_type]
        )
        assert target in [row["other"]["id"] for row in page.items], rel_type


def test_ha_cluster_is_a_redundant_group(sync_runtime, vcsim, vsphere, make_vcenter):
    vcenter = make_vcenter(vcsim)
    cluster = vsphere.all(vim.ClusterComputeResource)[0]
    key = CIRef("Cluster", f"{VCENTER}:{cluster._moId}")
    sync_vcenter(sync_runtime, vcenter)
    without_ha = cis.find_ci(sync_runtime, key)

    ha = vim.cluster.DasConfigInfo(enabled=True, admissionControlEnabled=True)
    spec = vim.cluster.ConfigSpecEx(dasConfig=ha)
    vsphere.wait(cluster.ReconfigureComputeResource_Task(spec, True))
    sync_vcenter(sync_runtime, vcenter)

    with_ha = cis.find_ci(sync_runtime, key)
    assert (without_ha["ha_enabled"], without_ha["redundancy"]) == (
        False,
        ["MEMBER_OF=100%"],
    )
    hosts = len(cluster.host)
    assert (with_ha["ha_enabled"], with_ha["redundancy"]) == (
        True,
        [f"MEMBER_OF={hosts - 1}"],
    )


def test_host_churn_retires_removed_and_adds_joined_hosts(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    cluster = vsphere.all(vim.ClusterComputeResource)[0]
    idle = next(host for host in cluster.host if not host.vm)
    sync_vcenter(sync_runtime, vcenter)
    idle_id = host_ci(sync_runtime, idle)["id"]

    # vcsim cannot add a host to a cluster once one has left it: add first.
    connect = vim.host.ConnectSpec(hostName="esx-new.example", force=True)
    joined = vsphere.wait(cluster.AddHost_Task(spec=connect, asConnected=True))
    vsphere.wait(idle.EnterMaintenanceMode_Task(timeout=0))
    vsphere.wait(idle.Destroy_Task())
    report = sync_vcenter(sync_runtime, vcenter)

    assert cis.get_ci(sync_runtime, idle_id)["status"] == "retired"
    new_ci = host_ci(sync_runtime, joined)
    members = cis.list_relationships(
        sync_runtime, new_ci["id"], direction="out", types=["MEMBER_OF"]
    )
    assert [row["other"]["key"] for row in members.items] == [
        f"{VCENTER}:{cluster._moId}"
    ]
    assert (report.outcome.created, report.outcome.retired) == (1, 1)


def test_two_vcenters_do_not_collide(
    sync_runtime, vcsim_factory, vsphere_of, make_vcenter
):
    first, second = vcsim_factory(), vcsim_factory()
    vc_a, vc_b = make_vcenter(first, "vc-a"), make_vcenter(second, "vc-b")
    sync_vcenter(sync_runtime, vc_a)
    sync_vcenter(sync_runtime, vc_b)
    client = vsphere_of(second)
    expected, _ = expected_inventory(client)
    vm = client.clustered_vm()
    client.wait(vm.PowerOffVM_Task())
    client.wait(vm.Destroy_Task())

    report_b = sync_vcenter(sync_runtime, vc_b)
    report_a = sync_vcenter(sync_runtime, vc_a)

    assert graph_counts(sync_runtime, "vc-a")[0] == expected
    assert graph_counts(sync_runtime, "vc-b")[0] == expected
    assert (report_b.outcome.retired, report_a.outcome.writes) == (1, 0)
    vcenter_a = cis.find_ci(sync_runtime, CIRef("VCenter", "vc-a"))
    vcenter_b = cis.find_ci(sync_runtime, CIRef("VCenter", "vc-b"))
    assert vcenter_a["instance_uuid"] == vcenter_b["instance_uuid"]
    assert vcenter_a["id"] != vcenter_b["id"]


class StopDuringExtract:
    """Progress that stops the simulator after the first page of the read."""

    def __init__(self, server) -> None:
        self.server = server
        self.pages = 0

    def start(self, phase, total=None) -> None:
        pass

    def advance(self, phase, amount=1) -> None:
        self.pages += 1
        if phase == "extract" and self.pages == 1:
            self.server.stop()

    def finish(self, phase) -> None:
        pass


def test_vcenter_stopped_mid_sync_leaves_the_graph_unchanged(
    sync_runtime, vcsim, vsphere, make_vcenter
):
    vcenter = make_vcenter(vcsim)
    sync_vcenter(sync_runtime, vcenter)
    vm = vsphere.clustered_vm()
    vsphere.wait(vm.Rename_Task("changed-before-the-failure"))
    vsphere.wait(vm.PowerOffVM_Task())
    vsphere.wait(vm.Destroy_Task())
    before = graph_snapshot(sync_runtime)

    with pytest.raises(VCenterUnreachableError, match="cannot be reached"):
        sync_vcenter(sync_runtime, vcenter, progress=StopDuringExtract(vcsim))

    assert graph_snapshot(sync_runtime) == before


def test_first_sync_that_fails_writes_nothing(sync_runtime, vcsim, make_vcenter):
    with pytest.raises(VCenterUnreachableError):
        sync_vcenter(
            sync_runtime, make_vcenter(vcsim), progress=StopDuringExtract(vcsim)
        )

    assert graph_snapshot(sync_runtime) == (0, [], [])
