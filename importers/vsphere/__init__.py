"""The vSphere importer: keep the graph true to vCenter inventory.

``extract`` reads a vCenter with pyVmomi, ``transform`` turns the inventory
into a load document, ``sync`` reconciles the vCenter's scope of the graph and
``cli`` is ``cmdb import vsphere``.
"""

from importers.vsphere.extract import (
    InventoryChangedError,
    VCenterCertificateError,
    VCenterLoginError,
    VCenterUnreachableError,
    VSphereError,
    read_inventory,
)
from importers.vsphere.sync import (
    ACTOR,
    VCenterSyncReport,
    source_name,
    sync_vcenter,
    vcenter_scope,
)
from importers.vsphere.transform import Inventory, MoRef, to_document

__all__ = [
    "ACTOR",
    "Inventory",
    "InventoryChangedError",
    "MoRef",
    "VCenterCertificateError",
    "VCenterLoginError",
    "VCenterSyncReport",
    "VCenterUnreachableError",
    "VSphereError",
    "read_inventory",
    "source_name",
    "sync_vcenter",
    "to_document",
    "vcenter_scope",
]
