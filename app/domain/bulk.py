"""Bulk-load documents: parse, validate and plan, without touching the graph.

A document is a mapping::

    version: 1
    cis:
      - {type: Rack, key: AMS1-R01, name: Rack 1, attributes: {units: 42}}
    relationships:
      - {type: LOCATED_IN, from: "Rack:AMS1-R01", to: "Site:AMS1"}

CIs are found again by (type, key); loading the same document twice changes
nothing the second time.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.catalogue import Catalogue
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.records import (
    WriteContext,
    diff,
    history_entry,
    new_id,
    node_properties,
)
from app.domain.references import CIRef
from app.domain.validation import validate_ci, validate_relationship

DOCUMENT_VERSION = 1
DOCUMENT_FIELDS = frozenset({"version", "cis", "relationships"})


@dataclass(frozen=True, slots=True)
class DocumentCI:
    """A validated CI entry and which of its fields the document gave."""

    ref: CIRef
    ci: dict[str, Any]
    given: frozenset[str]
    attributes_given: frozenset[str]


@dataclass(frozen=True, slots=True)
class DocumentRelationship:
    """A validated relationship entry between two CI references."""

    type: str
    source: CIRef
    target: CIRef
    properties: dict[str, Any]
    position: int


@dataclass
class ParsedDocument:
    """A document whose every entry is valid on its own."""

    cis: list[DocumentCI]
    relationships: list[DocumentRelationship]

    def refs(self) -> set[CIRef]:
        """Every CI reference the document names, defined or referred to."""
        found = {entry.ref for entry in self.cis}
        for rel in self.relationships:
            found.update((rel.source, rel.target))
        return found


@dataclass
class LoadPlan:
    """The writes a load needs, as rows for the batch statements."""

    ci_creates: list[dict] = field(default_factory=list)
    ci_updates: list[dict] = field(default_factory=list)
    relationship_creates: list[dict] = field(default_factory=list)
    relationship_updates: list[dict] = field(default_factory=list)
    cis_unchanged: int = 0
    relationships_unchanged: int = 0

    @property
    def writes(self) -> int:
        """How many entities the plan writes."""
        return (
            len(self.ci_creates)
            + len(self.ci_updates)
            + len(self.relationship_creates)
            + len(self.relationship_updates)
        )


def parse_document(catalogue: Catalogue, data: Any) -> ParsedDocument:
    """Validate a whole document; raise CMDBError listing every problem."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise CMDBError.single(
            "", ErrorCode.INVALID_DOCUMENT, "a load document must be a mapping"
        )
    problems += _check_header(data)
    cis = _parse_cis(catalogue, data.get("cis") or [], problems)
    types_by_ref = {entry.ref: entry.ref.type for entry in cis}
    rels = _parse_relationships(
        catalogue, data.get("relationships") or [], types_by_ref, problems
    )
    if problems:
        raise CMDBError(problems)
    return ParsedDocument(cis, rels)


def _check_header(data: Mapping) -> list[Problem]:
    problems = [
        Problem(name, ErrorCode.UNKNOWN_PROPERTY, "unknown top-level field")
        for name in sorted(set(map(str, data)) - DOCUMENT_FIELDS)
    ]
    if data.get("version", DOCUMENT_VERSION) != DOCUMENT_VERSION:
        problems.append(
            Problem(
                "version",
                ErrorCode.INVALID_DOCUMENT,
                f"unsupported document version {data.get('version')!r}; "
                f"this service reads version {DOCUMENT_VERSION}",
            )
        )
    for name in ("cis", "relationships"):
        if not isinstance(data.get(name) or [], list):
            problems.append(Problem(name, ErrorCode.INVALID_DOCUMENT, "must be a list"))
    return problems


