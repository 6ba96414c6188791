"""The FastAPI application: GraphQL, GraphiQL and the health probes, guarded."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from app.api.graphql.context import RequestContext
from app.api.graphql.hardening import build_schema
from app.api.rest import router as rest_router
from app.api.security import install_guards, principal_of, request_id_of
from app.services.impact_index import ImpactIndex
from app.services.runtime import Runtime
from app.services.schema import schema_is_current
from app.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None
) -> FastAPI:
    """Build the application; it opens its runtime at start-up unless given one."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.open(settings)
        if owned and settings.impact_index:
            app.state.runtime.impact_index = ImpactIndex(app.state.runtime)
            app.state.runtime.impact_index.start()
        logger.info("Serving the CMDB API against %s", settings.bolt_uri)
        if not settings.auth_enabled:
            logger.warning("Authentication is OFF: every caller acts as admin")
        yield
        if owned:
            app.state.runtime.close()

    # The OpenAPI description follows GraphQL introspection: off in production.
    described = settings.graphql_introspection
    app = FastAPI(
        title="CMDB graph service",
        lifespan=lifespan,
        openapi_url="/openapi.json" if described else None,
        docs_url="/docs" if described else None,
        redoc_url=None,
    )

    async def context_getter(request: Request) -> RequestContext:
        principal = principal_of(request)
        return RequestContext(
            runtime=request.app.state.runtime,
            actor=principal.name if principal else "anonymous",
            request_id=request_id_of(request),
            roles=principal.roles if principal else frozenset(),
        )

    graphql = GraphQLRouter(
        build_schema(settings),
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.graphiql else None,
    )
    install_guards(app, settings)
    app.include_router(graphql, prefix="/graphql")
    app.include_router(rest_router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        """Neo4j answers and the graph follows the loaded catalogue."""
        runtime: Runtime = request.app.state.runtime
        database = runtime.db.ping()
        catalogue = database and schema_is_current(runtime)
        ready = database and catalogue
        body = {
            "status": "ready" if ready else "not ready",
            "neo4j": "reachable" if database else "unreachable",
            "catalogue": "applied" if catalogue else "not applied",
            "impact_index": _index_state(runtime),
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    return app


def _index_state(runtime: Runtime) -> str:
    """Tell whether impact answers come from memory ("ready"), or from Neo4j."""
    if runtime.impact_index is None:
        return "off"
    return "ready" if runtime.impact_index.ready else "reading"
