"""Logging, configured once when a command or the server starts."""

import logging

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Send log records to standard error in one readable format."""
    logging.basicConfig(level=level.upper(), format=FORMAT, force=True)
    logging.getLogger("neo4j").setLevel(logging.WARNING)
