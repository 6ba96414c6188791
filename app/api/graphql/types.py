"""GraphQL object and input types."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.records import split_properties
from app.services import cis as ci_service
from app.services.pages import Page


@strawberry.type(description="A relationship seen from one of its ends.")
class Relationship:
    type: str
    direction: str = strawberry.field(
        description="'out' when the CI is the source, 'in' when it is the target."
    )
    properties: JSON
    other: "ConfigurationItem"


@strawberry.type
class RelationshipConnection:
    items: list[Relationship]
    next_cursor: str | None


@strawberry.type(description="One recorded write to a CI or its relationships.")
class HistoryEntry:
    id: strawberry.ID
    at: datetime
    actor: str
    source: str
    request_id: str
    change_request_id: str | None
    action: str
    ci_id: str
    other_id: str | None
    relationship_type: str | None
    changes: JSON = strawberry.field(
        description="Each changed field with its value before and after."
    )


@strawberry.type
class HistoryConnection:
    items: list[HistoryEntry]
    next_cursor: str | None


@strawberry.type(description="A configuration item.")
class ConfigurationItem:
    id: strawberry.ID
    type: str
    key: str
    name: str
    status: str
    criticality: str
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    redundancy: list[str]
    attributes: JSON

    @strawberry.field(description="The CI's relationships, one page at a time.")
    def relationships(
        self,
        info: strawberry.Info,
        direction: str = "both",
        types: list[str] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> RelationshipConnection:
        page = ci_service.list_relationships(
            info.context.runtime,
            str(self.id),
            direction=direction,
            types=types,
            first=first,
            after=after,
        )
        return relationship_connection(page)

    @strawberry.field(description="What happened to the CI, newest first.")
    def history(
        self, info: strawberry.Info, first: int = 50, after: str | None = None
    ) -> HistoryConnection:
        page = ci_service.ci_history(
            info.context.runtime, str(self.id), first=first, after=after
        )
        return HistoryConnection(
            items=[history_entry(entry) for entry in page.items],
            next_cursor=page.next_cursor,
        )


@strawberry.type
class ConfigurationItemConnection:
    items: list[ConfigurationItem]
    next_cursor: str | None


@strawberry.type(description="What a bulk load created, updated and left alone.")
class LoadReport:
    cis_created: int
    cis_updated: int
    cis_unchanged: int
    relationships_created: int
    relationships_updated: int
    relationships_unchanged: int
    seconds: float
    dry_run: bool


@strawberry.type(description="A property a CI type or relationship type declares.")
class PropertyDefinition:
    name: str
    type: str
    required: bool
    description: str
    values: list[str]


@strawberry.type(description="A CI type of the catalogue.")
class CITypeDefinition:
    name: str
    area: str
    description: str
    key: str
    properties: list[PropertyDefinition]


@strawberry.type(description="A relationship type of the catalogue.")
class RelationshipTypeDefinition:
    name: str
    description: str
    endpoints: list[str]
    dependent: str
    redundancy_allowed: bool
    default_min_up: str | None
    survives_planned: bool
    restarts_on_failure: bool


@strawberry.input(description="A new configuration item.")
class CIInput:
    type: str
    key: str
    name: str | None = None
    status: str = "active"
    criticality: str = "medium"
    attributes: JSON | None = None
    redundancy: list[str] | None = None


@strawberry.input(description="Changes to a CI; fields left out stay as they are.")
class CIUpdateInput:
    name: str | None = None
    status: str | None = None
    criticality: str | None = None
    attributes: JSON | None = strawberry.field(
        default=None, description="Attributes to set; a null value removes one."
    )
    redundancy: list[str] | None = None


@strawberry.input(description="A relationship between two CIs given by id.")
class RelationshipInput:
    source_id: strawberry.ID
    type: str
    target_id: strawberry.ID
    properties: JSON | None = None


def configuration_item(properties: dict[str, Any]) -> ConfigurationItem:
    """Build the GraphQL view of stored CI properties."""
    common, attributes = split_properties(properties)
    return ConfigurationItem(
        id=strawberry.ID(common["id"]),
        type=common["type"],
        key=common["key"],
        name=common["name"],
        status=common["status"],
        criticality=common["criticality"],
        version=common["version"] or 0,
        created_at=common["created_at"],
        updated_at=common["updated_at"],
        redundancy=list(common["redundancy"] or []),
        attributes=_jsonable(attributes),
    )


def relationship_connection(page: Page[dict[str, Any]]) -> RelationshipConnection:
    """Build the GraphQL view of a page of relationships."""
    items = [
        Relationship(
            type=row["type"],
            direction="out" if row["outgoing"] else "in",
            properties=_jsonable(row["properties"]),
            other=configuration_item(row["other"]),
        )
        for row in page.items
    ]
    return RelationshipConnection(items=items, next_cursor=page.next_cursor)


def history_entry(entry: dict[str, Any]) -> HistoryEntry:
    """Build the GraphQL view of a history entry."""
    return HistoryEntry(
        id=strawberry.ID(entry["id"]),
        at=entry["at"],
        actor=entry["actor"],
        source=entry["source"],
        request_id=entry["request_id"],
        change_request_id=entry.get("change_request_id"),
        action=entry["action"],
        ci_id=entry["ci_id"],
        other_id=entry.get("other_id"),
        relationship_type=entry.get("rel_type"),
        changes=entry["changes"],
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in values.items()
    }
