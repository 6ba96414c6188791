"""API tokens: how secrets are made, stored (as hashes only) and judged.

Pure: the service stores what ``new_token`` returns apart from the secret,
which is shown to its owner once and never kept.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.domain.access import Role
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.domain.records import new_id

SECRET_PREFIX = "cmdb_"
SECRET_BYTES = 32
NAME_MAX_LENGTH = 100
LIFETIME = re.compile(r"^(\d+)([mhdw])$")
LIFETIME_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class NewToken:
    """A token record ready to store, and the secret its owner receives."""

    record: dict[str, Any]
    secret: str


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 of a secret; secrets are random, so no salt."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_lifetime(text: str) -> timedelta:
    """Parse a lifetime such as ``30d``, ``12h``, ``90m`` or ``2w``.

    >>> parse_lifetime("30d")
    datetime.timedelta(days=30)
    """
    match = LIFETIME.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise CMDBError.single(
            "expires",
            ErrorCode.INVALID_VALUE,
            f"{text!r} is not a lifetime such as 30d, 12h, 90m or 2w",
        )
    return timedelta(**{LIFETIME_UNITS[match.group(2)]: int(match.group(1))})


def parse_roles(names: list[str]) -> list[Role]:
    """Turn role names into roles; INVALID_VALUE names every unknown one."""
    known = {role.value for role in Role}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        message = (
            f"unknown role(s) {', '.join(unknown)}; " if unknown else "give a role; "
        ) + f"roles are {', '.join(sorted(known))}"
        raise CMDBError.single("roles", ErrorCode.INVALID_VALUE, message)
    return sorted(set(map(Role, names)))


def new_token(
    name: str, roles: list[str], now: datetime, lifetime: timedelta | None
) -> NewToken:
    """Validate a token request and build its record and secret."""
    problems = []
    if not name.strip() or len(name) > NAME_MAX_LENGTH:
        message = f"a non-empty name of at most {NAME_MAX_LENGTH} characters"
        problems.append(Problem("name", ErrorCode.INVALID_VALUE, message))
    try:
        valid_roles = parse_roles(roles)
    except CMDBError as error:
        problems += error.problems
    if problems:
        raise CMDBError(problems)
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    record = {
        "id": new_id(),
        "name": name,
        "roles": [role.value for role in valid_roles],
        "hash": hash_secret(secret),
        "created_at": now,
        "expires_at": now + lifetime if lifetime else None,
        "revoked_at": None,
        "last_used_at": None,
    }
    return NewToken(record, secret)


def refusal(token: dict[str, Any] | None, now: datetime) -> str | None:
    """Say why a presented token is refused, or None when it is good."""
    if token is None:
        return "unknown API token"
    if token.get("revoked_at") is not None:
        return "the API token was revoked"
    expires_at = token.get("expires_at")
    if expires_at is not None and expires_at <= now:
        return "the API token has expired"
    return None


def bearer_secret(header: str | None) -> str | None:
    """Return the secret of an ``Authorization: Bearer <secret>`` header."""
    if not header:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()
