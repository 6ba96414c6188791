"""Turn service errors into GraphQL errors with codes; mask the unexpected."""

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.domain.errors import CMDBError, ErrorCode

logger = logging.getLogger(__name__)

# Server error codes the driver reports, recognised without importing it.
DRIVER_CODES = {
    "Neo.ClientError.Transaction.TransactionTimedOut": (
        ErrorCode.TIMEOUT,
        "the database transaction took too long and was stopped; narrow the "
        "request down or retry later",
    ),
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration": (
        ErrorCode.TIMEOUT,
        "the database transaction took too long and was stopped; narrow the "
        "request down or retry later",
    ),
    "Neo.ClientError.Schema.ConstraintValidationFailed": (
        ErrorCode.CONFLICT,
        "a concurrent write stored the same record first; read it and retry",
    ),
}
# Transient server errors the driver gave up retrying: busy or restarting.
TRANSIENT_PREFIX = "Neo.TransientError."
TRANSIENT = (
    ErrorCode.UNAVAILABLE,
    "the graph database is busy or restarting; retry in a moment",
)
UNAVAILABLE_STATUS = 503


class ErrorCodes(SchemaExtension):
    """Give every error a machine-readable code and hide internal details."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        result.errors = [self._describe(error, request_id) for error in result.errors]
        codes = {(error.extensions or {}).get("code") for error in result.errors}
        if _nothing_answered(result.data):
            if ErrorCode.FORBIDDEN in codes:
                result.data = None
            if codes == {ErrorCode.UNAVAILABLE}:
                _set_status(context, UNAVAILABLE_STATUS)

    def _describe(self, error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        known = _driver_error(original)
        if known is not None:
            logger.warning("Request %s: %s", request_id, original)
            original = CMDBError.single("", *known)
        if isinstance(original, CMDBError):
            return _coded(error, original)
        if original is None or isinstance(original, GraphQLError):
            extensions = {
                "code": "GRAPHQL_VALIDATION_FAILED",
                **(error.extensions or {}),
            }
            error.extensions = extensions
            return error
        logger.error("Unexpected error in request %s", request_id, exc_info=original)
        return GraphQLError(
            f"internal error; quote request id {request_id} when reporting it",
            error.nodes,
            error.source,
            error.positions,
            error.path,
            None,
            {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


def _driver_error(original: Exception | None) -> tuple[ErrorCode, str] | None:
    """Recognise a server error by its Neo4j code, without importing the driver."""
    code = str(getattr(original, "code", None) or "")
    if code.startswith(TRANSIENT_PREFIX):
        return TRANSIENT
    return DRIVER_CODES.get(code)


def _coded(error: GraphQLError, original: CMDBError) -> GraphQLError:
    problem = original.problems[0]
    extensions = {
        "code": str(problem.code),
        "field": problem.field,
        "problems": [
            {"field": p.field, "code": str(p.code), "message": p.message}
            for p in original.problems
        ],
    }
    return GraphQLError(
        str(original),
        error.nodes,
        error.source,
        error.positions,
        error.path,
        original,
        extensions,
    )


def _nothing_answered(data: dict[str, Any] | None) -> bool:
    """Tell whether every root field of the operation came back empty."""
    return data is None or all(value is None for value in data.values())


def _set_status(context: Any, status: int) -> None:
    response = getattr(context, "response", None)
    if response is not None:
        response.status_code = status


def unavailable(message: str) -> CMDBError:
    """The graph database cannot be reached right now."""
    return CMDBError.single("", ErrorCode.UNAVAILABLE, message)
