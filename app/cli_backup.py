"""The ``cmdb export`` and ``cmdb restore`` commands."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.catalogue import CatalogueError
from app.domain.backup import render_document
from app.domain.errors import CMDBError
from app.services import backup
from app.services.runtime import Runtime
from app.settings import get_settings

console = Console()
errors = Console(stderr=True)

app = typer.Typer()


def _runtime() -> Runtime:
    try:
        return Runtime.open(get_settings())
    except CatalogueError as error:
        errors.print(f"[red]The catalogue is broken: {error}[/red]")
        raise typer.Exit(1) from None


def _refuse(error: CMDBError) -> None:
    errors.print(f"[red]Refused: {len(error.problems)} problem(s); nothing written.")
    for problem in error.problems:
        errors.print(f"  {problem.field or '-'}  {problem.code}  {problem.message}")
    raise typer.Exit(1)


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="Where to write the JSON document.")],
) -> None:
    """Write the whole graph to a versioned JSON document."""
    runtime = _runtime()
    try:
        document = backup.export_graph(runtime)
    except CMDBError as error:
        _refuse(error)
    finally:
        runtime.close()
    file.write_text(render_document(document), encoding="utf-8")
    console.print(
        f"Exported {len(document['nodes'])} nodes and "
        f"{len(document['relationships'])} relationships to {file}"
    )


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A document cmdb export wrote.")],
) -> None:
    """Restore a document into an empty graph; a bad document writes nothing."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        errors.print(f"[red]Cannot read {file}: {error}[/red]")
        raise typer.Exit(1) from None
    runtime = _runtime()
    try:
        report = backup.restore_graph(runtime, data)
    except CMDBError as error:
        _refuse(error)
    finally:
        runtime.close()
    console.print(
        f"Restored {report.nodes} nodes and {report.relationships} relationships "
        f"in {report.seconds:.2f} s"
    )
