"""Turning hand-made vCenter inventories into load documents, without a server."""

import logging

import pytest

from app.catalogue import load_catalogue
from app.domain.bulk import parse_document
from app.settings import REPOSITORY_ROOT
from importers.vsphere.transform import (
    Inventory,
    MoRef,
    cluster_redundancy,
    display_name,
    to_document,
)

VCENTER = "vc-test"
ROOT = MoRef("Folder", "group-d1")
DATACENTER = MoRef("Datacenter", "datacenter-1")
HOST_FOLDER = MoRef("Folder", "group-h4")
NESTED_FOLDER = MoRef("Folder", "group-h9")
CLUSTER = MoRef("ClusterComputeResource", "domain-c7")
HOST_A = MoRef("HostSystem", "host-10")
HOST_B = MoRef("HostSystem", "host-11")
STANDALONE = MoRef("ComputeResource", "domain-s20")
HOST_S = MoRef("HostSystem", "host-21")
ROOT_POOL = MoRef("ResourcePool", "resgroup-8")
CHILD_POOL = MoRef("ResourcePool", "resgroup-30")
STANDALONE_POOL = MoRef("ResourcePool", "resgroup-22")
VM = MoRef("VirtualMachine", "vm-40")
TEMPLATE = MoRef("VirtualMachine", "vm-41")
DATASTORE_FOLDER = MoRef("Folder", "group-s5")
DATASTORE = MoRef("Datastore", "datastore-50")
NETWORK_FOLDER = MoRef("Folder", "group-n6")
NETWORK = MoRef("Network", "network-60")
SWITCH = MoRef("VmwareDistributedVirtualSwitch", "dvs-61")
PORT_GROUP = MoRef("DistributedVirtualPortgroup", "dvportgroup-62")


def make_objects() -> dict[MoRef, dict]:
    """A small estate: a cluster in a nested folder, a standalone host, a
    virtual machine and a template, a datastore and three networks."""
    host = {
        "datastore": [DATASTORE],
        "hardware.systemInfo.vendor": "Dell Inc.",
        "hardware.cpuInfo.numCpuCores": 32,
        "hardware.memorySize": 512 * 2**30,
        "runtime.connectionState": "connected",
        "runtime.inMaintenanceMode": False,
    }
    return {
        DATACENTER: {"name": "AMS1", "parent": ROOT},
        HOST_FOLDER: {"name": "host", "parent": DATACENTER},
        NESTED_FOLDER: {"name": "prod", "parent": HOST_FOLDER},
        CLUSTER: {
            "name": "prod%2fgold",
            "parent": NESTED_FOLDER,
            "configurationEx.drsConfig.enabled": True,
            "configurationEx.drsConfig.defaultVmBehavior": "fullyAutomated",
        },
        HOST_A: {"name": "esx-a", "parent": CLUSTER, **host},
        HOST_B: {"name": "esx-b", "parent": CLUSTER, **host},
        STANDALONE: {"name": "esx-s", "parent": HOST_FOLDER},
        HOST_S: {"name": "esx-s", "parent": STANDALONE, **host},
        ROOT_POOL: {"name": "Resources", "parent": CLUSTER},
        CHILD_POOL: {"name": "tenants", "parent": ROOT_POOL},
        STANDALONE_POOL: {"name": "Resources", "parent": STANDALONE},
        VM: {
            "name": "web-01",
            "resourcePool": CHILD_POOL,
            "runtime.host": HOST_A,
            "runtime.powerState": "poweredOn",
            "config.hardware.numCPU": 4,
            "summary.config.memorySizeMB": 8192,
            "config.instanceUuid": "5003-aaaa",
            "config.uuid": "4203-bbbb",
            "config.template": False,
            "guest.net": [
                {"_type": "GuestNicInfo", "ipAddress": ["10.0.0.5", "fe80::1"]},
                {"_type": "GuestNicInfo", "ipAddress": ["10.0.0.5"]},
            ],
            "datastore": [DATASTORE],
            "network": [PORT_GROUP, NETWORK],
        },
        TEMPLATE: {
            "name": "tpl-linux",
            "runtime.host": HOST_B,
            "config.template": True,
            "datastore": [DATASTORE],
        },
        DATASTORE_FOLDER: {"name": "datastore", "parent": DATACENTER},
        DATASTORE: {
            "name": "ds-01",
            "parent": DATASTORE_FOLDER,
            "summary.type": "VMFS",
            "summary.capacity": 4 * 2**40,
            "summary.freeSpace": 2**40 + 2**29,
        },
        NETWORK_FOLDER: {"name": "network", "parent": DATACENTER},
        NETWORK: {"name": "VM Network", "parent": NETWORK_FOLDER},
        SWITCH: {"name": "dvs-prod", "parent": NETWORK_FOLDER},
        PORT_GROUP: {
            "name": "pg-120",
            "parent": NETWORK_FOLDER,
            "config.distributedVirtualSwitch": SWITCH,
            "config.defaultPortConfig.vlan": {
                "_type": "VmwareDistributedVirtualSwitchVlanIdSpec",
                "vlanId": 120,
            },
        },
    }


