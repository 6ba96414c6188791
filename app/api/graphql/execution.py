"""Execution of served queries, with a short way for plain leaf fields.

Most of an answer is leaves read straight off an object: a field without a
resolver of its own (strawberry reads the attribute) whose type is a scalar or
an enum. graphql-core completes each of them as it completes any field: it
builds the resolve info, checks twice for an awaitable and recurses through
the non-null and leaf completions, about half of what a field costs. This
execution context reads and coerces such a value directly. Every other field,
and a plain one whose value is null where null is not allowed, is an error or
fails to coerce, takes graphql-core's way, which reports it as usual.
"""

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Where a field keeps how it completes as a plain leaf, in its extensions.
PLAIN_LEAF = "cmdb.plain_leaf"
# A field that is not a plain leaf.
GENERAL = (None, False)

Coerce = Callable[[Any], Any]


class PlainLeavesExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain leaf fields completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A middleware wraps every resolver, the plain ones included.
        self.plain_leaves = manager is None or not manager.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        """Complete a plain leaf directly, any other field as graphql-core does."""
        if self.plain_leaves:
            field = parent_type.fields.get(field_details_list[0].node.name.value)
            if field is not None:
                plan = field.extensions.get(PLAIN_LEAF)
                if plan is None:
                    plan = field.extensions[PLAIN_LEAF] = plain_leaf(field)
                coerce, nullable = plan
                if coerce is not None:
                    value = field.resolve(source, None)  # type: ignore[misc]
                    if value is None:
                        if nullable:
                            return None
                    elif not isinstance(value, Exception):
                        try:
                            coerced = coerce(value)
                        except Exception:
                            coerced = None
                        if coerced is not None and coerced is not Undefined:
                            return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def plain_leaf(field: GraphQLField) -> tuple[Coerce | None, bool]:
    """Tell how a field completes as a plain leaf: its coercion, and if nullable.

    ``GENERAL`` for a field with a resolver of its own, or of a type with
    fields of its own (an object, a list).
    """
    if not getattr(field.resolve, "_is_default", False):
        return GENERAL
    type_ = field.type
    nullable = not isinstance(type_, GraphQLNonNull)
    if not nullable:
        type_ = type_.of_type
    if not is_leaf_type(type_):
        return GENERAL
    return type_.coerce_output_value, nullable
