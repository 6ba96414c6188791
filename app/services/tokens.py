"""Create, list, revoke and check API tokens."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.access import Role
from app.domain.errors import CMDBError, ErrorCode
from app.domain.tokens import NewToken, hash_secret, new_token, refusal
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

TOKEN_FIELDS = (
    "id",
    "name",
    "roles",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
)

# Ids of the tokens this process revoked. Revocation is final, so a cache of
# checked tokens in this process may never vouch for one of these again, not
# even when it was filled by a check that ran just before the revocation.
_revoked_here: set[str] = set()


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the token's name and its roles."""

    name: str
    roles: frozenset[Role]
    token_id: str | None = None
    expires_at: datetime | None = None


class AuthenticationError(Exception):
    """The request carries no usable token; the message says why."""


def create_token(
    runtime: Runtime,
    name: str,
    roles: list[str],
    lifetime: timedelta | None = None,
) -> NewToken:
    """Store a new token and return it with its secret, shown only now."""
    created = new_token(name, roles, datetime.now(UTC), lifetime)
    rows = runtime.db.write("api_token_create", token=created.record)
    logger.info(
        "Created API token %s (%s) with roles %s",
        created.record["id"],
        name,
        ", ".join(created.record["roles"]),
    )
    return NewToken(_public(rows[0]["token"]), created.secret)


def list_tokens(runtime: Runtime) -> list[dict[str, Any]]:
    """Return every token, newest first, without hashes."""
    return [_public(row["token"]) for row in runtime.db.read("api_token_list")]


def revoke_token(runtime: Runtime, token_id: str) -> dict[str, Any]:
    """Revoke a token; NOT_FOUND when there is none with this id."""
    rows = runtime.db.write("api_token_revoke", id=token_id, now=datetime.now(UTC))
    if not rows:
        raise CMDBError.single(
            "id", ErrorCode.NOT_FOUND, f"no API token with id {token_id!r}"
        )
    _revoked_here.add(token_id)
    logger.info("Revoked API token %s", token_id)
    return _public(rows[0]["token"])


def revoked_here(token_id: str) -> bool:
    """Tell whether this process revoked the token."""
    return token_id in _revoked_here


def authenticate(runtime: Runtime, secret: str) -> Principal:
    """Return the principal a secret stands for, or raise AuthenticationError."""
    now = datetime.now(UTC)
    rows = runtime.db.read("api_token_get_by_hash", hash=hash_secret(secret))
    token = rows[0]["token"] if rows else None
    reason = refusal(token, now)
    if reason is not None:
        raise AuthenticationError(reason)
    stale_before = now - timedelta(seconds=runtime.settings.token_touch_interval_s)
    last_used = token.get("last_used_at")
    if last_used is None or last_used < stale_before:
        runtime.db.write(
            "api_token_touch", id=token["id"], now=now, stale_before=stale_before
        )
    roles = frozenset(map(Role, token["roles"]))
    return Principal(token["name"], roles, token["id"], token.get("expires_at"))


def _public(token: dict[str, Any]) -> dict[str, Any]:
    return {name: token.get(name) for name in TOKEN_FIELDS}
