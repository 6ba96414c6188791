"""Every mutation and sensitive query, tried with every role."""

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from app.api.graphql.hardening import build_schema
from app.domain.access import Role
from app.domain.records import new_id
from app.domain.tokens import hash_secret
from app.settings import Settings

pytestmark = pytest.mark.neo4j

EVERYONE = frozenset(Role)
NO_ID = new_id()

# What each operation is, and which roles may perform it. A role outside the
# set must get FORBIDDEN; a role inside may get any other answer (an unknown
# id is NOT_FOUND, which is fine: it was let in).
MATRIX: list[tuple[str, str, frozenset[Role]]] = [
    ("ci", f'{{ ci(id: "{NO_ID}") {{ id }} }}', EVERYONE),
    ("cis", '{ cis(type: "Site") { nextCursor } }', EVERYONE),
    ("ciTypes", "{ ciTypes { name } }", EVERYONE),
    ("relationshipTypes", "{ relationshipTypes { name } }", EVERYONE),
    (
        "impact",
        f'{{ impact(input: {{starts: [{{id: "{NO_ID}"}}]}}) {{ totalAffected }} }}',
        EVERYONE,
    ),
    (
        "dependencies",
        f'{{ dependencies(starts: [{{id: "{NO_ID}"}}]) {{ total }} }}',
        EVERYONE,
    ),
    ("apiTokens", "{ apiTokens { id } }", frozenset({Role.ADMIN})),
    (
        "createCi",
        'mutation { createCi(input: {type: "Site", key: "M1"}) { id } }',
        frozenset({Role.ENGINEER, Role.ADMIN}),
    ),
    (
        "updateCi",
        f'mutation {{ updateCi(id: "{NO_ID}", input: {{name: "n"}}) {{ id }} }}',
        frozenset({Role.ENGINEER, Role.ADMIN}),
    ),
    (
        "retireCi",
        f'mutation {{ retireCi(id: "{NO_ID}") {{ id }} }}',
        frozenset({Role.ENGINEER, Role.ADMIN}),
    ),
    (
        "relate",
        "mutation { relate(input: "
        f'{{sourceId: "{NO_ID}", type: "RUNS_ON", targetId: "{NO_ID}"}}) }}',
        frozenset({Role.ENGINEER, Role.ADMIN}),
    ),
    (
        "unrelate",
        f'mutation {{ unrelate(sourceId: "{NO_ID}", type: "RUNS_ON", '
        f'targetId: "{NO_ID}") }}',
        frozenset({Role.ENGINEER, Role.ADMIN}),
    ),
    (
        "loadDocument",
        "mutation { loadDocument(document: {cis: []}, dryRun: true) { dryRun } }",
        frozenset({Role.ENGINEER, Role.IMPORTER, Role.ADMIN}),
    ),
    (
        "createApiToken",
        'mutation { createApiToken(input: {name: "n", roles: ["viewer"]}) { secret } }',
        frozenset({Role.ADMIN}),
    ),
    (
        "revokeApiToken",
        f'mutation {{ revokeApiToken(id: "{NO_ID}") {{ id }} }}',
        frozenset({Role.ADMIN}),
    ),
]
CASES = [
    pytest.param(query, role, role in allowed, id=f"{name}-{role}")
    for name, query, allowed in MATRIX
    for role in Role
]


def codes_of(result: dict) -> set[str]:
    return {e["extensions"].get("code") for e in result.get("errors") or []}


@pytest.mark.parametrize(("query", "role", "allowed"), CASES)
def test_role_matrix(graphql, query, role, allowed):
    result = graphql.as_role(role)(query)

    if allowed:
        assert "FORBIDDEN" not in codes_of(result), result
    else:
        assert codes_of(result) == {"FORBIDDEN"}, result
        assert result["data"] is None


def root_field_queries() -> list[tuple[str, str]]:
    """Build a minimal query for every root field of the served schema."""
    schema = build_schema(Settings())._schema
    queries = []
    for operation, root in (
        ("query", schema.query_type),
        ("mutation", schema.mutation_type),
    ):
        for name, field in sorted(root.fields.items()):
            arguments = ", ".join(
                f"{arg_name}: {dummy_value(arg.type)}"
                for arg_name, arg in field.args.items()
                if isinstance(arg.type, GraphQLNonNull)
            )
            call = f"{name}({arguments})" if arguments else name
            queries.append((name, f"{operation} {{ {call} {selection(field.type)} }}"))
    return queries


def selection(output_type) -> str:
    named = get_named_type(output_type)
    return (
        ""
        if isinstance(named, GraphQLScalarType | GraphQLEnumType)
        else "{ __typename }"
    )


def dummy_value(input_type) -> str:
    """Return a literal of the given input type with only required fields."""
    if isinstance(input_type, GraphQLNonNull):
        return dummy_value(input_type.of_type)
    if isinstance(input_type, GraphQLList):
        return f"[{dummy_value(input_type.of_type)}]"
    if isinstance(input_type, GraphQLEnumType):
        return next(iter(input_type.values))
    if isinstance(input_type, GraphQLInputObjectType):
        fields = ", ".join(
            f"{name}: {dummy_value(field.type)}"
            for name, field in input_type.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        )
        return f"{{{fields}}}"
    literals = {
        "Int": "1",
        "Float": "1.0",
        "Boolean": "false",
        "DateTime": '"2026-01-01T00:00:00+00:00"',
    }
    return literals.get(input_type.name, f'"{NO_ID}"')


@pytest.mark.parametrize(("name", "query"), root_field_queries())
def test_every_root_field_refuses_a_caller_without_roles(graphql, runtime, name, query):
    runtime.db.driver.execute_query(
        "CREATE (:ApiToken {id: $id, name: $name, roles: [], hash: $hash})",
        {"id": new_id(), "name": "nobody", "hash": hash_secret("cmdb_nobody")},
    )
    result = graphql.with_secret("cmdb_nobody")(query)

    assert codes_of(result) == {"FORBIDDEN"}, (name, result)