def _parse_cis(
    catalogue: Catalogue, entries: Any, problems: list[Problem]
) -> list[DocumentCI]:
    parsed: list[DocumentCI] = []
    seen: dict[CIRef, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"cis[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(where, ErrorCode.INVALID_DOCUMENT, "not a mapping"))
            continue
        ci, found = validate_ci(catalogue, entry, where)
        problems += found
        if found:
            continue
        ref = CIRef(ci["type"], ci["key"])
        if ref in seen:
            problems.append(
                Problem(
                    f"{where}.key",
                    ErrorCode.DUPLICATE_ENTRY,
                    f"{ref} is already defined at cis[{seen[ref]}]",
                )
            )
            continue
        seen[ref] = index
        attributes = entry.get("attributes") or {}
        parsed.append(DocumentCI(ref, ci, frozenset(entry), frozenset(attributes)))
    return parsed


def _parse_relationships(
    catalogue: Catalogue,
    entries: Any,
    types_by_ref: dict[CIRef, str],
    problems: list[Problem],
) -> list[DocumentRelationship]:
    parsed: list[DocumentRelationship] = []
    seen: dict[tuple, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"relationships[{index}]"
        rel = _parse_relationship(catalogue, entry, where, index, problems)
        if rel is None:
            continue
        identity = (rel.type, rel.source, rel.target)
        if identity in seen:
            problems.append(
                Problem(
                    where,
                    ErrorCode.DUPLICATE_ENTRY,
                    f"the same relationship is at relationships[{seen[identity]}]",
                )
            )
            continue
        seen[identity] = index
        parsed.append(rel)
    return parsed


def _parse_relationship(
    catalogue: Catalogue, entry: Any, where: str, index: int, problems: list
) -> DocumentRelationship | None:
    if not isinstance(entry, Mapping):
        problems.append(Problem(where, ErrorCode.INVALID_DOCUMENT, "not a mapping"))
        return None
    unknown = sorted(set(map(str, entry)) - {"type", "from", "to", "properties"})
    problems += [
        Problem(f"{where}.{name}", ErrorCode.UNKNOWN_PROPERTY, "unknown field")
        for name in unknown
    ]
    source = _parse_ref(catalogue, entry.get("from"), f"{where}.from", problems)
    target = _parse_ref(catalogue, entry.get("to"), f"{where}.to", problems)
    if source is None or target is None or unknown:
        return None
    properties, found = validate_relationship(
        catalogue,
        entry.get("type"),
        source.type,
        target.type,
        entry.get("properties"),
        where,
    )
    problems += found
    if found:
        return None
    return DocumentRelationship(entry["type"], source, target, properties, index)


def _parse_ref(
    catalogue: Catalogue, value: Any, where: str, problems: list
) -> CIRef | None:
    try:
        if isinstance(value, Mapping):
            ref = CIRef(str(value["type"]), str(value["key"]))
        else:
            ref = CIRef.parse(value if isinstance(value, str) else "")
    except (KeyError, ValueError):
        problems.append(
            Problem(
                where,
                ErrorCode.INVALID_VALUE,
                f"expected 'Type:key' or {{type, key}}, got {value!r}",
            )
        )
        return None
    if catalogue.ci_type(ref.type) is None:
        problems.append(
            Problem(where, ErrorCode.UNKNOWN_TYPE, f"unknown CI type {ref.type!r}")
        )
        return None
    return ref


def missing_references(
    document: ParsedDocument, existing: Mapping[CIRef, Any]
) -> list[Problem]:
    """Problems for relationships whose ends are neither defined nor stored."""
    defined = {entry.ref for entry in document.cis}
    problems = []
    for rel in document.relationships:
        for end, ref in (("from", rel.source), ("to", rel.target)):
            if ref not in defined and ref not in existing:
                problems.append(
                    Problem(
                        f"relationships[{rel.position}].{end}",
                        ErrorCode.NOT_FOUND,
                        f"no CI {ref} in the document or the graph",
                    )
                )
    return problems


def plan_cis(
    document: ParsedDocument,
    existing: Mapping[CIRef, dict[str, Any]],
    context: WriteContext,
    plan: LoadPlan,
) -> dict[CIRef, str]:
    """Add CI creates and updates to ``plan``; return every CI's id by ref."""
    ids = {ref: properties["id"] for ref, properties in existing.items()}
    for entry in document.cis:
        stored = existing.get(entry.ref)
        if stored is None:
            ids[entry.ref] = new_id()
            properties = node_properties(entry.ci, ids[entry.ref], context.at)
            changes = {k: {"before": None, "after": v} for k, v in properties.items()}
            history = history_entry(context, "create", properties, changes)
            plan.ci_creates.append({"properties": properties, "history": history})
            continue
        updated = merged_properties(stored, entry)
        changes = diff(stored, updated)
        if not changes:
            plan.cis_unchanged += 1
            continue
        updated.update(updated_at=context.at, version=stored.get("version", 0) + 1)
        history = history_entry(context, _action(changes), updated, changes)
        changed = {name: change["after"] for name, change in changes.items()}
        bookkeeping = {"updated_at": context.at, "version": updated["version"]}
        plan.ci_updates.append(
            {"id": stored["id"], "set": {**changed, **bookkeeping}, "history": history}
        )
    return ids


def merged_properties(stored: dict[str, Any], entry: DocumentCI) -> dict[str, Any]:
    """Apply the fields a document entry gives on top of a stored CI."""
    updated = dict(stored)
    for name in ("name", "status", "criticality", "redundancy"):
        if name in entry.given:
            updated[name] = entry.ci[name]
    for name in entry.attributes_given:
        value = entry.ci["attributes"].get(name)
        if value is None:
            updated.pop(name, None)
        else:
            updated[name] = value
    return updated


def _action(changes: dict) -> str:
    status = changes.get("status", {}).get("after")
    return "retire" if status == "retired" else "update"


def plan_relationships(
    document: ParsedDocument,
    ids: Mapping[CIRef, str],
    existing: Mapping[tuple[str, str, str], dict[str, Any]],
    cis: Mapping[str, dict[str, Any]],
    context: WriteContext,
    plan: LoadPlan,
) -> None:
    """Add relationship creates and updates to ``plan``.

    ``existing`` maps (source id, type, target id) to stored properties;
    ``cis`` maps ids to a CI's id, type and key for the history entries.
    """
    for rel in document.relationships:
        source, target = ids[rel.source], ids[rel.target]
        stored = existing.get((source, rel.type, target))
        row = {"source": source, "target": target, "type": rel.type}
        if stored is None:
            properties = {**rel.properties, "created_at": context.at}
            changes = {
                k: {"before": None, "after": v} for k, v in rel.properties.items()
            }
            action = "relate"
        else:
            properties = {**stored, **rel.properties}
            changes = diff(stored, properties)
            if not changes:
                plan.relationships_unchanged += 1
                continue
            action = "update_relationship"
        history = history_entry(
            context, action, cis[source], changes, other_id=target, rel_type=rel.type
        )
        if stored is None:
            plan.relationship_creates.append(
                {**row, "properties": properties, "history": history}
            )
        else:
            changed = {name: change["after"] for name, change in changes.items()}
            plan.relationship_updates.append(
                {**row, "set": changed, "history": history}
            )
