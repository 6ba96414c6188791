"""Input validation against the catalogue, without a server."""

from pathlib import Path

import pytest

from app.catalogue import load_catalogue
from app.domain.bulk import parse_document
from app.domain.errors import CMDBError, ErrorCode
from app.domain.validation import validate_ci, validate_relationship

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(SCHEMA)


def codes(problems) -> list[tuple[str, str]]:
    return [(problem.field, str(problem.code)) for problem in problems]


def test_defaults_fill_name_status_and_criticality(catalogue):
    ci, problems = validate_ci(catalogue, {"type": "Rack", "key": "R1"})

    assert problems == []
    assert (ci["name"], ci["status"], ci["criticality"]) == ("R1", "active", "medium")


def test_every_problem_is_reported_at_once(catalogue):
    data = {
        "type": "Host",
        "key": "",
        "status": "broken",
        "attributes": {"cpu_cores": 1.5, "colour": "red"},
    }

    _, problems = validate_ci(catalogue, data, "cis[0]")

    assert codes(problems) == [
        ("cis[0].key", "MISSING_PROPERTY"),
        ("cis[0].name", "MISSING_PROPERTY"),
        ("cis[0].status", "INVALID_VALUE"),
        ("cis[0].attributes.cpu_cores", "INVALID_VALUE"),
        ("cis[0].attributes.colour", "UNKNOWN_PROPERTY"),
    ]


def test_booleans_are_not_integers(catalogue):
    _, problems = validate_ci(
        catalogue, {"type": "Host", "key": "h", "attributes": {"cpu_cores": True}}
    )

    assert codes(problems) == [("attributes.cpu_cores", "INVALID_VALUE")]


def test_integer_bounds_are_checked(catalogue):
    data = {"type": "Team", "key": "t", "attributes": {"support_level": 4}}

    _, problems = validate_ci(catalogue, data)

    assert "above the maximum" in problems[0].message


def test_unusual_text_is_kept_exactly(catalogue):
    name = "db `x` 'quoted' \"MATCH (n) DETACH DELETE n\" \u202e\U0001f600"

    ci, problems = validate_ci(catalogue, {"type": "Rack", "key": name, "name": name})

    assert problems == []
    assert ci["key"] == ci["name"] == name


def test_redundancy_policy_must_fit_the_type(catalogue):
    ok, good = validate_ci(
        catalogue, {"type": "Cluster", "key": "c", "redundancy": ["MEMBER_OF=50%"]}
    )
    _, bad = validate_ci(
        catalogue, {"type": "Host", "key": "h", "redundancy": ["MEMBER_OF=1"]}
    )

    assert (ok["redundancy"], good) == (["MEMBER_OF=50%"], [])
    assert codes(bad) == [("redundancy[0]", "INVALID_VALUE")]


def test_relationship_endpoints_are_checked(catalogue):
    _, problems = validate_relationship(catalogue, "RUNS_ON", "Host", "Host", None)

    assert codes(problems) == [("type", "ENDPOINTS_NOT_ALLOWED")]


def test_group_property_only_where_redundancy_is_allowed(catalogue):
    _, allowed = validate_relationship(
        catalogue, "DEPENDS_ON", "Service", "VirtualMachine", {"group": "web"}
    )
    _, refused = validate_relationship(
        catalogue, "RUNS_ON", "VirtualMachine", "Host", {"group": "web"}
    )

    assert allowed == []
    assert codes(refused) == [("properties.group", "UNKNOWN_PROPERTY")]


def test_document_duplicates_are_refused_by_position(catalogue):
    document = {
        "cis": [{"type": "Site", "key": "A"}, {"type": "Site", "key": "A"}],
        "relationships": [],
    }

    with pytest.raises(CMDBError) as raised:
        parse_document(catalogue, document)

    assert codes(raised.value.problems) == [("cis[1].key", "DUPLICATE_ENTRY")]


def test_document_version_must_be_known(catalogue):
    with pytest.raises(CMDBError) as raised:
        parse_document(catalogue, {"version": 7})

    assert raised.value.code is ErrorCode.INVALID_DOCUMENT


def test_malformed_references_are_named(catalogue):
    document = {"relationships": [{"type": "LOCATED_IN", "from": "nocolon", "to": 3}]}

    with pytest.raises(CMDBError) as raised:
        parse_document(catalogue, document)

    assert [p.field for p in raised.value.problems] == [
        "relationships[0].from",
        "relationships[0].to",
    ]
