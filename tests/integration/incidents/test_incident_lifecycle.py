"""Opening, routing, moving through states and the activity log."""

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.domain.incidents import Transition
from app.services import incidents

from .conftest import make_context, make_incident

pytestmark = pytest.mark.neo4j


def count_incidents(runtime) -> int:
    return len(incidents.list_incidents(runtime, first=500).items)


def test_new_incident_is_routed_to_the_owning_team(estate):
    incident = make_incident(estate, "Host:h1")

    assert incident["status"] == "new"
    assert (incident["team"]["key"], incident["support_level"]) == ("virt", 2)


def test_routing_can_be_overridden_when_opening(estate, ids):
    incident = make_incident(
        estate, "Host:h1", team_id=ids["Team:noc"], support_level=3
    )

    assert (incident["team"]["key"], incident["support_level"]) == ("noc", 3)
    assert incident["assignment_overridden"] is True


def test_reassigning_changes_the_support_level(estate):
    incident = make_incident(estate, "Host:h1")

    assigned = incidents.assign_incident(
        estate, incident["id"], make_context(1), support_level=3
    )

    assert (assigned["team"]["key"], assigned["support_level"]) == ("virt", 3)


def test_each_transition_is_stamped(estate):
    incident = make_incident(estate, "Host:h1", context=make_context(0))

    incidents.transition(
        estate, incident["id"], Transition.ACKNOWLEDGE, make_context(4)
    )
    incidents.transition(estate, incident["id"], Transition.RESOLVE, make_context(30))
    closed = incidents.transition(
        estate, incident["id"], Transition.CLOSE, make_context(60)
    )

    assert closed["status"] == "closed"
    assert closed["acknowledged_at"] == make_context(4).at
    assert closed["resolved_at"] == make_context(30).at
    assert closed["closed_at"] == make_context(60).at


def test_reopening_a_resolved_incident_makes_it_worked_again(estate):
    incident = make_incident(estate, "Host:h1")
    incidents.transition(estate, incident["id"], Transition.RESOLVE, make_context(5))

    reopened = incidents.transition(
        estate, incident["id"], Transition.REOPEN, make_context(9)
    )

    assert reopened["status"] == "acknowledged"
    assert reopened["reopened_at"] == make_context(9).at


def test_closing_a_new_incident_is_refused(estate):
    incident = make_incident(estate, "Host:h1")

    with pytest.raises(CMDBError) as raised:
        incidents.transition(estate, incident["id"], Transition.CLOSE, make_context(1))

    assert (raised.value.code, raised.value.problems[0].field) == (
        ErrorCode.INVALID_TRANSITION,
        "status",
    )
    assert incidents.get_incident(estate, incident["id"])["status"] == "new"


def test_resolving_twice_is_refused(estate):
    incident = make_incident(estate, "Host:h1")
    incidents.transition(estate, incident["id"], Transition.RESOLVE, make_context(1))

    with pytest.raises(CMDBError) as raised:
        incidents.transition(
            estate, incident["id"], Transition.RESOLVE, make_context(2)
        )

    assert raised.value.code == ErrorCode.INVALID_TRANSITION


def test_empty_title_is_refused_and_nothing_written(estate):
    with pytest.raises(CMDBError) as raised:
        make_incident(estate, "Host:h1", title="  ")

    assert raised.value.problems[0].field == "title"
    assert count_incidents(estate) == 0


def test_unknown_starting_ci_is_refused_and_nothing_written(estate):
    with pytest.raises(CMDBError) as raised:
        make_incident(estate, "Host:nope")

    assert (raised.value.code, raised.value.problems[0].field) == (
        ErrorCode.NOT_FOUND,
        "starts",
    )
    assert count_incidents(estate) == 0


def test_bad_urgency_is_refused(estate):
    with pytest.raises(CMDBError) as raised:
        make_incident(estate, "Host:h1", urgency="urgent")

    assert raised.value.problems[0].field == "urgency"


def test_linking_an_unknown_ci_is_refused(estate):
    incident = make_incident(estate, "Host:h1")

    with pytest.raises(CMDBError) as raised:
        incidents.link_ci(
            estate, incident["id"], "no-such-ci", "manual", make_context()
        )

    assert (raised.value.code, raised.value.problems[0].field) == (
        ErrorCode.NOT_FOUND,
        "ciId",
    )


def test_excluding_a_starting_ci_is_refused(estate, ids):
    incident = make_incident(estate, "Host:h1")

    with pytest.raises(CMDBError) as raised:
        incidents.link_ci(
            estate, incident["id"], ids["Host:h1"], "not_impacted", make_context()
        )

    assert raised.value.problems[0].field == "ciId"


def test_do_not_notify_on_a_host_is_refused(estate, ids):
    incident = make_incident(estate, "Host:h1")

    with pytest.raises(CMDBError) as raised:
        incidents.link_ci(
            estate, incident["id"], ids["Host:h2"], "do_not_notify", make_context()
        )

    assert raised.value.problems[0].field == "kind"


def test_activity_log_is_newest_first_and_paginated(estate):
    incident = make_incident(estate, "Host:h1")
    incidents.transition(
        estate, incident["id"], Transition.ACKNOWLEDGE, make_context(1)
    )
    incidents.update_incident(estate, incident["id"], make_context(2), urgency="low")

    first = incidents.activity(estate, incident["id"], first=2)
    rest = incidents.activity(estate, incident["id"], first=50, after=first.next_cursor)

    actions = [entry["action"] for entry in first.items + rest.items]
    assert actions[:3] == ["priority", "update", "acknowledge"]
    assert actions[-1] == "open"
    assert all(entry["actor"] == "tester" for entry in first.items)


def test_every_problem_of_a_draft_is_named(estate):
    with pytest.raises(CMDBError) as raised:
        make_incident(estate, "Host:h1", title="", urgency=7)

    assert [p.field for p in raised.value.problems] == ["title", "urgency"]
