"""Read a vCenter's inventory: one container view, one property collector.

The whole inventory is read before anything is written. Only leaf property
paths are requested (``runtime.host``, never ``runtime``), in pages of
``page_size`` objects that ``ContinueRetrievePropertiesEx`` follows. Every
failure becomes a ``VSphereError`` whose message is one line.
"""

import http.client
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import VmomiSupport, vim, vmodl

from app.settings import VCenterSettings
from importers.vsphere.transform import Inventory, MoRef

logger = logging.getLogger(__name__)

Collector = vmodl.query.PropertyCollector
PageHook = Callable[[int], None]

# Paths per vSphere type. A spec on a type also applies to its subtypes, so
# clusters get ComputeResource's paths and port groups Network's.
PROPERTY_PATHS: dict[type, tuple[str, ...]] = {
    vim.Folder: ("name", "parent"),
    vim.Datacenter: ("name", "parent"),
    vim.ComputeResource: ("name", "parent"),
    vim.ClusterComputeResource: (
        "configurationEx.dasConfig.enabled",
        "configurationEx.dasConfig.admissionControlEnabled",
        "configurationEx.dasConfig.admissionControlPolicy",
        "configurationEx.drsConfig.enabled",
        "configurationEx.drsConfig.defaultVmBehavior",
    ),
    vim.HostSystem: (
        "name",
        "parent",
        "datastore",
        "hardware.systemInfo.vendor",
        "hardware.systemInfo.model",
        "hardware.systemInfo.serialNumber",
        "hardware.cpuInfo.numCpuCores",
        "hardware.memorySize",
        "config.product.fullName",
        "runtime.connectionState",
        "runtime.inMaintenanceMode",
    ),
    vim.ResourcePool: ("name", "parent"),
    vim.VirtualMachine: (
        "name",
        "resourcePool",
        "runtime.host",
        "runtime.powerState",
        "config.hardware.numCPU",
        "summary.config.memorySizeMB",
        "config.guestFullName",
        "config.instanceUuid",
        "config.uuid",
        "config.template",
        "guest.net",
        "datastore",
        "network",
    ),
    vim.Datastore: (
        "name",
        "parent",
        "summary.type",
        "summary.capacity",
        "summary.freeSpace",
        "summary.url",
    ),
    vim.Network: ("name", "parent"),
    vim.dvs.DistributedVirtualPortgroup: (
        "config.distributedVirtualSwitch",
        "config.defaultPortConfig.vlan",
    ),
    vim.DistributedVirtualSwitch: ("name", "parent", "summary.productInfo.version"),
}
VIEW_TYPES = [
    vim.Folder,
    vim.Datacenter,
    vim.ComputeResource,
    vim.HostSystem,
    vim.ResourcePool,
    vim.VirtualMachine,
    vim.Datastore,
    vim.Network,
    vim.DistributedVirtualSwitch,
]


class VSphereError(Exception):
    """A vSphere sync could not run; the message is one line for an operator."""


class InventoryChangedError(VSphereError):
    """An object vanished while the inventory was read; a later sync succeeds."""


class VCenterUnreachableError(VSphereError):
    """The vCenter does not answer, or stopped answering during the read."""


class VCenterLoginError(VSphereError):
    """The vCenter refused the credentials or the user's permissions."""


class VCenterCertificateError(VSphereError):
    """The vCenter's certificate is not trusted."""


def read_inventory(
    vcenter: VCenterSettings,
    *,
    page_size: int = 1000,
    timeout_s: float = 60.0,
    on_page: PageHook | None = None,
) -> Inventory:
    """Read every object the importer needs from one vCenter."""
    started = time.perf_counter()
    with _translated_errors(vcenter), _session(vcenter, timeout_s) as service:
        content = service.RetrieveContent()
        objects = read_objects(content, page_size, on_page or _ignore)
        about = content.about
    logger.info(
        "Read %d objects from vCenter %s in %.2f s",
        len(objects),
        vcenter.id,
        time.perf_counter() - started,
    )
    return Inventory(
        vcenter_id=vcenter.id,
        url=vcenter.url,
        api_version=about.apiVersion,
        instance_uuid=about.instanceUuid,
        objects=objects,
    )


def read_objects(
    content: vim.ServiceInstanceContent, page_size: int, on_page: PageHook
) -> dict[MoRef, dict[str, Any]]:
    """Read the inventory through one container view over the root folder."""
    view = content.viewManager.CreateContainerView(content.rootFolder, VIEW_TYPES, True)
    try:
        objects = {}
        for item in retrieve(content.propertyCollector, view, page_size, on_page):
            ref, properties = object_record(item)
            objects[ref] = properties
        return objects
    finally:
        _quietly(view.DestroyView)


def retrieve(
    collector: vmodl.query.PropertyCollector,
    view: vim.view.ContainerView,
    page_size: int,
    on_page: PageHook,
) -> Iterator[Any]:
    """Yield every object's content, one page at a time."""
    options = Collector.RetrieveOptions(maxObjects=page_size)
    result = collector.RetrievePropertiesEx([filter_spec(view)], options)
    token = None
    try:
        while result is not None:
            token = result.token
            yield from result.objects
            on_page(len(result.objects))
            if not token:
                return
            result = collector.ContinueRetrievePropertiesEx(token)
    except BaseException:
        if token:
            _quietly(collector.CancelRetrievePropertiesEx, token)
        raise


