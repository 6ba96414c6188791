"""Plain HTTP downloads for tools: the whole impact report as one JSON file."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app.api.security import principal_of
from app.domain.access import Permission, permits
from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.impact import Mode
from app.services import impact as impact_service

router = APIRouter(prefix="/api")

STATUS_OF = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAVAILABLE: 503,
}


@router.get("/impact.json")
def impact_download(
    request: Request,
    start: Annotated[list[str], Query(description="Starting CIs as TYPE:KEY.")] = (),
    id: Annotated[list[str], Query(description="Starting CIs by id.")] = (),
    mode: Mode = Mode.FAILURE,
    context: Annotated[
        bool, Query(description="Count what incidents and changes already take down.")
    ] = True,
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> JSONResponse:
    """Return the full impact report, every affected CI included, as JSON."""
    try:
        _require(request, Permission.READ)
        specs = [impact_service.StartSpec(id=ci_id) for ci_id in id]
        specs += [impact_service.StartSpec(ref=_parse(text)) for text in start]
        runtime = request.app.state.runtime
        depth, affected = impact_service.capped_limits(
            runtime.settings, max_depth, max_affected
        )
        report = impact_service.analyse_impact(
            runtime,
            specs,
            mode=mode,
            use_context=context,
            max_depth=depth,
            max_affected=affected,
        )
    except CMDBError as error:
        return _refusal(error)
    return JSONResponse(
        report.as_document(),
        headers={"Content-Disposition": 'attachment; filename="impact.json"'},
    )


def _require(request: Request, permission: Permission) -> None:
    principal = principal_of(request)
    if principal is None or not permits(principal.roles, permission):
        name = principal.name if principal else "anonymous"
        raise CMDBError.single(
            "", ErrorCode.FORBIDDEN, f"{name} may not {permission.value}"
        )


def _parse(text: str) -> CIRef:
    try:
        return CIRef.parse(text)
    except ValueError as error:
        raise CMDBError.single("start", ErrorCode.INVALID_VALUE, str(error)) from None


def _refusal(error: CMDBError) -> JSONResponse:
    body = {
        "error": {
            "code": str(error.code),
            "message": str(error),
            "problems": [
                {"field": p.field, "code": str(p.code), "message": p.message}
                for p in error.problems
            ],
        }
    }
    return JSONResponse(body, status_code=STATUS_OF.get(error.code, 400))
