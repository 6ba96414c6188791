"""The ``cmdb export`` and ``cmdb restore`` commands."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.cli_common import open_runtime, report_problems
from app.domain.backup import render_document
from app.domain.errors import CMDBError
from app.services import backup

console = Console()
errors = Console(stderr=True)

app = typer.Typer()


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="Where to write the JSON document.")],
) -> None:
    """Write the whole graph to a versioned JSON document."""
    runtime = open_runtime()
    try:
        document = backup.export_graph(runtime)
    except CMDBError as error:
        report_problems(error)
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
    runtime = open_runtime()
    try:
        report = backup.restore_graph(runtime, data)
    except CMDBError as error:
        report_problems(error)
    finally:
        runtime.close()
    console.print(
        f"Restored {report.nodes} nodes and {report.relationships} relationships "
        f"in {report.seconds:.2f} s"
    )
