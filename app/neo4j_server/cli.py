"""The ``cmdb neo4j`` commands: start, stop and inspect the provisioned server."""

import logging

import typer
from rich.console import Console
from rich.table import Table

from app.neo4j_server import process
from app.neo4j_server.process import ServerStatus, StartError
from app.neo4j_server.provision import Neo4jServerError
from app.settings import get_settings

app = typer.Typer(
    help="Run the Neo4j server provisioned from Maven Central.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)


@app.command()
def start() -> None:
    """Start the server, downloading it on first use, and wait until it answers."""
    settings = get_settings()
    try:
        with console.status("Starting Neo4j (the first start downloads ~125 MB)"):
            server = process.start(settings)
    except Neo4jServerError as error:
        _fail(error)
    console.print(
        f"Neo4j {server.version} is running (pid {server.pid}) at {server.uri}",
        style="green",
        markup=False,
    )


@app.command()
def stop() -> None:
    """Stop the server; nothing happens when it is not running."""
    settings = get_settings()
    if settings.neo4j_uri:
        console.print(
            f"NEO4J_URI is set to {settings.neo4j_uri}: no provisioned server to stop.",
            style="yellow",
            markup=False,
        )
        return
    with console.status("Stopping Neo4j"):
        stopped = process.stop(settings)
    message = "Neo4j stopped." if stopped else "Neo4j was not running."
    console.print(message, markup=False)


@app.command()
def status() -> None:
    """Show whether the server runs, its version, ports and data folder."""
    console.print(_status_table(process.status(get_settings())))


def _status_table(server: ServerStatus) -> Table:
    """Return the status of a server as a two-column table."""
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    state = "[green]running[/green]" if server.running else "[red]not running[/red]"
    rows = {
        "state": state,
        "server": "external (NEO4J_URI)" if server.external else "provisioned",
        "version": server.version or ("unknown" if server.external else "none"),
        "pid": server.pid,
        "uri": server.uri,
        "bolt port": server.bolt_port,
        "http port": server.http_port,
        "data directory": server.data_dir,
    }
    for name, value in rows.items():
        if value is not None:
            table.add_row(name, value if name == "state" else _plain(value))
    return table


def _plain(value: object) -> str:
    """Return a value as text that rich prints literally."""
    return str(value).replace("[", r"\[")


def _fail(error: Neo4jServerError) -> None:
    """Print the error in one red line, the log lines below it, and exit 1."""
    reason = error.reason if isinstance(error, StartError) else str(error)
    errors.print(reason, style="red", markup=False, highlight=False, soft_wrap=True)
    if isinstance(error, StartError) and error.log_tail:
        errors.print(error.log_tail, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


if __name__ == "__main__":
    logging.basicConfig(
        level=get_settings().log_level, format="%(levelname)s %(name)s %(message)s"
    )
    app()
