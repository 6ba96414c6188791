"""Rebuilding a CI as it was from its history entries."""

from datetime import UTC, datetime, timedelta

from app.domain.configuration_history import ci_as_of

T0 = datetime(2027, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def entry(hours: float, action: str, changes: dict, **fields) -> dict:
    return {"at": T0 + hours * HOUR, "action": action, "ci_id": "vm",
            "changes": changes, **fields}  # fmt: skip


def created(hours: float = 0, **values) -> dict:
    changes = {k: {"before": None, "after": v} for k, v in values.items()}
    return entry(hours, "create", changes)


def changed(hours: float, action: str = "update", **pairs) -> dict:
    changes = {k: {"before": b, "after": a} for k, (b, a) in pairs.items()}
    return entry(hours, action, changes)


def related(hours: float, action: str, rel_type: str, other: str, **values) -> dict:
    changes = {k: {"before": None, "after": v} for k, v in values.items()}
    return entry(hours, action, changes, rel_type=rel_type, other_id=other)


HISTORY = [
    created(0, name="web", status="active", cpu_count=2),
    related(0, "relate", "RUNS_ON", "h1"),
    changed(1, name=("web", "shop")),
    related(2, "unrelate", "RUNS_ON", "h1"),
    related(2, "relate", "RUNS_ON", "h2"),
    changed(3, cpu_count=(2, None)),
    changed(4, action="retire", status=("active", "retired")),
]


def test_before_creation_the_ci_does_not_exist():
    snapshot = ci_as_of("vm", HISTORY, T0 - HOUR)

    assert not snapshot.exists
    assert snapshot.properties == {}


def test_at_creation_it_has_its_first_fields_and_host():
    snapshot = ci_as_of("vm", HISTORY, T0)

    assert snapshot.properties == {"name": "web", "status": "active", "cpu_count": 2}
    assert [(r.type, r.other_id) for r in snapshot.relationships] == [("RUNS_ON", "h1")]


def test_a_rename_shows_from_its_time_on():
    assert ci_as_of("vm", HISTORY, T0 + 0.5 * HOUR).properties["name"] == "web"
    assert ci_as_of("vm", HISTORY, T0 + HOUR).properties["name"] == "shop"


def test_a_move_replaces_the_relationship():
    snapshot = ci_as_of("vm", HISTORY, T0 + 2.5 * HOUR)

    assert [(r.type, r.other_id) for r in snapshot.relationships] == [("RUNS_ON", "h2")]


def test_a_removed_attribute_is_gone():
    assert "cpu_count" not in ci_as_of("vm", HISTORY, T0 + 3 * HOUR).properties


def test_a_retired_ci_still_exists_with_status_retired():
    snapshot = ci_as_of("vm", HISTORY, T0 + 5 * HOUR)

    assert snapshot.exists
    assert snapshot.properties["status"] == "retired"
    assert snapshot.entries_applied == len(HISTORY)


def test_relationships_recorded_on_the_other_end_are_incoming():
    history = [
        {"at": T0, "action": "relate", "ci_id": "vm", "other_id": "h1",
         "rel_type": "RUNS_ON", "changes": {}},
    ]  # fmt: skip

    snapshot = ci_as_of("h1", history, T0)

    assert [(r.direction, r.other_id) for r in snapshot.relationships] == [("in", "vm")]


def test_relationship_properties_follow_their_updates():
    history = [
        related(0, "relate", "DEPENDS_ON", "db", group="a"),
        {**changed(1, group=("a", "b")), "action": "update_relationship",
         "rel_type": "DEPENDS_ON", "other_id": "db"},
    ]  # fmt: skip

    snapshot = ci_as_of("vm", history, T0 + HOUR)

    assert snapshot.relationships[0].properties == {"group": "b"}
