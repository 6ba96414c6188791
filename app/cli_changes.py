"""The ``cmdb change`` and ``cmdb drift`` commands."""

import getpass
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from app.catalogue import CatalogueError
from app.domain.errors import CMDBError
from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import changes, drift
from app.services.cis import find_ci
from app.services.runtime import Runtime
from app.settings import get_settings

console = Console()
errors = Console(stderr=True)
change_cli = typer.Typer(
    help="Change requests and blackout periods.", no_args_is_help=True
)
drift_cli = typer.Typer(
    help="Unauthorised changes importers observed.", no_args_is_help=True
)

CLI_SOURCE = "cli"
Result = TypeVar("Result")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fail(message: str) -> NoReturn:
    errors.print(f"[red]{message}[/red]", soft_wrap=True)
    raise typer.Exit(1)


def _with_runtime(ctx: typer.Context, work: Callable[[Runtime], Result]) -> Result:
    """Run ``work`` with the given runtime (or a new one); report refusals."""
    given = ctx.obj if isinstance(ctx.obj, Runtime) else None
    try:
        runtime = given or Runtime.open(get_settings())
    except CatalogueError as error:
        _fail(f"The catalogue is broken: {error}")
    try:
        return work(runtime)
    except CMDBError as error:
        errors.print(f"[red]Rejected: {len(error.problems)} problem(s).[/red]")
        for problem in error.problems:
            errors.print(f"  {problem.field or '-'}  {problem.code}  {problem.message}")
        raise typer.Exit(1) from None
    finally:
        if given is None:
            runtime.close()


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"{option}: {text!r} is not an ISO 8601 time")
    if moment.tzinfo is None:
        _fail(f"{option}: give a time zone, such as {text}Z")
    return moment


def _print_json(value: Any) -> None:
    console.print_json(json.dumps(value, default=str))


def _table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    if not rows:
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _window(item: dict[str, Any]) -> str:
    start, end = item["window_start"], item["window_end"]
    return f"{start:%Y-%m-%d %H:%M} - {end:%Y-%m-%d %H:%M %Z}"


