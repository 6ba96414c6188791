"""Turn a vCenter inventory into a load document of CIs and relationships.

Pure: the input is plain records keyed by managed object reference, as
``extract`` reads them, so this module is tested without a vCenter. Every CI
key is ``<vcenter-id>:<moref value>``; names, UUIDs and serials are
attributes, never identity. Relationships come from forward references only
(a virtual machine's ``runtime.host``, never a host's list of machines). A
reference to an object the read did not return (one the user may not see)
yields no relationship and a warning.
"""

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

DOCUMENT_VERSION = 1
MIB = 2**20
GIB = 2**30

# vSphere object types that become CIs, by CI type. Folders, standalone
# compute resources and storage pods only place other objects.
CI_TYPES_BY_KIND: dict[str, tuple[str, ...]] = {
    "Datacenter": ("Datacenter",),
    "Cluster": ("ClusterComputeResource",),
    "Host": ("HostSystem",),
    "ResourcePool": ("ResourcePool", "VirtualApp"),
    "VirtualMachine": ("VirtualMachine",),
    "Datastore": ("Datastore",),
    "Network": ("Network", "DistributedVirtualPortgroup", "OpaqueNetwork"),
    "DistributedSwitch": (
        "DistributedVirtualSwitch",
        "VmwareDistributedVirtualSwitch",
    ),
}
CI_TYPE_OF = {
    kind: ci_type for ci_type, kinds in CI_TYPES_BY_KIND.items() for kind in kinds
}
CI_TYPES = frozenset({"VCenter", *CI_TYPES_BY_KIND})

# The relationships the importer produces: (type, source CI type, target CI
# type). Only these, between CIs of one vCenter, does a sync ever remove.
MANAGED_RELATIONSHIPS = frozenset(
    {
        ("CONTAINED_IN", "Datacenter", "VCenter"),
        ("CONTAINED_IN", "Cluster", "Datacenter"),
        ("CONTAINED_IN", "Host", "Datacenter"),
        ("CONTAINED_IN", "ResourcePool", "Cluster"),
        ("CONTAINED_IN", "ResourcePool", "ResourcePool"),
        ("CONTAINED_IN", "VirtualMachine", "ResourcePool"),
        ("CONTAINED_IN", "Datastore", "Datacenter"),
        ("CONTAINED_IN", "Network", "Datacenter"),
        ("CONTAINED_IN", "DistributedSwitch", "Datacenter"),
        ("MEMBER_OF", "Host", "Cluster"),
        ("MOUNTS", "Host", "Datastore"),
        ("RUNS_ON", "VirtualMachine", "Host"),
        ("STORED_ON", "VirtualMachine", "Datastore"),
        ("CONNECTED_TO", "VirtualMachine", "Network"),
        ("PART_OF", "Network", "DistributedSwitch"),
    }
)

NETWORK_TYPES = {
    "Network": "standard",
    "DistributedVirtualPortgroup": "distributed port group",
    "OpaqueNetwork": "opaque",
}
# vSphere escapes these characters in inventory names.
NAME_ESCAPES = (("%2f", "/"), ("%2F", "/"), ("%5c", "\\"), ("%5C", "\\"))
ALL_REQUIRED = "100%"


@dataclass(frozen=True, slots=True, order=True)
class MoRef:
    """A managed object reference: the vSphere type and the reference value."""

    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


@dataclass(frozen=True)
class Inventory:
    """Everything one complete read of a vCenter found.

    ``objects`` maps each managed object to its properties by property path
    (``"runtime.host"``); references are MoRefs and data objects plain dicts
    with a ``"_type"``.
    """

    vcenter_id: str
    url: str
    api_version: str | None
    instance_uuid: str | None
    objects: Mapping[MoRef, Mapping[str, Any]]

    def of_kind(self, *kinds: str) -> Iterator[tuple[MoRef, Mapping[str, Any]]]:
        """Yield the objects of the given vSphere types, ordered by reference."""
        for ref in sorted(ref for ref in self.objects if ref.type in kinds):
            yield ref, self.objects[ref]


