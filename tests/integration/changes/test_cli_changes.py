"""``cmdb change`` and ``cmdb drift`` against the real Neo4j."""

import json

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.domain.records import WriteContext
from app.services import cis, drift
from tests.integration.changes.conftest import START

pytestmark = pytest.mark.neo4j


@pytest.fixture
def invoke(estate):
    """Run ``cmdb`` with the test runtime; return the result."""
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), obj=estate)


def test_change_list_shows_changes(invoke, make_change):
    make_change("Host:h1", submit=True)

    result = invoke("change", "list", "--json")

    assert result.exit_code == 0, result.output
    assert [c["state"] for c in json.loads(result.output)] == ["submitted"]


def test_change_show_prints_the_blast_radius(invoke, make_change):
    change = make_change("Host:h1", submit=True)

    result = invoke("change", "show", change["id"])

    assert result.exit_code == 0, result.output
    assert "VirtualMachine:vm-h1" in result.output
    assert "at risk" in result.output


def test_change_conflicts_names_the_other_change(invoke, make_change):
    first = make_change("Host:h1", submit=True)
    second = make_change("Host:h2", submit=True)

    result = invoke("change", "conflicts", first["id"], "--json")

    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["changes"]
    assert [c["change"]["id"] for c in found] == [second["id"]]


def test_an_unknown_change_fails_with_the_code(invoke):
    result = invoke("change", "show", "nope")

    assert result.exit_code == 1
    assert "NOT_FOUND" in result.output


def test_a_blackout_from_the_command_line_conflicts(invoke, make_change):
    created = invoke(
        "change", "blackout", "Freeze", "--start", "2027-03-01T00:00:00Z",
        "--end", "2027-03-02T00:00:00Z",
    )  # fmt: skip
    change = make_change("Host:h4", submit=True)

    result = invoke("change", "conflicts", change["id"])

    assert created.exit_code == 0, created.output
    assert "whole estate" in result.output


def test_drift_list_shows_unauthorised_changes(invoke, estate, ci_id):
    context = WriteContext(actor="importer:vsphere", source="vsphere:vc1", at=START)
    vm = ci_id("VirtualMachine:vm-h4")
    cis.update_ci(estate, vm, {"attributes": {"cpu_count": 8}}, context)
    drift.detect_unauthorised_changes(estate, request_id=context.request_id)

    result = invoke("drift", "list", "--json")

    assert result.exit_code == 0, result.output
    assert [u["ci_key"] for u in json.loads(result.output)] == ["vm-h4"]
