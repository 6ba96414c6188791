"""Priority from impact (customers, SLA tiers, service criticality) and urgency."""

import pytest

from app.domain.incidents import Transition
from app.services import incidents

from .conftest import make_context, make_incident

pytestmark = pytest.mark.neo4j


def test_gold_customer_degraded_with_high_urgency_is_p2(estate):
    incident = make_incident(estate, "Host:h1", urgency="high")

    assert (incident["impact"], incident["priority"]) == (2, 2)
    assert "gold" in incident["priority_explanation"]
    assert incident["priority_inputs"]["customers_by_tier"] == {
        "bronze": 1,
        "gold": 1,
    }


def test_critical_service_down_raises_priority_to_p1(estate):
    make_incident(estate, "Host:h1", urgency="high")

    second = make_incident(estate, "Host:h2", urgency="high")

    assert (second["impact"], second["priority"]) == (1, 1)
    assert "critical" in second["priority_explanation"]


def test_priority_follows_the_links_when_the_other_incident_resolves(estate):
    first = make_incident(estate, "Host:h1", urgency="high")
    second = make_incident(estate, "Host:h2", urgency="high")

    incidents.transition(estate, first["id"], Transition.RESOLVE, make_context(3))

    assert incidents.get_incident(estate, second["id"])["priority"] == 2


def test_lower_urgency_lowers_priority(estate):
    incident = make_incident(estate, "Host:h1", urgency="high")

    updated = incidents.update_incident(
        estate, incident["id"], make_context(1), urgency=3
    )

    assert updated["priority"] == 4
