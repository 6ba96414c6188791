"""How CIs, relationships and history entries are shaped for storage.

A CI is stored as one node whose properties are the common fields and the
type's attributes side by side; the catalogue forbids name clashes.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

# Common fields that every CI node carries; everything else is an attribute.
COMMON_FIELDS = (
    "id",
    "type",
    "key",
    "name",
    "status",
    "criticality",
    "created_at",
    "updated_at",
    "version",
    "redundancy",
)
# Fields that change on every write and therefore say nothing in a diff.
BOOKKEEPING = frozenset({"updated_at", "version"})


@dataclass(frozen=True)
class WriteContext:
    """Who writes, through what, when and under which change request."""

    actor: str
    source: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    change_request_id: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


def new_id() -> str:
    """Return a new service-assigned identifier."""
    return str(uuid.uuid4())


def node_properties(ci: dict[str, Any], ci_id: str, at: datetime) -> dict[str, Any]:
    """Flatten a validated CI into the properties of a new node."""
    properties = {
        "id": ci_id,
        "type": ci["type"],
        "key": ci["key"],
        "name": ci["name"],
        "status": ci["status"],
        "criticality": ci["criticality"],
        "created_at": at,
        "updated_at": at,
        "version": 1,
        "redundancy": list(ci.get("redundancy") or []),
    }
    attributes = ci.get("attributes") or {}
    properties.update({k: v for k, v in attributes.items() if v is not None})
    return properties


def split_properties(properties: dict[str, Any]) -> tuple[dict, dict]:
    """Split stored node properties into common fields and attributes."""
    common = {k: properties.get(k) for k in COMMON_FIELDS}
    attributes = {k: v for k, v in properties.items() if k not in COMMON_FIELDS}
    return common, attributes


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict]:
    """Return ``{field: {"before": x, "after": y}}`` for every changed field.

    >>> diff({"name": "a", "version": 1}, {"name": "b", "version": 2})
    {'name': {'before': 'a', 'after': 'b'}}
    """
    changes = {}
    for name in sorted(set(before) | set(after)):
        if name in BOOKKEEPING:
            continue
        old, new = before.get(name), after.get(name)
        if _comparable(old) != _comparable(new):
            changes[name] = {"before": old, "after": new}
    return changes


def _comparable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def history_entry(
    context: WriteContext,
    action: str,
    ci: dict[str, Any],
    changes: dict[str, Any],
    *,
    other_id: str | None = None,
    rel_type: str | None = None,
) -> dict[str, Any]:
    """Build the properties of one history entry about ``ci``."""
    return {
        "id": new_id(),
        "at": context.at,
        "actor": context.actor,
        "source": context.source,
        "request_id": context.request_id,
        "change_request_id": context.change_request_id,
        "action": action,
        "ci_id": ci["id"],
        "ci_type": ci["type"],
        "ci_key": ci["key"],
        "other_id": other_id,
        "rel_type": rel_type,
        "changes": json.dumps(changes, default=_json_default, sort_keys=True),
    }


def decode_history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """Return a stored history entry with its ``changes`` decoded from JSON."""
    return {**entry, "changes": json.loads(entry.get("changes") or "{}")}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot record {type(value).__name__} in history")
