"""Incidents and tickets through GraphQL, against the real Neo4j."""

from datetime import UTC, datetime, timedelta

import pytest

from app.api.graphql.context import RequestContext
from app.api.graphql.schema import schema
from app.domain.access import Role

pytestmark = pytest.mark.neo4j

OPEN = """
mutation Open($input: IncidentInput!) {
  openIncident(input: $input) {
    id status urgency priority impact priorityExplanation priorityInputs
    supportLevel team { key }
    starts { key }
    links(kinds: ["computed"], type: "Cluster") {
      items { ci { key } kind state restarts reason { relationshipType } }
    }
  }
}
"""
RESOLVE = """
mutation Resolve($id: ID!) { resolveIncident(id: $id) { id status resolvedAt } }
"""
CLOSE = """
mutation Close($id: ID!) { closeIncident(id: $id) { id status } }
"""
LINK = """
mutation Link($input: IncidentLinkInput!) {
  linkIncidentCi(input: $input) {
    links(first: 50) { items { ci { key } kind state } }
  }
}
"""
SHOW = """
query Show($id: ID!) {
  incident(id: $id) {
    status
    activity(first: 10) { items { action actor details } nextCursor }
    notificationList { customerKey severity slaTier contactEmail services machines }
    notificationCsv
    tickets { system ticketId }
    linkCounts { kind type state count }
  }
}
"""
TICKET = """
mutation Ticket($input: TicketLinkInput!) {
  linkTicket(input: $input) {
    ticket { system ticketId incidents { id } cis { key } }
    incidentsChanged cisChanged
  }
}
"""
CI_TICKETS = """
query Tickets($id: ID!) { ciTickets(ciId: $id) { ticketId viaIncidents } }
"""
CAUSE = """
query Cause($input: ProbableCauseInput!) {
  probableCause(input: $input) {
    proposal candidates { ci { key } explained }
  }
}
"""
REVIEW = """
query Review($start: DateTime!) {
  incidentReview(start: $start) {
    total byPriority { priority count } repeatedCis { ci { key } incidentCount }
  }
}
"""


def make_open(graphql, start="h1", **fields) -> dict:
    result = graphql(
        OPEN,
        input={
            "title": fields.get("title", f"{start} failed"),
            "starts": [{"type": "Host", "key": start}],
            "urgency": fields.get("urgency", "high"),
        },
    )
    assert "errors" not in result, result
    return result["data"]["openIncident"]


def error_of(result: dict) -> dict:
    assert result["data"] is None, result
    extensions = result["errors"][0]["extensions"]
    return {"code": extensions["code"], "field": extensions["field"]}


def test_open_incident_returns_links_priority_and_routing(estate, graphql):
    incident = make_open(graphql)

    assert (incident["status"], incident["priority"], incident["impact"]) == (
        "new",
        "P2",
        2,
    )
    assert (incident["team"]["key"], incident["supportLevel"]) == ("virt", 2)
    [cluster] = incident["links"]["items"]
    assert (cluster["kind"], cluster["state"]) == ("computed", "degraded")
    assert cluster["reason"] == [{"relationshipType": "MEMBER_OF"}]


def test_second_incident_takes_the_cluster_down(estate, graphql):
    make_open(graphql, "h1")

    second = make_open(graphql, "h2")

    assert second["links"]["items"][0]["state"] == "down"
    assert second["priority"] == "P1"


def test_empty_title_names_the_field(estate, graphql):
    result = graphql(
        OPEN, input={"title": "", "starts": [{"type": "Host", "key": "h1"}]}
    )

    assert error_of(result) == {"code": "INVALID_VALUE", "field": "title"}


def test_closing_a_new_incident_is_an_invalid_transition(estate, graphql):
    incident = make_open(graphql)

    result = graphql(CLOSE, id=incident["id"])

    assert error_of(result) == {"code": "INVALID_TRANSITION", "field": "status"}


