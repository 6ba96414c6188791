"""A small estate for incident scenarios: a two-host cluster and its users."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import bulk, cis
from app.services.impact import StartSpec
from app.services.incidents import IncidentDraft, open_incident


def make_estate() -> dict:
    """Two hosts in a cluster that needs one, a VM on each, services, customers."""
    return {
        "cis": [
            {"type": "Cluster", "key": "c1", "redundancy": ["MEMBER_OF=1"]},
            {"type": "Host", "key": "h1"},
            {"type": "Host", "key": "h2"},
            {"type": "VirtualMachine", "key": "vm1"},
            {"type": "VirtualMachine", "key": "vm2"},
            {"type": "Service", "key": "web", "criticality": "medium",
             "redundancy": ["DEPENDS_ON=1"]},
            {"type": "Service", "key": "platform", "criticality": "critical"},
            {"type": "Customer", "key": "acme",
             "attributes": {"sla_tier": "gold", "contact_email": "ops@acme.test"}},
            {"type": "Customer", "key": "bolt",
             "attributes": {"sla_tier": "bronze", "contact_email": "it@bolt.test"}},
            {"type": "Team", "key": "virt", "name": "Virtualisation",
             "attributes": {"support_level": 2}},
            {"type": "Team", "key": "noc", "name": "Network operations",
             "attributes": {"support_level": 1}},
        ],
        "relationships": [
            {"type": "MEMBER_OF", "from": "Host:h1", "to": "Cluster:c1"},
            {"type": "MEMBER_OF", "from": "Host:h2", "to": "Cluster:c1"},
            {"type": "RUNS_ON", "from": "VirtualMachine:vm1", "to": "Host:h1"},
            {"type": "RUNS_ON", "from": "VirtualMachine:vm2", "to": "Host:h2"},
            {"type": "DEPENDS_ON", "from": "Service:web", "to": "VirtualMachine:vm1"},
            {"type": "DEPENDS_ON", "from": "Service:web", "to": "VirtualMachine:vm2"},
            {"type": "DEPENDS_ON", "from": "Service:platform", "to": "Cluster:c1"},
            {"type": "SUBSCRIBES_TO", "from": "Customer:acme", "to": "Service:web"},
            {"type": "OWNS", "from": "Customer:bolt", "to": "VirtualMachine:vm1"},
            {"type": "OWNED_BY", "from": "Host:h1", "to": "Team:virt"},
            {"type": "OWNED_BY", "from": "Host:h2", "to": "Team:virt"},
        ],
    }  # fmt: skip


@pytest.fixture
def estate(runtime, context):
    """The runtime over the loaded estate."""
    bulk.load_document(runtime, make_estate(), context)
    return runtime


@pytest.fixture
def ids(estate) -> dict[str, str]:
    """The ids of the estate's CIs by ``Type:key``."""
    found = {}
    for ci in make_estate()["cis"]:
        label = f"{ci['type']}:{ci['key']}"
        found[label] = cis.find_ci(estate, CIRef.parse(label))["id"]
    return found


def make_context(minutes: float = 0, actor: str = "tester") -> WriteContext:
    """Return a write context at a fixed time plus ``minutes``."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return WriteContext(actor=actor, source="test", at=at)


def make_incident(runtime, *starts: str, context=None, **fields) -> dict:
    """Open an incident on CIs given as ``Type:key``."""
    draft = IncidentDraft(
        title=fields.pop("title", f"{' and '.join(starts)} failed"),
        starts=[StartSpec(ref=CIRef.parse(start)) for start in starts],
        **fields,
    )
    return open_incident(runtime, draft, context or make_context())