def make_inventory(objects: dict[MoRef, dict] | None = None) -> Inventory:
    """An inventory of ``objects``, by default the small estate."""
    return Inventory(
        vcenter_id=VCENTER,
        url="https://vc-test.example.net/sdk",
        api_version="8.0.3.0",
        instance_uuid="0c5f-uuid",
        objects=make_objects() if objects is None else objects,
    )


def key(ref: MoRef) -> str:
    return f"{VCENTER}:{ref.value}"


def cis_by_key(document: dict) -> dict[str, dict]:
    return {ci["key"]: ci for ci in document["cis"]}


def relationships(document: dict) -> set[tuple[str, str, str]]:
    return {
        (rel["from"]["key"], rel["type"], rel["to"]["key"])
        for rel in document["relationships"]
    }


def outgoing(document: dict, ref: MoRef) -> set[tuple[str, str]]:
    return {
        (rel_type, target)
        for source, rel_type, target in relationships(document)
        if source == key(ref)
    }


def test_every_ci_is_keyed_by_vcenter_and_moref():
    document = to_document(make_inventory())

    keys = {(ci["type"], ci["key"]) for ci in document["cis"]}

    assert ("VCenter", VCENTER) in keys
    assert ("VirtualMachine", "vc-test:vm-40") in keys
    assert ("Network", "vc-test:dvportgroup-62") in keys
    assert ("DistributedSwitch", "vc-test:dvs-61") in keys
    assert len(keys) == 15  # folders and the standalone compute resource are not CIs


def test_the_document_is_valid_against_the_catalogue():
    catalogue = load_catalogue(REPOSITORY_ROOT / "schema")

    parsed = parse_document(catalogue, to_document(make_inventory()))

    assert len(parsed.cis) == 15


def test_vm_relationships_come_from_its_own_references():
    document = to_document(make_inventory())

    assert outgoing(document, VM) == {
        ("CONTAINED_IN", key(CHILD_POOL)),
        ("RUNS_ON", key(HOST_A)),
        ("STORED_ON", key(DATASTORE)),
        ("CONNECTED_TO", key(PORT_GROUP)),
        ("CONNECTED_TO", key(NETWORK)),
    }


def test_a_template_runs_on_nothing():
    document = to_document(make_inventory())

    assert outgoing(document, TEMPLATE) == {("STORED_ON", key(DATASTORE))}


def test_hosts_join_their_cluster_and_datacenter_through_folders():
    document = to_document(make_inventory())

    assert outgoing(document, HOST_A) == {
        ("MEMBER_OF", key(CLUSTER)),
        ("CONTAINED_IN", key(DATACENTER)),
        ("MOUNTS", key(DATASTORE)),
    }
    assert outgoing(document, HOST_S) == {
        ("CONTAINED_IN", key(DATACENTER)),
        ("MOUNTS", key(DATASTORE)),
    }
    assert outgoing(document, CLUSTER) == {("CONTAINED_IN", key(DATACENTER))}
    assert outgoing(document, DATACENTER) == {("CONTAINED_IN", VCENTER)}


def test_resource_pools_nest_in_pools_and_clusters():
    document = to_document(make_inventory())

    assert outgoing(document, CHILD_POOL) == {("CONTAINED_IN", key(ROOT_POOL))}
    assert outgoing(document, ROOT_POOL) == {("CONTAINED_IN", key(CLUSTER))}
    assert outgoing(document, STANDALONE_POOL) == set()


def test_port_groups_belong_to_their_switch():
    document = to_document(make_inventory())
    cis = cis_by_key(document)

    assert outgoing(document, PORT_GROUP) == {
        ("CONTAINED_IN", key(DATACENTER)),
        ("PART_OF", key(SWITCH)),
    }
    assert cis[key(PORT_GROUP)]["attributes"]["vlan_id"] == 120
    assert (
        cis[key(PORT_GROUP)]["attributes"]["network_type"] == "distributed port group"
    )
    assert cis[key(NETWORK)]["attributes"]["network_type"] == "standard"


