"""What a process needs to serve requests: settings, catalogue and database."""

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.catalogue import Catalogue, load_catalogue
from app.db import Database
from app.settings import Settings

if TYPE_CHECKING:
    from app.services.impact_index import ImpactIndex

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The settings, the loaded catalogue and the one database handle.

    ``impact_index`` is the in-memory copy of the graph a long-running
    process (the API) keeps for impact analysis; None elsewhere.
    """

    settings: Settings
    catalogue: Catalogue
    db: Database
    impact_index: "ImpactIndex | None" = None

    @classmethod
    def open(cls, settings: Settings) -> "Runtime":
        """Load the catalogue (failing fast when it is broken) and connect."""
        catalogue = load_catalogue(settings.schema_dir)
        db = Database.connect(settings)
        logger.info(
            "Catalogue version %s loaded: %d CI types, %d relationship types",
            catalogue.version,
            len(catalogue.types),
            len(catalogue.relationships),
        )
        return cls(settings, catalogue, db)

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()
