"""A Neo4j Community server that the project downloads and runs itself.

``provision`` fetches the server from Maven Central into the cache, ``process``
starts, stops and inspects an instance of it, and ``cli`` offers both as the
``cmdb neo4j`` commands. The driver is used here only to check the server.
"""

import importlib
from types import ModuleType

from app.neo4j_server.process import (
    ExternalServerError,
    ServerStatus,
    StartError,
    start,
    status,
    stop,
)
from app.neo4j_server.provision import (
    Distribution,
    Neo4jServerError,
    PrerequisiteMissing,
    ProvisionError,
    ensure_distribution,
)

__all__ = [
    "Distribution",
    "ExternalServerError",
    "Neo4jServerError",
    "PrerequisiteMissing",
    "ProvisionError",
    "ServerStatus",
    "StartError",
    "ensure_distribution",
    "start",
    "status",
    "stop",
]


def __getattr__(name: str) -> ModuleType:
    """Import the ``cli`` submodule on first use, so the package stays light."""
    if name == "cli":
        return importlib.import_module(f"{__name__}.cli")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
