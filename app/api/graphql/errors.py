"""Turn service errors into GraphQL errors with codes; mask the unexpected."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.domain.errors import CMDBError, ErrorCode

logger = logging.getLogger(__name__)


class ErrorCodes(SchemaExtension):
    """Give every error a machine-readable code and hide internal details."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [self._describe(error, request_id) for error in result.errors]

    def _describe(self, error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        if isinstance(original, CMDBError):
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


def unavailable(message: str) -> CMDBError:
    """The graph database cannot be reached right now."""
    return CMDBError.single("", ErrorCode.UNAVAILABLE, message)
