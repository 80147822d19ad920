"""Import job shapes (extension: docs/api.md, Imports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from wrenchwork.core.schemas import RecordId

ImportResource = Literal["locations", "assets", "parts", "vendors", "users", "pm_schedules"]
ImportMode = Literal["all_or_nothing", "partial", "validate"]
ImportStatus = Literal["queued", "running", "completed", "failed"]


class ImportError_(BaseModel):
    row: int | None = Field(description="The spreadsheet row (the header is row 1); null for the file itself")
    column: str | None = Field(description="The file's header of the column at fault, when one is")
    field: str | None = Field(description="The field the column was matched to")
    message: str = Field(description="The API's own message for the field")


class ImportJobShown(BaseModel):
    id: RecordId
    resource: ImportResource = Field(description="What the file's rows are")
    mode: ImportMode = Field(
        description="all_or_nothing: a row error keeps nothing; partial: keeps the good rows; validate: writes nothing"
    )
    status: ImportStatus = Field(description="queued, running, then completed, or failed when nothing was kept")
    filename: str | None
    rows: int
    created: int
    updated: int
    skipped: int
    errors: list[ImportError_]
    unmatched_columns: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_shown(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "resource": job.resource,
        "mode": job.mode,
        "status": job.status,
        "filename": job.filename,
        "rows": job.rows,
        "created": job.created,
        "updated": job.updated,
        "skipped": job.skipped,
        "errors": job.errors,
        "unmatched_columns": job.unmatched_columns,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
