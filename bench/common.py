"""What every benchmark needs: a server, a runtime and a table of figures."""

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from app.neo4j_server import process
from app.services.runtime import Runtime
from app.services.schema import apply_schema
from app.settings import get_settings

console = Console()


def open_runtime() -> Runtime:
    """Start the provisioned server unless NEO4J_URI names one; apply the catalogue."""
    settings = get_settings()
    if not settings.neo4j_uri:
        process.start(settings)
    runtime = Runtime.open(settings)
    apply_schema(runtime)
    return runtime


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``work`` and return the seconds it took and its result."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def print_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """Print one table of figures."""
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
