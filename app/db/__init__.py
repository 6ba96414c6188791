"""The only package that talks to Neo4j."""

from app.db.database import Database, DatabaseUnavailableError, Tx, native
from app.db.statements import StatementStore, UnknownStatementError

__all__ = [
    "Database",
    "DatabaseUnavailableError",
    "StatementStore",
    "Tx",
    "UnknownStatementError",
    "native",
]