@change_cli.command("list")
def change_list(
    ctx: typer.Context,
    state: Annotated[
        list[str] | None, typer.Option(help="Only changes in this state.")
    ] = None,
    first: Annotated[int, typer.Option(help="How many to show.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List change requests by window start."""
    page = _with_runtime(
        ctx, lambda runtime: changes.list_changes(runtime, states=state, first=first)
    )
    if as_json:
        _print_json(page.items)
        return
    _table(
        "Change requests",
        ["id", "title", "type", "state", "risk", "window", "requester", "affected"],
        [
            [c["id"], c["title"], c["type"], c["state"], c.get("risk") or "-",
             _window(c), c["requester"], str(c.get("affected_count") or 0)]
            for c in page.items
        ],
    )  # fmt: skip


@change_cli.command("show")
def change_show(
    ctx: typer.Context,
    change_id: Annotated[str, typer.Argument(help="The change request's id.")],
    as_json: JsonOption = False,
) -> None:
    """Show a change request: plan, risk, approvals, log and blast radius."""

    def read(runtime: Runtime) -> tuple[dict, list[dict]]:
        change = changes.require_change(runtime, change_id)
        return change, changes.stored_blast_radius(runtime, change_id)

    change, radius = _with_runtime(ctx, read)
    if as_json:
        _print_json({**change, "blast_radius": radius})
        return
    console.print(
        f"[bold]{change['title']}[/bold] ({change['type']}, {change['state']})"
    )
    console.print(f"Requested by {change['requester']}; window {_window(change)}")
    console.print(
        "Targets: " + ", ".join(f"{t['type']}:{t['key']}" for t in change["targets"])
    )
    if change.get("risk"):
        console.print(
            f"Risk {change['risk']}: " + "; ".join(change["risk_explanation"])
        )
    _table(
        "Log",
        ["at", "action", "from", "to", "actor", "comment"],
        [[t["at"], t["action"], t["from"], t["to"], t["actor"], t.get("comment") or ""]
         for t in change["transitions"]],
    )  # fmt: skip
    _table(
        f"Blast radius ({len(radius)} CIs)",
        ["CI", "state", "note"],
        [
            [f"{r['ci']['type']}:{r['ci']['key']}", r["impact"]["state"],
             "start" if r["impact"]["start"] else
             "at risk (live migration)" if r["impact"]["at_risk"] else ""]
            for r in radius[:50]
        ],
    )  # fmt: skip


@change_cli.command("conflicts")
def change_conflicts(
    ctx: typer.Context,
    change_id: Annotated[str, typer.Argument(help="The change request's id.")],
    as_json: JsonOption = False,
) -> None:
    """Show planned changes and blackouts that collide with a change."""
    found = _with_runtime(
        ctx, lambda runtime: changes.change_conflicts(runtime, change_id)
    )
    if as_json:
        _print_json(
            {
                "changes": [vars(c) for c in found.changes],
                "blackouts": [vars(b) for b in found.blackouts],
            }
        )
        return
    if not found:
        console.print("No conflicts.")
        return
    _table(
        "Conflicting changes",
        ["id", "title", "state", "window", "shared CIs", "shared customers"],
        [
            [c.change["id"], c.change["title"], c.change["state"], _window(c.change),
             str(len(c.shared_cis)), ", ".join(x["key"] for x in c.shared_customers)]
            for c in found.changes
        ],
    )  # fmt: skip
    _table(
        "Blackout periods",
        ["name", "from", "until", "covers"],
        [
            [b.blackout["name"], str(b.blackout["start"]), str(b.blackout["end"]),
             "whole estate" if b.estate_wide else
             ", ".join(f"{x['type']}:{x['key']}" for x in b.shared_cis)]
            for b in found.blackouts
        ],
    )  # fmt: skip


@change_cli.command("notice")
def change_notice(
    ctx: typer.Context,
    change_id: Annotated[str, typer.Argument(help="The change request's id.")],
    csv_format: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Print the maintenance notice of a scheduled change (JSON or CSV)."""
    notice = _with_runtime(
        ctx, lambda runtime: changes.maintenance_notice(runtime, change_id)
    )
    if csv_format:
        typer.echo(changes.notice_csv(notice), nl=False)
    else:
        _print_json(changes.notice_document(notice))


@change_cli.command("blackout")
def blackout_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the blackout is for.")],
    start: Annotated[str, typer.Option(help="ISO 8601 start, with time zone.")],
    end: Annotated[str, typer.Option(help="ISO 8601 end, with time zone.")],
    ci: Annotated[
        list[str] | None,
        typer.Option(help="Protect only this CI (TYPE:KEY); repeatable."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Declare a blackout period, estate-wide unless CIs are given."""
    begins, ends = _moment(start, "--start"), _moment(end, "--end")
    try:
        refs = [CIRef.parse(text) for text in ci or []]
    except ValueError as error:
        _fail(str(error))

    def create(runtime: Runtime) -> dict:
        ids = []
        for ref in refs:
            found = find_ci(runtime, ref)
            if found is None:
                _fail(f"--ci: no CI {ref}")
            ids.append(found["id"])
        context = WriteContext(actor=getpass.getuser(), source=CLI_SOURCE)
        return changes.create_blackout(
            runtime, name, begins, ends, context, ci_ids=ids, reason=reason
        )

    created = _with_runtime(ctx, create)
    console.print(f"Blackout period {created['id']} created")


@change_cli.command("blackouts")
def blackout_list(
    ctx: typer.Context,
) -> None:
    """List the blackout periods."""
    found = _with_runtime(ctx, changes.list_blackouts)
    _table(
        "Blackout periods",
        ["id", "name", "from", "until", "CIs"],
        [[b["id"], b["name"], str(b["start"]), str(b["end"]),
          str(len(b["ci_ids"])) if b.get("ci_ids") else "all"] for b in found],
    )  # fmt: skip


@drift_cli.command("list")
def drift_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="open, linked or accepted; all if 'any'.")
    ] = drift.OPEN,
    first: Annotated[int, typer.Option(help="How many to show.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List unauthorised changes, newest first."""
    wanted = None if status == "any" else status
    page = _with_runtime(
        ctx,
        lambda runtime: drift.list_unauthorised_changes(
            runtime, status=wanted, first=first
        ),
    )
    if as_json:
        _print_json(page.items)
        return
    _table(
        "Unauthorised changes",
        ["id", "at", "CI", "action", "what changed", "source", "status"],
        [
            [u["id"], f"{u['at']:%Y-%m-%d %H:%M:%S}", f"{u['ci_type']}:{u['ci_key']}",
             u["action"], ", ".join(sorted(u["changes"])), u["source"], u["status"]]
            for u in page.items
        ],
    )  # fmt: skip


@drift_cli.command("scan")
def drift_scan(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="ISO 8601 start, with time zone.")],
    until: Annotated[str, typer.Option(help="ISO 8601 end, with time zone.")],
) -> None:
    """Look for unauthorised changes in importer history of a period."""
    begins, ends = _moment(since, "--since"), _moment(until, "--until")
    report = _with_runtime(
        ctx,
        lambda runtime: drift.detect_unauthorised_changes(
            runtime, since=begins, until=ends
        ),
    )
    console.print(
        f"{report.entries} entries: {report.covered} covered by changes, "
        f"{report.discovered} discoveries, {report.flagged} unauthorised "
        f"({report.created} new) in {report.seconds:.2f} s"
    )
