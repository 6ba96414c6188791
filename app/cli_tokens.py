"""The ``cmdb token`` commands: create, list and revoke API tokens."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli_common import open_runtime, report_problems
from app.domain.errors import CMDBError
from app.domain.tokens import parse_lifetime
from app.services import tokens as token_service

console = Console()
errors = Console(stderr=True)

TIME_FIELDS = ("created_at", "expires_at", "revoked_at", "last_used_at")

app = typer.Typer(help="API tokens: who may call the API.", no_args_is_help=True)

GRAPHIQL_HINT = (
    'In GraphiQL, open the Headers pane and paste: {"Authorization": "Bearer %s"}'
)


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what the token is for.")],
    role: Annotated[
        list[str], typer.Option(help="A role; repeat for several.", show_default=False)
    ],
    expires: Annotated[
        str | None, typer.Option(help="Lifetime such as 30d, 12h or 90m.")
    ] = None,
) -> None:
    """Create a token and print its secret, which is shown only this once."""
    runtime = open_runtime()
    try:
        lifetime = parse_lifetime(expires) if expires else None
        created = token_service.create_token(runtime, name, role, lifetime)
    except CMDBError as error:
        report_problems(error)
    finally:
        runtime.close()
    record = created.record
    expiry = record["expires_at"].isoformat() if record["expires_at"] else "never"
    console.print(
        f"Created API token {record['id']} for {name} "
        f"(roles: {', '.join(record['roles'])}; expires: {expiry})"
    )
    console.print(created.secret, soft_wrap=True, highlight=False)
    console.print(GRAPHIQL_HINT % created.secret, soft_wrap=True, highlight=False)


@app.command("list")
def list_tokens() -> None:
    """List every token (never their secrets)."""
    runtime = open_runtime()
    try:
        tokens = token_service.list_tokens(runtime)
    except CMDBError as error:
        report_problems(error)
    finally:
        runtime.close()
    table = Table(title=f"{len(tokens)} API token(s)")
    for column in ("id", "name", "roles", "created", "expires", "revoked", "last used"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            token["id"],
            token["name"],
            ", ".join(token["roles"]),
            *(_when(token[f]) for f in TIME_FIELDS),
        )
    console.print(table)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token; requests carrying it are refused at once."""
    runtime = open_runtime()
    try:
        token = token_service.revoke_token(runtime, token_id)
    except CMDBError as error:
        report_problems(error)
    finally:
        runtime.close()
    console.print(f"Revoked API token {token['id']} ({token['name']})")
