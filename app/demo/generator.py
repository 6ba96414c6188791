"""Generate a realistic provider estate, deterministically, as a bulk-load document.

Everything scales from the number of virtual machines. Each site has a
management cluster for the platform services' machines and tenant clusters of 4
to 16 hosts, about twenty machines per host and sixteen hosts per rack. Racks
draw power from an A and a B feed and carry two top-of-rack switches. Each
cluster has its own distributed switch, and tenant VLANs are numbered per
switch, so they stay within the 4094 a switch can carry. A vCenter manages at
most 2000 hosts, so a large site has several. Customers are many and mostly
small, as in a public cloud: each gets a resource pool, a few networks and one
to three contact people, some of whom own machines. A few hosts and machines
are retired or planned; they keep their relationships, as retired CIs keep
their history, and machines run only on active hosts.

The same size and seed always give the same document: all randomness comes
from one ``random.Random(seed)`` and nothing depends on the clock.
"""

import itertools
import math
import random
from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

DOCUMENT_VERSION = 1

# One entry of the estate: ("ci", ci) or ("relationship", relationship).
Item = tuple[str, dict[str, Any]]

_T = TypeVar("_T")
# A writing step: it yields items and returns what later steps refer to.
_Step = Generator[Item, None, _T]

VMS_PER_HOST = 20
VMS_PER_DATASTORE = 20
HOSTS_PER_RACK = 16
RACKS_PER_FEED_PAIR = 10
MIN_CLUSTER_HOSTS = 4
MAX_CLUSTER_HOSTS = 16
CLUSTER_SIZES = (4, 6, 8, 8, 10, 12, 12, 16, 16)
MAX_HOSTS_PER_VCENTER = 2000
MIN_DATASTORES_PER_CLUSTER = 2
PLATFORM_VM_SHARE = 0.2
PLATFORM_VLAN = 100
FIRST_TENANT_VLAN = 1000
LAST_TENANT_VLAN = 3999
PROVIDER_DOMAIN = "cloud.example.net"
# Leading octets of address blocks: tenants use 10.0.0.0/8, overlapping each
# other as tenants do; the platform uses 172.16.0.0/12.
TENANT_ADDRESSES = 10 << 16
PLATFORM_ADDRESSES = 172 << 16 | 16 << 8
ADDRESSES_PER_BLOCK = 240
UPLINK_GROUP = "uplink"
VCENTER_GROUP = "vcenters"


@dataclass(frozen=True)
class _SiteInfo:
    code: str
    city: str
    country: str
    tier: int
    phone_prefix: str
    company_suffix: str


SITES = (
    _SiteInfo("AMS1", "Amsterdam", "NL", 3, "+31 20", "B.V."),
    _SiteInfo("FRA1", "Frankfurt am Main", "DE", 4, "+49 69", "GmbH"),
    _SiteInfo("LON1", "London", "GB", 3, "+44 20", "Ltd"),
    _SiteInfo("PAR1", "Paris", "FR", 3, "+33 1", "SAS"),
)
SITE_WEIGHTS = (4, 3, 2, 1)


@dataclass(frozen=True)
class _TeamInfo:
    code: str
    name: str
    support_level: int
    mailbox: str


TEAMS = (
    _TeamInfo("SD-L1", "Service Desk", 1, "servicedesk"),
    _TeamInfo("NOC-L1", "Operations Centre", 1, "noc"),
    _TeamInfo("VIRT-L2", "Virtualisation", 2, "virtualisation"),
    _TeamInfo("STOR-L2", "Storage", 2, "storage"),
    _TeamInfo("NET-L2", "Network", 2, "network"),
    _TeamInfo("FAC-L2", "Facilities", 2, "facilities"),
    _TeamInfo("PLAT-L3", "Platform Engineering", 3, "platform"),
    _TeamInfo("INFRA-L3", "Infrastructure Engineering", 3, "infrastructure"),
)

# The team that owns each kind of infrastructure.
OWNING_TEAM = {
    "Site": "FAC-L2",
    "Rack": "FAC-L2",
    "PowerFeed": "FAC-L2",
    "VCenter": "VIRT-L2",
    "Datacenter": "VIRT-L2",
    "Cluster": "VIRT-L2",
    "Host": "VIRT-L2",
    "ResourcePool": "VIRT-L2",
    "StorageArray": "STOR-L2",
    "Volume": "STOR-L2",
    "Datastore": "STOR-L2",
    "Switch": "NET-L2",
    "Network": "NET-L2",
    "DistributedSwitch": "NET-L2",
}
# The team that owns each class of service, and the platform's machines.
SERVICE_OWNER = {"platform": "PLAT-L3", "customer": "SD-L1"}


@dataclass(frozen=True)
class _NodeSpec:
    """The virtual machines a service runs on, per site, as one redundant group."""

    group: str
    min_up: str
    per_site: int
    vms_per_extra_node: int = 0

    def wanted(self, site_vms: int) -> int:
        """Return how many nodes a site with this many machines should have."""
        if not self.vms_per_extra_node:
            return self.per_site
        return self.per_site + site_vms // self.vms_per_extra_node


@dataclass(frozen=True)
class _ServiceInfo:
    code: str
    name: str
    service_class: str
    criticality: str
    depends_on: tuple[str, ...] = ()


