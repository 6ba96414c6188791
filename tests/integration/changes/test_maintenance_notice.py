"""Maintenance notices of scheduled changes, as JSON and CSV."""

import csv
import io

import pytest

from app.domain.errors import CMDBError, ErrorCode
from app.services import changes
from tests.integration.changes.conftest import as_actor

pytestmark = pytest.mark.neo4j


@pytest.fixture
def scheduled(estate, make_change) -> dict:
    change = make_change("Host:h1", submit=True)
    changes.approve_change(estate, change["id"], as_actor("bob"), [])
    return changes.transition_change(estate, change["id"], "schedule", as_actor("a"))


def test_a_notice_lists_customers_with_services_and_window(estate, scheduled):
    notice = changes.maintenance_notice(estate, scheduled["id"])

    document = changes.notice_document(notice)
    assert document["window_start"] == scheduled["window_start"].isoformat()
    assert [c["key"] for c in document["customers"]] == ["acme"]
    acme = document["customers"][0]
    assert acme["services"] == ["Service:shop"]
    assert acme["impact"] == "at risk"
    assert acme["contact_email"] == "ops@acme.test"


def test_a_notice_as_csv_has_a_row_per_customer_and_service(estate, scheduled):
    text = changes.notice_csv(changes.maintenance_notice(estate, scheduled["id"]))

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["customer"], r["service"], r["sla_tier"]) for r in rows] == [
        ("acme", "Service:shop", "platinum")
    ]


def test_a_notice_needs_a_scheduled_change(estate, make_change):
    change = make_change("Host:h1", submit=True)

    with pytest.raises(CMDBError) as error:
        changes.maintenance_notice(estate, change["id"])

    assert error.value.code == ErrorCode.INVALID_TRANSITION
