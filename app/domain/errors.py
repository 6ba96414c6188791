"""Errors the service reports to its callers, each with a machine-readable code."""

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Machine-readable error codes, shared by GraphQL, the CLI and the loader."""

    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    UNKNOWN_RELATIONSHIP_TYPE = "UNKNOWN_RELATIONSHIP_TYPE"
    UNKNOWN_PROPERTY = "UNKNOWN_PROPERTY"
    MISSING_PROPERTY = "MISSING_PROPERTY"
    INVALID_VALUE = "INVALID_VALUE"
    ENDPOINTS_NOT_ALLOWED = "ENDPOINTS_NOT_ALLOWED"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    DUPLICATE_ENTRY = "DUPLICATE_ENTRY"
    NOT_FOUND = "NOT_FOUND"
    RETIRED = "RETIRED"
    CONFLICT = "CONFLICT"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    UNAVAILABLE = "UNAVAILABLE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_TRANSITION = "INVALID_TRANSITION"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what kind, and a sentence."""

    field: str
    code: ErrorCode
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class CMDBError(Exception):
    """A request the service refuses; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))

    @property
    def code(self) -> ErrorCode:
        """The code of the first problem, which stands for the whole error."""
        return self.problems[0].code

    @classmethod
    def single(cls, field: str, code: ErrorCode, message: str) -> "CMDBError":
        """Build an error with one problem."""
        return cls([Problem(field, code, message)])
