"""What every benchmark needs: a server, a runtime and a table of figures."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
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


def active_ids(runtime: Runtime, type_name: str, limit: int = 1_000_000) -> list[str]:
    """Return the ids of the active CIs of one type, in key order."""
    rows = runtime.db.read(
        "ci_list",
        type=type_name,
        status="active",
        name=None,
        attributes={},
        after=None,
        limit=limit,
    )
    return [row["ci"]["id"] for row in rows]


def serve_api(port: int, host: str = "127.0.0.1", **settings: str) -> subprocess.Popen:
    """Start ``cmdb serve`` in its own process and wait until it answers.

    ``settings`` are extra ``CMDB_*`` variables for the served process.
    """
    command = [sys.executable, "-m", "app.cli", "serve", "--host", host]
    command += ["--port", str(port)]
    env = {**os.environ, "CMDB_LOG_LEVEL": "WARNING", **settings}
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).parents[1])
    for _ in range(150):
        try:
            httpx.get(f"http://{host}:{port}/healthz", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the API server did not start")
