"""An estate of two clusters and factories of change requests."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import bulk, changes
from app.services.cis import find_ci
from app.services.runtime import Runtime

START = datetime(2027, 3, 1, 22, 0, tzinfo=UTC)


def make_estate() -> dict:
    """Cluster c1 (hosts h1-h3) serves shop for acme (platinum); c2 (h4, h5)
    serves mail for zeta (bronze)."""
    cis = [
        {"type": "Cluster", "key": "c1", "redundancy": ["MEMBER_OF=2"]},
        {"type": "Cluster", "key": "c2", "redundancy": ["MEMBER_OF=1"]},
        {"type": "Service", "key": "shop", "criticality": "high",
         "redundancy": ["DEPENDS_ON=1"]},
        {"type": "Service", "key": "mail", "criticality": "low"},
        {"type": "Customer", "key": "acme", "name": "Acme",
         "attributes": {"sla_tier": "platinum", "contact_email": "ops@acme.test"}},
        {"type": "Customer", "key": "zeta", "attributes": {"sla_tier": "bronze"}},
        {"type": "Team", "key": "virt", "name": "Virtualisation",
         "attributes": {"support_level": 2}},
    ]  # fmt: skip
    rels = [
        {"type": "SUBSCRIBES_TO", "from": "Customer:acme", "to": "Service:shop"},
        {"type": "SUBSCRIBES_TO", "from": "Customer:zeta", "to": "Service:mail"},
    ]
    for host, cluster in (("h1", "c1"), ("h2", "c1"), ("h3", "c1"), ("h4", "c2"),
                          ("h5", "c2")):  # fmt: skip
        cis += [
            {"type": "Host", "key": host},
            {"type": "VirtualMachine", "key": f"vm-{host}"},
        ]
        service = "shop" if cluster == "c1" else "mail"
        rels += [
            {"type": "MEMBER_OF", "from": f"Host:{host}", "to": f"Cluster:{cluster}"},
            {"type": "RUNS_ON", "from": f"VirtualMachine:vm-{host}",
             "to": f"Host:{host}"},
            {"type": "DEPENDS_ON", "from": f"Service:{service}",
             "to": f"VirtualMachine:vm-{host}"},
            {"type": "OWNED_BY", "from": f"Host:{host}", "to": "Team:virt"},
        ]  # fmt: skip
    return {"cis": cis, "relationships": rels}


@pytest.fixture
def estate(runtime: Runtime, context: WriteContext) -> Runtime:
    """The runtime over the two-cluster estate."""
    bulk.load_document(runtime, make_estate(), context)
    return runtime


@pytest.fixture
def ci_id(estate: Runtime) -> Callable[[str], str]:
    """Return the id of a CI named ``Type:key``."""
    return lambda text: find_ci(estate, CIRef.parse(text))["id"]


def as_actor(actor: str, at: datetime | None = None) -> WriteContext:
    """A write context for another person."""
    if at is None:
        return WriteContext(actor=actor, source="test")
    return WriteContext(actor=actor, source="test", at=at)


def window(hours_from_start: float = 0, hours: float = 2) -> tuple[datetime, datetime]:
    """A window starting some hours after START."""
    begin = START + timedelta(hours=hours_from_start)
    return begin, begin + timedelta(hours=hours)


@pytest.fixture
def make_change(estate: Runtime, ci_id) -> Callable[..., dict]:
    """Create a change request on CIs named ``Type:key``, as alice."""

    def make(
        *targets: str,
        planned: tuple[datetime, datetime] | None = None,
        type: str = "normal",
        submit: bool = False,
        requester: str = "alice",
    ) -> dict:
        start, end = planned or window()
        draft = changes.ChangeDraft(
            title=f"Work on {', '.join(targets)}",
            target_ids=[ci_id(t) for t in targets],
            window_start=start,
            window_end=end,
            type=type,
        )
        change = changes.create_change(estate, draft, as_actor(requester))
        if submit:
            change = changes.submit_change(estate, change["id"], as_actor(requester))
        return change

    return make