def to_document(inventory: Inventory) -> dict[str, Any]:
    """Return the load document of every CI and relationship in ``inventory``."""
    builder = _DocumentBuilder(inventory)
    builder.add_vcenter()
    for ci_type, kinds in CI_TYPES_BY_KIND.items():
        for ref, properties in inventory.of_kind(*kinds):
            builder.add_object(ci_type, ref, properties)
    if builder.unresolved:
        examples = ", ".join(f"{a} -> {b}" for a, b in builder.unresolved[:3])
        logger.warning(
            "vCenter %s: skipped %d references to objects the read did not "
            "return (hidden from the user?), such as %s",
            inventory.vcenter_id,
            len(builder.unresolved),
            examples,
        )
    return builder.document()


def ci_key(vcenter_id: str, ref: MoRef) -> str:
    """Return the natural key of the CI for a managed object.

    >>> ci_key("vc-ams1", MoRef("VirtualMachine", "vm-42"))
    'vc-ams1:vm-42'
    """
    return f"{vcenter_id}:{ref.value}"


def cluster_redundancy(properties: Mapping[str, Any], hosts: int) -> list[str]:
    """Return the cluster's MEMBER_OF policy from its HA settings.

    With HA admission control on, the cluster keeps its workload through as
    many host failures as the policy reserves capacity for (one when the
    policy does not say); otherwise every host is required.

    >>> ha = {"configurationEx.dasConfig.enabled": True,
    ...       "configurationEx.dasConfig.admissionControlEnabled": True}
    >>> cluster_redundancy(ha, hosts=4)
    ['MEMBER_OF=3']
    >>> cluster_redundancy({}, hosts=4)
    ['MEMBER_OF=100%']
    """
    das = "configurationEx.dasConfig."
    protected = properties.get(das + "enabled") and properties.get(
        das + "admissionControlEnabled"
    )
    if not protected or hosts < 1:
        return [f"MEMBER_OF={ALL_REQUIRED}"]
    policy = properties.get(das + "admissionControlPolicy") or {}
    percent = _reserved_percent(policy)
    if percent is not None:
        return [f"MEMBER_OF={max(100 - percent, 1)}%"]
    return [f"MEMBER_OF={max(hosts - _tolerated_failures(policy), 1)}"]


def _reserved_percent(policy: Mapping[str, Any]) -> int | None:
    """The capacity share a percentage policy reserves, or None."""
    if policy.get("_type") != "ClusterFailoverResourcesAdmissionControlPolicy":
        return None
    if policy.get("failoverLevel"):
        return None  # "host failures to tolerate" computes the percentage
    shares = (
        policy.get("cpuFailoverResourcesPercent"),
        policy.get("memoryFailoverResourcesPercent"),
    )
    reserved = [share for share in shares if isinstance(share, int)]
    return max(reserved) if reserved else None


def _tolerated_failures(policy: Mapping[str, Any]) -> int:
    """Host failures a policy tolerates: its level or failover hosts, else one."""
    level = policy.get("failoverLevel")
    if isinstance(level, int) and level > 0:
        return level
    failover_hosts = policy.get("failoverHosts") or []
    return len(failover_hosts) or 1


def display_name(name: Any, ref: MoRef) -> str:
    """Return an inventory name without vSphere's escapes, or the reference."""
    if not isinstance(name, str) or not name.strip():
        return ref.value
    for escaped, character in NAME_ESCAPES:
        name = name.replace(escaped, character)
    return name.replace("%25", "%")


