"""Spreadsheet imports: the uploaded file and what running it found (imports/, docs/import.md).

The file is kept in the row itself so any server process can run the import, and run it again from the start
should the process running it die (an import is one transaction: it either committed with its result or left
nothing behind).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin

IMPORT_RESOURCES = ("locations", "assets", "parts", "vendors", "users")
IMPORT_MODES = ("all_or_nothing", "partial", "validate")
# queued -> running -> completed | failed (a file with errors in all-or-nothing mode, or one that cannot be read)
IMPORT_STATUSES = ("queued", "running", "completed", "failed")


class ImportJob(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_status", "status", "id"),)
    __counted_by__: ClassVar[str | None] = None

    resource: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    filename: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unmatched_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
