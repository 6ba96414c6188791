"""Reconcile the part of the graph one source owns with what it reports now.

A source (a vCenter, later other systems) owns a *scope*: the CIs of its types
whose key is its prefix or starts with ``<prefix>:``, and the relationships of
the kinds it produces between two of those CIs. A sync takes the source's
complete picture as a load document and:

- creates the CIs it has not seen before and updates those whose fields
  differ; a CI it sees again that was retired becomes active;
- marks a CI it no longer sees with ``missing_since`` and retires it once
  ``grace_period`` has passed since then (a complete sync only);
- creates and removes the relationships it manages; relationships of other
  kinds, or to CIs outside the scope (people's ``OWNS``, ``DEPENDS_ON``,
  ``OWNED_BY``), are never touched;
- records every difference in history, and writes nothing else.

Provenance: each CI carries ``attribute_sources``, ``NAME=SOURCE`` entries
naming the source that wrote each field, which change only when the owner
does. When that source last saw the CI is the ``last_complete_sync_at`` of
the source's one ``SyncState`` node, or ``last_seen_at`` on a CI it misses.

All writes of one sync run in one transaction. CI updates are checked against
the version that was planned from; if anybody changed one of them meanwhile,
the transaction is rolled back and the sync planned again.
"""

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

from app.catalogue import Catalogue
from app.db import Tx
from app.domain.bulk import DocumentCI, ParsedDocument, merged_properties
from app.domain.bulk import parse_document as parse_load_document
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.records import (
    WriteContext,
    diff,
    history_entry,
    new_id,
    node_properties,
)
from app.domain.references import CIRef
from app.services.bulk import batches, fetch_relationships
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

SOURCES_PROPERTY = "attribute_sources"
MISSING_PROPERTY = "missing_since"
LAST_SEEN_PROPERTY = "last_seen_at"
RETIRED = "retired"
ACTIVE = "active"
SOURCE_FIELDS = ("name", "redundancy")
ATTEMPTS = 3

RelationshipKey = tuple[str, str, str]
Result = TypeVar("Result")


class Progress(Protocol):
    """Receives the phases of a sync as they start, advance and finish."""

    def start(self, phase: str, total: int | None = None) -> None:
        """A phase starts; ``total`` is its size when known."""

    def advance(self, phase: str, amount: int = 1) -> None:
        """A phase has done ``amount`` more."""

    def finish(self, phase: str) -> None:
        """A phase is done."""


class NoProgress:
    """Progress that nobody watches."""

    def start(self, phase: str, total: int | None = None) -> None:
        """Ignore the start of a phase."""

    def advance(self, phase: str, amount: int = 1) -> None:
        """Ignore progress."""

    def finish(self, phase: str) -> None:
        """Ignore the end of a phase."""


class SyncConflictError(Exception):
    """A CI or relationship changed between planning and writing."""


@dataclass(frozen=True)
class SyncScope:
    """The part of the graph that one source owns."""

    source: str
    key_prefix: str
    types: frozenset[str]
    relationships: frozenset[tuple[str, str, str]]
    grace_period: timedelta = timedelta(0)

    def owns(self, ref: CIRef) -> bool:
        """Tell whether a CI with this type and key belongs to the scope."""
        return ref.type in self.types and (
            ref.key == self.key_prefix or ref.key.startswith(f"{self.key_prefix}:")
        )

    def manages(self, rel_type: str, source_type: str, target_type: str) -> bool:
        """Tell whether the source produces relationships of this kind."""
        return (rel_type, source_type, target_type) in self.relationships

    def query_parameters(self) -> dict[str, Any]:
        """The parameters the scope statements take."""
        return {
            "types": sorted(self.types),
            "prefix": self.key_prefix,
            "key_start": f"{self.key_prefix}:",
            "rel_types": sorted({kind[0] for kind in self.relationships}),
        }