class _DocumentBuilder:
    """Collects CIs and relationships while resolving references."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.cis: list[dict[str, Any]] = []
        self.relationships: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.hosts_per_cluster = _hosts_per_cluster(inventory)
        self.unresolved: list[tuple[MoRef, MoRef]] = []

    def document(self) -> dict[str, Any]:
        """Return the collected load document."""
        relationships = [self.relationships[k] for k in sorted(self.relationships)]
        return {
            "version": DOCUMENT_VERSION,
            "cis": self.cis,
            "relationships": relationships,
        }

    def add_vcenter(self) -> None:
        """Add the vCenter itself, keyed by its configured identifier."""
        inventory = self.inventory
        self.cis.append(
            {
                "type": "VCenter",
                "key": inventory.vcenter_id,
                "name": urlsplit(inventory.url).hostname or inventory.vcenter_id,
                "attributes": {
                    "url": inventory.url,
                    "api_version": inventory.api_version,
                    "instance_uuid": inventory.instance_uuid,
                },
            }
        )

    def add_object(self, ci_type: str, ref: MoRef, props: Mapping[str, Any]) -> None:
        """Add the CI of one managed object and its outgoing relationships."""
        ci = {
            "type": ci_type,
            "key": self.key(ref),
            "name": display_name(props.get("name"), ref),
            "attributes": {"moref": ref.value, **ATTRIBUTES[ci_type](ref, props)},
        }
        if ci_type == "Cluster":
            hosts = self.hosts_per_cluster.get(ref, 0)
            ci["redundancy"] = cluster_redundancy(props, hosts)
        self.cis.append(ci)
        RELATIONSHIPS[ci_type](self, ref, props)

    def key(self, ref: MoRef) -> str:
        """Return the CI key of a managed object."""
        return ci_key(self.inventory.vcenter_id, ref)

    def relate(self, rel_type: str, ref: MoRef, target: MoRef | None) -> None:
        """Relate the CI of ``ref`` to the CI of ``target`` when it was read."""
        if target is None:
            return
        if target not in self.inventory.objects:
            self.unresolved.append((ref, target))
            return
        target_ci = {"type": CI_TYPE_OF[target.type], "key": self.key(target)}
        self._add(rel_type, CI_TYPE_OF[ref.type], self.key(ref), target_ci)

    def relate_all(self, rel_type: str, ref: MoRef, targets: Any) -> None:
        """Relate ``ref`` to every reference in a list property."""
        for target in targets or ():
            self.relate(rel_type, ref, target)

    def relate_to_vcenter(self, ref: MoRef) -> None:
        """Place a datacenter in its vCenter."""
        vcenter = {"type": "VCenter", "key": self.inventory.vcenter_id}
        self._add("CONTAINED_IN", "Datacenter", self.key(ref), vcenter)

    def datacenter_of(self, ref: MoRef) -> MoRef | None:
        """Walk up the ``parent`` chain to the object's datacenter, if read."""
        current, seen = ref, set()
        while current not in seen:
            seen.add(current)
            parent = self.inventory.objects.get(current, {}).get("parent")
            if parent is None or parent not in self.inventory.objects:
                break
            if parent.type == "Datacenter":
                return parent
            current = parent
        self.unresolved.append((ref, MoRef("Datacenter", "?")))
        return None

    def _add(
        self, rel_type: str, source_type: str, key: str, target: dict[str, str]
    ) -> None:
        self.relationships[(key, rel_type, target["key"])] = {
            "type": rel_type,
            "from": {"type": source_type, "key": key},
            "to": target,
        }


def _hosts_per_cluster(inventory: Inventory) -> dict[MoRef, int]:
    counts: dict[MoRef, int] = {}
    for _, props in inventory.of_kind("HostSystem"):
        parent = props.get("parent")
        if parent is not None and parent.type == "ClusterComputeResource":
            counts[parent] = counts.get(parent, 0) + 1
    return counts


# Attributes per CI type. Every attribute the importer owns is always given,
# None when vCenter does not report it, so that a value vCenter drops is
# removed from the CI as well.


def _cluster_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ha_enabled": bool(props.get("configurationEx.dasConfig.enabled")),
        "drs_enabled": bool(props.get("configurationEx.drsConfig.enabled")),
        "drs_behavior": _text(props.get("configurationEx.drsConfig.defaultVmBehavior")),
    }


def _host_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "vendor": _text(props.get("hardware.systemInfo.vendor")),
        "model": _text(props.get("hardware.systemInfo.model")),
        "serial": _text(props.get("hardware.systemInfo.serialNumber")),
        "cpu_cores": _integer(props.get("hardware.cpuInfo.numCpuCores")),
        "memory_mb": _scaled(props.get("hardware.memorySize"), MIB),
        "esxi_version": _text(props.get("config.product.fullName")),
        "connection_state": _text(props.get("runtime.connectionState")),
        "in_maintenance_mode": _boolean(props.get("runtime.inMaintenanceMode")),
    }


def _vm_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "power_state": _text(props.get("runtime.powerState")),
        "cpu_count": _integer(props.get("config.hardware.numCPU")),
        "memory_mb": _integer(props.get("summary.config.memorySizeMB")),
        "guest_os": _text(props.get("config.guestFullName")),
        "instance_uuid": _text(props.get("config.instanceUuid")),
        "bios_uuid": _text(props.get("config.uuid")),
        "ip_addresses": guest_addresses(props.get("guest.net")),
        "template": _boolean(props.get("config.template")),
    }


