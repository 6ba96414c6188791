"""The schema as served: bounded queries, resolvers off the event loop."""

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLResolveInfo
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionContext

from app.api.graphql import schema as assembled
from app.api.graphql.errors import ErrorCodes
from app.settings import Settings

logger = logging.getLogger(__name__)

# Distinct query documents whose parse and validation are kept.
DOCUMENT_CACHE_SIZE = 256


class ServedSchema(strawberry.Schema):
    """The schema, without strawberry's log line (and trace) for every error.

    Refused requests are the caller's business, and unexpected errors are
    logged once, with the request id, by ``ErrorCodes``.
    """

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        """Note the errors of a request at DEBUG level only."""
        logger.debug("Request answered with %d error(s)", len(errors))


class ResolversInThreads(SchemaExtension):
    """Run resolver functions in worker threads; plain attributes stay inline.

    Resolvers call the database synchronously. Run on the event loop they
    would serialise every request and leave request time-outs unable to fire.
    """

    def resolve(
        self,
        _next: Callable,
        root: Any,
        info: GraphQLResolveInfo,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Resolve plain fields at once, resolver functions in a worker thread."""
        if not _has_resolver(info):
            return _next(root, info, *args, **kwargs)
        return run_in_threadpool(_next, root, info, *args, **kwargs)


def _has_resolver(info: GraphQLResolveInfo) -> bool:
    field = info.parent_type.fields.get(info.field_name)
    if field is None:  # __typename and the other meta fields
        return False
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return getattr(definition, "base_resolver", None) is not None


def build_schema(settings: Settings) -> strawberry.Schema:
    """Assemble the served schema with the limits the settings give."""
    # The limiters' validation rules are built once, so that every request
    # validates with the same rules and the validation cache can answer
    # repeated documents (parsing and validating cost more than a small
    # answer's database work).
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        ErrorCodes,
        partial(AddValidationRules, rules),
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
        partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
        ResolversInThreads,
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    config = StrawberryConfig(
        batching_config={"max_operations": settings.max_batch_operations}
    )
    return ServedSchema(
        query=assembled.Query,
        mutation=assembled.Mutation,
        extensions=extensions,
        config=config,
    )