@dataclass
class SyncPlan:
    """The writes that bring a scope in line with its source."""

    scope: SyncScope
    context: WriteContext
    complete: bool
    ci_creates: list[dict] = field(default_factory=list)
    ci_updates: list[dict] = field(default_factory=list)
    relationship_creates: list[dict] = field(default_factory=list)
    relationship_updates: list[dict] = field(default_factory=list)
    relationship_deletes: list[dict] = field(default_factory=list)
    cis_seen: int = 0
    cis_missing: int = 0
    cis_retired: int = 0
    relationships_unchanged: int = 0
    updated: set[str] = field(default_factory=set)
    unchanged: set[str] = field(default_factory=set)
    moved: set[str] = field(default_factory=set)
    changes: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        """How many CIs and relationships the plan writes."""
        return (
            len(self.ci_creates)
            + len(self.ci_updates)
            + len(self.relationship_creates)
            + len(self.relationship_updates)
            + len(self.relationship_deletes)
        )


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed, left alone and how long planning and writing took."""

    source: str
    created: int
    updated: int
    moved: int
    missing: int
    retired: int
    unchanged: int
    relationships_created: int
    relationships_updated: int
    relationships_deleted: int
    relationships_unchanged: int
    writes: int
    plan_seconds: float
    write_seconds: float
    dry_run: bool = False
    changes: tuple[str, ...] = ()


def reconcile(
    runtime: Runtime,
    data: Mapping[str, Any],
    scope: SyncScope,
    context: WriteContext,
    *,
    complete: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring the scope in line with a source's load document.

    The document is validated as a whole first; nothing is written when any
    entry is invalid or outside the scope. A dry run plans and writes nothing.
    """
    progress = progress or NoProgress()
    document = parse_document(runtime.catalogue, data, scope)
    attempt = 1
    while True:
        try:
            return _plan_and_write(
                runtime, document, scope, context, complete, dry_run, progress
            )
        except SyncConflictError as error:
            if attempt == ATTEMPTS:
                raise
            attempt += 1
            logger.warning("%s: %s; planning again", scope.source, error)


def _plan_and_write(
    runtime: Runtime,
    document: ParsedDocument,
    scope: SyncScope,
    context: WriteContext,
    complete: bool,
    dry_run: bool,
    progress: Progress,
) -> SyncReport:
    plan_seconds, plan = _timed_phase(
        progress,
        "plan",
        partial(plan_sync, runtime, document, scope, context, complete),
    )
    if dry_run:
        return _report(plan, plan_seconds, 0.0, dry_run=True)
    write_seconds, _ = _timed_phase(
        progress, "write", partial(write_sync, runtime, plan), plan.writes
    )
    return _report(plan, plan_seconds, write_seconds)


def parse_document(
    catalogue: Catalogue, data: Mapping[str, Any], scope: SyncScope
) -> ParsedDocument:
    """Validate a source's document and check that it stays in its scope."""
    document = parse_load_document(catalogue, data)
    problems = [
        Problem(
            f"cis[{index}]",
            ErrorCode.INVALID_VALUE,
            f"{entry.ref} is not in {scope.source}",
        )
        for index, entry in enumerate(document.cis)
        if not scope.owns(entry.ref)
    ]
    problems += [
        Problem(
            f"relationships[{rel.position}]",
            ErrorCode.INVALID_VALUE,
            f"{rel.type} {rel.source} -> {rel.target} is not managed by {scope.source}",
        )
        for rel in document.relationships
        if not scope.manages(rel.type, rel.source.type, rel.target.type)
        or not (scope.owns(rel.source) and scope.owns(rel.target))
    ]
    if problems:
        raise CMDBError(problems)
    return document


def plan_sync(
    runtime: Runtime,
    document: ParsedDocument,
    scope: SyncScope,
    context: WriteContext,
    complete: bool = True,
) -> SyncPlan:
    """Read the scope from the graph and plan the writes the document needs.

    Stored relationships are read with only the properties the document
    gives, which is all a comparison needs; the few that will be removed are
    read whole, for their history.
    """
    stored = fetch_scope_cis(runtime, scope)
    names = sorted({name for rel in document.relationships for name in rel.properties})
    relationships = fetch_scope_relationships(runtime, scope, names)
    if complete:
        removed = _removal_candidates(document, stored, relationships)
        relationships.update(fetch_relationships(runtime, removed))
    state = fetch_sync_state(runtime, scope.source)
    last_seen = state.get("last_complete_sync_at") if state else None
    return plan_changes(
        document, stored, relationships, scope, context, complete, last_seen
    )


