"""What every resolver receives: the runtime and who is asking."""

from dataclasses import dataclass

from strawberry.fastapi import BaseContext

from app.domain.records import WriteContext
from app.services.runtime import Runtime

API_SOURCE = "api"


@dataclass
class RequestContext(BaseContext):
    """The runtime, the caller and the request id of one GraphQL request."""

    runtime: Runtime
    actor: str
    request_id: str

    def __post_init__(self) -> None:
        super().__init__()

    def write_context(self) -> WriteContext:
        """Describe this request's writes for the history."""
        return WriteContext(
            actor=self.actor, source=API_SOURCE, request_id=self.request_id
        )
