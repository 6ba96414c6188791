"""Read and write single CIs and relationships, recording history."""

import logging
from typing import Any

from app.db import Tx
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.records import (
    WriteContext,
    decode_history_entry,
    diff,
    history_entry,
    new_id,
    node_properties,
)
from app.domain.references import CIRef
from app.domain.validation import (
    CRITICALITIES,
    STATUSES,
    validate_attributes,
    validate_ci,
    validate_redundancy,
    validate_relationship,
)
from app.services.pages import (
    Page,
    decode_cursor,
    decode_time_position,
    encode_cursor,
    page_size,
    time_ordered_page,
)
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

CI = dict[str, Any]
DIRECTIONS = ("out", "in", "both")


def get_ci(runtime: Runtime, ci_id: str) -> CI | None:
    """Return the CI with this id, or None."""
    rows = runtime.db.read("ci_get_by_id", id=ci_id)
    return rows[0]["ci"] if rows else None


def find_ci(runtime: Runtime, ref: CIRef) -> CI | None:
    """Return the CI with this type and natural key, or None."""
    rows = runtime.db.read("ci_get_by_key", type=ref.type, key=ref.key)
    return rows[0]["ci"] if rows else None


def require_ci(runtime: Runtime, ci_id: str, field: str = "id") -> CI:
    """Return the CI with this id or raise NOT_FOUND naming ``field``."""
    ci = get_ci(runtime, ci_id)
    if ci is None:
        raise CMDBError.single(field, ErrorCode.NOT_FOUND, f"no CI with id {ci_id!r}")
    return ci


