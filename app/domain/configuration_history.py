"""Rebuild a CI as it was at a given time from its history entries.

Pure: the entries are the stored history of one CI (those about it and those
whose far end it is), with ``changes`` already decoded from JSON. Each entry
carries every changed field's value before and after, so replaying the
entries up to a time in order yields the attributes and relationships the CI
had then.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Order of actions recorded at the same instant: a CI exists before it relates.
_ACTION_ORDER = {
    "create": 0,
    "update": 1,
    "retire": 1,
    "unrelate": 2,
    "relate": 3,
    "update_relationship": 4,
}
CI_ACTIONS = frozenset({"create", "update", "retire"})
RELATIONSHIP_ACTIONS = frozenset({"relate", "update_relationship", "unrelate"})


@dataclass(frozen=True)
class RelationshipAsOf:
    """A relationship of the CI as it stood: direction, type, far end, properties."""

    direction: str
    type: str
    other_id: str
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class CIAsOf:
    """A CI's fields and relationships at one moment; ``exists`` False before."""

    ci_id: str
    at: datetime
    exists: bool
    properties: Mapping[str, Any] = field(default_factory=dict)
    relationships: tuple[RelationshipAsOf, ...] = ()
    entries_applied: int = 0


def ci_as_of(ci_id: str, entries: Iterable[Mapping[str, Any]], at: datetime) -> CIAsOf:
    """Replay the CI's entries recorded at or before ``at``.

    >>> from datetime import UTC
    >>> t = lambda h: datetime(2026, 1, 1, h, tzinfo=UTC)
    >>> entries = [
    ...     {"at": t(1), "action": "create", "ci_id": "v",
    ...      "changes": {"name": {"before": None, "after": "web"}}},
    ...     {"at": t(3), "action": "update", "ci_id": "v",
    ...      "changes": {"name": {"before": "web", "after": "api"}}},
    ... ]
    >>> ci_as_of("v", entries, t(2)).properties
    {'name': 'web'}
    """
    chosen = sorted(
        (entry for entry in entries if entry["at"] <= at),
        key=lambda entry: (entry["at"], _ACTION_ORDER.get(entry["action"], 9)),
    )
    properties: dict[str, Any] = {}
    relationships: dict[tuple[str, str, str], dict[str, Any]] = {}
    exists = False
    for entry in chosen:
        if entry["action"] in CI_ACTIONS and entry["ci_id"] == ci_id:
            exists = exists or entry["action"] == "create"
            _apply_fields(properties, entry["changes"])
        elif entry["action"] in RELATIONSHIP_ACTIONS:
            _apply_relationship(ci_id, relationships, entry)
    return CIAsOf(
        ci_id=ci_id,
        at=at,
        exists=exists,
        properties=properties,
        relationships=tuple(
            RelationshipAsOf(direction, rel_type, other, props)
            for (direction, rel_type, other), props in sorted(relationships.items())
        ),
        entries_applied=len(chosen),
    )


def _apply_fields(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for name, change in changes.items():
        if change.get("after") is None:
            target.pop(name, None)
        else:
            target[name] = change["after"]


def _apply_relationship(
    ci_id: str,
    relationships: dict[tuple[str, str, str], dict[str, Any]],
    entry: Mapping[str, Any],
) -> None:
    if entry["ci_id"] == ci_id:
        key = ("out", entry["rel_type"], entry["other_id"])
    else:
        key = ("in", entry["rel_type"], entry["ci_id"])
    if entry["action"] == "unrelate":
        relationships.pop(key, None)
        return
    properties = relationships.setdefault(key, {})
    _apply_fields(properties, entry["changes"])