# Listed so that every service comes after the services it depends on.
SERVICES = (
    _ServiceInfo("DNS", "DNS resolvers", "platform", "critical"),
    _ServiceInfo("IDM", "Identity and directory", "platform", "critical", ("DNS",)),
    _ServiceInfo("MON", "Monitoring", "platform", "high", ("DNS",)),
    _ServiceInfo("OBJ", "Object storage cluster", "platform", "high", ("DNS",)),
    _ServiceInfo("LOG", "Log collection", "platform", "medium", ("DNS", "OBJ")),
    _ServiceInfo("BKP", "Backup", "platform", "high", ("OBJ", "IDM")),
    _ServiceInfo("EDGE", "Edge gateways", "platform", "critical", ("DNS",)),
    _ServiceInfo(
        "IAAS", "Virtual data centre", "customer", "critical", ("DNS", "IDM", "EDGE")
    ),
    _ServiceInfo("BAAS", "Managed backup", "customer", "high", ("BKP", "MON")),
    _ServiceInfo("S3", "S3 object storage", "customer", "high", ("OBJ", "EDGE")),
    _ServiceInfo("K8S", "Managed Kubernetes", "customer", "high", ("IAAS", "OBJ")),
    _ServiceInfo("DBAAS", "Managed databases", "customer", "high", ("IAAS", "BKP")),
    _ServiceInfo("DRAAS", "Disaster recovery", "customer", "medium", ("IAAS", "BKP")),
)
# The machines each service runs on, as a redundant group in every site.
SERVICE_NODES = {
    "DNS": _NodeSpec("nodes", "50%", 2),
    "IDM": _NodeSpec("nodes", "50%", 2),
    "MON": _NodeSpec("nodes", "50%", 2, 20_000),
    "OBJ": _NodeSpec("nodes", "75%", 4, 25_000),
    "LOG": _NodeSpec("nodes", "50%", 3, 30_000),
    "BKP": _NodeSpec("proxies", "75%", 1, 2_000),
    "EDGE": _NodeSpec("gateways", "50%", 2, 10_000),
    "K8S": _NodeSpec("control-plane", "50%", 3, 30_000),
    "DBAAS": _NodeSpec("nodes", "50%", 2, 15_000),
    "DRAAS": _NodeSpec("replicators", "50%", 1, 5_000),
}
BASE_SERVICE = "IAAS"
OPTIONAL_SERVICES = ("BAAS", "BAAS", "BAAS", "S3", "S3", "K8S", "DBAAS", "DRAAS")
SERVICE_CRITICALITY = {service.code: service.criticality for service in SERVICES}

SLA_TIERS = ("platinum", "gold", "silver", "bronze")
SMALL_CUSTOMER_TIER_WEIGHTS = (3, 15, 37, 45)
LARGE_CUSTOMER_TIER_WEIGHTS = (25, 40, 25, 10)
LARGE_CUSTOMER_VMS = 20
TIER_CRITICALITY = {
    "platinum": "critical",
    "gold": "high",
    "silver": "medium",
    "bronze": "low",
}
# Customer sizes in machines, skewed as in a public cloud: many tiny tenants.
CUSTOMER_SIZES = (1, 2, 3, 4, 5, 8, 12, 20, 40, 80)
CUSTOMER_CUMULATIVE = tuple(itertools.accumulate((42, 25, 13, 8, 5, 4, 2, 1, 0.7, 0.3)))
VMS_OWNED_BY_PERSON = 0.2
TWO_NETWORK_SHARE = 0.25
TEMPLATE_SHARE = 0.01
NETWORK_PURPOSES = ("frontend", "backend", "database", "management", "dmz")
VM_ROLES = ("web", "app", "db", "api", "worker", "file", "cache", "proxy", "jump")

HOST_MODELS = (
    ("Dell Inc.", "PowerEdge R750", "", 7),
    ("Dell Inc.", "PowerEdge R760", "", 7),
    ("HPE", "ProLiant DL380 Gen10 Plus", "CZJ", 10),
    ("HPE", "ProLiant DL360 Gen11", "CZ2", 10),
    ("Lenovo", "ThinkSystem SR650 V3", "J90", 8),
    ("Cisco Systems Inc", "UCSC-C240-M7SX", "WZP", 11),
)
HOST_CORES = (32, 48, 64, 96)
HOST_MEMORY_MB = (524_288, 786_432, 1_048_576, 1_572_864)
ESXI_VERSIONS = (
    "VMware ESXi 7.0.3 build-21930508",
    "VMware ESXi 8.0.1 build-21495797",
    "VMware ESXi 8.0.2 build-22380479",
    "VMware ESXi 8.0.3 build-24022510",
)
SWITCH_MODELS = (
    ("Arista", "7050CX3-32S"),
    ("Cisco", "Nexus 93180YC-FX3"),
    ("Juniper", "QFX5120-48Y"),
)
# Vendor, model, serial prefix, protocol and NAA prefix of each storage array.
ARRAY_MODELS = (
    ("Pure Storage", "FlashArray//X70", "PCT", "fc", "naa.624a9370"),
    ("Pure Storage", "FlashArray//XL130", "PCT", "nvme", "naa.624a9370"),
    ("Dell EMC", "PowerMax 2500", "CK", "fc", "naa.60000970"),
    ("NetApp", "AFF A400", "NA", "nfs", ""),
    ("Hitachi", "VSP E990", "HT", "iscsi", "naa.60060e80"),
)
GUEST_OS = (
    "Microsoft Windows Server 2022 (64-bit)",
    "Microsoft Windows Server 2019 (64-bit)",
    "Microsoft Windows Server 2016 (64-bit)",
    "Ubuntu Linux (64-bit)",
    "Red Hat Enterprise Linux 9 (64-bit)",
    "Red Hat Enterprise Linux 8 (64-bit)",
    "Debian GNU/Linux 12 (64-bit)",
    "Rocky Linux (64-bit)",
    "SUSE Linux Enterprise 15 (64-bit)",
    "Other 5.x or later Linux (64-bit)",
)
GUEST_OS_CUMULATIVE = tuple(itertools.accumulate((20, 15, 5, 20, 12, 8, 8, 5, 4, 3)))
PLATFORM_GUEST_OS = "Ubuntu Linux (64-bit)"
VM_SIZES = (
    (1, 2048),
    (2, 4096),
    (2, 8192),
    (4, 8192),
    (4, 16384),
    (8, 16384),
    (8, 32768),
    (16, 65536),
    (32, 131072),
)
VM_SIZE_CUMULATIVE = tuple(itertools.accumulate((8, 20, 15, 20, 12, 10, 8, 5, 2)))
PLATFORM_VM_SIZE = (4, 16384)

FIRST_NAMES = (
    "Anna", "Lars", "Sophie", "Daan", "Emma", "Lukas", "Mila", "Noah", "Julia",
    "Finn", "Sara", "Jonas", "Lea", "Tom", "Nina", "Max", "Eva", "Paul", "Lina",
    "Ben", "Chloe", "Hugo", "Amelia", "Oliver", "Camille", "Louis", "Isla",
    "Jack", "Marie", "Felix",
)  # fmt: skip
LAST_NAMES = (
    "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Muller",
    "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Smith",
    "Jones", "Taylor", "Brown", "Wilson", "Evans", "Martin", "Bernard",
    "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Peeters",
    "Janssens", "Hoffmann",
)  # fmt: skip
COMPANY_NAMES = (
    "Noord", "Alpine", "Blue", "Rhein", "Delta", "Polder", "Atlas", "Nova",
    "Orion", "Vektor", "Harbour", "Linde", "Summit", "Cedar", "Falcon",
    "Helix", "Kestrel", "Meridian", "Quartz", "Tulip",
)  # fmt: skip
COMPANY_TRADES = (
    "Logistics", "Media", "Health", "Finance", "Retail", "Energy", "Software",
    "Insurance", "Foods", "Travel", "Analytics", "Engineering", "Pharma",
    "Telecom", "Games", "Legal",
)  # fmt: skip
SERIAL_CHARACTERS = "0123456789BCDFGHJKLMNPQRSTVWXYZ"


