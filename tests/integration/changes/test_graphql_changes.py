"""Change requests, conflicts, history and drift through GraphQL."""

from datetime import UTC, datetime

import pytest

from app.api.graphql.context import RequestContext
from app.api.graphql.schema import schema
from app.domain.access import Role
from app.services import changes
from tests.integration.changes.conftest import as_actor, window

pytestmark = pytest.mark.neo4j

CREATE = """
mutation($input: ChangeRequestInput!) {
  createChangeRequest(input: $input) { id state requester targets { key } }
}
"""
SUBMIT = """
mutation($id: ID!) {
  submitChangeRequest(id: $id) {
    state risk riskExplanation affectedCount atRiskCount customerCount
    blastRadius(type: "VirtualMachine") { total items { ci { key } atRisk state } }
    owners { ci { key } ownedAffected }
    conflicts { changes { changeId sharedCustomers { key } } blackouts { estateWide } }
  }
}
"""
APPROVE = """
mutation($id: ID!) { approveChangeRequest(id: $id) { state } }
"""


def create(graphql, *target_ids, start=None, end=None) -> dict:
    planned = window()
    result = graphql(
        CREATE,
        input={
            "title": "Patch hosts",
            "targetIds": list(target_ids),
            "windowStart": (start or planned[0]).isoformat(),
            "windowEnd": (end or planned[1]).isoformat(),
        },
    )
    assert "errors" not in result, result
    return result["data"]["createChangeRequest"]


def error_of(result: dict) -> dict:
    assert result["data"] is None, result
    return result["errors"][0]["extensions"]


def test_create_and_submit_show_blast_radius_and_risk(graphql, ci_id):
    change = create(graphql, ci_id("Host:h1"))

    submitted = graphql(SUBMIT, id=change["id"])["data"]["submitChangeRequest"]

    assert change["state"] == "DRAFT"
    assert submitted["state"] == "SUBMITTED"
    assert submitted["risk"] == "MEDIUM"
    assert submitted["blastRadius"]["items"] == [
        {"ci": {"key": "vm-h1"}, "atRisk": True, "state": "DEGRADED"}
    ]
    assert submitted["owners"] == [{"ci": {"key": "virt"}, "ownedAffected": 1}]


PAGE = """
query($id: ID!, $first: Int!, $after: String) {
  changeRequest(id: $id) {
    affectedCount
    blastRadius(first: $first, after: $after) {
      total nextCursor items { ci { key } depth }
    }
  }
}
"""


def test_blast_radius_pages_nearest_first(graphql, ci_id):
    change = create(graphql, ci_id("Host:h1"))
    graphql(SUBMIT, id=change["id"])

    pages, after = [], None
    while True:
        data = graphql(PAGE, id=change["id"], first=2, after=after)["data"]
        radius = data["changeRequest"]["blastRadius"]
        pages.append(radius["items"])
        after = radius["nextCursor"]
        if after is None:
            break

    items = [item for page in pages for item in page]
    assert radius["total"] == data["changeRequest"]["affectedCount"] == len(items)
    assert all(len(page) <= 2 for page in pages)
    assert len(pages) > 1
    depths = [item["depth"] for item in items]
    assert depths == sorted(depths)
    assert len({item["ci"]["key"] for item in items}) == len(items)


def test_blast_radius_page_size_is_bounded(graphql, ci_id):
    change = create(graphql, ci_id("Host:h1"))

    result = graphql(PAGE, id=change["id"], first=0)

    assert result["errors"][0]["extensions"]["field"] == "first"


def test_overlapping_changes_report_each_other(graphql, ci_id):
    first = create(graphql, ci_id("Host:h1"))
    second = create(graphql, ci_id("Host:h2"))
    graphql(SUBMIT, id=first["id"])

    result = graphql(SUBMIT, id=second["id"])["data"]["submitChangeRequest"]

    assert result["conflicts"]["changes"] == [
        {"changeId": first["id"], "sharedCustomers": [{"key": "acme"}]}
    ]


def test_approving_ones_own_change_is_refused(graphql, ci_id):
    change = create(graphql, ci_id("Host:h4"))
    graphql(SUBMIT, id=change["id"])

    result = graphql(APPROVE, id=change["id"])

    assert error_of(result)["code"] == "SELF_APPROVAL"
    assert error_of(result)["field"] == "approver"


