"""Loading and validating the catalogue files, without a server."""

import shutil
from pathlib import Path

import pytest

from app.catalogue import CatalogueError, Dependent, MinUp, load_catalogue

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def make_schema_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schema"
    shutil.copytree(SCHEMA, target)
    return target


def test_shipped_catalogue_covers_the_design():
    catalogue = load_catalogue(SCHEMA)

    expected = {
        "Site", "Rack", "PowerFeed", "VCenter", "Datacenter", "Cluster", "Host",
        "ResourcePool", "VirtualMachine", "StorageArray", "Volume", "Datastore",
        "Switch", "Network", "DistributedSwitch", "Service", "Customer", "Team",
        "Person",
    }  # fmt: skip
    assert expected <= set(catalogue.types)
    assert catalogue.relationship("RUNS_ON").dependent is Dependent.SOURCE
    assert catalogue.relationship("MEMBER_OF").dependent is Dependent.TARGET
    assert catalogue.relationship("OWNED_BY").dependent is Dependent.NONE
    assert catalogue.relationship("RUNS_ON").survives_planned
    assert catalogue.relationship("RUNS_ON").restarts_on_failure


def test_wildcard_endpoints_allow_any_type():
    catalogue = load_catalogue(SCHEMA)

    assert catalogue.relationship("DEPENDS_ON").allows("Service", "Volume")
    assert not catalogue.relationship("DEPENDS_ON").allows("Host", "Volume")


def test_unknown_property_type_names_file_entry_and_problem(tmp_path):
    schema = make_schema_copy(tmp_path)
    types = schema / "types.yaml"
    types.write_text(
        types.read_text().replace("units: {type: integer", "units: {type: int")
    )

    with pytest.raises(CatalogueError) as raised:
        load_catalogue(schema)

    message = str(raised.value)
    assert "types.yaml" in message
    assert "'Rack'" in message
    assert "properties.units.type" in message


def test_endpoint_of_unknown_type_is_refused(tmp_path):
    schema = make_schema_copy(tmp_path)
    rels = schema / "relationships.yaml"
    rels.write_text(
        rels.read_text().replace("{from: Host, to: Rack}", "{from: Hots, to: Rack}")
    )

    with pytest.raises(CatalogueError, match=r"'LOCATED_IN'.*'Hots' is not a CI type"):
        load_catalogue(schema)


def test_property_clashing_with_a_common_field_is_refused(tmp_path):
    schema = make_schema_copy(tmp_path)
    types = schema / "types.yaml"
    types.write_text(types.read_text().replace("    row: {", "    status: {"))

    with pytest.raises(CatalogueError, match="'status' is a common property"):
        load_catalogue(schema)


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    schema = make_schema_copy(tmp_path)
    (schema / "relationships.yaml").write_text("RUNS_ON: [unclosed\n")

    with pytest.raises(CatalogueError, match=r"relationships\.yaml: not valid YAML"):
        load_catalogue(schema)


def test_default_min_up_needs_redundancy_allowed(tmp_path):
    schema = make_schema_copy(tmp_path)
    rels = schema / "relationships.yaml"
    text = rels.read_text().replace(
        "  dependent: source\n  planned: survives\n  failure: restarts",
        "  dependent: source\n  redundancy: {default_min_up: '1'}",
    )
    rels.write_text(text)

    with pytest.raises(CatalogueError, match="default_min_up needs allowed"):
        load_catalogue(schema)


@pytest.mark.parametrize(
    ("text", "members", "required"),
    [("1", 4, 1), ("50%", 3, 2), ("50%", 4, 2), ("100%", 3, 3), ("34%", 3, 2)],
)
def test_min_up_rounds_percentages_up(text, members, required):
    assert MinUp.parse(text).required(members) == required


@pytest.mark.parametrize("text", ["", "x", "-1", "0%", "150%", "1.5"])
def test_min_up_refuses_nonsense(text):
    with pytest.raises(ValueError, match="min_up"):
        MinUp.parse(text)
