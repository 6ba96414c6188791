"""The ``cmdb incident`` commands: open, list, show, move and link incidents."""

import getpass
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from app.catalogue import CatalogueError
from app.domain.errors import CMDBError
from app.domain.incidents import Transition
from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services import incident_reports, tickets
from app.services import incidents as incident_service
from app.services.impact import StartSpec, resolve_starts
from app.services.runtime import Runtime
from app.settings import get_settings

CLI_SOURCE = "cli"
console = Console()
errors = Console(stderr=True)
app = typer.Typer(
    help="Incidents, their links and helpdesk tickets.", no_args_is_help=True
)
ticket_app = typer.Typer(help="Helpdesk tickets.", no_args_is_help=True)
app.add_typer(ticket_app, name="ticket")

Result = TypeVar("Result")


class OutputFormat(StrEnum):
    """How a list is printed."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _run(work: Callable[[Runtime], Result]) -> Result:
    """Open a runtime, run ``work``, report refusals and close the runtime."""
    try:
        runtime = Runtime.open(get_settings())
    except CatalogueError as error:
        _fail(f"The catalogue is broken: {error}")
    try:
        return work(runtime)
    except CMDBError as error:
        errors.print(
            f"[red]Rejected: {len(error.problems)} problem(s); nothing written."
        )
        for problem in error.problems:
            errors.print(f"  {problem.field or '-'}  {problem.code}  {problem.message}")
        raise typer.Exit(1) from None
    finally:
        runtime.close()


def _fail(message: str) -> NoReturn:
    errors.print(f"[red]{message}[/red]", soft_wrap=True)
    raise typer.Exit(1)


def _context() -> WriteContext:
    return WriteContext(actor=getpass.getuser(), source=CLI_SOURCE)


def _ci_id(runtime: Runtime, text: str) -> str:
    """Return the id of a CI given as TYPE:KEY or as its id."""
    if ":" not in text:
        return text
    [ci_id] = resolve_starts(runtime, [StartSpec(ref=CIRef.parse(text))])
    return ci_id


def _print_json(document: Any) -> None:
    console.print_json(json.dumps(document, default=str))


def _print_incident(incident: dict[str, Any]) -> None:
    team = incident.get("team") or {}
    starts = ", ".join(f"{s['type']}:{s['key']}" for s in incident["starts"])
    console.print(f"[bold]{incident['title']}[/bold]  ({incident['id']})")
    console.print(
        f"status {incident['status']}, urgency {incident['urgency']}, "
        f"P{incident.get('priority')} (impact {incident.get('impact')})"
    )
    console.print(incident.get("priority_explanation") or "")
    console.print(f"starts: {starts}")
    console.print(
        f"assigned to {team.get('key', 'nobody')} at support level "
        f"{incident.get('support_level')}"
    )
    if incident.get("cause"):
        cause = incident["cause"]
        console.print(f"probable cause: {cause['type']}:{cause['key']}")


@app.command("open")
def open_command(
    title: Annotated[str, typer.Argument(help="What is wrong, in a line.")],
    starts: Annotated[list[str], typer.Argument(help="Starting CIs as TYPE:KEY.")],
    urgency: Annotated[str, typer.Option(help="1-3 or high/medium/low.")] = "2",
    description: Annotated[str, typer.Option(help="More detail.")] = "",
) -> None:
    """Open an incident on CIs and link everything they hurt."""
    draft = incident_service.IncidentDraft(
        title=title,
        starts=[StartSpec(ref=CIRef.parse(text)) for text in starts],
        urgency=urgency,
        description=description,
    )
    incident = _run(lambda r: incident_service.open_incident(r, draft, _context()))
    _print_incident(incident)


@app.command("list")
def list_command(
    status: Annotated[
        list[str] | None, typer.Option(help="Only these statuses.")
    ] = None,
    first: Annotated[int, typer.Option(help="How many.")] = 50,
) -> None:
    """List incidents, newest first."""
    page = _run(
        lambda r: incident_service.list_incidents(r, statuses=status, first=first)
    )
    table = Table(title=f"{len(page.items)} incident(s)")
    for column in ("id", "created", "status", "priority", "title"):
        table.add_column(column)
    for item in page.items:
        table.add_row(
            item["id"],
            item["created_at"].strftime("%Y-%m-%d %H:%M"),
            item["status"],
            f"P{item.get('priority')}",
            item["title"],
        )
    console.print(table)


@app.command("show")
def show_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show an incident, its link counts and its latest activity."""

    def work(runtime: Runtime) -> tuple[dict, list, list]:
        incident = incident_service.require_incident(runtime, incident_id)
        counts = incident_service.link_counts(runtime, incident_id)
        log = incident_service.activity(runtime, incident_id, first=10).items
        return incident, counts, log

    incident, counts, log = _run(work)
    if as_json:
        _print_json({**incident, "link_counts": counts, "activity": log})
        return
    _print_incident(incident)
    table = Table(title="Links")
    for column in ("kind", "type", "state", "count"):
        table.add_column(column)
    for row in sorted(counts, key=lambda r: (r["kind"], r["type"], r["state"] or "")):
        table.add_row(row["kind"], row["type"], row["state"] or "", str(row["count"]))
    console.print(table)
    for entry in log:
        console.print(
            f"{entry['at']:%Y-%m-%d %H:%M}  {entry['actor']}  {entry['action']}"
        )


