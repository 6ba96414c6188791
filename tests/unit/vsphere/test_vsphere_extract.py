"""Reading property collector results, without a server."""

import pytest
from pyVmomi import vim, vmodl

from importers.vsphere.extract import (
    PROPERTY_PATHS,
    InventoryChangedError,
    object_record,
    plain,
)
from importers.vsphere.transform import MoRef

Collector = vmodl.query.PropertyCollector
WHOLE_OBJECTS = {"runtime", "summary", "config", "guest", "hardware", "configurationEx"}


def make_content(obj, properties=None, missing=None):
    """An ObjectContent as RetrievePropertiesEx returns it."""
    return Collector.ObjectContent(
        obj=obj,
        propSet=[
            vmodl.DynamicProperty(name=name, val=value)
            for name, value in (properties or {}).items()
        ],
        missingSet=missing or [],
    )


def test_only_leaf_property_paths_are_requested():
    paths = {path for paths in PROPERTY_PATHS.values() for path in paths}

    assert not paths & WHOLE_OBJECTS
    assert "runtime.host" in PROPERTY_PATHS[vim.VirtualMachine]


def test_no_backward_references_are_requested():
    assert "vm" not in PROPERTY_PATHS[vim.HostSystem]
    assert "host" not in PROPERTY_PATHS[vim.ComputeResource]


def test_record_turns_references_into_morefs():
    vm = vim.VirtualMachine("vm-7")
    content = make_content(
        vm,
        {
            "name": "web-01",
            "runtime.host": vim.HostSystem("host-3"),
            "datastore": vim.Datastore.Array([vim.Datastore("datastore-1")]),
        },
    )

    ref, properties = object_record(content)

    assert ref == MoRef("VirtualMachine", "vm-7")
    assert properties == {
        "name": "web-01",
        "runtime.host": MoRef("HostSystem", "host-3"),
        "datastore": [MoRef("Datastore", "datastore-1")],
    }


def test_object_that_vanished_during_the_read_fails_the_read():
    vm = vim.VirtualMachine("vm-9")
    fault = vmodl.fault.ManagedObjectNotFound(obj=vm)
    missing = [Collector.MissingProperty(path="name", fault=fault)]

    with pytest.raises(InventoryChangedError, match="VirtualMachine:vm-9 vanished"):
        object_record(make_content(vm, missing=missing))


def test_property_that_cannot_be_read_is_left_out():
    host = vim.HostSystem("host-3")
    fault = vim.fault.NoPermission(privilegeId="System.Read")
    missing = [Collector.MissingProperty(path="hardware.memorySize", fault=fault)]

    _, properties = object_record(make_content(host, {"name": "esx"}, missing))

    assert properties == {"name": "esx"}


def test_data_objects_become_dicts_with_their_type():
    spec = vim.dvs.VmwareDistributedVirtualSwitch.VlanIdSpec(vlanId=120)

    assert plain(spec) == {
        "_type": "VmwareDistributedVirtualSwitchVlanIdSpec",
        "inherited": False,
        "vlanId": 120,
    }
