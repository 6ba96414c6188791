"""Printing impact reports for people (tables) and tools (JSON)."""

from rich.console import Console
from rich.table import Table

from app.impact import AffectedCI
from app.services.impact import ImpactReport

ROWS_SHOWN = 50


def print_report(console: Console, report: ImpactReport) -> None:
    """Print counts first, then affected CIs, customers and owners."""
    result = report.result
    console.print(
        f"[bold]{len(result.affected)} affected[/bold] in {result.mode} mode, "
        f"{len(report.customers)} customers, {len(report.owners)} owners "
        f"({report.seconds * 1000:.0f} ms)"
    )
    if result.explanation:
        console.print(result.explanation)
    if result.limit_hit:
        console.print(f"[yellow]Limit hit: {result.limit_reason}[/yellow]")
    _table(
        console,
        "Counts",
        ["type", "state", "count"],
        [[t, s, str(n)] for (t, s), n in sorted(report.counts.items())],
    )
    keys = {ci.id: f"{ci.type}:{ci.key}" for ci in result.affected.values()}
    _table(
        console,
        "Affected CIs (nearest first)",
        ["CI", "state", "note", "why"],
        [
            [keys[ci.id], ci.state.name, _note(ci), _why(ci, keys)]
            for ci in list(result.affected.values())[:ROWS_SHOWN]
        ],
    )
    _table(
        console,
        "Customers",
        ["customer", "state", "SLA tier", "affected CIs"],
        [
            [c.customer.key, c.customer.state.name, c.sla_tier or "-",
             str(len(c.affected_cis))]
            for c in report.customers[:ROWS_SHOWN]
        ],
    )  # fmt: skip
    _table(
        console,
        "Owners to notify",
        ["owner", "type", "support level", "affected CIs owned"],
        [
            [o.name, o.type, str(o.support_level or "-"), str(len(o.owned))]
            for o in report.owners[:ROWS_SHOWN]
        ],
    )


def _note(ci: AffectedCI) -> str:
    if ci.start:
        return "start"
    if ci.restarts:
        return "HA restart expected"
    return "live migration, at risk" if ci.at_risk else ""


def _why(ci: AffectedCI, keys: dict[str, str]) -> str:
    return " ; ".join(
        f"{keys.get(s.source_id, s.source_id)} {s.rel_type} "
        f"{keys.get(s.target_id, s.target_id)}"
        for s in ci.reason
    )


def _table(console: Console, title: str, columns: list[str], rows: list) -> None:
    if not rows:
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)