def _transition_command(step: Transition) -> Callable[..., None]:
    def command(
        incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
        note: Annotated[str | None, typer.Option(help="Why.")] = None,
    ) -> None:
        incident = _run(
            lambda r: incident_service.transition(
                r, incident_id, step, _context(), note
            )
        )
        console.print(f"Incident {incident['id']} is {incident['status']}")

    command.__doc__ = f"{step.value.capitalize()} an incident."
    return command


for _step, _name in (
    (Transition.ACKNOWLEDGE, "ack"),
    (Transition.RESOLVE, "resolve"),
    (Transition.CLOSE, "close"),
    (Transition.REOPEN, "reopen"),
):
    app.command(_name)(_transition_command(_step))


@app.command("assign")
def assign_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
    team: Annotated[str | None, typer.Option(help="Team as Team:KEY or id.")] = None,
    level: Annotated[int | None, typer.Option(help="Support level 1-3.")] = None,
) -> None:
    """Route an incident to another team or support level."""

    def work(runtime: Runtime) -> dict:
        team_id = _ci_id(runtime, team) if team else None
        return incident_service.assign_incident(
            runtime, incident_id, _context(), team_id=team_id, support_level=level
        )

    _print_incident(_run(work))


@app.command("link")
def link_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
    ci: Annotated[str, typer.Argument(help="The CI as TYPE:KEY or id.")],
    kind: Annotated[
        str, typer.Option(help="manual, not_impacted or do_not_notify.")
    ] = "manual",
    state: Annotated[
        str, typer.Option(help="Manual links: down or degraded.")
    ] = "down",
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Link a CI or customer by hand; the computed links follow."""

    def work(runtime: Runtime) -> dict:
        return incident_service.link_ci(
            runtime,
            incident_id,
            _ci_id(runtime, ci),
            kind,
            _context(),
            state=state,
            note=note,
        )

    _print_incident(_run(work))


@app.command("unlink")
def unlink_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
    ci: Annotated[str, typer.Argument(help="The CI as TYPE:KEY or id.")],
) -> None:
    """Remove a person's link; the computed links follow."""
    _print_incident(
        _run(
            lambda r: incident_service.unlink_ci(
                r, incident_id, _ci_id(r, ci), _context()
            )
        )
    )


@app.command("notify")
def notify_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    """Print the customers to notify, as a table, CSV or JSON."""
    items = _run(lambda r: incident_reports.notification_list(r, incident_id))
    if output is OutputFormat.CSV:
        typer.echo(incident_reports.notifications_csv(items), nl=False)
        return
    if output is OutputFormat.JSON:
        _print_json(incident_reports.notifications_document(items))
        return
    table = Table(title=f"{len(items)} customer(s) to notify")
    for column in ("customer", "tier", "severity", "contact", "services", "machines"):
        table.add_column(column)
    for item in items:
        table.add_row(
            item.customer_key,
            item.sla_tier or "",
            item.severity or "",
            item.contact_email or "",
            ", ".join(item.services),
            ", ".join(item.machines),
        )
    console.print(table)