def _removal_candidates(
    document: ParsedDocument,
    stored: Mapping[CIRef, dict[str, Any]],
    relationships: Mapping[RelationshipKey, dict[str, Any]],
) -> list[dict[str, str]]:
    """Stored relationships from CIs the document reports that it does not give."""
    ids = {ref: properties["id"] for ref, properties in stored.items()}
    wanted = {
        (ids[rel.source], rel.type, ids[rel.target])
        for rel in document.relationships
        if rel.source in ids and rel.target in ids
    }
    seen = {ids[entry.ref] for entry in document.cis if entry.ref in ids}
    return [
        {"source": source, "type": rel_type, "target": target}
        for source, rel_type, target in relationships
        if (source, rel_type, target) not in wanted and source in seen
    ]


def fetch_scope_cis(runtime: Runtime, scope: SyncScope) -> dict[CIRef, dict[str, Any]]:
    """Return every stored CI of the scope, retired ones included, by reference.

    Their ``created_at`` and ``updated_at`` read as None: a sync never needs
    them, and they are the costliest values to read.
    """
    rows = runtime.db.read("sync_scope_cis", **scope.query_parameters())
    return {CIRef(row["ci"]["type"], row["ci"]["key"]): row["ci"] for row in rows}


def fetch_scope_relationships(
    runtime: Runtime, scope: SyncScope, property_names: list[str]
) -> dict[RelationshipKey, dict[str, Any]]:
    """Return the relationships the source manages, with the named properties."""
    rows = runtime.db.read(
        "sync_scope_relationships",
        **scope.query_parameters(),
        property_names=property_names,
    )
    found = {}
    for source, source_type, rel_type, target, target_type, values in rows[0]["rows"]:
        if scope.manages(rel_type, source_type, target_type):
            properties = dict(zip(property_names, values, strict=True))
            found[(source, rel_type, target)] = {
                name: value for name, value in properties.items() if value is not None
            }
    return found


def fetch_sync_state(runtime: Runtime, source: str) -> dict[str, Any] | None:
    """Return the sync state a source last recorded, or None."""
    rows = runtime.db.read("sync_state_get", sources=[source])
    return rows[0]["state"] if rows else None


def plan_changes(
    document: ParsedDocument,
    stored: Mapping[CIRef, dict[str, Any]],
    relationships: Mapping[RelationshipKey, dict[str, Any]],
    scope: SyncScope,
    context: WriteContext,
    complete: bool = True,
    last_seen: datetime | None = None,
) -> SyncPlan:
    """Plan the writes that make the stored scope match the document; pure."""
    plan = SyncPlan(scope, context, complete, cis_seen=len(document.cis))
    cis = _plan_seen_cis(document.cis, stored, plan)
    if complete:
        seen = {entry.ref for entry in document.cis}
        for ref, properties in sorted(stored.items(), key=lambda item: item[0].key):
            if ref not in seen:
                _plan_unseen_ci(properties, plan, last_seen)
    _plan_relationships(document, cis, relationships, plan)
    return plan


def _plan_seen_cis(
    entries: Iterable[DocumentCI],
    stored: Mapping[CIRef, dict[str, Any]],
    plan: SyncPlan,
) -> dict[CIRef, dict[str, Any]]:
    """Plan creates and updates of the CIs the source reports; return them all."""
    cis: dict[CIRef, dict[str, Any]] = {}
    for entry in entries:
        before = stored.get(entry.ref)
        if before is None:
            cis[entry.ref] = _plan_create(entry, plan)
            continue
        after = merged_properties(before, entry)
        after[SOURCES_PROPERTY] = owned_fields(before, entry, plan.scope.source)
        if before.get("status") == RETIRED:
            after["status"] = ACTIVE
        after.pop(MISSING_PROPERTY, None)
        after.pop(LAST_SEEN_PROPERTY, None)
        updated = _plan_update(before, after, plan)
        (plan.updated if updated else plan.unchanged).add(before["id"])
        cis[entry.ref] = updated or before
    return cis


def owned_fields(
    stored: Mapping[str, Any], entry: DocumentCI, source: str
) -> list[str]:
    """Return the CI's ``NAME=SOURCE`` list with the fields this entry gives.

    >>> from app.domain.bulk import DocumentCI
    >>> entry = DocumentCI(CIRef("Host", "vc:h-1"), {}, frozenset({"name"}),
    ...                    frozenset({"serial"}))
    >>> owned_fields({"attribute_sources": ["owner=cli"]}, entry, "vsphere:vc")
    ['name=vsphere:vc', 'owner=cli', 'serial=vsphere:vc']
    """
    given = set(entry.attributes_given) | (set(SOURCE_FIELDS) & set(entry.given))
    owners = {}
    for item in stored.get(SOURCES_PROPERTY) or ():
        name, _, owner = str(item).partition("=")
        owners[name] = owner
    owners.update(dict.fromkeys(given, source))
    return [f"{name}={owner}" for name, owner in sorted(owners.items())]