def test_vm_attributes_are_read_from_leaf_properties():
    attributes = cis_by_key(to_document(make_inventory()))[key(VM)]["attributes"]

    assert attributes == {
        "moref": "vm-40",
        "power_state": "poweredOn",
        "cpu_count": 4,
        "memory_mb": 8192,
        "guest_os": None,
        "instance_uuid": "5003-aaaa",
        "bios_uuid": "4203-bbbb",
        "ip_addresses": ["10.0.0.5", "fe80::1"],
        "template": False,
    }


def test_sizes_are_converted_to_whole_units():
    cis = cis_by_key(to_document(make_inventory()))

    assert cis[key(HOST_A)]["attributes"]["memory_mb"] == 512 * 1024
    assert cis[key(DATASTORE)]["attributes"]["capacity_gb"] == 4096
    assert cis[key(DATASTORE)]["attributes"]["free_gb"] == 1024


def test_names_lose_vsphere_escapes():
    cis = cis_by_key(to_document(make_inventory()))

    assert cis[key(CLUSTER)]["name"] == "prod/gold"
    assert display_name("50%25 off", VM) == "50% off"
    assert display_name("", VM) == "vm-40"


def test_vcenter_is_keyed_by_its_configured_identifier():
    vcenter = cis_by_key(to_document(make_inventory()))[VCENTER]

    assert vcenter["name"] == "vc-test.example.net"
    assert vcenter["attributes"]["instance_uuid"] == "0c5f-uuid"


def test_reference_to_an_object_not_read_is_skipped_with_a_warning(caplog):
    objects = make_objects()
    del objects[HOST_A]

    with caplog.at_level(logging.WARNING):
        document = to_document(make_inventory(objects))

    assert ("RUNS_ON", key(HOST_A)) not in outgoing(document, VM)
    assert "skipped 1 references" in caplog.text


HA = {
    "configurationEx.dasConfig.enabled": True,
    "configurationEx.dasConfig.admissionControlEnabled": True,
}


@pytest.mark.parametrize(
    ("settings", "hosts", "policy"),
    [
        ({}, 4, "MEMBER_OF=100%"),
        ({"configurationEx.dasConfig.enabled": True}, 4, "MEMBER_OF=100%"),
        (HA, 4, "MEMBER_OF=3"),
        (HA, 1, "MEMBER_OF=1"),
        (HA, 0, "MEMBER_OF=100%"),
    ],
    ids=["no HA", "HA without admission control", "HA", "one host", "no hosts"],
)
def test_cluster_redundancy_follows_ha_admission_control(settings, hosts, policy):
    assert cluster_redundancy(settings, hosts) == [policy]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            {"_type": "ClusterFailoverLevelAdmissionControlPolicy", "failoverLevel": 2},
            "MEMBER_OF=4",
        ),
        (
            {
                "_type": "ClusterFailoverResourcesAdmissionControlPolicy",
                "cpuFailoverResourcesPercent": 25,
                "memoryFailoverResourcesPercent": 30,
            },
            "MEMBER_OF=70%",
        ),
        (
            {
                "_type": "ClusterFailoverResourcesAdmissionControlPolicy",
                "cpuFailoverResourcesPercent": 17,
                "failoverLevel": 1,
            },
            "MEMBER_OF=5",
        ),
        (
            {
                "_type": "ClusterFailoverHostAdmissionControlPolicy",
                "failoverHosts": [HOST_A, HOST_B],
            },
            "MEMBER_OF=4",
        ),
    ],
    ids=["host failures", "reserved percentage", "computed percentage", "spares"],
)
def test_cluster_redundancy_follows_the_admission_policy(policy, expected):
    settings = {**HA, "configurationEx.dasConfig.admissionControlPolicy": policy}

    assert cluster_redundancy(settings, hosts=6) == [expected]


def test_cluster_ci_carries_ha_and_drs_settings():
    objects = make_objects()
    objects[CLUSTER] = {**objects[CLUSTER], **HA}

    cluster = cis_by_key(to_document(make_inventory(objects)))[key(CLUSTER)]

    assert cluster["attributes"]["ha_enabled"] is True
    assert cluster["attributes"]["drs_behavior"] == "fullyAutomated"
    assert cluster["redundancy"] == ["MEMBER_OF=1"]
