from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from wrenchwork.core.auth import Scope
from wrenchwork.core.envelope import error_responses
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router
from wrenchwork.exports.columns import EXPORTS, Export
from wrenchwork.exports.stream import csv_chunks, xlsx_chunks

router = api_router(tags=["exports", "extension"])

FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_chunks),
}


def _route(resource: str, export: Export, extension: str) -> None:
    media_type, chunks = FORMATS[extension]
    Params = Annotated[ListQuery, Depends(list_params(export.spec))]

    Caller = Annotated[Scope, Depends(export.caller)]

    async def download(request: Request, scope: Caller, query: Params) -> Response:
        body = chunks(request.app.state.read_sessionmaker, scope, export, query)
        headers = {"Content-Disposition": f'attachment; filename="{resource}.{extension}"'}
        return StreamingResponse(body, media_type=media_type, headers=headers)

    router.get(
        f"/{resource}.{extension}",
        summary=f"Export {resource} as {extension.upper()}",
        description=f"Every row of `GET /{resource}` with the same search, filters and sort, in the columns an "
        "import reads back (docs/import.md). `page` and `per_page` are ignored.",
        responses=error_responses(400, 401, 403, 422, 429),
        response_class=Response,
        openapi_extra=_openapi(export, media_type),
    )(download)


def _openapi(export: Export, media_type: str) -> dict[str, Any]:
    extra = list_openapi(export.spec)
    extra["responses"] = {"200": {"description": "The file", "content": {media_type: {}}}}
    return extra


for _resource, _export in EXPORTS.items():
    for _extension in FORMATS:
        _route(_resource, _export, _extension)
