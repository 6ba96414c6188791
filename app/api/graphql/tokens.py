"""Queries and mutations over API tokens, for those who manage them."""

from datetime import datetime

import strawberry

from app.domain.access import Permission
from app.domain.tokens import parse_lifetime
from app.services import tokens as token_service


@strawberry.type(description="An API token; its secret is shown only when made.")
class ApiToken:
    id: strawberry.ID
    name: str
    roles: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


@strawberry.type(description="A new API token and its secret, shown this once.")
class CreatedApiToken:
    token: ApiToken
    secret: str


@strawberry.input(description="Who a new token is for, its roles and lifetime.")
class ApiTokenInput:
    name: str
    roles: list[str]
    expires: str | None = strawberry.field(
        default=None, description="Lifetime such as 30d, 12h or 90m; none: never."
    )


def api_token(record: dict) -> ApiToken:
    """Build the GraphQL view of a token record."""
    return ApiToken(
        id=strawberry.ID(record["id"]),
        name=record["name"],
        roles=list(record["roles"]),
        created_at=record["created_at"],
        expires_at=record["expires_at"],
        revoked_at=record["revoked_at"],
        last_used_at=record["last_used_at"],
    )


@strawberry.type
class TokenQuery:
    @strawberry.field(description="Every API token, newest first.")
    def api_tokens(self, info: strawberry.Info) -> list[ApiToken]:
        info.context.require(Permission.MANAGE_TOKENS)
        return [api_token(t) for t in token_service.list_tokens(info.context.runtime)]


@strawberry.type
class TokenMutation:
    @strawberry.mutation(description="Create an API token; keep the secret safe.")
    def create_api_token(
        self, info: strawberry.Info, input: ApiTokenInput
    ) -> CreatedApiToken:
        info.context.require(Permission.MANAGE_TOKENS)
        lifetime = parse_lifetime(input.expires) if input.expires else None
        created = token_service.create_token(
            info.context.runtime, input.name, input.roles, lifetime
        )
        return CreatedApiToken(token=api_token(created.record), secret=created.secret)

    @strawberry.mutation(description="Revoke an API token at once.")
    def revoke_api_token(self, info: strawberry.Info, id: strawberry.ID) -> ApiToken:
        info.context.require(Permission.MANAGE_TOKENS)
        return api_token(token_service.revoke_token(info.context.runtime, str(id)))
