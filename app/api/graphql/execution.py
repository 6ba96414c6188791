"""Execution of served queries, with a short way for plain leaf fields.

Most of an answer is leaves read straight off an object: a field without a
resolver of its own (strawberry reads the attribute) whose type is a scalar or
an enum. graphql-core completes each of them as it completes any field: it
builds the resolve info, checks twice for an awaitable and recurses through
the non-null and leaf completions, about half of what a field costs. This
execution context reads and coerces such a value directly, and completes an
object whose selected fields are all plain leaves (a reason step, a count) in
one go. Every other field, and a plain one whose value is null where null is
not allowed, is an error or fails to coerce, takes graphql-core's way, which
reports it as usual; so does the whole object it is part of.
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# Where a field keeps how it completes as a plain leaf, in its extensions.
PLAIN_LEAF = "cmdb.plain_leaf"

Read = Callable[[Any], Any]
Coerce = Callable[[Any], Any]
# How a plain leaf completes: read its value off the source, coerce it, and
# whether null is allowed. None for any other field.
Plan = tuple[Read, Coerce, bool] | None
# A value that could not be completed the short way.
_GENERAL = object()


class PlainLeavesExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain leaf fields completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A middleware wraps every resolver, the plain ones included.
        self.plain_leaves = manager is None or not manager.middlewares
        # Per selection of an object's fields: their plans, or None when one
        # of them is not a plain leaf.
        self._selections: dict[int, tuple[Any, list[tuple[str, Plan]] | None]] = {}

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
            name = field_details_list[0].node.name.value
            plan = _plan(parent_type.fields.get(name))
            if plan is not None:
                value = _complete(plan, source)
                if value is not _GENERAL:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        new_defer_usages: Any,
        position_context: Any,
    ) -> Any:
        """Complete an object of plain leaves at once, any other field by field."""
        if self.plain_leaves and not new_defer_usages and position_context is None:
            plans = self._leaves_of(parent_type, grouped_field_set)
            if plans is not None:
                data = {}
                for response_name, plan in plans:
                    value = _complete(plan, source_value)  # type: ignore[arg-type]
                    if value is _GENERAL:
                        break
                    data[response_name] = value
                else:
                    return data
        return super().execute_collected_subfields(
            parent_type,
            source_value,
            path,
            grouped_field_set,
            new_defer_usages,
            position_context,
        )

    def _leaves_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[str, Plan]] | None:
        """The plans of the fields selected, if all of them are plain leaves."""
        known = self._selections.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set:
            return known[1]
        plans: list[tuple[str, Plan]] | None = []
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            plan = _plan(parent_type.fields.get(name))
            if plan is None:
                plans = None
                break
            plans.append((response_name, plan))  # type: ignore[union-attr]
        # The selection is kept with its plans, so that its id is not reused.
        self._selections[id(grouped_field_set)] = (grouped_field_set, plans)
        return plans


def _complete(plan: tuple[Read, Coerce, bool], source: Any) -> Any:
    """Read and coerce a plain leaf, or return ``_GENERAL``."""
    read, coerce, nullable = plan
    try:
        value = read(source)
    except Exception:
        return _GENERAL
    if value is None:
        return None if nullable else _GENERAL
    if isinstance(value, Exception):
        return _GENERAL
    try:
        coerced = coerce(value)
    except Exception:
        return _GENERAL
    if coerced is None or coerced is Undefined:
        return _GENERAL
    return coerced


def _plan(field: GraphQLField | None) -> Plan:
    """How a field completes as a plain leaf, worked out once and kept on it."""
    if field is None:  # __typename and the other meta fields
        return None
    try:
        return field.extensions[PLAIN_LEAF]
    except KeyError:
        plan = field.extensions[PLAIN_LEAF] = plain_leaf(field)
        return plan


def plain_leaf(field: GraphQLField) -> Plan:
    """Tell how a field completes as a plain leaf; None if it is not one.

    It is not for a field with a resolver of its own, or of a type with
    fields of its own (an object, a list).
    """
    if not getattr(field.resolve, "_is_default", False):
        return None
    type_ = field.type
    nullable = not isinstance(type_, GraphQLNonNull)
    if not nullable:
        type_ = type_.of_type
    if not is_leaf_type(type_):
        return None
    read = _reader(field)
    return read, type_.coerce_output_value, nullable  # type: ignore[union-attr]


def _reader(field: GraphQLField) -> Read:
    """Read a plain field's value as strawberry's resolver for it does."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is not None and definition.default_resolver is getattr:
        return attrgetter(definition.python_name)
    resolve = field.resolve
    return lambda source: resolve(source, None)  # type: ignore[misc]