def generate_estate(vms: int, seed: int = 42) -> dict[str, Any]:
    """Return the load document of an estate with ``vms`` virtual machines."""
    cis: list[dict[str, Any]] = []
    relationships: list[dict[str, Any]] = []
    for kind, entry in iter_estate(vms, seed):
        (cis if kind == "ci" else relationships).append(entry)
    return {"version": DOCUMENT_VERSION, "cis": cis, "relationships": relationships}


def iter_estate(vms: int, seed: int = 42) -> Iterator[Item]:
    """Yield the estate's ("ci", ci) and ("relationship", relationship) items.

    Every CI comes before the relationships that name it, so a loader may take
    the items in order and in batches without holding the whole estate.
    """
    if vms < 1:
        raise ValueError(f"an estate needs at least one virtual machine, not {vms}")
    rng = random.Random(seed)
    plan = _plan_estate(vms, rng)
    return _EstateWriter(rng, vms).write(plan)


def summary(document: Mapping[str, Any]) -> dict[str, int]:
    """Count the document's CIs per type, then its relationships per type."""
    cis = Counter(ci["type"] for ci in document["cis"])
    relationships = Counter(rel["type"] for rel in document["relationships"])
    return {**dict(sorted(cis.items())), **dict(sorted(relationships.items()))}


# Planning: how many sites, vCenters, clusters, hosts and machines, and where.


@dataclass(frozen=True)
class _ClusterPlan:
    hosts: int
    vms: int
    management: bool = False


@dataclass(frozen=True)
class _SitePlan:
    site: _SiteInfo
    vms: int
    platform_nodes: dict[str, int]
    vcenters: tuple[tuple[_ClusterPlan, ...], ...]
    arrays: int

    @property
    def hosts(self) -> int:
        """Return how many hosts the site's clusters have together."""
        return sum(plan.hosts for vcenter in self.vcenters for plan in vcenter)


def _plan_estate(vms: int, rng: random.Random) -> list[_SitePlan]:
    """Split the machines over sites and the sites into vCenters and clusters."""
    sites = SITES[: _site_count(vms)]
    site_vms = _apportion(vms, SITE_WEIGHTS[: len(sites)])
    nodes = _platform_nodes(vms, site_vms)
    return [
        _plan_site(rng, site, count, site_nodes)
        for site, count, site_nodes in zip(sites, site_vms, nodes, strict=True)
    ]


def _site_count(vms: int) -> int:
    """Return two sites for a small estate, up to four for a large one."""
    if vms < 10_000:
        return 2
    return 3 if vms < 100_000 else 4