def _plan_create(entry: DocumentCI, plan: SyncPlan) -> dict[str, Any]:
    context = plan.context
    properties = node_properties(entry.ci, new_id(), context.at)
    properties[SOURCES_PROPERTY] = owned_fields({}, entry, plan.scope.source)
    changes = {k: {"before": None, "after": v} for k, v in properties.items()}
    history = history_entry(context, "create", properties, changes)
    plan.ci_creates.append({"properties": properties, "history": history})
    plan.changes.append(f"create {entry.ref} ({properties['name']})")
    return properties


def _plan_update(
    before: dict[str, Any], after: dict[str, Any], plan: SyncPlan
) -> dict[str, Any] | None:
    """Plan an update when the fields differ; return the new properties."""
    changes = diff(before, after)
    if not changes:
        return None
    after.update(updated_at=plan.context.at, version=before.get("version", 0) + 1)
    action = "retire" if changes.get("status", {}).get("after") == RETIRED else "update"
    history = history_entry(plan.context, action, after, changes)
    changed = {name: after.get(name) for name in changes}
    plan.ci_updates.append(
        {
            "id": after["id"],
            "expected_version": before.get("version"),
            "set": {
                **changed,
                "updated_at": after["updated_at"],
                "version": after["version"],
            },
            "history": history,
        }
    )
    ref = CIRef(after["type"], after["key"])
    plan.changes.append(f"{action} {ref}: {describe(changes)}")
    return after


def _plan_unseen_ci(
    before: dict[str, Any], plan: SyncPlan, last_seen: datetime | None
) -> None:
    """Mark a CI the source no longer reports missing; retire it after grace."""
    if before.get("status") == RETIRED:
        return
    now = plan.context.at
    after = dict(before)
    if MISSING_PROPERTY not in before:
        after[MISSING_PROPERTY] = now
        if last_seen is not None:
            after[LAST_SEEN_PROPERTY] = last_seen
    if now - after[MISSING_PROPERTY] >= plan.scope.grace_period:
        after["status"] = RETIRED
        plan.cis_retired += 1
    else:
        plan.cis_missing += 1
    _plan_update(before, after, plan)


def _plan_relationships(
    document: ParsedDocument,
    cis: Mapping[CIRef, dict[str, Any]],
    stored: Mapping[RelationshipKey, dict[str, Any]],
    plan: SyncPlan,
) -> None:
    """Plan the creates, updates and removals of managed relationships."""
    by_id = {properties["id"]: properties for properties in cis.values()}
    created = {row["properties"]["id"] for row in plan.ci_creates}
    wanted: set[RelationshipKey] = set()
    for rel in document.relationships:
        source, target = cis[rel.source], cis[rel.target]
        key = (source["id"], rel.type, target["id"])
        wanted.add(key)
        _plan_relationship(key, rel.properties, stored.get(key), by_id, plan)
    if plan.complete:
        for key in sorted(set(stored) - wanted):
            if key[0] in by_id:  # only what the source reports on is removed
                _plan_removal(key, stored[key], by_id, plan)
    plan.moved -= created


def _plan_relationship(
    key: RelationshipKey,
    given: dict[str, Any],
    before: dict[str, Any] | None,
    cis: Mapping[str, dict[str, Any]],
    plan: SyncPlan,
) -> None:
    source_id, rel_type, target_id = key
    row: dict[str, Any] = {"source": source_id, "type": rel_type, "target": target_id}
    if before is None:
        changes = {k: {"before": None, "after": v} for k, v in given.items()}
        row["properties"] = {**given, "created_at": plan.context.at}
        rows, action = plan.relationship_creates, "relate"
        plan.moved.add(source_id)
    else:
        changes = diff(before, {**before, **given})
        if not changes:
            plan.relationships_unchanged += 1
            return
        row["set"] = {name: change["after"] for name, change in changes.items()}
        rows, action = plan.relationship_updates, "update_relationship"
    row["history"] = history_entry(
        plan.context,
        action,
        cis[source_id],
        changes,
        other_id=target_id,
        rel_type=rel_type,
    )
    rows.append(row)
    plan.changes.append(f"{action} {_describe_relationship(key, cis)}")


