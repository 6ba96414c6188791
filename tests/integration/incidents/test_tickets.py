"""Helpdesk tickets linked to incidents and CIs."""

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.services import incidents, tickets
from app.services.tickets import TicketRef

from .conftest import make_context, make_incident

pytestmark = pytest.mark.neo4j


def make_ticket(**fields) -> TicketRef:
    return TicketRef(
        system=fields.get("system", "zendesk"),
        ticket_id=fields.get("ticket_id", "4711"),
        url=fields.get("url", "https://help.test/4711"),
        title=fields.get("title", "Web shop is slow"),
    )


def test_ticket_lists_its_incident_and_cis(estate, ids):
    incident = make_incident(estate, "Host:h1")

    tickets.link_ticket(
        estate,
        make_ticket(),
        make_context(1),
        incident_ids=[incident["id"]],
        ci_ids=[ids["Service:web"]],
    )

    found = tickets.get_ticket(estate, "zendesk", "4711")
    assert [i["id"] for i in found["incidents"]] == [incident["id"]]
    assert [c["key"] for c in found["cis"]] == ["web"]
    assert found["url"] == "https://help.test/4711"


def test_ci_lists_its_tickets_directly_and_through_incidents(estate, ids):
    incident = make_incident(estate, "Host:h1")
    tickets.link_ticket(estate, make_ticket(), make_context(1), ci_ids=[ids["Host:h1"]])
    tickets.link_ticket(
        estate,
        make_ticket(ticket_id="4712"),
        make_context(2),
        incident_ids=[incident["id"]],
    )

    found = tickets.tickets_of_ci(estate, ids["Host:h1"])

    assert [(t["external_id"], t["via_incidents"]) for t in found] == [
        ("4711", []),
        ("4712", [incident["id"]]),
    ]


def test_linking_twice_is_harmless(estate, ids):
    ref = make_ticket()
    tickets.link_ticket(estate, ref, make_context(1), ci_ids=[ids["Host:h1"]])

    again = tickets.link_ticket(estate, ref, make_context(2), ci_ids=[ids["Host:h1"]])

    assert again.cis_changed == []
    assert len(tickets.get_ticket(estate, "zendesk", "4711")["cis"]) == 1
    assert len(tickets.ticket_history(estate, again.ticket)) == 1


def test_unlinking_is_recorded_on_the_ticket_and_the_incident(estate):
    incident = make_incident(estate, "Host:h1")
    ref = make_ticket()
    tickets.link_ticket(estate, ref, make_context(1), incident_ids=[incident["id"]])

    result = tickets.unlink_ticket(
        estate, ref, make_context(2), incident_ids=[incident["id"]]
    )

    history = tickets.ticket_history(estate, result.ticket)
    assert [entry["action"] for entry in history] == ["unlink", "link"]
    log = incidents.activity(estate, incident["id"]).items
    assert log[0]["action"] == "unlink_ticket"
    assert tickets.get_ticket(estate, "zendesk", "4711")["incidents"] == []


def test_linking_to_an_unknown_ci_writes_nothing(estate):
    with pytest.raises(CMDBError) as raised:
        tickets.link_ticket(estate, make_ticket(), make_context(), ci_ids=["nope"])

    assert (raised.value.code, raised.value.problems[0].field) == (
        ErrorCode.NOT_FOUND,
        "ciIds",
    )
    assert tickets.get_ticket(estate, "zendesk", "4711") is None


def test_ticket_without_system_is_refused(estate, ids):
    with pytest.raises(CMDBError) as raised:
        tickets.link_ticket(
            estate, make_ticket(system=" "), make_context(), ci_ids=[ids["Host:h1"]]
        )

    assert raised.value.problems[0].field == "system"
