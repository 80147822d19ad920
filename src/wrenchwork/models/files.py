"""Attachments: the images and documents of records, stored by files/storage.py and served by their URL tokens."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin


class Attachment(IdMixin, EntityScopedMixin, Base):
    """One uploaded file of one entity. `owner_type`/`owner_id` name the record it belongs to (a table name and
    a row id, files/owners.py); both are null for an upload waiting to be linked (`expires_at` set), which goes
    away after a day if nothing links it. Each URL carries its own random token (`token` for the file itself,
    the `*_token` columns for an image's variants): the token is the credential that serves it."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_type", "owner_id", "id"),)
    # No list reads a total of them, so no row counter.
    __counted_by__: ClassVar[str | None] = None

    owner_type: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # image | document
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(255))
    # Bytes of the file as served at `url`; `stored_bytes` adds the image variants (the entity's storage use).
    size: Mapped[int] = mapped_column(BigInteger)
    stored_bytes: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    token: Mapped[str] = mapped_column(String(64))
    small_token: Mapped[str | None] = mapped_column(String(64))
    medium_token: Mapped[str | None] = mapped_column(String(64))
    large_token: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column()
