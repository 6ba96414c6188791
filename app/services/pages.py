"""Cursor pagination shared by list queries."""

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.domain.errors import CMDBError, ErrorCode

Item = TypeVar("Item")


@dataclass
class Page(Generic[Item]):
    """One page of results and the cursor of the next page, if any."""

    items: list[Item]
    next_cursor: str | None


def encode_cursor(value: Any) -> str:
    """Encode a position as an opaque cursor."""
    text = json.dumps(value, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str | None, field: str = "after") -> Any:
    """Decode a cursor made by ``encode_cursor``; None stays None."""
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise CMDBError.single(
            field, ErrorCode.INVALID_VALUE, "not a cursor this service issued"
        ) from None


def page_size(first: int, maximum: int, field: str = "first") -> int:
    """Check a requested page size against the configured maximum."""
    if not 1 <= first <= maximum:
        raise CMDBError.single(
            field, ErrorCode.INVALID_VALUE, f"must be between 1 and {maximum}"
        )
    return first
