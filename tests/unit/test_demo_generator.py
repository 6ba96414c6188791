"""The demo estate: deterministic, valid against the catalogue, realistic, to scale.

The checks are functions that list what is wrong, so one estate's problems show
together and the same checks run on estates of every size.
"""

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from app.catalogue import (
    GROUP_PROPERTY,
    Catalogue,
    Dependent,
    MinUp,
    PropertyKind,
    PropertySpec,
    load_catalogue,
)
from app.demo import generate_estate, iter_estate, summary

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
STATUSES = {"planned", "active", "maintenance", "retired"}
CRITICALITIES = {"low", "medium", "high", "critical"}
CI_FIELDS = {"type", "key", "name", "status", "criticality", "attributes"}
VALUE_TYPES = {
    PropertyKind.STRING: str,
    PropertyKind.INTEGER: int,
    PropertyKind.FLOAT: float,
    PropertyKind.BOOLEAN: bool,
    PropertyKind.ENUM: str,
    PropertyKind.LIST: list,
}
PEOPLE = {"Customer", "Team", "Person"}

Document = dict[str, Any]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """Load the real catalogue."""
    return load_catalogue(SCHEMA)


@pytest.fixture(scope="module")
def estate() -> Document:
    """Generate the small estate most tests read."""
    return generate_estate(300)


@pytest.fixture(scope="module")
def larger_estate() -> Document:
    """Generate an estate large enough for proportions to show."""
    return generate_estate(6000)


def make_index(document: Document) -> dict[str, dict[str, Any]]:
    """Return the document's CIs by their ``Type:key`` reference."""
    return {f"{ci['type']}:{ci['key']}": ci for ci in document["cis"]}


def make_links(document: Document, rel_type: str) -> dict[str, list[str]]:
    """Return, per source reference, the targets of one relationship type."""
    links = defaultdict(list)
    for rel in document["relationships"]:
        if rel["type"] == rel_type:
            links[rel["from"]].append(rel["to"])
    return links


def cis_of(document: Document, ci_type: str) -> list[dict[str, Any]]:
    """Return the document's CIs of one type."""
    return [ci for ci in document["cis"] if ci["type"] == ci_type]


# Checks: each returns a list of problems, empty when all is well.


def common_field_problems(document: Document) -> list[str]:
    """List CIs whose common fields are missing, unknown or out of range."""
    problems = []
    for ci in document["cis"]:
        where = f"{ci.get('type')}:{ci.get('key')}"
        unknown = set(ci) - CI_FIELDS - {"redundancy"}
        if unknown or not set(ci) >= CI_FIELDS:
            problems.append(f"{where}: fields {sorted(ci)}")
        if ci["status"] not in STATUSES or ci["criticality"] not in CRITICALITIES:
            problems.append(f"{where}: {ci['status']}, {ci['criticality']}")
        if not all(isinstance(ci[name], str) and ci[name] for name in ("key", "name")):
            problems.append(f"{where}: empty key or name")
    return problems


def value_problem(spec: PropertySpec, value: Any) -> str:
    """Return what is wrong with one attribute value, or an empty string."""
    wanted = VALUE_TYPES[spec.type]
    if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
        return f"{value!r} is not {spec.type}"
    if spec.type is PropertyKind.ENUM and value not in spec.values:
        return f"{value!r} is not one of {spec.values}"
    if spec.type is PropertyKind.LIST and not all(isinstance(v, str) for v in value):
        return f"{value!r} is not a list of strings"
    if spec.type is PropertyKind.STRING and not value.strip():
        return "empty string"
    low, high = spec.minimum, spec.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{value!r} is outside {low}..{high}"
    return ""


def attribute_problems(document: Document, catalogue: Catalogue) -> list[str]:
    """List attributes that are undeclared, of the wrong type or missing."""
    problems = []
    for ci in document["cis"]:
        where = f"{ci['type']}:{ci['key']}"
        specs = catalogue.ci_type(ci["type"]).properties
        for name, value in ci["attributes"].items():
            spec = specs.get(name)
            problem = value_problem(spec, value) if spec else "not declared"
            if problem:
                problems.append(f"{where}.{name}: {problem}")
        for name, spec in specs.items():
            if spec.required and name not in ci["attributes"]:
                problems.append(f"{where}.{name}: required but missing")
    return problems


