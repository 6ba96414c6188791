"""Fixtures for the impact analysis tests."""

import pytest

from app.catalogue import Catalogue, load_catalogue
from app.settings import REPOSITORY_ROOT


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The catalogue the service ships with."""
    return load_catalogue(REPOSITORY_ROOT / "schema")
