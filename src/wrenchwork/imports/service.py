"""Posting an import (the job runs in the background: imports/runner.py) and following it."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound, PayloadTooLarge, Unprocessable
from wrenchwork.files.upload import clean_name, require_multipart
from wrenchwork.imports.repository import ImportRepository
from wrenchwork.imports.schemas import ImportMode, ImportResource, job_shown
from wrenchwork.models import ImportJob

PARTS = ("file", "resource", "mode")
_RESOURCE: TypeAdapter[str] = TypeAdapter(ImportResource)
_MODE: TypeAdapter[str] = TypeAdapter(ImportMode)


async def create_import(request: Request, session: Session, scope: Scope) -> dict[str, Any]:
    """Reads the multipart body with no transaction open (as files/service.py `upload` does, for the same
    reason: a large body takes a while), then records the job."""
    require_multipart(request)
    session.commit()
    form = await request.form(max_files=1, max_fields=len(PARTS), max_part_size=64 * 1024)
    unknown = sorted(key for key in form if key not in PARTS)
    if unknown:
        raise Unprocessable.field(unknown[0], "is not a known part (send `file`, `resource` and optionally `mode`)")
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise Unprocessable.field("file", "is required" if file is None else "must be a file part")
    resource = _choice(_RESOURCE, "resource", form.get("resource"))
    mode = _choice(_MODE, "mode", form.get("mode") or "all_or_nothing")
    limit = request.app.state.settings.max_upload_bytes
    content = await run_in_threadpool(file.file.read, limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge()
    if not content:
        raise Unprocessable.field("file", "is empty")
    repo = ImportRepository(session, scope)
    job = repo.add(
        ImportJob(
            resource=resource, mode=mode, status="queued", filename=clean_name(file.filename or ""), content=content,
            errors=[], unmatched_columns=[],
        )
    )  # fmt: skip
    return job_shown(job)


def get_import(session: Session, scope: Scope, job_id: int) -> dict[str, Any]:
    job = ImportRepository(session, scope).job(job_id)
    if job is None:
        raise NotFound.of("Import")
    return job_shown(job)


def _choice(adapter: TypeAdapter[str], name: str, value: Any) -> str:
    if value is None:
        raise Unprocessable.field(name, "is required")
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise Unprocessable.field(name, str(exc.errors()[0]["msg"][0].lower() + exc.errors()[0]["msg"][1:])) from exc
