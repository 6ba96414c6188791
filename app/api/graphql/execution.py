"""Execution of served queries, with a short way for plain data.

Most of an answer is plain data: fields without a resolver of their own
(strawberry reads the attribute) whose values are scalars, enums, objects of
such fields, or lists of those (an affected CI with its reason steps, a
count, an owner). graphql-core completes each field as it completes any: it
builds the resolve info, checks twice for an awaitable and recurses through
the non-null, list, object and leaf completions. This execution context
works out once per request how each selected field completes and, for a
plain one, reads and completes its whole value directly.

Anything it is not sure of goes graphql-core's way: a field with a resolver
or arguments, an interface or union, a directive on the field, a middleware,
and any value that is null where null is not allowed, is an error, is not a
list where one is expected or fails to coerce. Such a value sends the whole
object it is part of graphql-core's way, which reports errors as usual.
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# Completes a value read off its source, or returns GENERAL.
Complete = Callable[[Any], Any]
# How one selected field completes the short way: read, then complete.
Plan = tuple[Callable[[Any], Any], Complete]
# A value that could not be completed the short way.
GENERAL = object()


class PlainDataExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain data completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A middleware wraps every resolver, the plain ones included.
        self.plain = manager is None or not manager.middlewares
        # By selection (kept alive, so that its id is not reused): the plan of
        # a field, or of each field of an object; None when not plain.
        self._plans: dict[int, tuple[Any, Any]] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        """Complete a plain field directly, any other as graphql-core does."""
        if self.plain:
            plan = self._field_plan(parent_type, field_details_list)
            if plan is not None:
                value = _run(plan, source)
                if value is not GENERAL:
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
        """Complete an object of plain fields at once, any other field by field."""
        if self.plain and not new_defer_usages and position_context is None:
            plans = self._object_plans(parent_type, grouped_field_set)
            if plans is not None:
                data = _object(plans, source_value)
                if data is not GENERAL:
                    return data
        return super().execute_collected_subfields(
            parent_type,
            source_value,
            path,
            grouped_field_set,
            new_defer_usages,
            position_context,
        )

    def _field_plan(
        self, parent_type: GraphQLObjectType, field_details_list: Any
    ) -> Plan | None:
        """How a selected field completes the short way; None if it does not."""
        known = self._plans.get(id(field_details_list))
        if known is not None and known[0] is field_details_list:
            return known[1]
        plan = None
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)  # None: __typename
        if field is not None and _is_plain(field) and not node.directives:
            complete = self._completer(field.type, field_details_list)
            if complete is not None:
                plan = (_reader(field), complete)
        self._plans[id(field_details_list)] = (field_details_list, plan)
        return plan

    def _object_plans(
        self, object_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[str, Plan]] | None:
        """The plans of an object's selected fields, if all of them are plain."""
        known = self._plans.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set:
            return known[1]
        plans: list[tuple[str, Plan]] | None = []
        for response_name, field_details_list in grouped_field_set.items():
            plan = self._field_plan(object_type, field_details_list)
            if plan is None:
                plans = None
                break
            plans.append((response_name, plan))  # type: ignore[union-attr]
        self._plans[id(grouped_field_set)] = (grouped_field_set, plans)
        return plans

    def _completer(
        self, type_: GraphQLOutputType, field_details_list: Any
    ) -> Complete | None:
        """Complete values of a type the short way; None for types it leaves."""
        if isinstance(type_, GraphQLNonNull):
            inner = self._completer(type_.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if isinstance(type_, GraphQLList):
            item = self._completer(type_.of_type, field_details_list)
            return None if item is None else _nullable(_list(item))
        if is_leaf_type(type_):
            return _nullable(_leaf(type_.coerce_output_value))  # type: ignore[union-attr]
        if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None:
            grouped, defer_usages, _ = self.collect_subfields(type_, field_details_list)
            if defer_usages:
                return None
            plans = self._object_plans(type_, grouped)
            return None if plans is None else _nullable(lambda v: _object(plans, v))
        return None


def _run(plan: Plan, source: Any) -> Any:
    read, complete = plan
    try:
        value = read(source)
    except Exception:
        return GENERAL
    return complete(value)


def _object(plans: list[tuple[str, Plan]], source: Any) -> Any:
    data = {}
    for response_name, plan in plans:
        value = _run(plan, source)
        if value is GENERAL:
            return GENERAL
        data[response_name] = value
    return data


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any) -> Any:
        return GENERAL if value is None else inner(value)

    return complete


def _nullable(inner: Complete) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception):
            return GENERAL
        return inner(value)

    return complete


def _list(item: Complete) -> Complete:
    def complete(value: Any) -> Any:
        if not is_iterable(value):
            return GENERAL
        items = [item(each) for each in value]
        return GENERAL if GENERAL in items else items

    return complete


def _leaf(coerce: Callable[[Any], Any]) -> Complete:
    def complete(value: Any) -> Any:
        try:
            coerced = coerce(value)
        except Exception:
            return GENERAL
        return GENERAL if coerced is None or coerced is Undefined else coerced

    return complete


def _is_plain(field: GraphQLField) -> bool:
    """A field strawberry resolves by reading the attribute, with no arguments."""
    return getattr(field.resolve, "_is_default", False) and not field.args


def _reader(field: GraphQLField) -> Callable[[Any], Any]:
    """Read a plain field's value as strawberry's resolver for it does."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is not None and definition.default_resolver is getattr:
        return attrgetter(definition.python_name)
    resolve = field.resolve
    return lambda source: resolve(source, None)  # type: ignore[misc]