def _apportion(total: int, weights: Iterable[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; the shares add up exactly."""
    weights = list(weights)
    whole = sum(weights)
    shares, given, running = [], 0, 0.0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        shares.append(upto - given)
        given = upto
    return shares


def _platform_nodes(vms: int, site_vms: list[int]) -> list[dict[str, int]]:
    """Return the service nodes per site, within the platform's share of VMs."""
    wanted = [
        {code: nodes.wanted(count) for code, nodes in SERVICE_NODES.items()}
        for count in site_vms
    ]
    budget = int(vms * PLATFORM_VM_SHARE)
    if sum(sum(site.values()) for site in wanted) <= budget:
        return wanted

    # Too few machines: every service gets its first node in every site, in the
    # order of SERVICE_NODES, before any gets a second.
    slots = sorted(
        (rank, number, order, code)
        for number, site in enumerate(wanted)
        for order, (code, count) in enumerate(site.items())
        for rank in range(count)
    )
    granted = [dict.fromkeys(site, 0) for site in wanted]
    for _, number, _, code in slots[:budget]:
        granted[number][code] += 1
    return granted


def _plan_site(
    rng: random.Random, site: _SiteInfo, vms: int, platform_nodes: dict[str, int]
) -> _SitePlan:
    """Plan a management cluster, the tenant clusters and their vCenters."""
    platform_vms = sum(platform_nodes.values())
    management_hosts = math.ceil(platform_vms / VMS_PER_HOST)
    management = _ClusterPlan(
        min(max(management_hosts, MIN_CLUSTER_HOSTS), MAX_CLUSTER_HOSTS),
        platform_vms,
        management=True,
    )
    clusters = [management, *_tenant_clusters(rng, vms - platform_vms)]
    return _SitePlan(
        site, vms, platform_nodes, _group_into_vcenters(clusters), _array_count(vms)
    )


def _tenant_clusters(rng: random.Random, vms: int) -> list[_ClusterPlan]:
    """Plan enough tenant clusters for ``vms`` machines at the usual density."""
    if vms <= 0:
        return []
    hosts = max(MIN_CLUSTER_HOSTS, math.ceil(vms / VMS_PER_HOST))
    sizes = _cluster_sizes(rng, hosts)
    return [
        _ClusterPlan(size, count)
        for size, count in zip(sizes, _apportion(vms, sizes), strict=True)
    ]


def _cluster_sizes(rng: random.Random, hosts: int) -> list[int]:
    """Split ``hosts`` into clusters of MIN_CLUSTER_HOSTS to MAX_CLUSTER_HOSTS."""
    sizes = []
    while hosts > MAX_CLUSTER_HOSTS:
        size = min(rng.choice(CLUSTER_SIZES), hosts - MIN_CLUSTER_HOSTS)
        sizes.append(size)
        hosts -= size
    sizes.append(hosts)
    return sizes


def _group_into_vcenters(
    clusters: list[_ClusterPlan],
) -> tuple[tuple[_ClusterPlan, ...], ...]:
    """Give clusters to vCenters in order, each within its host limit."""
    vcenters: list[list[_ClusterPlan]] = [[]]
    hosts = 0
    for cluster in clusters:
        if vcenters[-1] and hosts + cluster.hosts > MAX_HOSTS_PER_VCENTER:
            vcenters.append([])
            hosts = 0
        vcenters[-1].append(cluster)
        hosts += cluster.hosts
    return tuple(tuple(vcenter) for vcenter in vcenters)


def _array_count(vms: int) -> int:
    """Return two storage arrays for a small site, up to four for a large one."""
    if vms < 20_000:
        return 2
    return 3 if vms < 60_000 else 4


# Writing: the CIs and relationships, with what later steps need to refer to.


def _ref(ci_type: str, key: str) -> str:
    """Return the ``Type:key`` reference of a CI."""
    return f"{ci_type}:{key}"


def _ci(
    ci_type: str,
    key: str,
    name: str,
    attributes: dict[str, Any],
    criticality: str = "medium",
    status: str = "active",
    redundancy: list[str] | None = None,
) -> Item:
    """Return a CI item; ``redundancy`` is left out when there is none."""
    ci = {
        "type": ci_type,
        "key": key,
        "name": name,
        "status": status,
        "criticality": criticality,
        "attributes": attributes,
    }
    if redundancy:
        ci["redundancy"] = redundancy
    return ("ci", ci)


def _link(rel_type: str, source: str, target: str, group: str = "") -> Item:
    """Return a relationship item, with a requirement group when one is given."""
    rel: dict[str, Any] = {"type": rel_type, "from": source, "to": target}
    if group:
        rel["properties"] = {"group": group}
    return ("relationship", rel)


@dataclass
class _Subnet:
    """A network and the addresses handed out on it so far.

    ``first_block`` is the network's first /24 as the number its three leading
    octets make; when a /24 is full the next one within the same /16 follows.
    """

    ref: str
    first_block: int
    handed_out: int = 0

    def next_address(self) -> str:
        """Return the next free address on the network."""
        step, host = divmod(self.handed_out, ADDRESSES_PER_BLOCK)
        self.handed_out += 1
        block = (self.first_block & 0xFFFF00) | ((self.first_block + step) & 0xFF)
        return f"{block >> 16}.{block >> 8 & 0xFF}.{block & 0xFF}.{host + 10}"


@dataclass
class _Array:
    """A storage array and the volumes carved from it so far."""

    ref: str
    key: str
    protocol: str
    naa_prefix: str
    volumes: int = 0


@dataclass
class _SiteContext:
    """What a site's clusters refer to: racks, switches and storage arrays."""

    info: _SiteInfo
    number: int
    racks: list[str]
    switches: list[list[str]]
    arrays: list[_Array]
    next_host: int = 0
    next_array: int = 0

    def place_hosts(self, count: int) -> range:
        """Return the positions of ``count`` new hosts, filling racks in order."""
        first = self.next_host
        self.next_host += count
        return range(first, first + count)

    def next_storage_array(self) -> _Array:
        """Return the array for the next volume, taking arrays in turn."""
        array = self.arrays[self.next_array % len(self.arrays)]
        self.next_array += 1
        return array


@dataclass
class _VCenterContext:
    """A vCenter: its identity, datacenter and managed object numbering."""

    ident: str
    site: _SiteContext
    datacenter: str = ""
    next_moref: int = 1

    def moref(self, prefix: str) -> str:
        """Return a new managed object reference such as ``vm-1001``."""
        number = self.next_moref
        self.next_moref += 1
        return f"{prefix}{number}"


@dataclass
class _ClusterContext:
    """A cluster and what its machines run on, are stored on and attach to."""

    vcenter: _VCenterContext
    ref: str
    name: str
    switch: str
    hosts: list[str]
    datastores: list[str]
    next_vlan: int = FIRST_TENANT_VLAN

    def vlan(self) -> int:
        """Return the next tenant VLAN on the cluster's distributed switch."""
        vlan = self.next_vlan
        self.next_vlan = vlan + 1 if vlan < LAST_TENANT_VLAN else FIRST_TENANT_VLAN
        return vlan


@dataclass(frozen=True)
class _Customer:
    """A customer as its machines and contacts refer to it."""

    ref: str
    key: str
    short: str
    criticality: str
    domain: str
    phone_prefix: str


class _EstateWriter:
    """Write an estate plan as items, drawing every choice from one source."""

    def __init__(self, rng: random.Random, vms: int) -> None:
        self._rng = rng
        self._vms = vms
        self._teams: dict[str, str] = {}
        self._services: dict[str, str] = {}
        self._usernames: set[str] = set()
        self._customer_numbers = itertools.count(100_001)

    def write(self, plan: list[_SitePlan]) -> _Step[None]:
        """Yield the organisation, the services, then each site in turn."""
        nodes: Counter[str] = Counter()
        for site in plan:
            nodes.update(site.platform_nodes)
        yield from self._organisation()
        yield from self._service_catalogue(nodes)
        for number, site in enumerate(plan, start=1):
            yield from self._site(site, number)

    # People and services.

    def _organisation(self) -> _Step[None]:
        """Yield the support teams and the staff who work in them."""
        for team in TEAMS:
            ref = _ref("Team", team.code)
            self._teams[team.code] = ref
            attributes = {
                "support_level": team.support_level,
                "email": f"{team.mailbox}@{PROVIDER_DOMAIN}",
                "on_call": f"+31 20 555 {100 + len(self._teams):04d}",
            }
            yield _ci("Team", team.code, team.name, attributes, "high")
            for _ in range(4 + self._vms // 50_000 + self._rng.randrange(4)):
                person = yield from self._staff_member()
                yield _link("BELONGS_TO", person, ref)

    def _staff_member(self) -> _Step[str]:
        """Yield a member of staff with a unique user name; return its ref."""
        first, last = self._rng.choice(FIRST_NAMES), self._rng.choice(LAST_NAMES)
        base = f"{first[0]}{last}".lower()
        username = base
        for suffix in itertools.count(2):
            if username not in self._usernames:
                break
            username = f"{base}{suffix}"
        self._usernames.add(username)
        attributes = {
            "email": f"{username}@{PROVIDER_DOMAIN}",
            "phone": f"+31 20 555 {self._rng.randrange(10_000):04d}",
        }
        yield _ci("Person", username, f"{first} {last}", attributes)
        return _ref("Person", username)

    def _service_catalogue(self, nodes: Counter[str]) -> _Step[None]:
        """Yield the services, their dependencies and their nodes' policies."""
        for service in SERVICES:
            ref = _ref("Service", service.code)
            self._services[service.code] = ref
            attributes = {
                "service_class": service.service_class,
                "url": f"https://{service.code.lower()}.{PROVIDER_DOMAIN}",
            }
            yield _ci(
                "Service",
                service.code,
                service.name,
                attributes,
                service.criticality,
                redundancy=_service_redundancy(service, nodes[service.code]),
            )
            owner = self._teams[SERVICE_OWNER[service.service_class]]
            yield _link("OWNED_BY", ref, owner)
            for code in service.depends_on:
                yield _link("DEPENDS_ON", ref, self._services[code])

    def _owned(self, ci_type: str, ref: str) -> Item:
        """Return the relationship from an infrastructure CI to its team."""
        return _link("OWNED_BY", ref, self._teams[OWNING_TEAM[ci_type]])

    # Facilities.

    def _site(self, plan: _SitePlan, number: int) -> _Step[None]:
        """Yield a site's facilities, then its vCenters and their clusters."""
        site = yield from self._facilities(plan, number)
        tenant_numbers = itertools.count(1)
        for index, clusters in enumerate(plan.vcenters):
            vcenter = yield from self._vcenter(site, index)
            for cluster in clusters:
                number = 0 if cluster.management else next(tenant_numbers)
                yield from self._cluster(vcenter, cluster, plan, number)

    def _facilities(self, plan: _SitePlan, number: int) -> _Step[_SiteContext]:
        """Yield a site with its feeds, racks, switches and arrays; return them."""
        info = plan.site
        ref = _ref("Site", info.code)
        attributes = {"city": info.city, "country": info.country, "tier": info.tier}
        yield _ci("Site", info.code, f"{info.city} {info.code}", attributes, "critical")
        yield self._owned("Site", ref)

        compute_racks = math.ceil(plan.hosts / HOSTS_PER_RACK)
        all_racks = compute_racks + math.ceil(plan.arrays / 2)
        feeds = yield from self._power_feeds(info, ref, all_racks)
        racks = yield from self._racks(info, ref, feeds, all_racks)
        switches = yield from self._switches(info, number, racks[:compute_racks])
        arrays = yield from self._arrays(info, racks[compute_racks:], plan.arrays)
        return _SiteContext(info, number, racks[:compute_racks], switches, arrays)

    def _power_feeds(
        self, info: _SiteInfo, site: str, racks: int
    ) -> _Step[list[list[str]]]:
        """Yield A and B feeds, one pair per few racks; return the pairs."""
        pairs = []
        capacity = self._rng.choice((150.0, 200.0, 250.0))
        for number in range(1, math.ceil(racks / RACKS_PER_FEED_PAIR) + 1):
            pair = []
            for side in ("A", "B"):
                key = f"{info.code}-{side}{number}"
                ref = _ref("PowerFeed", key)
                attributes = {"side": side, "capacity_kw": capacity}
                yield _ci("PowerFeed", key, f"Feed {key}", attributes, "critical")
                yield _link("LOCATED_IN", ref, site)
                yield self._owned("PowerFeed", ref)
                pair.append(ref)
            pairs.append(pair)
        return pairs

    def _racks(
        self, info: _SiteInfo, site: str, feeds: list[list[str]], count: int
    ) -> _Step[list[str]]:
        """Yield racks fed by both sides of their feed pair; return their refs."""
        racks = []
        for index in range(count):
            key = f"{info.code}-R{index + 1:03d}"
            ref = _ref("Rack", key)
            attributes = {"row": f"{index // 20 + 1:02d}", "units": 42}
            yield _ci("Rack", key, f"Rack {key}", attributes, "high")
            yield _link("LOCATED_IN", ref, site)
            for feed in feeds[index // RACKS_PER_FEED_PAIR]:
                yield _link("FED_BY", ref, feed)
            yield self._owned("Rack", ref)
            racks.append(ref)
        return racks

    def _switches(
        self, info: _SiteInfo, site_number: int, racks: list[str]
    ) -> _Step[list[list[str]]]:
        """Yield an A and a B top-of-rack switch per rack; return them per rack."""
        vendor, model = self._rng.choice(SWITCH_MODELS)
        pairs = []
        for index, rack in enumerate(racks):
            pair = []
            for side, letter in enumerate("ab"):
                key = f"sw-{info.code.lower()}-r{index + 1:03d}{letter}"
                ref = _ref("Switch", key)
                host = index % 120 * 2 + side + 1
                address = f"10.{200 + site_number}.{index // 120}.{host}"
                attributes = {
                    "vendor": vendor,
                    "model": model,
                    "management_ip": address,
                }
                yield _ci("Switch", key, key, attributes, "high")
                yield _link("LOCATED_IN", ref, rack)
                yield self._owned("Switch", ref)
                pair.append(ref)
            pairs.append(pair)
        return pairs

    def _arrays(
        self, info: _SiteInfo, racks: list[str], count: int
    ) -> _Step[list[_Array]]:
        """Yield storage arrays, two per storage rack; return them."""
        arrays = []
        for index in range(count):
            vendor, model, prefix, protocol, naa = self._rng.choice(ARRAY_MODELS)
            key = f"stor-{info.code.lower()}-{index + 1:02d}"
            ref = _ref("StorageArray", key)
            attributes = {
                "vendor": vendor,
                "model": model,
                "serial": self._serial(prefix, 12),
                "capacity_tb": float(self._rng.choice((368, 512, 737, 1024))),
            }
            yield _ci("StorageArray", key, key, attributes, "critical")
            yield _link("LOCATED_IN", ref, racks[index // 2])
            yield self._owned("StorageArray", ref)
            arrays.append(_Array(ref, key, protocol, naa))
        return arrays

    # vSphere inventory.

    def _vcenter(self, site: _SiteContext, index: int) -> _Step[_VCenterContext]:
        """Yield a vCenter with its datacenter; return its context."""
        suffix = f"-{index + 1}" if index else ""
        ident = f"vc-{site.info.code.lower()}{suffix}"
        ref = _ref("VCenter", ident)
        fqdn = f"{ident}.mgmt.{PROVIDER_DOMAIN}"
        attributes = {
            "url": f"https://{fqdn}/sdk",
            "api_version": "8.0.2.0",
            "instance_uuid": self._uuid(),
        }
        yield _ci("VCenter", ident, fqdn, attributes, "critical")
        yield self._owned("VCenter", ref)
        yield _link("DEPENDS_ON", self._services[BASE_SERVICE], ref, VCENTER_GROUP)

        vcenter = _VCenterContext(ident, site)
        moref = vcenter.moref("datacenter-")
        key = f"{ident}:{moref}"
        vcenter.datacenter = _ref("Datacenter", key)
        name = f"{site.info.code}{suffix}"
        yield _ci("Datacenter", key, name, {"moref": moref}, "critical")
        yield _link("CONTAINED_IN", vcenter.datacenter, ref)
        yield self._owned("Datacenter", vcenter.datacenter)
        return vcenter

    def _cluster(
        self, vcenter: _VCenterContext, plan: _ClusterPlan, site: _SitePlan, number: int
    ) -> _Step[None]:
        """Yield a cluster with its switch, hosts, storage and machines."""
        code = site.site.code.lower()
        name = f"{code}-mgmt" if plan.management else f"{code}-cl{number:02d}"
        statuses = [self._host_status(first=index == 0) for index in range(plan.hosts)]
        positions = vcenter.site.place_hosts(plan.hosts)

        ref = yield from self._cluster_ci(vcenter, name, statuses, plan.management)
        switch = yield from self._distributed_switch(vcenter, name, positions)
        hosts = yield from self._hosts(vcenter, ref, statuses, positions)
        datastores = yield from self._datastores(vcenter, name, plan.vms, hosts)

        active = [
            host
            for host, state in zip(hosts, statuses, strict=True)
            if state == "active"
        ]
        cluster = _ClusterContext(vcenter, ref, name, switch, active, datastores)
        if plan.management:
            yield from self._platform_machines(cluster, site.platform_nodes)
        else:
            yield from self._tenants(cluster, plan.vms)

    def _host_status(self, first: bool) -> str:
        """Return a host's status: a few are retired, in maintenance or planned."""
        draw = self._rng.random()
        if first or draw >= 0.03:
            return "active"
        return ("retired", "maintenance", "planned")[int(draw * 100)]

    def _cluster_ci(
        self, vcenter: _VCenterContext, name: str, statuses: list[str], management: bool
    ) -> _Step[str]:
        """Yield a cluster that tolerates one or more host failures; return it."""
        moref = vcenter.moref("domain-c")
        key = f"{vcenter.ident}:{moref}"
        ref = _ref("Cluster", key)
        automation = (
            "fullyAutomated" if self._rng.random() < 0.9 else "partiallyAutomated"
        )
        attributes = {
            "moref": moref,
            "ha_enabled": True,
            "drs_enabled": True,
            "drs_behavior": automation,
        }
        members = sum(status != "retired" for status in statuses)
        criticality = "critical" if management else "high"
        policy = _cluster_redundancy(members)
        yield _ci("Cluster", key, name, attributes, criticality, redundancy=policy)
        yield _link("CONTAINED_IN", ref, vcenter.datacenter)
        yield self._owned("Cluster", ref)
        return ref

    def _distributed_switch(
        self, vcenter: _VCenterContext, name: str, positions: range
    ) -> _Step[str]:
        """Yield the cluster's distributed switch, uplinked to its racks' switches."""
        moref = vcenter.moref("dvs-")
        key = f"{vcenter.ident}:{moref}"
        ref = _ref("DistributedSwitch", key)
        version = self._rng.choice(("7.0.3", "8.0.0"))
        attributes = {"moref": moref, "switch_version": version}
        yield _ci("DistributedSwitch", key, f"dvs-{name}", attributes, "high")
        yield _link("CONTAINED_IN", ref, vcenter.datacenter)
        yield self._owned("DistributedSwitch", ref)
        racks = range(
            positions[0] // HOSTS_PER_RACK, positions[-1] // HOSTS_PER_RACK + 1
        )
        for rack in racks:
            for switch in vcenter.site.switches[rack]:
                yield _link("UPLINKED_TO", ref, switch)
        return ref

    def _hosts(
        self,
        vcenter: _VCenterContext,
        cluster: str,
        statuses: list[str],
        positions: range,
    ) -> _Step[list[str]]:
        """Yield the cluster's hosts, alike in hardware; return their refs."""
        hardware, serial_format = self._host_hardware()
        site = vcenter.site
        hosts = []
        for status, position in zip(statuses, positions, strict=True):
            moref = vcenter.moref("host-")
            key = f"{vcenter.ident}:{moref}"
            ref = _ref("Host", key)
            attributes = {
                "moref": moref,
                **hardware,
                "serial": self._serial(*serial_format),
                **_host_state(status),
            }
            name = f"esx-{site.info.code.lower()}-{position + 1:04d}"
            policy = [f"CONNECTED_TO:{UPLINK_GROUP}=1"]
            yield _ci("Host", key, name, attributes, "high", status, policy)
            yield _link("MEMBER_OF", ref, cluster)
            rack = position // HOSTS_PER_RACK
            yield _link("LOCATED_IN", ref, site.racks[rack])
            for switch in site.switches[rack]:
                yield _link("CONNECTED_TO", ref, switch, UPLINK_GROUP)
            yield self._owned("Host", ref)
            hosts.append(ref)
        return hosts

    def _host_hardware(self) -> tuple[dict[str, Any], tuple[str, int]]:
        """Return one cluster's host hardware, and how its serials look."""
        vendor, model, prefix, length = self._rng.choice(HOST_MODELS)
        hardware = {
            "vendor": vendor,
            "model": model,
            "cpu_cores": self._rng.choice(HOST_CORES),
            "memory_mb": self._rng.choice(HOST_MEMORY_MB),
            "esxi_version": self._rng.choice(ESXI_VERSIONS),
        }
        return hardware, (prefix, length)

    # Storage.

    def _datastores(
        self, vcenter: _VCenterContext, name: str, vms: int, hosts: list[str]
    ) -> _Step[list[str]]:
        """Yield the cluster's datastores, each on its own volume; return them."""
        count = max(MIN_DATASTORES_PER_CLUSTER, math.ceil(vms / VMS_PER_DATASTORE))
        datastores = []
        for index in range(1, count + 1):
            label = f"{name}-ds{index:03d}"
            volume, volume_attributes = yield from self._volume(vcenter.site, label)
            ref = yield from self._datastore(vcenter, label, volume, volume_attributes)
            for host in hosts:
                yield _link("MOUNTS", host, ref)
            datastores.append(ref)
        return datastores

    def _volume(
        self, site: _SiteContext, label: str
    ) -> _Step[tuple[str, dict[str, Any]]]:
        """Yield a volume on the next array; return it and its attributes."""
        array = site.next_storage_array()
        array.volumes += 1
        prefix = "vol" if array.protocol == "nfs" else "lun"
        key = f"{array.key}:{prefix}-{array.volumes:05d}"
        ref = _ref("Volume", key)
        size = self._rng.choice((4096, 8192, 16384))
        attributes: dict[str, Any] = {"protocol": array.protocol, "size_gb": size}
        if array.naa_prefix:
            attributes["naa"] = f"{array.naa_prefix}{self._rng.getrandbits(96):024x}"
        yield _ci("Volume", key, label, attributes, "high")
        yield _link("ON", ref, array.ref)
        yield self._owned("Volume", ref)
        return ref, attributes

    def _datastore(
        self,
        vcenter: _VCenterContext,
        label: str,
        volume: str,
        volume_attributes: dict[str, Any],
    ) -> _Step[str]:
        """Yield a datastore backed by ``volume``; return its ref."""
        moref = vcenter.moref("datastore-")
        key = f"{vcenter.ident}:{moref}"
        ref = _ref("Datastore", key)
        size = volume_attributes["size_gb"]
        nfs = volume_attributes["protocol"] == "nfs"
        attributes = {
            "moref": moref,
            "datastore_type": "NFS41" if nfs else "VMFS",
            "capacity_gb": size,
            "free_gb": int(size * self._rng.uniform(0.1, 0.6)),
            "url": f"ds:///vmfs/volumes/{self._uuid()}/",
        }
        yield _ci("Datastore", key, label, attributes, "high")
        yield _link("BACKED_BY", ref, volume)
        yield _link("CONTAINED_IN", ref, vcenter.datacenter)
        yield self._owned("Datastore", ref)
        return ref

    # Workloads.

    def _platform_machines(
        self, cluster: _ClusterContext, nodes: dict[str, int]
    ) -> _Step[None]:
        """Yield the site's service nodes, each a member of its service's group."""
        site = cluster.vcenter.site
        block = PLATFORM_ADDRESSES + site.number * 16
        network = yield from self._network(
            cluster, "platform-services", PLATFORM_VLAN, block
        )
        pool = yield from self._resource_pool(cluster, "platform")
        team = self._teams[SERVICE_OWNER["platform"]]
        for code, count in nodes.items():
            criticality = SERVICE_CRITICALITY[code]
            for index in range(1, count + 1):
                name = f"{code.lower()}-{site.info.code.lower()}-{index:02d}"
                vm = yield from self._vm(cluster, pool, name, [network], criticality)
                group = SERVICE_NODES[code].group
                yield _link("DEPENDS_ON", self._services[code], vm, group)
                yield _link("OWNED_BY", vm, team)

    def _tenants(self, cluster: _ClusterContext, vms: int) -> _Step[None]:
        """Yield customers with their machines until the cluster is full."""
        while vms > 0:
            size = self._rng.choices(CUSTOMER_SIZES, cum_weights=CUSTOMER_CUMULATIVE)[0]
            size = min(size, vms)
            yield from self._customer(cluster, size)
            vms -= size

    def _customer(self, cluster: _ClusterContext, size: int) -> _Step[None]:
        """Yield a customer with its contacts, pool, networks and machines."""
        customer = yield from self._customer_ci(cluster.vcenter.site, size)
        contacts = yield from self._contacts(customer, size)
        pool = yield from self._resource_pool(
            cluster, f"{customer.key}-{customer.short}"
        )
        networks = yield from self._customer_networks(cluster, customer.key, size)
        for index in range(1, size + 1):
            name = f"{customer.short}-{self._rng.choice(VM_ROLES)}-{index:02d}"
            attached = self._attachments(networks)
            vm = yield from self._vm(
                cluster, pool, name, attached, customer.criticality, tenant=True
            )
            yield _link("OWNS", customer.ref, vm)
            if self._rng.random() < VMS_OWNED_BY_PERSON:
                yield _link("OWNED_BY", vm, self._rng.choice(contacts))

    def _customer_ci(self, site: _SiteContext, size: int) -> _Step[_Customer]:
        """Yield a customer and its subscriptions; return it."""
        key = f"C{next(self._customer_numbers)}"
        first, trade = self._rng.choice(COMPANY_NAMES), self._rng.choice(COMPANY_TRADES)
        tier = self._sla_tier(size)
        customer = _Customer(
            ref=_ref("Customer", key),
            key=key,
            short=first.lower(),
            criticality=TIER_CRITICALITY[tier],
            domain=f"{first}{trade}.example".lower(),
            phone_prefix=site.info.phone_prefix,
        )
        name = f"{first} {trade} {site.info.company_suffix}"
        attributes = {"sla_tier": tier, "contact_email": f"it@{customer.domain}"}
        yield _ci("Customer", key, name, attributes, customer.criticality)
        for service in self._subscriptions():
            yield _link("SUBSCRIBES_TO", customer.ref, service)
        return customer

    def _sla_tier(self, size: int) -> str:
        """Return an SLA tier; large customers more often buy the better ones."""
        weights = (
            LARGE_CUSTOMER_TIER_WEIGHTS
            if size >= LARGE_CUSTOMER_VMS
            else SMALL_CUSTOMER_TIER_WEIGHTS
        )
        return self._rng.choices(SLA_TIERS, weights)[0]

    def _subscriptions(self) -> list[str]:
        """Return the base service and up to two optional ones, without repeats."""
        extra = self._rng.choices((0, 1, 2), (40, 40, 20))[0]
        codes = [BASE_SERVICE]
        for code in self._rng.sample(OPTIONAL_SERVICES, extra):
            if code not in codes:
                codes.append(code)
        return [self._services[code] for code in codes]

    def _contacts(self, customer: _Customer, size: int) -> _Step[list[str]]:
        """Yield one to three contact people of a customer; return their refs."""
        count = 1 + (size >= 5) + (self._rng.random() < 0.7)
        contacts: list[str] = []
        for index in range(1, count + 1):
            first, last = self._rng.choice(FIRST_NAMES), self._rng.choice(LAST_NAMES)
            key = f"{customer.key}.{first[0]}{last}{index}".lower()
            attributes = {
                "email": f"{first}.{last}@{customer.domain}".lower(),
                "phone": f"{customer.phone_prefix} {self._rng.randrange(10**7):07d}",
            }
            yield _ci("Person", key, f"{first} {last}", attributes)
            contacts.append(_ref("Person", key))
        return contacts

    def _resource_pool(self, cluster: _ClusterContext, name: str) -> _Step[str]:
        """Yield a resource pool in the cluster; return its ref."""
        vcenter = cluster.vcenter
        moref = vcenter.moref("resgroup-")
        key = f"{vcenter.ident}:{moref}"
        ref = _ref("ResourcePool", key)
        yield _ci("ResourcePool", key, name, {"moref": moref})
        yield _link("CONTAINED_IN", ref, cluster.ref)
        yield self._owned("ResourcePool", ref)
        return ref

    def _customer_networks(
        self, cluster: _ClusterContext, customer: str, size: int
    ) -> _Step[list[_Subnet]]:
        """Yield a customer's port groups, more for larger customers; return them."""
        count = 2 + self._rng.randrange(2) + (size >= 5) + (size >= 20)
        networks = []
        for purpose in NETWORK_PURPOSES[:count]:
            block = TENANT_ADDRESSES + self._rng.getrandbits(16)
            network = yield from self._network(
                cluster, f"{customer}-{purpose}", cluster.vlan(), block
            )
            networks.append(network)
        return networks

    def _network(
        self, cluster: _ClusterContext, name: str, vlan: int, first_block: int
    ) -> _Step[_Subnet]:
        """Yield a port group on the cluster's distributed switch; return it."""
        vcenter = cluster.vcenter
        moref = vcenter.moref("dvportgroup-")
        key = f"{vcenter.ident}:{moref}"
        ref = _ref("Network", key)
        attributes = {
            "moref": moref,
            "vlan_id": vlan,
            "network_type": "DistributedVirtualPortgroup",
        }
        yield _ci("Network", key, name, attributes)
        yield _link("PART_OF", ref, cluster.switch)
        yield _link("CONTAINED_IN", ref, vcenter.datacenter)
        yield self._owned("Network", ref)
        return _Subnet(ref, first_block)

    def _attachments(self, networks: list[_Subnet]) -> list[_Subnet]:
        """Return the one or two networks a tenant machine attaches to."""
        first = self._rng.randrange(len(networks))
        if len(networks) == 1 or self._rng.random() >= TWO_NETWORK_SHARE:
            return [networks[first]]
        second = (first + 1 + self._rng.randrange(len(networks) - 1)) % len(networks)
        return [networks[first], networks[second]]

    def _vm(
        self,
        cluster: _ClusterContext,
        pool: str,
        name: str,
        networks: list[_Subnet],
        criticality: str,
        tenant: bool = False,
    ) -> _Step[str]:
        """Yield a machine placed in the cluster; return its ref."""
        vcenter = cluster.vcenter
        moref = vcenter.moref("vm-")
        key = f"{vcenter.ident}:{moref}"
        ref = _ref("VirtualMachine", key)
        status = self._vm_status()
        attributes = self._vm_attributes(moref, status, networks, tenant)
        yield _ci("VirtualMachine", key, name, attributes, criticality, status)
        yield _link("RUNS_ON", ref, self._rng.choice(cluster.hosts))
        yield _link("STORED_ON", ref, self._rng.choice(cluster.datastores))
        for network in networks:
            yield _link("CONNECTED_TO", ref, network.ref)
        yield _link("CONTAINED_IN", ref, pool)
        return ref

    def _vm_status(self) -> str:
        """Return a machine's status: a few are retired and a few planned."""
        draw = self._rng.random()
        if draw < 0.015:
            return "retired"
        return "planned" if draw < 0.025 else "active"

    def _vm_attributes(
        self, moref: str, status: str, networks: list[_Subnet], tenant: bool
    ) -> dict[str, Any]:
        """Return a machine's attributes; tenants' machines vary in OS and size."""
        rng = self._rng
        if tenant:
            guest_os = rng.choices(GUEST_OS, cum_weights=GUEST_OS_CUMULATIVE)[0]
            cpu, memory = rng.choices(VM_SIZES, cum_weights=VM_SIZE_CUMULATIVE)[0]
            template = rng.random() < TEMPLATE_SHARE
        else:
            guest_os, (cpu, memory), template = (
                PLATFORM_GUEST_OS,
                PLATFORM_VM_SIZE,
                False,
            )
        power_state = self._power_state(status, template)
        return {
            "moref": moref,
            "power_state": power_state,
            "cpu_count": cpu,
            "memory_mb": memory,
            "guest_os": guest_os,
            "instance_uuid": self._uuid(),
            "bios_uuid": self._uuid(),
            "ip_addresses": (
                [network.next_address() for network in networks]
                if power_state == "poweredOn"
                else []
            ),
            "template": template,
        }

    def _power_state(self, status: str, template: bool) -> str:
        """Return a power state: templates and inactive machines are off."""
        if template or status != "active":
            return "poweredOff"
        draw = self._rng.random()
        if draw < 0.06:
            return "poweredOff"
        return "suspended" if draw < 0.07 else "poweredOn"

    # Identifiers.

    def _uuid(self) -> str:
        """Return a random UUID in its usual text form."""
        digits = f"{self._rng.getrandbits(128):032x}"
        return "-".join(
            (digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:])
        )

    def _serial(self, prefix: str, length: int) -> str:
        """Return a hardware serial number of ``length`` characters."""
        rest = self._rng.choices(SERIAL_CHARACTERS, k=length - len(prefix))
        return prefix + "".join(rest)


def _host_state(status: str) -> dict[str, Any]:
    """Return how vCenter sees a host with this lifecycle status."""
    return {
        "connection_state": "disconnected" if status == "retired" else "connected",
        "in_maintenance_mode": status in ("maintenance", "planned"),
    }


def _cluster_redundancy(members: int) -> list[str]:
    """Return a cluster's HA policy: N-1 for small clusters, 75% for large ones."""
    if members < 3:
        return []
    if members >= 12:
        return ["MEMBER_OF=75%"]
    tolerated = 1 if members <= 8 else 2
    return [f"MEMBER_OF={members - tolerated}"]


def _service_redundancy(service: _ServiceInfo, nodes: int) -> list[str]:
    """Return the policies of a service's node group and vCenter group."""
    policies = []
    spec = SERVICE_NODES.get(service.code)
    if spec and nodes:
        policies.append(f"DEPENDS_ON:{spec.group}={spec.min_up}")
    if service.code == BASE_SERVICE:
        policies.append(f"DEPENDS_ON:{VCENTER_GROUP}=1")
    return policies