def test_resolving_twice_is_an_invalid_transition(estate, graphql):
    incident = make_open(graphql)
    graphql(RESOLVE, id=incident["id"])

    result = graphql(RESOLVE, id=incident["id"])

    assert error_of(result)["code"] == "INVALID_TRANSITION"


def test_manual_exclusion_recomputes_links(estate, graphql, ids):
    incident = make_open(graphql)

    result = graphql(
        LINK,
        input={
            "incidentId": incident["id"],
            "ciId": ids["VirtualMachine:vm1"],
            "kind": "NOT_IMPACTED",
        },
    )

    items = result["data"]["linkIncidentCi"]["links"]["items"]
    kinds = {item["ci"]["key"]: item["kind"] for item in items}
    assert kinds["vm1"] == "not_impacted"
    assert "bolt" not in kinds


def test_show_has_activity_notifications_and_csv(estate, graphql):
    incident = make_open(graphql)

    shown = graphql(SHOW, id=incident["id"])["data"]["incident"]

    assert [e["action"] for e in shown["activity"]["items"]] == ["priority", "open"]
    assert [n["customerKey"] for n in shown["notificationList"]] == ["bolt", "acme"]
    assert shown["notificationCsv"].splitlines()[0].startswith("customer_key,")


def test_linking_a_ticket_twice_changes_nothing_the_second_time(estate, graphql, ids):
    incident = make_open(graphql)
    ticket = {
        "system": "zendesk",
        "ticketId": "4711",
        "incidentIds": [incident["id"]],
        "ciIds": [ids["Host:h1"]],
    }
    graphql(TICKET, input=ticket)

    again = graphql(TICKET, input=ticket)["data"]["linkTicket"]

    assert (again["incidentsChanged"], again["cisChanged"]) == ([], [])
    assert again["ticket"]["cis"] == [{"key": "h1"}]
    tickets = graphql(CI_TICKETS, id=ids["Host:h1"])["data"]["ciTickets"]
    assert [(t["ticketId"], t["viaIncidents"]) for t in tickets] == [
        ("4711", [incident["id"]])
    ]


def test_probable_cause_ranks_the_shared_host(estate, graphql, ids):
    result = graphql(
        CAUSE,
        input={"symptomCiIds": [ids["VirtualMachine:vm1"], ids["Customer:bolt"]]},
    )

    candidates = result["data"]["probableCause"]["candidates"]
    assert candidates[0] == {"ci": {"key": "vm1"}, "explained": 2}


def test_review_counts_the_week(estate, graphql):
    make_open(graphql, "h1")
    make_open(graphql, "h1")

    start = datetime.now(UTC) - timedelta(days=1)

    result = graphql(REVIEW, start=start.isoformat())

    review = result["data"]["incidentReview"]
    assert (review["total"], review["byPriority"]) == (
        2,
        [{"priority": "P2", "count": 2}],
    )
    assert review["repeatedCis"] == [{"ci": {"key": "h1"}, "incidentCount": 2}]


def test_viewer_may_not_open_an_incident(estate):
    context = RequestContext(
        runtime=estate, actor="viewer", request_id="r1", roles=frozenset({Role.VIEWER})
    )

    result = schema.execute_sync(
        OPEN,
        variable_values={
            "input": {"title": "x", "starts": [{"type": "Host", "key": "h1"}]}
        },
        context_value=context,
    )

    assert result.errors[0].extensions["code"] == "FORBIDDEN"


def test_support_may_link_tickets_but_viewer_may_not(estate, ids):
    variables = {"input": {"system": "zd", "ticketId": "1", "ciIds": [ids["Host:h1"]]}}

    def run(role):
        context = RequestContext(estate, str(role), "r1", roles=frozenset({role}))
        return schema.execute_sync(
            TICKET, variable_values=variables, context_value=context
        )

    assert run(Role.SUPPORT).errors is None
    assert run(Role.VIEWER).errors[0].extensions["code"] == "FORBIDDEN"
