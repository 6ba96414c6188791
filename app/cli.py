"""The ``cmdb`` command: run the server, manage Neo4j, load data."""

import getpass
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from app import cli_backup, cli_tokens
from app import cli_incidents as incident_cli
from app.cli_changes import change_cli, drift_cli
from app.cli_common import fail as _fail
from app.cli_common import open_runtime as _runtime
from app.cli_common import report_problems as _report_problems
from app.domain.errors import CMDBError
from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.logs import configure_logging
from app.neo4j_server import cli as neo4j_cli
from app.services import bulk, schema
from app.settings import get_settings
from importers.vsphere import cli as import_cli

logger = logging.getLogger(__name__)
console = Console()

cli = typer.Typer(help="A CMDB graph service on Neo4j.", no_args_is_help=True)
schema_cli = typer.Typer(help="The CI catalogue in the graph.", no_args_is_help=True)
cli.add_typer(neo4j_cli.app, name="neo4j", help="The Neo4j server this project runs.")
cli.add_typer(schema_cli, name="schema")
cli.add_typer(import_cli.app, name="import")
cli.add_typer(change_cli, name="change")
cli.add_typer(drift_cli, name="drift")
cli.add_typer(cli_tokens.app, name="token")
cli.add_typer(cli_backup.app)
cli.add_typer(incident_cli.app, name="incident")

CLI_SOURCE = "cli"


@cli.callback()
def _configure() -> None:
    configure_logging(get_settings().log_level)


def _context() -> WriteContext:
    return WriteContext(actor=getpass.getuser(), source=CLI_SOURCE)


@schema_cli.command("apply")
def schema_apply() -> None:
    """Create the constraints and indexes the catalogue implies."""
    runtime = _runtime()
    try:
        report = schema.apply_schema(runtime)
    except CMDBError as error:
        _report_problems(error)
    finally:
        runtime.close()
    console.print(
        f"Catalogue version {report.version} ({report.digest}) applied: "
        f"{report.statements} statements in {report.seconds:.2f} s"
    )


@schema_cli.command("check")
def schema_check() -> None:
    """Load and validate the catalogue files without touching the graph."""
    from app.catalogue import CatalogueError, load_catalogue

    try:
        catalogue = load_catalogue(get_settings().schema_dir)
    except CatalogueError as error:
        _fail(str(error))
    console.print(
        f"Catalogue version {catalogue.version}: {len(catalogue.types)} CI types, "
        f"{len(catalogue.relationships)} relationship types"
    )


@cli.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="A YAML or JSON load document.")],
    dry_run: Annotated[bool, typer.Option(help="Report, write nothing.")] = False,
) -> None:
    """Load CIs and relationships from a document; invalid files write nothing."""
    runtime = _runtime()
    try:
        document = bulk.read_document(file)
        report = bulk.load_document(runtime, document, _context(), dry_run=dry_run)
    except CMDBError as error:
        _report_problems(error)
    finally:
        runtime.close()
    _print_load_report(report)


def _print_load_report(report: bulk.LoadReport) -> None:
    table = Table(title="Dry run: nothing written" if report.dry_run else "Loaded")
    for column in ("", "created", "updated", "unchanged"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "CIs",
        str(report.cis_created),
        str(report.cis_updated),
        str(report.cis_unchanged),
    )
    table.add_row(
        "relationships",
        str(report.relationships_created),
        str(report.relationships_updated),
        str(report.relationships_unchanged),
    )
    console.print(table)
    console.print(f"{report.seconds:.2f} s")


@cli.command("demo")
def demo(
    vms: Annotated[
        int, typer.Option(min=1, help="Virtual machines to generate.")
    ] = 300,
    seed: Annotated[
        int, typer.Option(help="Seed; the same seed, the same estate.")
    ] = 42,
    out: Annotated[
        Path | None, typer.Option(help="Write the load document here instead.")
    ] = None,
) -> None:
    """Generate a realistic provider estate and load it (or write it out)."""
    from app.demo import generate_estate

    document = generate_estate(vms=vms, seed=seed)
    if out is not None:
        _write_document(document, out)
        console.print(
            f"Wrote {len(document['cis'])} CIs and "
            f"{len(document['relationships'])} relationships to {out}"
        )
        return
    runtime = _runtime()
    try:
        report = bulk.load_document(runtime, document, _context())
    except CMDBError as error:
        _report_problems(error)
    finally:
        runtime.close()
    _print_load_report(report)


def _write_document(document: dict, out: Path) -> None:
    with out.open("w", encoding="utf-8") as stream:
        if out.suffix.lower() == ".json":
            json.dump(document, stream)
        else:
            yaml.safe_dump(document, stream, sort_keys=False)


@cli.command("impact")
def impact(
    starts: Annotated[list[str], typer.Argument(help="Starting CIs as TYPE:KEY.")],
    planned: Annotated[bool, typer.Option(help="Planned work, not failure.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    max_depth: Annotated[int | None, typer.Option(help="Hops to follow.")] = None,
    max_affected: Annotated[int | None, typer.Option(help="CIs to list.")] = None,
    context: Annotated[
        bool, typer.Option(help="Count what incidents and changes already take down.")
    ] = True,
) -> None:
    """Show what the starting CIs hurt: counts, CIs, customers and owners."""
    from app.cli_impact import print_report
    from app.impact import Mode
    from app.services import impact as impact_service

    try:
        specs = [impact_service.StartSpec(ref=CIRef.parse(text)) for text in starts]
    except ValueError as error:
        _fail(str(error))
    runtime = _runtime()
    try:
        report = impact_service.analyse_impact(
            runtime,
            specs,
            mode=Mode.PLANNED if planned else Mode.FAILURE,
            use_context=context,
            max_depth=max_depth,
            max_affected=max_affected,
        )
    except CMDBError as error:
        _report_problems(error)
    finally:
        runtime.close()
    if as_json:
        console.print_json(json.dumps(report.as_document()))
    else:
        print_report(console, report)


@cli.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql)."""
    import uvicorn

    from app.api.main import create_app

    settings = get_settings()
    host, port = host or settings.api_host, port or settings.api_port
    console.print(f"GraphQL API and GraphiQL at http://{host}:{port}/graphql")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


def main() -> None:
    """Run the ``cmdb`` command."""
    cli()


if __name__ == "__main__":
    main()
