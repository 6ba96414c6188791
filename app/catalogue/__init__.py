"""The CI catalogue: types, relationship types and their impact rules, as data."""

from functools import lru_cache
from pathlib import Path

from app.catalogue.catalogue import (
    GROUP_PROPERTY,
    Catalogue,
    CatalogueError,
    load_catalogue,
)
from app.catalogue.models import (
    ANY_TYPE,
    CIType,
    Dependent,
    MinUp,
    PropertyKind,
    PropertySpec,
    RelationshipType,
)

__all__ = [
    "ANY_TYPE",
    "GROUP_PROPERTY",
    "CIType",
    "Catalogue",
    "CatalogueError",
    "Dependent",
    "MinUp",
    "PropertyKind",
    "PropertySpec",
    "RelationshipType",
    "cached_catalogue",
    "load_catalogue",
]


@lru_cache
def cached_catalogue(directory: Path) -> Catalogue:
    """Load the catalogue in ``directory`` once per process."""
    return load_catalogue(directory)