def list_cis(
    runtime: Runtime,
    type_name: str,
    *,
    status: str | None = None,
    name_contains: str | None = None,
    attributes: dict[str, Any] | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[CI]:
    """Return one page of CIs of a type, filtered, ordered by key."""
    ci_type = runtime.catalogue.ci_type(type_name)
    if ci_type is None:
        raise CMDBError.single("type", ErrorCode.UNKNOWN_TYPE, f"{type_name!r}")
    if status is not None and status not in STATUSES:
        raise CMDBError.single("status", ErrorCode.INVALID_VALUE, f"{status!r}")
    filters, problems = validate_attributes(
        runtime.catalogue, type_name, attributes or {}, "attributes", partial=True
    )
    if problems:
        raise CMDBError(problems)
    limit = page_size(first, runtime.settings.max_page_size)
    rows = runtime.db.read(
        "ci_list",
        type=type_name,
        status=status,
        name=name_contains,
        attributes=filters,
        after=decode_cursor(after),
        limit=limit + 1,
    )
    items = [row["ci"] for row in rows[:limit]]
    cursor = encode_cursor(items[-1]["key"]) if len(rows) > limit else None
    return Page(items, cursor)


def create_ci(runtime: Runtime, data: dict[str, Any], context: WriteContext) -> CI:
    """Validate and create one CI; DUPLICATE_KEY when its key is taken."""
    ci, problems = validate_ci(runtime.catalogue, data)
    if problems:
        raise CMDBError(problems)
    properties = node_properties(ci, new_id(), context.at)
    changes = {k: {"before": None, "after": v} for k, v in properties.items()}
    history = history_entry(context, "create", properties, changes)

    def work(tx: Tx) -> CI:
        if tx.run("ci_get_by_key", type=ci["type"], key=ci["key"]):
            raise _duplicate(ci["type"], ci["key"])
        tx.run("ci_create_batch", rows=[{"properties": properties, "history": history}])
        stored = tx.run("ci_get_by_id", id=properties["id"])
        if not stored:
            raise _duplicate(ci["type"], ci["key"])
        return stored[0]["ci"]

    created = runtime.db.transaction(work)
    logger.info("Created %s %s as %s", ci["type"], ci["key"], created["id"])
    return created


def update_ci(
    runtime: Runtime,
    ci_id: str,
    changes: dict[str, Any],
    context: WriteContext,
    expected_version: int | None = None,
) -> CI:
    """Apply changes to a CI's name, status, criticality, attributes or redundancy.

    Attributes set to None are removed. With ``expected_version`` a CI that
    changed since the caller read it is refused with CONFLICT.
    """

    def work(tx: Tx) -> CI:
        rows = tx.run("ci_lock_by_id", id=ci_id)
        if not rows:
            raise CMDBError.single("id", ErrorCode.NOT_FOUND, f"no CI {ci_id!r}")
        stored = rows[0]["ci"]
        _check_version(stored, expected_version)
        updated = _apply_changes(runtime, stored, changes)
        return _write_update(tx, stored, updated, context)

    return runtime.db.transaction(work)


def retire_ci(
    runtime: Runtime,
    ci_id: str,
    context: WriteContext,
    expected_version: int | None = None,
) -> CI:
    """Retire a CI: it keeps its history and leaves impact analysis."""
    return update_ci(runtime, ci_id, {"status": "retired"}, context, expected_version)


def _check_version(stored: CI, expected: int | None) -> None:
    if expected is not None and stored.get("version") != expected:
        raise CMDBError.single(
            "expectedVersion",
            ErrorCode.CONFLICT,
            f"the CI is at version {stored.get('version')}, not {expected}; "
            "read it again and retry",
        )


def _apply_changes(runtime: Runtime, stored: CI, changes: dict[str, Any]) -> CI:
    catalogue = runtime.catalogue
    updated, problems = dict(stored), []
    for name, choices in (("status", STATUSES), ("criticality", CRITICALITIES)):
        if changes.get(name) is not None:
            if changes[name] not in choices:
                message = f"{changes[name]!r} is not one of {', '.join(choices)}"
                problems.append(Problem(name, ErrorCode.INVALID_VALUE, message))
            updated[name] = changes[name]
    if changes.get("name") is not None:
        if not str(changes["name"]).strip():
            message = "a non-empty string is required"
            problems.append(Problem("name", ErrorCode.INVALID_VALUE, message))
        updated["name"] = changes["name"]
    if changes.get("redundancy") is not None:
        policies, found = validate_redundancy(
            catalogue, stored["type"], changes["redundancy"]
        )
        problems += found
        updated["redundancy"] = policies
    attributes, found = validate_attributes(
        catalogue, stored["type"], changes.get("attributes") or {}, partial=True
    )
    problems += found
    if problems:
        raise CMDBError(problems)
    for name, value in attributes.items():
        if value is None:
            updated.pop(name, None)
        else:
            updated[name] = value
    return updated


def _write_update(tx: Tx, stored: CI, updated: CI, context: WriteContext) -> CI:
    changes = diff(stored, updated)
    if not changes:
        return stored
    updated.update(updated_at=context.at, version=stored["version"] + 1)
    action = (
        "retire" if changes.get("status", {}).get("after") == "retired" else "update"
    )
    history = history_entry(context, action, updated, changes)
    tx.run("ci_update_batch", rows=[{"properties": updated, "history": history}])
    logger.info(
        "%s %s %s: %s", action.title(), stored["type"], stored["key"], sorted(changes)
    )
    return updated


def relate(
    runtime: Runtime,
    source_id: str,
    rel_type: str,
    target_id: str,
    properties: dict[str, Any] | None,
    context: WriteContext,
) -> dict[str, Any]:
    """Create a relationship, or update its properties; harmless when equal."""

    def work(tx: Tx) -> dict[str, Any]:
        source = _active_end(tx, source_id, "sourceId")
        target = _active_end(tx, target_id, "targetId")
        clean, problems = validate_relationship(
            runtime.catalogue, rel_type, source["type"], target["type"], properties
        )
        if problems:
            raise CMDBError(problems)
        key = {"source": source_id, "type": rel_type, "target": target_id}
        existing = tx.run("relationship_get_many", rows=[key])
        stored = existing[0]["properties"] if existing else None
        if stored is None:
            after = {**clean, "created_at": context.at}
            changes = {k: {"before": None, "after": v} for k, v in clean.items()}
            statement, action = "relationship_create_batch", "relate"
        else:
            after = {**stored, **clean}
            changes = diff(stored, after)
            statement, action = "relationship_update_batch", "update_relationship"
        if stored is None or changes:
            history = history_entry(
                context, action, source, changes, other_id=target_id, rel_type=rel_type
            )
            tx.run(statement, rows=[{**key, "properties": after, "history": history}])
        return {**key, "properties": after, "source_ci": source, "target_ci": target}

    return runtime.db.transaction(work)


def unrelate(
    runtime: Runtime,
    source_id: str,
    rel_type: str,
    target_id: str,
    context: WriteContext,
) -> bool:
    """Delete a relationship, recording what it was; False when there was none."""
    if runtime.catalogue.relationship(rel_type) is None:
        raise CMDBError.single("type", ErrorCode.UNKNOWN_RELATIONSHIP_TYPE, rel_type)

    def work(tx: Tx) -> bool:
        source = _end(tx, source_id, "sourceId")
        _end(tx, target_id, "targetId")
        key = {"source": source_id, "type": rel_type, "target": target_id}
        existing = tx.run("relationship_get_many", rows=[key])
        if not existing:
            return False
        before = existing[0]["properties"]
        changes = {k: {"before": v, "after": None} for k, v in before.items()}
        history = history_entry(
            context, "unrelate", source, changes, other_id=target_id, rel_type=rel_type
        )
        tx.run("relationship_delete", **key, history=history)
        return True

    return runtime.db.transaction(work)


def _end(tx: Tx, ci_id: str, field: str) -> CI:
    rows = tx.run("ci_get_by_id", id=ci_id)
    if not rows:
        raise CMDBError.single(field, ErrorCode.NOT_FOUND, f"no CI with id {ci_id!r}")
    return rows[0]["ci"]


def _active_end(tx: Tx, ci_id: str, field: str) -> CI:
    ci = _end(tx, ci_id, field)
    if ci["status"] == "retired":
        raise CMDBError.single(
            field, ErrorCode.RETIRED, f"{ci['type']} {ci['key']} is retired"
        )
    return ci


def list_relationships(
    runtime: Runtime,
    ci_id: str,
    *,
    direction: str = "both",
    types: list[str] | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[dict[str, Any]]:
    """Return one page of a CI's relationships in the given direction."""
    if direction not in DIRECTIONS:
        raise _invalid("direction", f"must be one of {', '.join(DIRECTIONS)}")
    unknown = [t for t in types or [] if runtime.catalogue.relationship(t) is None]
    if unknown:
        raise CMDBError.single(
            "types", ErrorCode.UNKNOWN_RELATIONSHIP_TYPE, str(unknown)
        )
    limit = page_size(first, runtime.settings.max_page_size)
    skip = decode_cursor(after) or 0
    rows = runtime.db.read(
        "relationship_list",
        id=ci_id,
        direction=direction,
        types=types,
        skip=skip,
        limit=limit + 1,
    )
    cursor = encode_cursor(skip + limit) if len(rows) > limit else None
    return Page(rows[:limit], cursor)


def ci_history(
    runtime: Runtime, ci_id: str, *, first: int = 50, after: str | None = None
) -> Page[dict[str, Any]]:
    """Return one page of a CI's history, newest first."""
    limit = page_size(first, runtime.settings.max_page_size)
    before_at, before_id = decode_time_position(after)
    rows = runtime.db.read(
        "history_of_ci",
        id=ci_id,
        before_at=before_at,
        before_id=before_id,
        limit=limit + 1,
    )
    return time_ordered_page([decode_history_entry(r["entry"]) for r in rows], limit)


def _duplicate(type_name: str, key: str) -> CMDBError:
    return CMDBError.single(
        "key", ErrorCode.DUPLICATE_KEY, f"a {type_name} with key {key!r} exists"
    )


def _invalid(field: str, message: str) -> CMDBError:
    return CMDBError.single(field, ErrorCode.INVALID_VALUE, message)