def _plan_removal(
    key: RelationshipKey,
    before: dict[str, Any],
    cis: Mapping[str, dict[str, Any]],
    plan: SyncPlan,
) -> None:
    source_id, rel_type, target_id = key
    changes = {k: {"before": v, "after": None} for k, v in before.items()}
    history = history_entry(
        plan.context,
        "unrelate",
        cis[source_id],
        changes,
        other_id=target_id,
        rel_type=rel_type,
    )
    plan.relationship_deletes.append(
        {"source": source_id, "type": rel_type, "target": target_id, "history": history}
    )
    plan.moved.add(source_id)
    plan.changes.append(f"unrelate {_describe_relationship(key, cis)}")


def _describe_relationship(key: RelationshipKey, cis: Mapping[str, dict]) -> str:
    source_id, rel_type, target_id = key
    source = cis.get(source_id, {})
    target = cis.get(target_id)
    target_text = f"{target['type']}:{target['key']}" if target else target_id
    return f"{source.get('type')}:{source.get('key')} {rel_type} {target_text}"


def describe(changes: Mapping[str, Mapping[str, Any]]) -> str:
    """Summarise field changes as ``name before -> after`` for people.

    >>> describe({"cpu_count": {"before": 1, "after": 2}})
    'cpu_count 1 -> 2'
    """
    return ", ".join(
        f"{name} {change['before']} -> {change['after']}"
        for name, change in changes.items()
    )


def write_sync(runtime: Runtime, plan: SyncPlan) -> None:
    """Write a plan in one transaction, with the source's sync state."""
    state = _sync_state(plan)

    def work(tx: Tx) -> None:
        _write_changes(tx, plan, runtime.settings.batch_size)
        tx.run("sync_state_record", source=plan.scope.source, state=state)

    runtime.db.transaction(work)


def _write_changes(tx: Tx, plan: SyncPlan, size: int) -> None:
    for batch in batches(plan.ci_creates, size):
        tx.run("sync_ci_create_batch", rows=batch)
    for batch in batches(plan.ci_updates, size):
        _expect(tx.run("sync_ci_update_batch", rows=batch), "updated", len(batch))
    for batch in batches(plan.relationship_deletes, size):
        _expect(
            tx.run("sync_relationship_delete_batch", rows=batch), "deleted", len(batch)
        )
    for batch in batches(plan.relationship_creates, size):
        tx.run("relationship_create_batch", rows=batch)
    for batch in batches(plan.relationship_updates, size):
        tx.run("sync_relationship_update_batch", rows=batch)


def _expect(rows: list[dict], column: str, wanted: int) -> None:
    done = rows[0][column] if rows else 0
    if done != wanted:
        raise SyncConflictError(
            f"{wanted - done} of {wanted} planned writes found the graph changed"
        )


def _sync_state(plan: SyncPlan) -> dict[str, Any]:
    state: dict[str, Any] = {"last_sync_at": plan.context.at, "cis": plan.cis_seen}
    if plan.complete:
        state["last_complete_sync_at"] = plan.context.at
    return state


def _timed_phase(
    progress: Progress,
    phase: str,
    work: Callable[[], Result],
    total: int | None = None,
) -> tuple[float, Result]:
    progress.start(phase, total)
    started = time.perf_counter()
    result = work()
    progress.finish(phase)
    return time.perf_counter() - started, result


def _report(
    plan: SyncPlan, plan_seconds: float, write_seconds: float, dry_run: bool = False
) -> SyncReport:
    return SyncReport(
        source=plan.scope.source,
        created=len(plan.ci_creates),
        updated=len(plan.updated),
        moved=len(plan.moved),
        missing=plan.cis_missing,
        retired=plan.cis_retired,
        unchanged=len(plan.unchanged - plan.moved),
        relationships_created=len(plan.relationship_creates),
        relationships_updated=len(plan.relationship_updates),
        relationships_deleted=len(plan.relationship_deletes),
        relationships_unchanged=plan.relationships_unchanged,
        writes=plan.writes,
        plan_seconds=round(plan_seconds, 3),
        write_seconds=round(write_seconds, 3),
        dry_run=dry_run,
        changes=tuple(plan.changes),
    )