def filter_spec(view: vim.view.ContainerView) -> Any:
    """Select every object in the view, with the leaf paths of its type."""
    traverse = Collector.TraversalSpec(
        name="view", type=vim.view.ContainerView, path="view", skip=False
    )
    objects = Collector.ObjectSpec(obj=view, skip=True, selectSet=[traverse])
    properties = [
        Collector.PropertySpec(type=kind, pathSet=list(paths))
        for kind, paths in PROPERTY_PATHS.items()
    ]
    return Collector.FilterSpec(objectSet=[objects], propSet=properties)


def object_record(content: Any) -> tuple[MoRef, dict[str, Any]]:
    """Turn one object's content into a reference and plain properties.

    An object deleted while the read ran comes back with a missing-object
    fault; the read is then not a complete picture and is refused.
    """
    ref = moref(content.obj)
    for missing in content.missingSet or ():
        if isinstance(missing.fault, vmodl.fault.ManagedObjectNotFound):
            raise InventoryChangedError(
                f"{ref} vanished while the inventory was read; run the sync again"
            )
        logger.debug("%s: %s not read: %s", ref, missing.path, missing.fault)
    return ref, {prop.name: plain(prop.val) for prop in content.propSet or ()}


def moref(managed_object: Any) -> MoRef:
    """Return the plain reference of a pyVmomi managed object."""
    return MoRef(type(managed_object)._wsdlName, managed_object._moId)


def plain(value: Any) -> Any:
    """Turn a pyVmomi value into plain Python: references, dicts and lists."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, VmomiSupport.ManagedObject):
        return moref(value)
    if isinstance(value, VmomiSupport.DataObject):
        return _data_object(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def _data_object(value: Any) -> dict[str, Any]:
    fields = {"_type": type(value)._wsdlName}
    for info in value._GetPropertyList():
        if info.name in ("dynamicType", "dynamicProperty"):
            continue
        item = getattr(value, info.name, None)
        if item is not None:
            fields[info.name] = plain(item)
    return fields


@contextmanager
def _session(vcenter: VCenterSettings, timeout_s: float) -> Iterator[Any]:
    """Log in to the vCenter for the duration of the block, then log out."""
    parts = urlsplit(vcenter.url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise VSphereError(f"vCenter {vcenter.id}: {vcenter.url!r} is not an SDK URL")
    password = _password(vcenter)
    try:
        service = SmartConnect(
            protocol=parts.scheme,
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 80),
            path=parts.path if parts.path not in ("", "/") else "/sdk",
            user=vcenter.user,
            pwd=password,
            sslContext=_ssl_context(vcenter, parts.scheme),
            httpConnectionTimeout=timeout_s,
        )
    except (vmodl.MethodFault, OSError, http.client.HTTPException):
        raise  # translated by the caller
    except Exception as error:  # pyVmomi raises a bare Exception for non-SDK URLs
        raise VCenterUnreachableError(
            f"vCenter {vcenter.id} at {vcenter.url} does not answer as a vSphere "
            f"SDK: {error}"
        ) from error
    try:
        yield service
    finally:
        _quietly(Disconnect, service)


def _password(vcenter: VCenterSettings) -> str:
    try:
        return vcenter.password_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise VSphereError(
            f"vCenter {vcenter.id}: cannot read the password file "
            f"{vcenter.password_file}: {error.strerror or error}"
        ) from None


def _ssl_context(vcenter: VCenterSettings, scheme: str) -> ssl.SSLContext | None:
    """Verify certificates unless the vCenter is explicitly marked insecure."""
    if scheme != "https":
        return None
    if vcenter.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    cafile = str(vcenter.ca_file) if vcenter.ca_file else None
    return ssl.create_default_context(cafile=cafile)


@contextmanager
def _translated_errors(vcenter: VCenterSettings) -> Iterator[None]:
    """Turn connection, login, certificate and vSphere faults into one line."""
    where = f"vCenter {vcenter.id} at {vcenter.url}"
    try:
        yield
    except VSphereError:
        raise
    except ssl.SSLCertVerificationError as error:
        raise VCenterCertificateError(
            f"{where} presents a certificate that is not trusted "
            f"({error.verify_message}); give its CA file, or --insecure to "
            "accept a self-signed certificate"
        ) from None
    except vim.fault.InvalidLogin:
        raise VCenterLoginError(
            f"{where} refused the credentials of user {vcenter.user!r}"
        ) from None
    except (vim.fault.NoPermission, vim.fault.NotAuthenticated) as error:
        raise VCenterLoginError(
            f"{where} does not let user {vcenter.user!r} read the inventory: "
            f"{_fault_message(error)}"
        ) from None
    except vmodl.fault.ManagedObjectNotFound:
        raise InventoryChangedError(
            f"{where}: an object vanished while the inventory was read; "
            "run the sync again"
        ) from None
    except vmodl.MethodFault as error:
        raise VSphereError(f"{where} failed: {_fault_message(error)}") from None
    except (OSError, http.client.HTTPException) as error:
        raise VCenterUnreachableError(
            f"{where} cannot be reached: {_os_message(error)}"
        ) from None


def _fault_message(fault: Any) -> str:
    return getattr(fault, "msg", None) or type(fault).__name__


def _os_message(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _quietly(action: Callable[..., Any], *args: Any) -> None:
    """Run a clean-up step whose failure must not hide the real outcome."""
    try:
        action(*args)
    except Exception as error:  # the vCenter may be gone; nothing to clean
        logger.debug("Clean-up step %s failed: %s", action, error)


def _ignore(objects: int) -> None:
    """Ignore a page."""
