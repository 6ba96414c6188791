"""HTTP guards in front of GraphQL: request ids, size, time and API tokens."""

import logging
import math
import re
import time
import uuid
from datetime import UTC, datetime

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.access import Role
from app.domain.errors import CMDBError, ErrorCode
from app.domain.tokens import bearer_secret, hash_secret
from app.services.tokens import (
    AuthenticationError,
    Principal,
    authenticate,
    revoked_here,
)
from app.settings import Settings

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
GUARDED_PREFIXES = ("/graphql", "/api/")
LOCAL_PRINCIPAL = Principal("local", frozenset({Role.ADMIN}))

CACHE_SIZE = 10_000


class PrincipalCache:
    """Remember checked tokens for a few seconds, by the hash of their secret.

    A token revoked by this process is never vouched for again, at once; one
    revoked by another process (``cmdb token revoke``, another server) stops
    working here once its entry is ``seconds`` old.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, secret: str) -> Principal | None:
        """Return the cached principal of a secret, if still fresh."""
        entry = self._entries.get(hash_secret(secret))
        if entry is None or entry[0] < time.monotonic():
            return None
        principal = entry[1]
        if principal.expires_at is not None and principal.expires_at <= _now():
            return None
        if principal.token_id is not None and revoked_here(principal.token_id):
            return None
        return principal

    def put(self, secret: str, principal: Principal) -> None:
        """Remember a principal; a full cache is emptied first."""
        if self.seconds <= 0:
            return
        if len(self._entries) >= CACHE_SIZE:
            self._entries.clear()
        self._entries[hash_secret(secret)] = (
            time.monotonic() + self.seconds,
            principal,
        )


class Guards:
    """Every guard as one plain ASGI middleware, in this order.

    The request id comes first and goes back on every answer; then the size
    of the body; then the time limit, within which the API token of a request
    to a guarded path is checked. One plain middleware instead of a
    ``BaseHTTPMiddleware`` per guard saves the tasks and streams each of
    those adds to every request.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.cache = PrincipalCache(settings.token_cache_s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard one HTTP request; pass anything else straight on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        scope["cmdb.request_id"] = request_id
        send = _sending_request_id(send, request_id)

        refusal = self._oversized(request, request_id)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._within_time_limit(request, send, request_id)

    def _oversized(self, request: Request, request_id: str) -> JSONResponse | None:
        """Refuse a body whose declared length exceeds the limit."""
        length = request.headers.get("Content-Length", "")
        limit = self.settings.max_request_bytes
        if length.isdigit() and int(length) > limit:
            message = f"the request body exceeds {limit} bytes"
            return error_response(413, ErrorCode.PAYLOAD_TOO_LARGE, message, request_id)
        return None

    async def _within_time_limit(
        self, request: Request, send: Send, request_id: str
    ) -> None:
        """Answer 504 when no response has started within the time limit.

        Once the response starts the limit is lifted: the answer is on its way.
        A resolver already in a worker thread is waited for (so the threads
        busy at a time stay within the pool's bound), and what the request
        answers after the limit is dropped for the 504.
        """
        seconds = self.settings.request_timeout_s

        async def sending(message: Message) -> None:
            if limit.cancel_called:
                return
            if message["type"] == "http.response.start":
                limit.deadline = math.inf
            await send(message)

        with anyio.move_on_after(seconds) as limit:
            await self._authenticated(request, sending)
        if not limit.cancel_called:
            return
        logger.warning("Request %s timed out after %.1f s", request_id, seconds)
        message = (
            f"the request took longer than {seconds:g} s; narrow it down or retry later"
        )
        response = error_response(504, ErrorCode.TIMEOUT, message, request_id)
        await response(request.scope, request.receive, send)

    async def _authenticated(self, request: Request, send: Send) -> None:
        """Pass the request on as its caller, or refuse it."""
        scope, receive = request.scope, request.receive
        refusal = await self._authenticate(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _authenticate(self, request: Request) -> JSONResponse | None:
        """Note who the caller is in the scope; return the refusal if not allowed."""
        settings = self.settings
        if not request.url.path.startswith(GUARDED_PREFIXES):
            return None
        if not settings.auth_enabled:
            request.scope["cmdb.principal"] = LOCAL_PRINCIPAL
            return None
        if _asks_for_graphiql(request, settings):
            return None
        secret = bearer_secret(request.headers.get("Authorization"))
        request_id = request_id_of(request)
        if secret is None:
            return _unauthenticated(
                "send an API token: Authorization: Bearer <token>", request_id
            )
        principal = self.cache.get(secret)
        if principal is None:
            try:
                principal = await run_in_threadpool(
                    authenticate, request.app.state.runtime, secret
                )
            except AuthenticationError as error:
                return _unauthenticated(str(error), request_id)
            except CMDBError as error:
                if error.code is not ErrorCode.UNAVAILABLE:
                    raise
                message = str(error)
                return error_response(503, ErrorCode.UNAVAILABLE, message, request_id)
            # Only a check just made starts an entry: a hit must not extend
            # it, or a token in steady use would never be checked again.
            self.cache.put(secret, principal)
        request.scope["cmdb.principal"] = principal
        return None


def error_response(
    status: int, code: ErrorCode, message: str, request_id: str, **headers: str
) -> JSONResponse:
    """Answer a refused HTTP request in the shape of a GraphQL error."""
    body = {
        "data": None,
        "errors": [
            {
                "message": message,
                "extensions": {"code": str(code), "requestId": request_id},
            }
        ],
    }
    return JSONResponse(
        body, status_code=status, headers={REQUEST_ID_HEADER: request_id, **headers}
    )


def request_id_of(request: Request) -> str:
    """Return the request id assigned to this request."""
    return request.scope.get("cmdb.request_id") or uuid.uuid4().hex


def principal_of(request: Request) -> Principal | None:
    """Return who the request was authenticated as, if anyone."""
    return request.scope.get("cmdb.principal")


def install_guards(app: FastAPI, settings: Settings) -> None:
    """Put the guards in front of every route."""
    app.add_middleware(Guards, settings=settings)


def _sending_request_id(send: Send, request_id: str) -> Send:
    """Wrap ``send`` so that every response carries the request id."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
        await send(message)

    return sending


def _asks_for_graphiql(request: Request, settings: Settings) -> bool:
    """Tell whether a browser asks for the GraphiQL page, which needs no token."""
    return (
        settings.graphiql
        and request.method == "GET"
        and "text/html" in request.headers.get("Accept", "")
        and "query" not in request.query_params
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _unauthenticated(message: str, request_id: str) -> JSONResponse:
    return error_response(
        401,
        ErrorCode.UNAUTHENTICATED,
        message,
        request_id,
        **{"WWW-Authenticate": "Bearer"},
    )
