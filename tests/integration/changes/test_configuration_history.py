"""A CI as it was at a given time, and every write across the estate."""

from datetime import timedelta

import pytest

from app.domain.errors import CMDBError
from app.services import cis
from app.services.configuration_history import configuration_as_of, estate_history
from tests.integration.changes.conftest import START, as_actor

pytestmark = pytest.mark.neo4j

HOUR = timedelta(hours=1)


def runs_on(snapshot) -> list[str]:
    return [r.other_id for r in snapshot.relationships if r.type == "RUNS_ON"]


@pytest.fixture
def moved_vm(estate, ci_id) -> str:
    """vm-h1 renamed to shop-01 at START + 1 h and moved to h2 at START + 2 h."""
    vm, h1, h2 = ci_id("VirtualMachine:vm-h1"), ci_id("Host:h1"), ci_id("Host:h2")
    cis.update_ci(estate, vm, {"name": "shop-01"}, as_actor("alice", START + HOUR))
    moved = as_actor("vsphere", START + 2 * HOUR)
    cis.unrelate(estate, vm, "RUNS_ON", h1, moved)
    cis.relate(estate, vm, "RUNS_ON", h2, None, moved)
    return vm


def test_as_of_before_the_rename_shows_the_old_name_and_host(estate, moved_vm, ci_id):
    before = configuration_as_of(estate, moved_vm, START + 0.5 * HOUR)

    assert before.exists
    assert before.properties["name"] == "vm-h1"
    assert runs_on(before) == [ci_id("Host:h1")]


def test_as_of_between_rename_and_move(estate, moved_vm, ci_id):
    between = configuration_as_of(estate, moved_vm, START + 1.5 * HOUR)

    assert between.properties["name"] == "shop-01"
    assert runs_on(between) == [ci_id("Host:h1")]


def test_as_of_after_the_move_matches_the_ci_now(estate, moved_vm, ci_id):
    after = configuration_as_of(estate, moved_vm, START + 3 * HOUR)

    current = cis.get_ci(estate, moved_vm)
    assert after.properties["name"] == current["name"] == "shop-01"
    assert runs_on(after) == [ci_id("Host:h2")]


def test_the_host_sees_the_vm_arrive_as_an_incoming_relationship(
    estate, moved_vm, ci_id
):
    host = configuration_as_of(estate, ci_id("Host:h2"), START + 3 * HOUR)

    incoming = [(r.direction, r.type, r.other_id) for r in host.relationships]
    assert ("in", "RUNS_ON", moved_vm) in incoming


def test_estate_history_filters_by_actor(estate, moved_vm):
    page = estate_history(estate, START, START + 3 * HOUR, actor="vsphere")

    assert sorted(e["action"] for e in page.items) == ["relate", "unrelate"]


def test_estate_history_is_paginated(estate, moved_vm):
    first = estate_history(estate, START, START + 3 * HOUR, first=2)
    second = estate_history(estate, START, START + 3 * HOUR, after=first.next_cursor)

    assert len(first.items) == 2
    assert len(second.items) == 1
    assert second.items[0]["id"] not in {e["id"] for e in first.items}
    assert second.next_cursor is None


def test_estate_history_filters_by_ci_type(estate, moved_vm):
    page = estate_history(estate, START, START + 3 * HOUR, ci_type="Host")

    assert page.items == []


def test_a_period_that_ends_before_it_starts_is_refused(estate):
    with pytest.raises(CMDBError) as error:
        estate_history(estate, START, START - HOUR)

    assert error.value.problems[0].field == "until"
