"""HTTP guards in front of GraphQL: request ids, size, time and API tokens."""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.domain.access import Role
from app.domain.errors import CMDBError, ErrorCode
from app.domain.tokens import bearer_secret, hash_secret
from app.services.tokens import AuthenticationError, Principal, authenticate
from app.settings import Settings

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
GUARDED_PREFIXES = ("/graphql", "/api/")
LOCAL_PRINCIPAL = Principal("local", frozenset({Role.ADMIN}))

CACHE_SIZE = 10_000

Next = Callable[[Request], Awaitable[Response]]


class PrincipalCache:
    """Remember checked tokens for a few seconds, by the hash of their secret."""

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
        return principal

    def put(self, secret: str, principal: Principal) -> None:
        """Remember a principal; the oldest entries go when the cache is full."""
        if self.seconds <= 0:
            return
        if len(self._entries) >= CACHE_SIZE:
            self._entries.clear()
        self._entries[hash_secret(secret)] = (
            time.monotonic() + self.seconds,
            principal,
        )


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
    """Add the guards; the last added runs first, so the request id is outermost."""
    cache = PrincipalCache(settings.token_cache_s)

    @app.middleware("http")
    async def authenticate_caller(request: Request, call_next: Next) -> Response:
        if not request.url.path.startswith(GUARDED_PREFIXES):
            return await call_next(request)
        if not settings.auth_enabled:
            request.scope["cmdb.principal"] = LOCAL_PRINCIPAL
            return await call_next(request)
        if _asks_for_graphiql(request, settings):
            return await call_next(request)
        secret = bearer_secret(request.headers.get("Authorization"))
        request_id = request_id_of(request)
        if secret is None:
            return _unauthenticated(
                "send an API token: Authorization: Bearer <token>", request_id
            )
        try:
            principal = cache.get(secret) or await run_in_threadpool(
                authenticate, request.app.state.runtime, secret
            )
        except AuthenticationError as error:
            return _unauthenticated(str(error), request_id)
        except CMDBError as error:
            if error.code is not ErrorCode.UNAVAILABLE:
                raise
            return error_response(503, ErrorCode.UNAVAILABLE, str(error), request_id)
        cache.put(secret, principal)
        request.scope["cmdb.principal"] = principal
        return await call_next(request)

    @app.middleware("http")
    async def bound_request(request: Request, call_next: Next) -> Response:
        request_id = request_id_of(request)
        length = request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > settings.max_request_bytes:
            message = f"the request body exceeds {settings.max_request_bytes} bytes"
            return error_response(413, ErrorCode.PAYLOAD_TOO_LARGE, message, request_id)
        try:
            return await asyncio.wait_for(
                call_next(request), timeout=settings.request_timeout_s
            )
        except TimeoutError:
            logger.warning(
                "Request %s timed out after %.1f s",
                request_id,
                settings.request_timeout_s,
            )
            message = (
                f"the request took longer than {settings.request_timeout_s:g} s; "
                "narrow it down or retry later"
            )
            return error_response(504, ErrorCode.TIMEOUT, message, request_id)

    @app.middleware("http")
    async def assign_request_id(request: Request, call_next: Next) -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.scope["cmdb.request_id"] = request_id
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response


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