def key_problems(document: Document) -> list[str]:
    """List keys that occur more than once within a type."""
    counts = Counter((ci["type"], ci["key"]) for ci in document["cis"])
    return [f"{t}:{key} x{n}" for (t, key), n in counts.items() if n > 1]


def relationship_problems(document: Document, catalogue: Catalogue) -> list[str]:
    """List relationships with unknown ends, disallowed types or stray groups."""
    index = make_index(document)
    problems = []
    for rel in document["relationships"]:
        where = f"{rel['type']} {rel['from']} -> {rel['to']}"
        rel_type = catalogue.relationship(rel["type"])
        ends = [index.get(rel["from"]), index.get(rel["to"])]
        if rel_type is None or None in ends:
            problems.append(f"{where}: unknown type or end")
            continue
        if not rel_type.allows(ends[0]["type"], ends[1]["type"]):
            problems.append(f"{where}: endpoint types not allowed")
        properties = rel.get("properties", {})
        if set(properties) - {GROUP_PROPERTY}:
            problems.append(f"{where}: properties {sorted(properties)}")
        if GROUP_PROPERTY in properties and not rel_type.redundancy.allowed:
            problems.append(f"{where}: group on a type without redundancy")
    return problems


def redundancy_problems(document: Document, catalogue: Catalogue) -> list[str]:
    """List redundancy policies that are malformed or name no group of the CI."""
    groups = defaultdict(set)
    for rel in document["relationships"]:
        group = rel.get("properties", {}).get(GROUP_PROPERTY)
        dependent = catalogue.relationship(rel["type"]).dependent
        end = rel["from"] if dependent is Dependent.SOURCE else rel["to"]
        groups[end].add(f"{rel['type']}:{group}" if group else rel["type"])

    problems = []
    for ref, ci in make_index(document).items():
        for policy in ci.get("redundancy", []):
            group, _, min_up = policy.partition("=")
            rel_type = catalogue.relationship(group.partition(":")[0])
            try:
                MinUp.parse(min_up)
            except ValueError:
                problems.append(f"{ref}: {policy!r} has no valid MIN_UP")
            if rel_type is None or not rel_type.redundancy.allowed:
                problems.append(f"{ref}: {policy!r} names no redundant type")
            elif group not in groups[ref]:
                problems.append(f"{ref}: {policy!r} names no group it depends on")
    return problems


# Determinism.


def test_the_same_seed_gives_the_same_document() -> None:
    first = generate_estate(300, seed=7)

    second = generate_estate(300, seed=7)

    assert json.dumps(first) == json.dumps(second)


def test_another_seed_gives_another_document() -> None:
    first = generate_estate(300, seed=7)

    second = generate_estate(300, seed=8)

    assert first != second


def test_iter_estate_yields_what_generate_estate_returns(estate: Document) -> None:
    items = list(iter_estate(300))

    assert [ci for kind, ci in items if kind == "ci"] == estate["cis"]
    assert [r for kind, r in items if kind == "relationship"] == estate["relationships"]


def test_each_ci_comes_before_the_relationships_that_name_it() -> None:
    seen: set[str] = set()
    early = []

    for kind, entry in iter_estate(300):
        if kind == "ci":
            seen.add(f"{entry['type']}:{entry['key']}")
        elif not {entry["from"], entry["to"]} <= seen:
            early.append(entry)

    assert early == []


# Validity against the catalogue.


def test_the_document_has_a_version_and_survives_json(estate: Document) -> None:
    assert estate["version"] == 1
    assert json.loads(json.dumps(estate)) == estate


def test_common_fields_are_present_and_valid(estate: Document) -> None:
    assert common_field_problems(estate) == []


def test_attributes_are_declared_and_well_typed(
    estate: Document, catalogue: Catalogue
) -> None:
    assert attribute_problems(estate, catalogue) == []


def test_keys_are_unique_within_each_type(estate: Document) -> None:
    assert key_problems(estate) == []


def test_relationships_join_existing_cis_the_catalogue_allows(
    estate: Document, catalogue: Catalogue
) -> None:
    assert relationship_problems(estate, catalogue) == []


