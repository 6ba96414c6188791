"""Probable cause, the customer notification list and the weekly review."""

import csv
import io
from datetime import timedelta

import pytest

from app.domain.incidents import Transition
from app.services import incident_reports, incidents

from .conftest import make_context, make_incident

pytestmark = pytest.mark.neo4j


def test_shared_host_is_the_probable_cause_of_two_vm_incidents(estate):
    first = make_incident(estate, "VirtualMachine:vm1")
    second = make_incident(estate, "Customer:bolt")

    report = incident_reports.probable_causes(
        estate, incident_ids=[first["id"], second["id"]]
    )

    best = report.candidates[0]
    assert (best.key, best.explained) == ("vm1", 2)
    assert report.candidates[1].key == "h1"
    assert report.proposal.startswith("VirtualMachine:vm1 explains 2 of 2")


def test_symptom_cis_are_ranked_too(estate, ids):
    report = incident_reports.probable_causes(
        estate, symptom_ci_ids=[ids["Service:web"], ids["Customer:bolt"]]
    )

    assert [c.key for c in report.candidates if c.explained == 2] == ["vm1", "h1"]


def test_grouping_opens_a_parent_on_the_cause(estate, ids):
    first = make_incident(estate, "VirtualMachine:vm1")
    second = make_incident(estate, "Customer:bolt")

    parent = incident_reports.group_under_cause(
        estate, [first["id"], second["id"]], ids["Host:h1"], make_context(5)
    )

    assert sorted(parent["child_ids"]) == sorted([first["id"], second["id"]])
    assert [s["key"] for s in parent["starts"]] == ["h1"]
    child = incidents.get_incident(estate, first["id"])
    assert (child["parent_id"], child["cause"]["key"]) == (parent["id"], "h1")
    assert child["cause_details"]["explained"] == 2


def test_notification_list_names_customers_and_what_they_lose(estate):
    incident = make_incident(estate, "Host:h1")

    items = incident_reports.notification_list(estate, incident["id"])

    assert [(n.customer_key, n.severity, n.sla_tier) for n in items] == [
        ("bolt", "down", "bronze"),
        ("acme", "degraded", "gold"),
    ]
    assert (items[0].machines, items[1].services) == (["vm1"], ["web"])


def test_do_not_notify_customer_is_left_off_the_list(estate, ids):
    incident = make_incident(estate, "Host:h1")
    incidents.link_ci(
        estate, incident["id"], ids["Customer:bolt"], "do_not_notify", make_context(1)
    )

    items = incident_reports.notification_list(estate, incident["id"])

    assert [n.customer_key for n in items] == ["acme"]


def test_notification_csv_has_a_row_per_customer(estate):
    incident = make_incident(estate, "Host:h1")

    text = incident_reports.notifications_csv(
        incident_reports.notification_list(estate, incident["id"])
    )

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["customer_key"], r["contact_email"]) for r in rows] == [
        ("bolt", "it@bolt.test"),
        ("acme", "ops@acme.test"),
    ]


def test_weekly_review_counts_priorities_and_times(estate):
    first = make_incident(estate, "Host:h1", context=make_context(0), urgency="high")
    second = make_incident(estate, "Host:h1", context=make_context(60), urgency="low")
    incidents.transition(estate, first["id"], Transition.ACKNOWLEDGE, make_context(10))
    incidents.transition(estate, first["id"], Transition.RESOLVE, make_context(40))
    incidents.transition(estate, second["id"], Transition.RESOLVE, make_context(80))

    review = incident_reports.weekly_review(estate, make_context(-60).at)

    assert (review.total, review.by_priority) == (2, {"P2": 1, "P4": 1})
    assert review.mean_time_to_acknowledge == timedelta(minutes=10)
    assert review.mean_time_to_resolve == timedelta(minutes=30)


def test_weekly_review_names_repeated_cis_and_services(estate):
    make_incident(estate, "Host:h1", context=make_context(0))
    make_incident(estate, "Host:h1", context=make_context(60))

    review = incident_reports.weekly_review(estate, make_context(-60).at)

    assert [(c.key, len(c.incidents)) for c in review.repeated_cis] == [("h1", 2)]
    assert {s.key for s in review.repeated_services} == {"platform", "web"}