def test_a_reversed_window_names_the_field(graphql, ci_id):
    start, end = window()
    result = graphql(
        CREATE,
        input={
            "title": "x",
            "targetIds": [ci_id("Host:h1")],
            "windowStart": end.isoformat(),
            "windowEnd": start.isoformat(),
        },
    )

    assert error_of(result)["field"] == "window.end"


def test_a_transition_out_of_order_is_refused(graphql, ci_id):
    change = create(graphql, ci_id("Host:h4"))

    result = graphql(
        "mutation($id: ID!) { transitionChangeRequest(id: $id, action: COMPLETE)"
        " { state } }",
        id=change["id"],
    )

    assert error_of(result)["code"] == "INVALID_TRANSITION"


def test_maintenance_notice_as_csv(graphql, estate, make_change):
    change = make_change("Host:h1", submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])
    changes.transition_change(estate, change["id"], "schedule", as_actor("alice"))

    result = graphql(
        "query($id: ID!) { maintenanceNotice(id: $id) { csv customers { key } } }",
        id=change["id"],
    )

    notice = result["data"]["maintenanceNotice"]
    assert notice["customers"] == [{"key": "acme"}]
    assert notice["csv"].splitlines()[1].startswith("acme,Acme,platinum")


def test_configuration_as_of_and_estate_history(graphql, ci_id):
    vm = ci_id("VirtualMachine:vm-h1")
    before_rename = datetime.now(UTC)
    graphql(
        'mutation($id: ID!) { updateCi(id: $id, input: {name: "renamed"}) { id } }',
        id=vm,
    )

    result = graphql(
        "query($id: ID!, $at: DateTime!) {"
        " configurationAsOf(ciId: $id, at: $at) { exists properties }"
        ' estateHistory(since: $at, until: "2100-01-01T00:00:00Z", actor: "tester")'
        " { items { action } } }",
        id=vm,
        at=before_rename.isoformat(),
    )

    data = result["data"]
    assert data["configurationAsOf"]["properties"]["name"] == "vm-h1"
    assert data["estateHistory"]["items"] == []


def test_blackout_periods_and_unauthorised_changes_are_listed(graphql):
    start, end = window()
    created = graphql(
        "mutation($input: BlackoutPeriodInput!) {"
        " createBlackoutPeriod(input: $input) { id name } }",
        input={"name": "Freeze", "start": start.isoformat(), "end": end.isoformat()},
    )
    listed = graphql(
        "{ blackoutPeriods { name } unauthorisedChanges { items { id } } }"
    )

    assert created["data"]["createBlackoutPeriod"]["name"] == "Freeze"
    assert listed["data"]["blackoutPeriods"] == [{"name": "Freeze"}]
    assert listed["data"]["unauthorisedChanges"]["items"] == []


def execute_as(runtime, actor: str, roles: set, query: str, **variables) -> dict:
    """Run a GraphQL request as someone with the given roles."""
    context = RequestContext(runtime, actor, "test-request", frozenset(roles))
    result = schema.execute_sync(query, variables, context_value=context)
    return {"data": result.data, "errors": result.errors}


def test_a_viewer_may_not_request_changes(estate, ci_id):
    start, end = window()
    result = execute_as(
        estate, "vera", {Role.VIEWER}, CREATE,
        input={"title": "x", "targetIds": [ci_id("Host:h1")],
               "windowStart": start.isoformat(), "windowEnd": end.isoformat()},
    )  # fmt: skip

    assert result["errors"][0].extensions["code"] == "FORBIDDEN"


def test_an_engineer_may_not_approve(estate, make_change):
    change = make_change("Host:h4", submit=True)

    result = execute_as(estate, "eric", {Role.ENGINEER}, APPROVE, id=change["id"])

    assert result["errors"][0].extensions["code"] == "FORBIDDEN"


def test_a_change_manager_approves_someone_elses_change(estate, make_change):
    change = make_change("Service:shop", submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])

    result = execute_as(
        estate, "carol", {Role.CHANGE_MANAGER}, APPROVE, id=change["id"]
    )

    assert result["errors"] is None, result
    assert result["data"]["approveChangeRequest"]["state"] == "APPROVED"
