"""``cmdb import vsphere``: sync one or every configured vCenter into the graph."""

import logging
import re
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from app.catalogue import CatalogueError
from app.domain.errors import CMDBError
from app.services.runtime import Runtime
from app.services.sync import SyncConflictError
from app.settings import Settings, VCenterSettings, get_settings
from importers.vsphere.extract import VSphereError
from importers.vsphere.sync import PHASES, VCenterSyncReport, sync_vcenter

logger = logging.getLogger(__name__)
console = Console()
errors = Console(stderr=True)

app = typer.Typer(
    help="Import configuration items from outside sources.", no_args_is_help=True
)

INTERVAL = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[smhd]?)\s*$")
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
SHOWN_CHANGES = 100


@app.callback()
def _imports() -> None:
    """Import configuration items from outside sources."""


@app.command("vsphere")
def vsphere(
    ctx: typer.Context,
    vcenter_id: Annotated[
        str | None,
        typer.Option(help="The vCenter's identifier; all configured ones if left out."),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="SDK URL, such as https://vc/sdk.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="User name.")] = None,
    password_file: Annotated[
        Path | None, typer.Option(help="File holding the password.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Show changes, write nothing.")] = False,
    every: Annotated[
        str | None, typer.Option(help="Sync again at this interval, such as 15m.")
    ] = None,
    insecure: Annotated[
        bool, typer.Option(help="Accept a certificate that is not trusted.")
    ] = False,
    ca_file: Annotated[
        Path | None, typer.Option(help="CA certificates to trust for the vCenter.")
    ] = None,
) -> None:
    """Sync vCenter inventory into the graph; nothing is written on failure."""
    given = ctx.obj if isinstance(ctx.obj, Runtime) else None
    settings = given.settings if given else get_settings()
    try:
        vcenters = resolve_vcenters(
            settings, vcenter_id, url, user, password_file, insecure, ca_file
        )
        interval = parse_interval(every) if every else None
    except ValueError as error:
        _fail(str(error))
    runtime = given or _open_runtime(settings)
    try:
        failures = _run(runtime, vcenters, dry_run, interval)
    finally:
        if given is None:
            runtime.close()
    if failures:
        raise typer.Exit(1)


def resolve_vcenters(
    settings: Settings,
    vcenter_id: str | None,
    url: str | None,
    user: str | None,
    password_file: Path | None,
    insecure: bool = False,
    ca_file: Path | None = None,
) -> list[VCenterSettings]:
    """Return the vCenters to sync: the one named, or every configured one."""
    configured = {vcenter.id: vcenter for vcenter in settings.vcenters}
    given: dict[str, Any] = {
        name: value
        for name, value in (
            ("url", url),
            ("user", user),
            ("password_file", password_file),
            ("ca_file", ca_file),
        )
        if value is not None
    }
    if insecure:
        given["insecure"] = True
    if vcenter_id is None:
        return _configured(configured, given)
    if vcenter_id in configured:
        return [configured[vcenter_id].model_copy(update=given)]
    missing = [
        f"--{name.replace('_', '-')}"
        for name in ("url", "user", "password_file")
        if name not in given
    ]
    if missing:
        raise ValueError(
            f"vCenter {vcenter_id!r} is not configured; give {', '.join(missing)}"
        )
    try:
        return [VCenterSettings(id=vcenter_id, **given)]
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise ValueError(f"--{field.replace('_', '-')}: {problem['msg']}") from None


def _configured(
    configured: dict[str, VCenterSettings], given: dict[str, Any]
) -> list[VCenterSettings]:
    if set(given) - {"insecure"}:
        raise ValueError(
            "--url, --user, --password-file and --ca-file need --vcenter-id"
        )
    if not configured:
        raise ValueError(
            "no vCenter is configured: give --vcenter-id, --url, --user and "
            "--password-file, or set CMDB_VCENTERS"
        )
    return [vcenter.model_copy(update=given) for vcenter in configured.values()]


def parse_interval(text: str) -> float:
    """Return the seconds in an interval such as ``90s``, ``15m`` or ``1h``.

    >>> parse_interval("15m")
    900.0
    """
    match = INTERVAL.match(text)
    if not match or float(match["number"]) <= 0:
        raise ValueError(f"--every {text!r} is not an interval such as 30s, 15m or 1h")
    return float(match["number"]) * UNIT_SECONDS[match["unit"]]


def _run(
    runtime: Runtime,
    vcenters: list[VCenterSettings],
    dry_run: bool,
    interval: float | None,
) -> int:
    """Sync once, or forever at ``interval`` until interrupted; return failures."""
    if interval is None:
        return sync_all(runtime, vcenters, dry_run)
    try:
        while True:
            started = time.monotonic()
            sync_all(runtime, vcenters, dry_run)
            delay = max(interval - (time.monotonic() - started), 0.0)
            console.print(f"Next sync in {delay:.0f} s (Ctrl-C stops)")
            time.sleep(delay)
    except KeyboardInterrupt:
        console.print("Stopped.")
        return 0


def sync_all(runtime: Runtime, vcenters: list[VCenterSettings], dry_run: bool) -> int:
    """Sync each vCenter in turn, print a summary and return how many failed."""
    reports, failures = [], 0
    for vcenter in vcenters:
        try:
            reports.append(_sync_one(runtime, vcenter, dry_run))
        except (VSphereError, CMDBError, SyncConflictError) as error:
            failures += 1
            errors.print(
                f"vCenter {vcenter.id}: sync failed, nothing written: {error}",
                style="red",
                markup=False,
                soft_wrap=True,
            )
    if reports:
        console.print(_summary(reports))
    return failures


def _sync_one(
    runtime: Runtime, vcenter: VCenterSettings, dry_run: bool
) -> VCenterSyncReport:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        console.print(f"vCenter {vcenter.id} at {vcenter.url}", markup=False)
        phases = [phase for phase in PHASES if not (dry_run and phase == "write")]
        report = sync_vcenter(
            runtime, vcenter, dry_run=dry_run, progress=PhaseBars(progress, phases)
        )
    if dry_run:
        _print_changes(report)
    return report


class PhaseBars:
    """Shows each phase of a sync as a rich progress bar."""

    def __init__(self, progress: Progress, phases: list[str]) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            phase: progress.add_task(phase, start=False, total=None, detail="")
            for phase in phases
        }

    def start(self, phase: str, total: int | None = None) -> None:
        """Start a phase's bar; without a total it pulses."""
        task = self.tasks[phase]
        self.progress.start_task(task)
        self.progress.update(task, total=total, detail=_detail(phase, total))

    def advance(self, phase: str, amount: int = 1) -> None:
        """Move a phase's bar on."""
        task = self.tasks[phase]
        self.progress.advance(task, amount)
        done = self.progress.tasks[task].completed
        self.progress.update(task, detail=_detail(phase, int(done)))

    def finish(self, phase: str) -> None:
        """Fill a phase's bar."""
        task = self.tasks[phase]
        done = max(self.progress.tasks[task].completed, 1)
        self.progress.update(task, total=done, completed=done)