@app.command("cause")
def cause_command(
    incident_ids: Annotated[list[str], typer.Argument(help="Open incidents' ids.")],
    group: Annotated[
        bool, typer.Option(help="Group the incidents under the best candidate.")
    ] = False,
) -> None:
    """Rank upstream CIs by how many of the incidents they explain."""

    def work(runtime: Runtime) -> Any:
        report = incident_reports.probable_causes(runtime, incident_ids=incident_ids)
        parent = None
        if group and report.proposal:
            parent = incident_reports.group_under_cause(
                runtime, incident_ids, report.candidates[0].id, _context()
            )
        return report, parent

    report, parent = _run(work)
    table = Table(title=report.proposal or "No single CI explains two incidents")
    for column in ("CI", "explains", "distance"):
        table.add_column(column)
    for candidate in report.candidates:
        table.add_row(
            f"{candidate.type}:{candidate.key}",
            str(candidate.explained),
            str(candidate.distance),
        )
    console.print(table)
    if parent is not None:
        console.print(f"Grouped under parent incident {parent['id']}")


@app.command("review")
def review_command(
    start: Annotated[
        datetime | None, typer.Option(help="Start of the period (default: 7 days ago).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="Length of the period.")] = 7,
) -> None:
    """Review the incidents of a period: priorities, times, repeat offenders."""
    begin = (start or datetime.now(UTC) - timedelta(days=days)).astimezone(UTC)
    review = _run(
        lambda r: incident_reports.weekly_review(r, begin, begin + timedelta(days=days))
    )
    console.print(
        f"[bold]{review.total} incident(s)[/bold] from {review.start:%Y-%m-%d} "
        f"to {review.end:%Y-%m-%d}, {review.open} still open"
    )
    console.print(
        "by priority: "
        + (", ".join(f"{p} {n}" for p, n in review.by_priority.items()) or "none")
    )
    console.print(f"mean time to acknowledge: {review.mean_time_to_acknowledge}")
    console.print(f"mean time to resolve: {review.mean_time_to_resolve}")
    for title, entries in (
        ("CIs", review.repeated_cis),
        ("services", review.repeated_services),
    ):
        for entry in entries:
            console.print(
                f"repeated {title}: {entry.type}:{entry.key} in "
                f"{len(entry.incidents)} incidents"
            )


def _ticket_command(unlink: bool) -> Callable[..., None]:
    def command(
        system: Annotated[str, typer.Argument(help="The helpdesk system's name.")],
        ticket_id: Annotated[str, typer.Argument(help="The ticket's id there.")],
        incident: Annotated[
            list[str] | None, typer.Option(help="Incident id (repeatable).")
        ] = None,
        ci: Annotated[
            list[str] | None, typer.Option(help="CI as TYPE:KEY or id (repeatable).")
        ] = None,
        url: Annotated[str | None, typer.Option(help="The ticket's URL.")] = None,
        title: Annotated[str | None, typer.Option(help="The ticket's title.")] = None,
    ) -> None:
        def work(runtime: Runtime) -> tickets.LinkResult:
            ref = tickets.TicketRef(system, ticket_id, url, title)
            ci_ids = [_ci_id(runtime, text) for text in ci or []]
            action = tickets.unlink_ticket if unlink else tickets.link_ticket
            return action(
                runtime, ref, _context(), incident_ids=incident or [], ci_ids=ci_ids
            )

        result = _run(work)
        verb = "Unlinked" if unlink else "Linked"
        console.print(
            f"{verb} {system}/{ticket_id}: {len(result.incidents_changed)} "
            f"incident(s), {len(result.cis_changed)} CI(s) changed"
        )

    command.__doc__ = (
        "Unlink a ticket from incidents or CIs."
        if unlink
        else "Link a ticket to incidents or CIs; linking twice is harmless."
    )
    return command


ticket_app.command("link")(_ticket_command(unlink=False))
ticket_app.command("unlink")(_ticket_command(unlink=True))


@ticket_app.command("show")
def ticket_show_command(
    system: Annotated[str, typer.Argument(help="The helpdesk system's name.")],
    ticket_id: Annotated[str, typer.Argument(help="The ticket's id there.")],
) -> None:
    """Show a ticket with its incidents and CIs."""
    ticket = _run(lambda r: tickets.get_ticket(r, system, ticket_id))
    if ticket is None:
        _fail(f"No ticket {system}/{ticket_id}")
    _print_json(ticket)
