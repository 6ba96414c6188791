"""Plain leaves completed directly answer exactly as graphql-core's own way does."""

import asyncio
import datetime
import enum
from typing import Any, ClassVar

import strawberry
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.api.graphql.execution import PlainDataExecution


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Step:
    kind: str
    count: int | None


@strawberry.type
class Leaves:
    """Each attribute is set by the test to a value of any type."""

    text: str
    number: int
    ratio: float
    flag: bool
    ident: strawberry.ID
    colour: Colour
    when: datetime.datetime
    maybe_text: str | None
    maybe_number: int | None
    maybe_colour: Colour | None
    words: list[str]
    inner: Step | None
    steps: list[Step]

    @strawberry.field
    def shout(self) -> str:
        return str(self.text).upper()


@strawberry.type
class Query:
    leaves: list[Leaves]


FIELDS = (
    "text number ratio flag ident colour when maybeText maybeNumber maybeColour "
    "words inner { kind count } steps { kind count } shout"
)
QUERY = f"{{ leaves {{ {FIELDS} }} __typename }}"
# Objects whose selected fields are all plain leaves are completed at once.
LEAVES_ONLY = (
    "{ leaves { text number ratio flag ident colour when maybeText maybeNumber "
    "maybeColour alias: text words inner { kind } steps { count kind } } }"
)

ANY_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(Colour),
    st.sampled_from(["RED", "red", "GREEN"]),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.lists(st.text(max_size=3), max_size=2),
    st.builds(ValueError, st.text(max_size=5)),
)
STEP = st.builds(lambda kind, count: make_step(kind, count), ANY_LEAF, ANY_LEAF)
ANY_VALUE = st.one_of(
    ANY_LEAF, STEP, st.lists(st.one_of(STEP, st.none(), st.integers()), max_size=3)
)
ATTRIBUTES = [
    "text",
    "number",
    "ratio",
    "flag",
    "ident",
    "colour",
    "when",
    "maybe_text",
    "maybe_number",
    "maybe_colour",
    "words",
    "inner",
    "steps",
]


class Passthrough(SchemaExtension):
    """A schema extension wrapping every resolver, as graphql-core middleware."""

    fields: ClassVar[list[str]] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any):
        Passthrough.fields.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def answer(
    schema: strawberry.Schema, leaves: list[Leaves], query: str = QUERY
) -> tuple[Any, list]:
    """The data and the errors (message, path, locations) of the query."""
    result = asyncio.run(schema.execute(query, root_value=Query(leaves=leaves)))
    errors = [
        (error.message, error.path, [(x.line, x.column) for x in error.locations])
        for error in result.errors or []
    ]
    return result.data, sorted(errors, key=repr)


def make_step(kind: Any, count: Any) -> Step:
    step = Step.__new__(Step)
    step.kind, step.count = kind, count
    return step


def make_leaves(values: dict[str, Any]) -> Leaves:
    leaves = Leaves.__new__(Leaves)
    for name in ATTRIBUTES:
        setattr(leaves, name, values[name])
    return leaves


def schemas(**kwargs: Any) -> tuple[strawberry.Schema, strawberry.Schema]:
    general = strawberry.Schema(query=Query, **kwargs)
    plain = strawberry.Schema(
        query=Query, execution_context_class=PlainDataExecution, **kwargs
    )
    return general, plain


GENERAL, PLAIN = schemas()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.fixed_dictionaries(dict.fromkeys(ATTRIBUTES, ANY_VALUE)), max_size=3)
)
def test_any_values_answer_as_graphql_core_answers_them(rows):
    leaves = [make_leaves(row) for row in rows]

    assert answer(PLAIN, leaves) == answer(GENERAL, leaves)
    assert answer(PLAIN, leaves, LEAVES_ONLY) == answer(GENERAL, leaves, LEAVES_ONLY)


WHEN = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.UTC)
GOOD = {
    "text": "esx-01",
    "number": 3,
    "ratio": 0.5,
    "flag": True,
    "ident": "ci-1",
    "colour": Colour.RED,
    "when": WHEN,
    "maybe_text": None,
    "maybe_number": 7,
    "maybe_colour": None,
    "words": ["a"],
    "inner": make_step("RUNS_ON", None),
    "steps": [make_step("MEMBER_OF", 2)],
}


def test_good_values_are_served_directly():
    leaves = make_leaves(GOOD)

    data, errors = answer(PLAIN, [leaves])

    assert errors == []
    assert data["leaves"][0] == {
        "text": "esx-01",
        "number": 3,
        "ratio": 0.5,
        "flag": True,
        "ident": "ci-1",
        "colour": "RED",
        "when": WHEN.isoformat(),
        "maybeText": None,
        "maybeNumber": 7,
        "maybeColour": None,
        "words": ["a"],
        "inner": {"kind": "RUNS_ON", "count": None},
        "steps": [{"kind": "MEMBER_OF", "count": 2}],
        "shout": "ESX-01",
    }


def test_a_null_where_none_is_allowed_is_reported_with_its_path():
    leaves = make_leaves(dict.fromkeys(ATTRIBUTES, None))

    data, errors = answer(PLAIN, [leaves])

    assert data is None
    assert (
        "Cannot return null for non-nullable field Leaves.text.",
        ["leaves", 0, "text"],
    ) in [error[:2] for error in errors]
    assert (data, errors) == answer(GENERAL, [leaves])


def test_with_a_middleware_every_field_takes_the_general_way():
    general, plain = schemas(extensions=[Passthrough])
    leaves = make_leaves(GOOD)
    Passthrough.fields.clear()

    assert answer(plain, [leaves]) == answer(general, [leaves])
    # Both ways ran it for every field: leaves, its 14, 2 of inner, 2 of the
    # step and __typename.
    assert len(Passthrough.fields) == 2 * 20


def test_plain_data_skips_the_general_way(monkeypatch):
    general_fields = []
    general = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self, parent_type, source, field_details_list, *args):
        general_fields.append(field_details_list[0].node.name.value)
        return general(self, parent_type, source, field_details_list, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)

    data, errors = answer(PLAIN, [make_leaves(GOOD)] * 2, LEAVES_ONLY)

    assert errors == []
    assert data["leaves"][1]["alias"] == "esx-01"
    assert general_fields == []
