"""Plain HTTP downloads for tools: the whole impact report as one JSON file."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app.domain.errors import CMDBError, ErrorCode
from app.domain.references import CIRef
from app.impact import Mode
from app.services import impact as impact_service

router = APIRouter(prefix="/api")

STATUS_OF = {ErrorCode.NOT_FOUND: 404, ErrorCode.UNAVAILABLE: 503}


@router.get("/impact.json")
def impact_download(
    request: Request,
    start: Annotated[list[str], Query(description="Starting CIs as TYPE:KEY.")] = (),
    id: Annotated[list[str], Query(description="Starting CIs by id.")] = (),
    mode: Mode = Mode.FAILURE,
    max_depth: int | None = None,
    max_affected: int | None = None,
) -> JSONResponse:
    """Return the full impact report, every affected CI included, as JSON."""
    try:
        specs = [impact_service.StartSpec(id=ci_id) for ci_id in id]
        specs += [impact_service.StartSpec(ref=_parse(text)) for text in start]
        report = impact_service.analyse_impact(
            request.app.state.runtime,
            specs,
            mode=mode,
            max_depth=max_depth,
            max_affected=max_affected,
        )
    except CMDBError as error:
        return _refusal(error)
    return JSONResponse(
        report.as_document(),
        headers={"Content-Disposition": 'attachment; filename="impact.json"'},
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