def test_redundancy_policies_are_well_formed_and_name_real_groups(
    estate: Document, catalogue: Catalogue
) -> None:
    assert redundancy_problems(estate, catalogue) == []


@pytest.mark.parametrize("vms", [1, 7, 50, 2345])
def test_estates_of_any_size_are_valid(vms: int, catalogue: Catalogue) -> None:
    document = generate_estate(vms, seed=vms)

    problems = [
        *common_field_problems(document),
        *key_problems(document),
        *attribute_problems(document, catalogue),
        *relationship_problems(document, catalogue),
        *redundancy_problems(document, catalogue),
    ]

    assert problems == []


def test_the_bulk_loader_accepts_the_document(
    estate: Document, catalogue: Catalogue
) -> None:
    bulk = pytest.importorskip("app.domain.bulk")

    parsed = bulk.parse_document(catalogue, estate)

    assert len(parsed.cis) == len(estate["cis"])
    assert len(parsed.relationships) == len(estate["relationships"])


def test_fewer_than_one_machine_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        iter_estate(0)


# Coverage and proportions.


def test_every_catalogue_type_is_present(
    estate: Document, catalogue: Catalogue
) -> None:
    present = {ci["type"] for ci in estate["cis"]}

    assert present == set(catalogue.types)


def test_every_relationship_type_is_used(
    estate: Document, catalogue: Catalogue
) -> None:
    used = {rel["type"] for rel in estate["relationships"]}

    assert used == set(catalogue.relationships)


@pytest.mark.parametrize("vms", [1, 7, 300, 2345])
def test_the_estate_has_exactly_the_machines_asked_for(vms: int) -> None:
    document = generate_estate(vms)

    assert summary(document)["VirtualMachine"] == vms


def test_summary_counts_cis_and_relationships_per_type(estate: Document) -> None:
    counts = summary(estate)

    cis = sum(n for name, n in counts.items() if not name.isupper())
    relationships = sum(n for name, n in counts.items() if name.isupper())
    assert (cis, relationships) == (len(estate["cis"]), len(estate["relationships"]))
    assert counts["Site"] == 2


def test_hosts_carry_about_twenty_machines(larger_estate: Document) -> None:
    counts = summary(larger_estate)

    assert 15 <= counts["VirtualMachine"] / counts["Host"] <= 22


def test_clusters_have_four_to_sixteen_hosts(larger_estate: Document) -> None:
    members = Counter(
        rel["to"]
        for rel in larger_estate["relationships"]
        if rel["type"] == "MEMBER_OF"
    )

    assert members
    assert all(4 <= count <= 16 for count in members.values())


def test_racks_hold_at_most_sixteen_hosts(larger_estate: Document) -> None:
    racks = Counter(
        rel["to"]
        for rel in larger_estate["relationships"]
        if rel["type"] == "LOCATED_IN" and rel["from"].startswith("Host:")
    )

    assert max(racks.values()) <= 16


def test_racks_are_fed_by_an_a_and_a_b_feed(larger_estate: Document) -> None:
    index = make_index(larger_estate)
    feeds = make_links(larger_estate, "FED_BY")

    sides = {
        rack["key"]: sorted(index[feed]["attributes"]["side"] for feed in feeds[ref])
        for ref, rack in index.items()
        if rack["type"] == "Rack"
    }

    assert set(map(tuple, sides.values())) == {("A", "B")}


def test_hosts_connect_to_both_switches_of_their_rack(
    larger_estate: Document,
) -> None:
    racks = make_links(larger_estate, "LOCATED_IN")
    uplinks = make_links(larger_estate, "CONNECTED_TO")

    wrong = [
        host["key"]
        for host in cis_of(larger_estate, "Host")
        if sorted(racks[switch][0] for switch in uplinks[f"Host:{host['key']}"])
        != [racks[f"Host:{host['key']}"][0]] * 2
    ]

    assert wrong == []


def test_machines_run_where_their_datastore_is_mounted(
    larger_estate: Document,
) -> None:
    runs_on = make_links(larger_estate, "RUNS_ON")
    stored_on = make_links(larger_estate, "STORED_ON")
    mounts = {
        (rel["from"], rel["to"])
        for rel in larger_estate["relationships"]
        if rel["type"] == "MOUNTS"
    }

    unmounted = [
        vm for vm, (host,) in runs_on.items() if (host, stored_on[vm][0]) not in mounts
    ]

    assert unmounted == []


