"""The catalogue: every CI type and relationship type, loaded from ``schema/``."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from app.catalogue.models import (
    ANY_TYPE,
    IDENTIFIER,
    RELATIONSHIP_NAME,
    CIType,
    Dependent,
    PropertySpec,
    RelationshipType,
)

logger = logging.getLogger(__name__)

CATALOGUE_FILE = "catalogue.yaml"
TYPES_FILE = "types.yaml"
RELATIONSHIPS_FILE = "relationships.yaml"
RECORDS_FILE = "records.yaml"

Entry = TypeVar("Entry", CIType, RelationshipType)

# The property a relationship may carry to name its requirement group.
GROUP_PROPERTY = "group"


class CatalogueError(Exception):
    """The catalogue files are missing or wrong; the message says where."""


@dataclass(frozen=True)
class Catalogue:
    """Every CI type and relationship type, with the lookups the service needs."""

    version: int
    common_properties: dict[str, PropertySpec]
    types: dict[str, CIType]
    relationships: dict[str, RelationshipType]
    record_labels: dict[str, str] = field(default_factory=dict)
    record_relationships: dict[str, str] = field(default_factory=dict)
    _endpoints: dict[str, frozenset[tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _rel_properties: dict[str, dict[str, PropertySpec]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name, rel in self.relationships.items():
            pairs = {(end.source, end.target) for end in rel.endpoints}
            self._endpoints[name] = frozenset(pairs)
            props = dict(rel.properties)
            if rel.redundancy.allowed:
                props[GROUP_PROPERTY] = PropertySpec(
                    type="string", description="Name of the requirement group."
                )
            self._rel_properties[name] = props

    def allows(self, rel_type: str, source_type: str, target_type: str) -> bool:
        """Tell whether ``rel_type`` may join these CI types (fast path)."""
        pairs = self._endpoints[rel_type]
        return (
            (source_type, target_type) in pairs
            or (ANY_TYPE, target_type) in pairs
            or (source_type, ANY_TYPE) in pairs
            or (ANY_TYPE, ANY_TYPE) in pairs
        )

    def ci_type(self, name: str) -> CIType | None:
        """Return the CI type called ``name``, or None."""
        return self.types.get(name)

    def relationship(self, name: str) -> RelationshipType | None:
        """Return the relationship type called ``name``, or None."""
        return self.relationships.get(name)

    @property
    def labels(self) -> frozenset[str]:
        """The node labels CIs may carry: one per CI type."""
        return frozenset(self.types)

    @property
    def relationship_names(self) -> frozenset[str]:
        """The relationship types CIs may be joined by."""
        return frozenset(self.relationships)

    @property
    def all_labels(self) -> frozenset[str]:
        """Every node label the service may use: CI types and record labels."""
        return frozenset(self.types) | frozenset(self.record_labels)

    @property
    def all_relationship_names(self) -> frozenset[str]:
        """Every relationship type the service may use."""
        return frozenset(self.relationships) | frozenset(self.record_relationships)

    def impact_types(self, dependent: Dependent) -> tuple[str, ...]:
        """Relationship type names whose dependent end is ``dependent``."""
        return tuple(
            sorted(
                name
                for name, rel in self.relationships.items()
                if rel.dependent is dependent
            )
        )

    def relationship_properties(self, name: str) -> dict[str, PropertySpec]:
        """The properties a relationship of this type may carry."""
        return self._rel_properties[name]


def load_catalogue(directory: Path) -> Catalogue:
    """Load and validate the catalogue in ``directory``.

    Raises CatalogueError naming the file, the entry and the problem.
    """
    header = _read_yaml(directory / CATALOGUE_FILE)
    types = _parse_entries(directory / TYPES_FILE, CIType)
    relationships = _parse_entries(directory / RELATIONSHIPS_FILE, RelationshipType)
    common = _parse_common(directory / CATALOGUE_FILE, header)
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise CatalogueError(
            f"{directory / CATALOGUE_FILE}: 'version' must be a positive integer"
        )

    _check_types(directory / TYPES_FILE, types, common)
    _check_relationships(directory / RELATIONSHIPS_FILE, relationships, types)
    record_labels, record_relationships = _parse_records(directory / RECORDS_FILE)
    _check_records(directory / RECORDS_FILE, record_labels, types, relationships)
    _check_records(directory / RECORDS_FILE, record_relationships, types, relationships)
    catalogue = Catalogue(
        version, common, types, relationships, record_labels, record_relationships
    )
    logger.debug(
        "Loaded catalogue version %s: %d CI types, %d relationship types",
        version,
        len(types),
        len(relationships),
    )
    return catalogue


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping at the top level")
    return data


def _parse_entries(path: Path, model: type[Entry]) -> dict[str, Entry]:
    entries = {}
    for name, body in _read_yaml(path).items():
        if not isinstance(body, dict):
            raise CatalogueError(f"{path}: entry {name!r}: expected a mapping")
        try:
            entries[name] = model.model_validate({**body, "name": name})
        except ValidationError as error:
            raise CatalogueError(
                f"{path}: entry {name!r}: {_first_problem(error)}"
            ) from None
    return entries


def _parse_common(path: Path, header: dict[str, Any]) -> dict[str, PropertySpec]:
    common = {}
    for name, body in (header.get("common_properties") or {}).items():
        try:
            common[name] = PropertySpec.model_validate(body)
        except ValidationError as error:
            raise CatalogueError(
                f"{path}: common property {name!r}: {_first_problem(error)}"
            ) from None
    return common


def _parse_records(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    data = _read_yaml(path)
    sections = []
    for section, pattern in (
        ("labels", IDENTIFIER),
        ("relationships", RELATIONSHIP_NAME),
    ):
        entries = {}
        for name, body in (data.get(section) or {}).items():
            if not isinstance(body, dict) or not isinstance(
                body.get("description"), str
            ):
                raise CatalogueError(
                    f"{path}: {section} entry {name!r}: expected a description"
                )
            if not pattern.match(name):
                raise CatalogueError(
                    f"{path}: {section} entry {name!r}: not a valid name"
                )
            entries[name] = body["description"]
        sections.append(entries)
    return sections[0], sections[1]


def _check_records(
    path: Path,
    names: dict[str, str],
    types: dict[str, CIType],
    relationships: dict[str, RelationshipType],
) -> None:
    for name in names:
        if name in types or name in relationships:
            raise CatalogueError(
                f"{path}: entry {name!r}: already a CI or relationship type"
            )


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"])
    return f"{where}: {problem['msg']}" if where else problem["msg"]


def _check_types(
    path: Path, types: dict[str, CIType], common: dict[str, PropertySpec]
) -> None:
    for name, ci_type in types.items():
        if not IDENTIFIER.match(name) or not name[0].isupper():
            raise CatalogueError(f"{path}: entry {name!r}: type names are CamelCase")
        clashes = sorted(set(ci_type.properties) & set(common))
        if clashes:
            raise CatalogueError(
                f"{path}: entry {name!r}: property {clashes[0]!r} is a common "
                "property every CI has; choose another name"
            )


def _check_relationships(
    path: Path, relationships: dict[str, RelationshipType], types: dict[str, CIType]
) -> None:
    for name, rel in relationships.items():
        if not RELATIONSHIP_NAME.match(name):
            raise CatalogueError(
                f"{path}: entry {name!r}: relationship names are UPPER_SNAKE_CASE"
            )
        if not rel.endpoints:
            raise CatalogueError(f"{path}: entry {name!r}: no endpoints declared")
        for end in rel.endpoints:
            _check_endpoint_types(path, name, (end.source, end.target), types)
        if rel.planned == "survives" and rel.dependent is Dependent.NONE:
            raise CatalogueError(
                f"{path}: entry {name!r}: 'planned: survives' needs a dependent end"
            )


def _check_endpoint_types(
    path: Path, name: str, ends: Iterable[str], types: dict[str, CIType]
) -> None:
    for end in ends:
        if end != ANY_TYPE and end not in types:
            raise CatalogueError(
                f"{path}: entry {name!r}: endpoint type {end!r} is not a CI type"
            )
