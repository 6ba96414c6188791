"""Queries and mutations over configuration items, relationships and the catalogue."""

from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.api.graphql.types import (
    CIInput,
    CITypeDefinition,
    CIUpdateInput,
    ConfigurationItem,
    ConfigurationItemConnection,
    LoadReport,
    PropertyDefinition,
    RelationshipInput,
    RelationshipTypeDefinition,
    configuration_item,
)
from app.catalogue import PropertySpec
from app.domain.access import Permission
from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.services import bulk
from app.services import cis as ci_service


def _runtime(info: strawberry.Info) -> Any:
    return info.context.runtime


@strawberry.type
class CIQuery:
    @strawberry.field(description="One CI, by id or by type and natural key.")
    def ci(
        self,
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        type: str | None = None,
        key: str | None = None,
    ) -> ConfigurationItem | None:
        info.context.require(Permission.READ)
        runtime = _runtime(info)
        if id is not None:
            found = ci_service.get_ci(runtime, str(id))
        elif type is not None and key is not None:
            found = ci_service.find_ci(runtime, CIRef(type, key))
        else:
            raise CMDBError.single(
                "id", ErrorCode.INVALID_VALUE, "give either id, or type and key"
            )
        return configuration_item(found) if found else None

    @strawberry.field(description="CIs of one type, filtered, one page at a time.")
    def cis(
        self,
        info: strawberry.Info,
        type: str,
        status: str | None = None,
        name_contains: str | None = None,
        attributes: JSON | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ConfigurationItemConnection:
        info.context.require(Permission.READ)
        page = ci_service.list_cis(
            _runtime(info),
            type,
            status=status,
            name_contains=name_contains,
            attributes=attributes,
            first=first,
            after=after,
        )
        return ConfigurationItemConnection(
            items=[configuration_item(ci) for ci in page.items],
            next_cursor=page.next_cursor,
        )

    @strawberry.field(description="The CI types of the catalogue.")
    def ci_types(self, info: strawberry.Info) -> list[CITypeDefinition]:
        info.context.require(Permission.READ)
        catalogue = _runtime(info).catalogue
        return [
            CITypeDefinition(
                name=name,
                area=ci_type.area,
                description=ci_type.description,
                key=ci_type.key,
                properties=_properties(ci_type.properties),
            )
            for name, ci_type in sorted(catalogue.types.items())
        ]

    @strawberry.field(description="The relationship types of the catalogue.")
    def relationship_types(
        self, info: strawberry.Info
    ) -> list[RelationshipTypeDefinition]:
        info.context.require(Permission.READ)
        catalogue = _runtime(info).catalogue
        return [
            RelationshipTypeDefinition(
                name=name,
                description=rel.description,
                endpoints=[f"{e.source}->{e.target}" for e in rel.endpoints],
                dependent=str(rel.dependent),
                redundancy_allowed=rel.redundancy.allowed,
                default_min_up=rel.redundancy.default_min_up,
                survives_planned=rel.survives_planned,
                restarts_on_failure=rel.restarts_on_failure,
            )
            for name, rel in sorted(catalogue.relationships.items())
        ]


def _properties(specs: dict[str, PropertySpec]) -> list[PropertyDefinition]:
    return [
        PropertyDefinition(
            name=name,
            type=str(spec.type),
            required=spec.required,
            description=spec.description,
            values=list(spec.values),
        )
        for name, spec in sorted(specs.items())
    ]


@strawberry.type
class CIMutation:
    @strawberry.mutation(description="Create a configuration item.")
    def create_ci(self, info: strawberry.Info, input: CIInput) -> ConfigurationItem:
        info.context.require(Permission.WRITE_CIS)
        data = {
            key: value
            for key, value in strawberry.asdict(input).items()
            if value is not None
        }
        created = ci_service.create_ci(
            _runtime(info), data, info.context.write_context()
        )
        return configuration_item(created)

    @strawberry.mutation(description="Change a CI; expectedVersion guards updates.")
    def update_ci(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: CIUpdateInput,
        expected_version: int | None = None,
    ) -> ConfigurationItem:
        info.context.require(Permission.WRITE_CIS)
        updated = ci_service.update_ci(
            _runtime(info),
            str(id),
            strawberry.asdict(input),
            info.context.write_context(),
            expected_version,
        )
        return configuration_item(updated)

    @strawberry.mutation(description="Retire a CI; it keeps its history.")
    def retire_ci(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        expected_version: int | None = None,
    ) -> ConfigurationItem:
        info.context.require(Permission.WRITE_CIS)
        retired = ci_service.retire_ci(
            _runtime(info), str(id), info.context.write_context(), expected_version
        )
        return configuration_item(retired)

    @strawberry.mutation(description="Relate two CIs; harmless when they are.")
    def relate(self, info: strawberry.Info, input: RelationshipInput) -> bool:
        info.context.require(Permission.WRITE_CIS)
        ci_service.relate(
            _runtime(info),
            str(input.source_id),
            input.type,
            str(input.target_id),
            input.properties,
            info.context.write_context(),
        )
        return True

    @strawberry.mutation(description="Remove a relationship; false if none.")
    def unrelate(
        self,
        info: strawberry.Info,
        source_id: strawberry.ID,
        type: str,
        target_id: strawberry.ID,
    ) -> bool:
        info.context.require(Permission.WRITE_CIS)
        return ci_service.unrelate(
            _runtime(info),
            str(source_id),
            type,
            str(target_id),
            info.context.write_context(),
        )

    @strawberry.mutation(description="Load a bulk document of CIs and relationships.")
    def load_document(
        self, info: strawberry.Info, document: JSON, dry_run: bool = False
    ) -> LoadReport:
        info.context.require(Permission.LOAD)
        _check_document_size(document, _runtime(info).settings.max_load_entries)
        report = bulk.load_document(
            _runtime(info), document, info.context.write_context(), dry_run=dry_run
        )
        return LoadReport(**report.as_dict())


def _check_document_size(document: Any, maximum: int) -> None:
    """Refuse a load document with more entries than one request may carry."""
    if not isinstance(document, dict):
        return
    entries = sum(
        len(document.get(section) or [])
        for section in ("cis", "relationships")
        if isinstance(document.get(section), list)
    )
    if entries > maximum:
        raise CMDBError.single(
            "document",
            ErrorCode.INVALID_DOCUMENT,
            f"{entries} entries; at most {maximum} per request, use cmdb load "
            "for bigger documents",
        )
