"""Cursor pagination shared by list queries."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
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


def decode_time_position(cursor: str | None) -> tuple[datetime | None, str | None]:
    """Decode a cursor made by ``time_ordered_page``: the last (time, id) seen."""
    position = decode_cursor(cursor)
    if position is None:
        return None, None
    try:
        return datetime.fromisoformat(position[0]), position[1]
    except (TypeError, ValueError, IndexError):
        raise CMDBError.single(
            "after", ErrorCode.INVALID_VALUE, "not a cursor this service issued"
        ) from None


def time_ordered_page(entries: list[dict[str, Any]], limit: int) -> Page[dict]:
    """Cut ``limit + 1`` entries ordered by ``at`` and ``id`` into one page."""
    items = entries[:limit]
    cursor = None
    if len(entries) > limit:
        cursor = encode_cursor([items[-1]["at"].isoformat(), items[-1]["id"]])
    return Page(items, cursor)
