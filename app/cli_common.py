"""What every ``cmdb`` command shares: opening the runtime and failing clearly."""

from typing import NoReturn

import typer
from rich.console import Console

from app.catalogue import CatalogueError
from app.domain.errors import CMDBError
from app.services.runtime import Runtime
from app.settings import get_settings

errors = Console(stderr=True)


def open_runtime() -> Runtime:
    """Open the runtime, or exit with one line when the catalogue is broken."""
    try:
        return Runtime.open(get_settings())
    except CatalogueError as error:
        fail(f"The catalogue is broken: {error}")


def fail(message: str) -> NoReturn:
    """Print one red line on standard error and exit with status 1."""
    errors.print(f"[red]{message}[/red]", soft_wrap=True)
    raise typer.Exit(1)


def report_problems(error: CMDBError) -> NoReturn:
    """List every problem of a refused request and exit with status 1."""
    errors.print(f"[red]Rejected: {len(error.problems)} problem(s); nothing written.")
    for problem in error.problems:
        errors.print(f"  {problem.field or '-'}  {problem.code}  {problem.message}")
    raise typer.Exit(1)