def guest_addresses(nics: Any) -> list[str] | None:
    """Return the sorted IP addresses the guest reports, or None."""
    addresses = {
        address
        for nic in nics or ()
        if isinstance(nic, Mapping)
        for address in nic.get("ipAddress") or ()
        if isinstance(address, str) and address
    }
    return sorted(addresses) or None


def _datastore_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "datastore_type": _text(props.get("summary.type")),
        "capacity_gb": _scaled(props.get("summary.capacity"), GIB),
        "free_gb": _scaled(props.get("summary.freeSpace"), GIB),
        "url": _text(props.get("summary.url")),
    }


def _network_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    vlan = props.get("config.defaultPortConfig.vlan") or {}
    vlan_id = vlan.get("vlanId") if isinstance(vlan, Mapping) else None
    return {
        "vlan_id": vlan_id if isinstance(vlan_id, int) and vlan_id > 0 else None,
        "network_type": NETWORK_TYPES.get(ref.type),
    }


def _switch_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    return {"switch_version": _text(props.get("summary.productInfo.version"))}


def _no_attributes(ref: MoRef, props: Mapping[str, Any]) -> dict[str, Any]:
    return {}


ATTRIBUTES = {
    "Datacenter": _no_attributes,
    "Cluster": _cluster_attributes,
    "Host": _host_attributes,
    "ResourcePool": _no_attributes,
    "VirtualMachine": _vm_attributes,
    "Datastore": _datastore_attributes,
    "Network": _network_attributes,
    "DistributedSwitch": _switch_attributes,
}


# Relationships per CI type, all from the object's own references.


def _datacenter_relationships(
    builder: _DocumentBuilder, ref: MoRef, props: Mapping[str, Any]
) -> None:
    builder.relate_to_vcenter(ref)


def _in_datacenter(
    builder: _DocumentBuilder, ref: MoRef, props: Mapping[str, Any]
) -> None:
    builder.relate("CONTAINED_IN", ref, builder.datacenter_of(ref))


def _host_relationships(
    builder: _DocumentBuilder, ref: MoRef, props: Mapping[str, Any]
) -> None:
    builder.relate("CONTAINED_IN", ref, builder.datacenter_of(ref))
    parent = props.get("parent")
    if parent is not None and parent.type == "ClusterComputeResource":
        builder.relate("MEMBER_OF", ref, parent)
    builder.relate_all("MOUNTS", ref, props.get("datastore"))


def _pool_relationships(
    builder: _DocumentBuilder, ref: MoRef, props: Mapping[str, Any]
) -> None:
    parent = props.get("parent")
    if parent is not None and CI_TYPE_OF.get(parent.type) in (
        "Cluster",
        "ResourcePool",
    ):
        builder.relate("CONTAINED_IN", ref, parent)


def _vm_relationships(
    builder: _DocumentBuilder, ref: MoRef, props: Mapping[str, Any]
) -> None:
    builder.relate("CONTAINED_IN", ref, props.get("resourcePool"))
    if not props.get("config.template"):
        builder.relate("RUNS_ON", ref, props.get("runtime.host"))
    builder.relate_all("STORED_ON", ref, props.get("datastore"))
    builder.relate_all("CONNECTED_TO", ref, props.get("network"))


def _network_relationships(
    builder: _DocumentBuilder, ref: MoRef, props: Mapping[str, Any]
) -> None:
    builder.relate("CONTAINED_IN", ref, builder.datacenter_of(ref))
    builder.relate("PART_OF", ref, props.get("config.distributedVirtualSwitch"))


RELATIONSHIPS = {
    "Datacenter": _datacenter_relationships,
    "Cluster": _in_datacenter,
    "Host": _host_relationships,
    "ResourcePool": _pool_relationships,
    "VirtualMachine": _vm_relationships,
    "Datastore": _in_datacenter,
    "Network": _network_relationships,
    "DistributedSwitch": _in_datacenter,
}


def _text(value: Any) -> str | None:
    return str(value) if value is not None and str(value) != "" else None


def _integer(value: Any) -> int | None:
    return (
        int(value) if isinstance(value, int) and not isinstance(value, bool) else None
    )


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _scaled(value: Any, unit: int) -> int | None:
    number = _integer(value)
    return number // unit if number is not None else None
