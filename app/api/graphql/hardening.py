"""The schema as served: bounded queries, resolvers off the event loop."""

import copy
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    FieldExtension,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from app.api.graphql import schema as assembled
from app.api.graphql.context import IN_MEMORY
from app.api.graphql.errors import ErrorCodes
from app.api.graphql.execution import PlainDataExecution
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

    def get_fields(
        self, type_definition: StrawberryObjectDefinition
    ) -> list[StrawberryField]:
        """Serve the fields of a type with their resolvers in worker threads.

        Doing this per field, rather than with a schema extension's ``resolve``
        hook, leaves the plain attributes (most of an answer) to strawberry's
        fast path: a hook would run for every one of them.
        """
        return [
            _in_worker_thread(field) for field in super().get_fields(type_definition)
        ]


class InWorkerThread(FieldExtension):
    """Run the field's resolver in a worker thread.

    Resolvers call the database synchronously. Run on the event loop they
    would serialise every request and leave request time-outs unable to fire.
    """

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info, /, **kwargs: Any
    ) -> Any:
        """Hand the resolver to a worker thread; the answer is awaited.

        The leading parameters are positional only: a field may have an
        argument of any name, ``source`` included.
        """
        return run_in_threadpool(next_, source, info, **kwargs)


def _in_worker_thread(field: StrawberryField) -> StrawberryField:
    """Return a copy of a field with a resolver function, run in a worker thread.

    Plain attributes, async resolvers and resolvers marked ``IN_MEMORY`` stay
    as they are. The copy leaves the declared type untouched for the other
    schemas built from it.
    """
    if field.base_resolver is None or field.is_async:
        return field
    if IN_MEMORY.items() <= field.metadata.items():
        return field
    served = copy.copy(field)
    served.extensions = [*field.extensions, InWorkerThread()]
    return served


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
        execution_context_class=PlainDataExecution,
    )
