"""What every resolver receives: the runtime, who is asking and their roles."""

from dataclasses import dataclass, field

from strawberry.fastapi import BaseContext

from app.domain.access import Permission, Role, permits
from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import WriteContext
from app.services.runtime import Runtime

API_SOURCE = "api"
# Field metadata for resolvers that only shape what is already in memory: they
# run on the event loop, where a worker thread would cost more than the work.
IN_MEMORY = {"cmdb.in_memory": True}


@dataclass
class RequestContext(BaseContext):
    """The runtime, the caller, their roles and the request id of one request."""

    runtime: Runtime
    actor: str
    request_id: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        super().__init__()

    def require(self, permission: Permission) -> None:
        """Refuse with FORBIDDEN unless the caller's roles grant ``permission``."""
        if not permits(self.roles, permission):
            roles = ", ".join(sorted(self.roles)) or "none"
            raise CMDBError.single(
                "",
                ErrorCode.FORBIDDEN,
                f"{self.actor} (roles: {roles}) may not {permission.value}",
            )

    def write_context(self, change_request_id: str | None = None) -> WriteContext:
        """Describe this request's writes for the history."""
        return WriteContext(
            actor=self.actor,
            source=API_SOURCE,
            request_id=self.request_id,
            change_request_id=change_request_id,
        )