def _detail(phase: str, count: int | None) -> str:
    if count is None:
        return ""
    return f"{count:,} {'objects' if phase == 'extract' else 'writes'}"


def _summary(reports: list[VCenterSyncReport]) -> Table:
    dry_run = any(report.outcome.dry_run for report in reports)
    table = Table(title="Dry run: nothing written" if dry_run else "vSphere sync")
    table.add_column("")
    for report in reports:
        table.add_column(report.vcenter_id, justify="right")
    outcomes = [report.outcome for report in reports]
    for name in ("created", "updated", "moved", "retired", "missing", "unchanged"):
        table.add_row(name, *(str(getattr(outcome, name)) for outcome in outcomes))
    table.add_row(
        "relationships",
        *(
            f"+{outcome.relationships_created} -{outcome.relationships_deleted}"
            for outcome in outcomes
        ),
    )
    table.add_row("seconds", *(f"{report.seconds:.2f}" for report in reports))
    return table


def _print_changes(report: VCenterSyncReport) -> None:
    changes = report.outcome.changes
    console.print(
        f"vCenter {report.vcenter_id}: {len(changes)} change(s) would be written",
        markup=False,
    )
    for line in changes[:SHOWN_CHANGES]:
        console.print(f"  {line}", markup=False, soft_wrap=True)
    if len(changes) > SHOWN_CHANGES:
        console.print(f"  ... and {len(changes) - SHOWN_CHANGES} more")


def _open_runtime(settings: Settings) -> Runtime:
    try:
        return Runtime.open(settings)
    except CatalogueError as error:
        _fail(f"The catalogue is broken: {error}")


def _fail(message: str) -> NoReturn:
    errors.print(message, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(1)
