"""The backup document's typed values and its checks, without a server."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from app.domain.backup import (
    build_document,
    decode_value,
    encode_value,
    parse_document,
    render_document,
)
from app.domain.errors import CMDBError

VALUES = [
    'text with "quotes" and `backticks`',
    42,
    -(2**63),
    2.5,
    float("inf"),
    True,
    datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 1, 2, 3, 4, 5),
    date(2026, 1, 2),
    time(3, 4, 5, tzinfo=UTC),
    time(3, 4, 5),
    b"\x00\xff",
    ["a", "b"],
    [datetime(2026, 1, 2, tzinfo=UTC)],
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_every_property_type_survives_the_round_trip(value):
    assert decode_value(encode_value(value)) == value


def test_a_tagged_datetime_keeps_its_type():
    value = datetime(2026, 1, 2, tzinfo=UTC)

    assert type(decode_value(encode_value(value))) is datetime


def test_a_string_that_looks_like_a_tag_stays_a_string():
    text = '{"$type": "datetime", "value": "2026-01-02T00:00:00+00:00"}'

    assert decode_value(encode_value(text)) == text


def test_unsupported_values_are_refused_on_export():
    with pytest.raises(ValueError, match="cannot back up"):
        encode_value(timedelta(days=1))


def test_the_document_does_not_depend_on_read_order():
    nodes = {
        "e1": (["CI", "Site"], {"id": "b", "key": "S2"}),
        "e2": (["Site", "CI"], {"id": "a", "key": "S1"}),
    }
    rels = [("e1", "LOCATED_IN", "e2", {}), ("e2", "LOCATED_IN", "e1", {})]
    reversed_nodes = dict(reversed(list(nodes.items())))

    first = render_document(build_document(1, nodes, rels))
    second = render_document(build_document(1, reversed_nodes, list(reversed(rels))))

    assert first == second


def test_labels_and_types_outside_the_allow_list_are_named():
    document = build_document(
        1,
        {"e1": (["Evil"], {"id": "x"}), "e2": (["Site"], {"id": "y"})},
        [("e1", "PWNS", "e2", {})],
    )

    with pytest.raises(CMDBError) as refused:
        parse_document(document, frozenset({"Site"}), frozenset({"LOCATED_IN"}))

    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"nodes[0].labels", "relationships[0].type"}


def test_a_document_of_another_format_is_refused():
    with pytest.raises(CMDBError, match="not a cmdb-graph-backup"):
        parse_document({"nodes": []}, frozenset(), frozenset())