def test_machines_run_only_on_active_hosts(larger_estate: Document) -> None:
    index = make_index(larger_estate)

    states = {
        index[host]["status"]
        for hosts in make_links(larger_estate, "RUNS_ON").values()
        for host in hosts
    }

    assert states == {"active"}


def test_most_machines_are_active_and_powered_on(larger_estate: Document) -> None:
    machines = cis_of(larger_estate, "VirtualMachine")
    statuses = Counter(vm["status"] for vm in machines)
    power = Counter(vm["attributes"]["power_state"] for vm in machines)

    assert statuses["active"] > 0.9 * len(machines)
    assert statuses["retired"] > 0
    assert statuses["planned"] > 0
    assert power["poweredOn"] > 0.8 * len(machines)
    assert power["poweredOff"] > 0


def test_a_few_hosts_are_retired_or_planned(larger_estate: Document) -> None:
    statuses = Counter(host["status"] for host in cis_of(larger_estate, "Host"))

    assert statuses["active"] > 0.9 * statuses.total()
    assert statuses["retired"] + statuses["planned"] > 0


def test_customers_own_machines_and_subscribe_to_one_to_three_services(
    larger_estate: Document,
) -> None:
    owns = make_links(larger_estate, "OWNS")
    subscriptions = make_links(larger_estate, "SUBSCRIBES_TO")

    customers = [f"Customer:{c['key']}" for c in cis_of(larger_estate, "Customer")]

    assert all(owns[customer] for customer in customers)
    assert all(1 <= len(subscriptions[customer]) <= 3 for customer in customers)


def test_cheaper_sla_tiers_are_the_more_common(larger_estate: Document) -> None:
    tiers = Counter(
        c["attributes"]["sla_tier"] for c in cis_of(larger_estate, "Customer")
    )

    assert tiers["bronze"] > tiers["gold"] > tiers["platinum"] > 0
    assert tiers["silver"] > tiers["gold"]


def test_teams_cover_support_levels_one_to_three_and_have_members(
    estate: Document,
) -> None:
    members = Counter(
        rel["to"] for rel in estate["relationships"] if rel["type"] == "BELONGS_TO"
    )

    teams = cis_of(estate, "Team")

    assert {team["attributes"]["support_level"] for team in teams} == {1, 2, 3}
    assert all(members[f"Team:{team['key']}"] >= 1 for team in teams)


def test_every_infrastructure_ci_and_service_has_an_owning_team(
    estate: Document,
) -> None:
    owners = make_links(estate, "OWNED_BY")

    orphans = [
        f"{ci['type']}:{ci['key']}"
        for ci in estate["cis"]
        if ci["type"] not in PEOPLE | {"VirtualMachine"}
        and not any(o.startswith("Team:") for o in owners[f"{ci['type']}:{ci['key']}"])
    ]

    assert orphans == []


def test_some_machines_are_owned_by_a_person(estate: Document) -> None:
    owners = make_links(estate, "OWNED_BY")

    personal = [
        vm
        for vm in cis_of(estate, "VirtualMachine")
        if any(o.startswith("Person:") for o in owners[f"VirtualMachine:{vm['key']}"])
    ]

    assert 0 < len(personal) < 300


def test_platform_services_depend_on_groups_of_nodes(estate: Document) -> None:
    groups = Counter(
        (rel["from"], rel["properties"]["group"])
        for rel in estate["relationships"]
        if rel["type"] == "DEPENDS_ON" and "properties" in rel
    )

    assert groups[("Service:DNS", "nodes")] >= 2
    assert groups[("Service:IAAS", "vcenters")] == 2


def test_a_large_estate_keeps_its_proportions() -> None:
    document = generate_estate(30_000)

    counts = summary(document)

    assert counts["VirtualMachine"] == 30_000
    assert 3.0 <= len(document["cis"]) / 30_000 <= 3.6
    assert 9.0 <= len(document["relationships"]) / 30_000 <= 11.5
