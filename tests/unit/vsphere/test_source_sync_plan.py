"""Planning a source's sync against a stored scope, without a server.

The stored graph is kept in memory: each plan is applied to it the way the
write statements would, so successive syncs read like successive runs.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from app.catalogue import load_catalogue
from app.domain.errors import CMDBError
from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services.sync import (
    SyncPlan,
    SyncScope,
    parse_document,
    plan_changes,
)
from app.settings import REPOSITORY_ROOT

CATALOGUE = load_catalogue(REPOSITORY_ROOT / "schema")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SCOPE = SyncScope(
    source="vsphere:vc",
    key_prefix="vc",
    types=frozenset({"Host", "VirtualMachine"}),
    relationships=frozenset({("RUNS_ON", "VirtualMachine", "Host")}),
)


@dataclass
class StoredScope:
    """What the graph holds for the scope, updated as plans are applied."""

    cis: dict[CIRef, dict] = field(default_factory=dict)
    relationships: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)

    def sync(
        self,
        data: dict,
        at: datetime = START,
        scope: SyncScope = SCOPE,
        complete: bool = True,
        last_seen: datetime | None = None,
    ) -> SyncPlan:
        """Plan a sync of ``data`` at ``at`` and apply it."""
        document = parse_document(CATALOGUE, data, scope)
        context = WriteContext(actor="importer:test", source=scope.source, at=at)
        plan = plan_changes(
            document, self.cis, self.relationships, scope, context, complete, last_seen
        )
        self.apply(plan)
        return plan

    def apply(self, plan: SyncPlan) -> None:
        """Apply a plan as the write statements would."""
        refs = {properties["id"]: ref for ref, properties in self.cis.items()}
        for row in plan.ci_creates:
            properties = row["properties"]
            self.cis[CIRef(properties["type"], properties["key"])] = properties
        for row in plan.ci_updates:
            ref = refs[row["id"]]
            assert self.cis[ref]["version"] == row["expected_version"]
            self.cis[ref] = _merged(self.cis[ref], row["set"])
        for row in plan.relationship_deletes:
            del self.relationships[(row["source"], row["type"], row["target"])]
        for row in plan.relationship_creates:
            key = (row["source"], row["type"], row["target"])
            self.relationships[key] = row["properties"]
        for row in plan.relationship_updates:
            key = (row["source"], row["type"], row["target"])
            self.relationships[key] = _merged(self.relationships[key], row["set"])
        self.history += [row["history"] for row in _rows(plan)]

    def ci(self, key: str, type_name: str = "VirtualMachine") -> dict:
        return self.cis[CIRef(type_name, key)]


def _merged(properties: dict, changes: dict) -> dict:
    """Properties after ``SET += changes``: None removes a property."""
    merged = {**properties, **changes}
    return {name: value for name, value in merged.items() if value is not None}


def _rows(plan: SyncPlan) -> list[dict]:
    """Every row of a plan, in the order the writes run."""
    return (
        plan.ci_creates
        + plan.ci_updates
        + plan.relationship_deletes
        + plan.relationship_creates
        + plan.relationship_updates
    )


def make_data(vms: dict[str, str], names: dict[str, str] | None = None) -> dict:
    """A document of two hosts and virtual machines placed on them."""
    names = names or {}
    hosts = [{"type": "Host", "key": f"vc:{h}"} for h in ("host-1", "host-2")]
    machines = [
        {
            "type": "VirtualMachine",
            "key": f"vc:{vm}",
            "name": names.get(vm, vm),
            "attributes": {"cpu_count": 2, "guest_os": None},
        }
        for vm in vms
    ]
    placements = [
        {
            "type": "RUNS_ON",
            "from": {"type": "VirtualMachine", "key": f"vc:{vm}"},
            "to": {"type": "Host", "key": f"vc:{host}"},
        }
        for vm, host in vms.items()
    ]
    return {"cis": hosts + machines, "relationships": placements}


@pytest.fixture
def stored() -> StoredScope:
    """A scope after a first sync of two machines on host-1."""
    scope = StoredScope()
    scope.sync(make_data({"vm-1": "host-1", "vm-2": "host-1"}))
    return scope


def test_first_sync_creates_everything_with_history():
    scope = StoredScope()

    plan = scope.sync(make_data({"vm-1": "host-1"}))

    assert (len(plan.ci_creates), len(plan.relationship_creates)) == (3, 1)
    assert {entry["action"] for entry in scope.history} == {"create", "relate"}
    assert all(entry["source"] == "vsphere:vc" for entry in scope.history)


def test_same_picture_again_plans_no_writes(stored):
    plan = stored.sync(make_data({"vm-1": "host-1", "vm-2": "host-1"}))

    assert plan.writes == 0
    assert len(plan.unchanged) == 4


def test_rename_is_an_update_of_the_same_ci(stored):
    before = stored.ci("vc:vm-1")

    plan = stored.sync(
        make_data({"vm-1": "host-1", "vm-2": "host-1"}, {"vm-1": "web-01"})
    )

    after = stored.ci("vc:vm-1")
    assert (after["id"], after["name"], after["version"]) == (before["id"], "web-01", 2)
    assert plan.changes == ["update VirtualMachine:vc:vm-1: name vm-1 -> web-01"]


def test_move_replaces_the_relationship(stored):
    plan = stored.sync(make_data({"vm-1": "host-2", "vm-2": "host-1"}))

    vm = stored.ci("vc:vm-1")["id"]
    host_2 = stored.ci("vc:host-2", "Host")["id"]
    assert [key for key in stored.relationships if key[0] == vm] == [
        (vm, "RUNS_ON", host_2)
    ]
    assert (len(plan.moved), len(plan.updated)) == (1, 0)
    assert [entry["action"] for entry in stored.history[-2:]] == ["unrelate", "relate"]


def test_unseen_ci_is_retired_at_once_without_grace(stored):
    plan = stored.sync(make_data({"vm-1": "host-1"}))

    retired = stored.ci("vc:vm-2")
    assert (retired["status"], retired["missing_since"]) == ("retired", START)
    assert plan.cis_retired == 1
    assert stored.history[-1]["action"] == "retire"


def test_unseen_ci_waits_for_the_grace_period(stored):
    patient = replace(SCOPE, grace_period=timedelta(hours=1))
    data = make_data({"vm-1": "host-1"})
    later = START + timedelta(minutes=10)

    first = stored.sync(data, at=later, scope=patient, last_seen=START)
    again = stored.sync(data, at=later + timedelta(minutes=30), scope=patient)
    last = stored.sync(data, at=later + timedelta(minutes=61), scope=patient)

    assert (first.cis_missing, len(first.ci_updates)) == (1, 1)
    assert again.writes == 0
    assert last.cis_retired == 1
    vm = stored.ci("vc:vm-2")
    assert (vm["missing_since"], vm["last_seen_at"]) == (later, START)


def test_unseen_ci_keeps_its_relationships(stored):
    vm = stored.ci("vc:vm-2")["id"]

    stored.sync(make_data({"vm-1": "host-1"}))

    assert any(key[0] == vm for key in stored.relationships)


def test_incomplete_sync_retires_and_removes_nothing(stored):
    plan = stored.sync(make_data({"vm-1": "host-2"}), complete=False)

    assert stored.ci("vc:vm-2")["status"] == "active"
    assert (plan.cis_retired, len(plan.relationship_deletes)) == (0, 0)


def test_ci_seen_again_is_active_and_no_longer_missing(stored):
    stored.sync(make_data({"vm-1": "host-1"}))

    plan = stored.sync(make_data({"vm-1": "host-1", "vm-2": "host-1"}))

    vm = stored.ci("vc:vm-2")
    assert vm["status"] == "active"
    assert "missing_since" not in vm
    assert len(plan.updated) == 1


def test_fields_people_own_are_left_alone(stored):
    key = CIRef("VirtualMachine", "vc:vm-1")
    stored.cis[key] = {
        **stored.cis[key],
        "criticality": "high",
        "status": "maintenance",
    }

    plan = stored.sync(make_data({"vm-1": "host-1", "vm-2": "host-1"}))

    assert plan.writes == 0
    assert (stored.cis[key]["criticality"], stored.cis[key]["status"]) == (
        "high",
        "maintenance",
    )


def test_attribute_sources_name_the_writer_of_each_field(stored):
    key = CIRef("VirtualMachine", "vc:vm-1")
    stored.cis[key] = {
        **stored.cis[key],
        "attribute_sources": [*stored.cis[key]["attribute_sources"], "owner=api"],
    }

    stored.sync(make_data({"vm-1": "host-1", "vm-2": "host-1"}))

    assert stored.cis[key]["attribute_sources"] == [
        "cpu_count=vsphere:vc",
        "guest_os=vsphere:vc",
        "name=vsphere:vc",
        "owner=api",
    ]


def test_documents_outside_the_scope_are_refused():
    data = {"cis": [{"type": "Host", "key": "other:host-1"}]}

    with pytest.raises(CMDBError, match="not in vsphere:vc"):
        parse_document(CATALOGUE, data, SCOPE)


def test_relationships_the_source_does_not_manage_are_refused():
    data = make_data({"vm-1": "host-1"})
    data["relationships"][0]["type"] = "CONNECTED_TO"
    data["relationships"][0]["to"] = {"type": "Host", "key": "vc:host-1"}

    with pytest.raises(CMDBError):
        parse_document(CATALOGUE, data, SCOPE)
