"""Who may do what: the roles a caller can hold and what each one permits.

Pure: the API and the command line ask ``permits`` before they act, and a
refusal names the permission that was missing.
"""

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    """The roles an API token carries."""

    VIEWER = "viewer"
    SUPPORT = "support"
    ENGINEER = "engineer"
    CHANGE_MANAGER = "change_manager"
    IMPORTER = "importer"
    ADMIN = "admin"


class Permission(StrEnum):
    """One kind of action a resolver or command guards."""

    READ = "read"
    WRITE_CIS = "write_cis"
    LOAD = "load"
    IMPORT = "import"
    MANAGE_INCIDENTS = "manage_incidents"
    LINK_TICKETS = "link_tickets"
    REQUEST_CHANGES = "request_changes"
    APPROVE_CHANGES = "approve_changes"
    MANAGE_DRIFT = "manage_drift"
    MANAGE_TOKENS = "manage_tokens"
    EXPORT = "export"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.SUPPORT: frozenset(
        {Permission.READ, Permission.MANAGE_INCIDENTS, Permission.LINK_TICKETS}
    ),
    Role.ENGINEER: frozenset(
        {
            Permission.READ,
            Permission.WRITE_CIS,
            Permission.LOAD,
            Permission.MANAGE_INCIDENTS,
            Permission.LINK_TICKETS,
            Permission.REQUEST_CHANGES,
        }
    ),
    Role.CHANGE_MANAGER: frozenset(
        {
            Permission.READ,
            Permission.REQUEST_CHANGES,
            Permission.APPROVE_CHANGES,
            Permission.MANAGE_DRIFT,
        }
    ),
    Role.IMPORTER: frozenset({Permission.READ, Permission.IMPORT, Permission.LOAD}),
    Role.ADMIN: frozenset(Permission),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """Return every permission the roles grant together.

    >>> sorted(permissions_of([Role.VIEWER]))
    [<Permission.READ: 'read'>]
    """
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= _GRANTS[role]
    return granted


def permits(roles: Iterable[Role], permission: Permission) -> bool:
    """Tell whether any of the roles grants ``permission``."""
    return permission in permissions_of(roles)
