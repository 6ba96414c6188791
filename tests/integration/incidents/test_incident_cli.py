"""The ``cmdb incident`` commands against the real Neo4j."""

import csv
import io
import json
import logging

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.services import incidents
from app.settings import get_settings

from .conftest import make_incident

pytestmark = pytest.mark.neo4j


@pytest.fixture
def invoke(estate, monkeypatch):
    """Run ``cmdb`` against the test server."""
    settings = estate.settings
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_USER", settings.neo4j_user)
    monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    get_settings.cache_clear()

    def run(*args: str):
        result = CliRunner().invoke(cli, ["incident", *args])
        logging.getLogger().handlers.clear()  # they wrote to the runner's streams
        return result

    yield run
    get_settings.cache_clear()


def test_open_prints_priority_and_routing(invoke, estate):
    result = invoke("open", "h1 is down", "Host:h1", "--urgency", "high")

    assert result.exit_code == 0, result.output
    assert "P2" in result.output
    assert "virt" in result.output
    assert len(incidents.list_incidents(estate).items) == 1


def test_closing_a_new_incident_exits_non_zero(invoke, estate):
    incident = make_incident(estate, "Host:h1")

    result = invoke("close", incident["id"])

    assert result.exit_code == 1
    assert "INVALID_TRANSITION" in result.output


def test_notify_exports_csv(invoke, estate):
    incident = make_incident(estate, "Host:h1")

    result = invoke("notify", incident["id"], "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["customer_key"] for row in rows] == ["bolt", "acme"]


def test_notify_exports_json(invoke, estate):
    incident = make_incident(estate, "Host:h1")

    result = invoke("notify", incident["id"], "--format", "json")

    assert [item["customer_key"] for item in json.loads(result.stdout)] == [
        "bolt",
        "acme",
    ]


def test_ticket_link_by_ci_reference(invoke, estate, ids):
    result = invoke("ticket", "link", "zendesk", "77", "--ci", "Host:h1")

    assert result.exit_code == 0, result.output
    assert "1 CI(s) changed" in result.output
