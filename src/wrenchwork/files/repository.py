"""All SQL of attachments."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, Engine, Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from wrenchwork.core.repository import Repository
from wrenchwork.models import Attachment, ProcedureItem, ProcedureTemplate


class AttachmentRepository(Repository[Attachment]):
    model = Attachment

    def of_owners(self, owner_type: str, owner_ids: Sequence[int]) -> list[Attachment]:
        """The attachments of these records of the caller's entity, oldest first (users' avatars: any entity)."""
        if not owner_ids:
            return []
        stmt = select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id.in_(owner_ids))
        if owner_type != "users":
            stmt = self.scoped(stmt)
        return list(self.session.scalars(stmt.order_by(Attachment.id)))

    def of_owner(self, owner_type: str, owner_id: int, attachment_id: int) -> Attachment | None:
        """One attachment of a record of the caller's entity (a user's avatar: whichever entity it was sent in,
        users being the customer's)."""
        stmt = select(Attachment).where(
            Attachment.id == attachment_id, Attachment.owner_type == owner_type, Attachment.owner_id == owner_id
        )
        if owner_type != "users":
            stmt = self.scoped(stmt)
        found: Attachment | None = self.session.scalars(stmt).first()
        return found

    def unlinked(self, ids: Iterable[int], now: datetime) -> list[Attachment]:
        """Which of `ids` are uploads of the caller's entity waiting to be linked (not yet expired)."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        stmt = self.scoped().where(
            Attachment.id.in_(wanted), Attachment.owner_type.is_(None), Attachment.expires_at > now
        )
        return list(self.session.scalars(stmt.order_by(Attachment.id)))

    def linked_to(self, owner_type: str, owner_id: int, ids: Iterable[int]) -> list[Attachment]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        stmt = self.scoped().where(
            Attachment.id.in_(wanted), Attachment.owner_type == owner_type, Attachment.owner_id == owner_id
        )
        return list(self.session.scalars(stmt))

    def usage(self) -> dict[str, int]:
        stmt = self.scoped(
            select(Attachment.kind, func.count(), func.coalesce(func.sum(Attachment.stored_bytes), 0))
        ).group_by(Attachment.kind)
        counts = {kind: (int(count), int(size)) for kind, count, size in self.session.execute(stmt)}
        images, documents = counts.get("image", (0, 0)), counts.get("document", (0, 0))
        return {
            "images": images[0],
            "documents": documents[0],
            "files": images[0] + documents[0],
            "bytes": images[1] + documents[1],
        }


# ---- outside a caller's scope: serving by token, deleting with the records, the storage check -----------------


_SERVED_COLUMNS = (
    Attachment.id,
    Attachment.kind,
    Attachment.content_type,
    Attachment.extension,
    Attachment.name,
    Attachment.storage_key,
    Attachment.token,
    Attachment.small_token,
    Attachment.medium_token,
    Attachment.large_token,
    Attachment.expires_at.is_(None).label("linked"),
)
_SERVED = select(*_SERVED_COLUMNS).where(Attachment.id == bindparam("attachment_id"))


@dataclass(frozen=True, slots=True)
class Served:
    id: int
    kind: str
    content_type: str
    extension: str
    name: str
    storage_key: str
    token: str
    small_token: str | None
    medium_token: str | None
    large_token: str | None
    linked: bool


def served(engine: Engine, attachment_id: int) -> Served | None:
    """The columns serving needs; the URL's token is checked against them (files/serving.py).

    Read on a pooled driver connection outside any transaction, not through a session: thumbnails are fetched
    many at a time (a list page's images), and a single-row read by primary key needs neither a transaction nor
    the session's machinery. Written when every SQLite transaction took the write lock, which a session per file
    queued behind (0.34 of a plain FileResponse, 0.63 this way); GETs now read in lock-free read sessions
    (core/db.py), and whether a read session would keep the 0.5 target is not measured yet. On PostgreSQL the
    driver's implicit transaction is rolled back at once."""
    compiled = _compiled_served(engine.dialect)
    params = compiled.construct_params({"attachment_id": attachment_id})
    arguments: Any = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(str(compiled), arguments)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if engine.dialect.name != "sqlite":
            raw.rollback()
    finally:
        raw.close()
    if row is None:
        return None
    values = list(row)
    values[-1] = bool(values[-1])  # SQLite answers 0 or 1
    return Served(*values)


@functools.cache
def _compiled_served(dialect: Dialect) -> Any:
    return _SERVED.compile(dialect=dialect)


def unlinked_expired(session: Session, attachment_id: int, now: datetime) -> bool:
    """Whether an upload never linked is past its day (then it is no longer served)."""
    expires = session.scalar(select(Attachment.expires_at).where(Attachment.id == attachment_id))
    return expires is not None and expires <= now


def delete_of_owners(session: Session, owner_type: str, owner_ids: Sequence[int] | Select[Any]) -> list[str]:
    """Deletes the attachment rows of these records; returns their storage keys (the bytes go after commit)."""
    ids = owner_ids if isinstance(owner_ids, Select) else list(owner_ids)
    where = (Attachment.owner_type == owner_type, Attachment.owner_id.in_(ids))
    keys = list(session.scalars(select(Attachment.storage_key).where(*where)))
    if keys:
        session.execute(delete(Attachment).where(*where), execution_options={"synchronize_session": False})
    return keys


def delete_rows(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(Attachment).where(Attachment.id.in_(list(ids))))


def all_keys(session: Session) -> dict[str, int]:
    return {key: id_ for id_, key in session.execute(select(Attachment.id, Attachment.storage_key))}


def expired(session: Session, now: datetime) -> list[tuple[int, str]]:
    stmt = select(Attachment.id, Attachment.storage_key).where(
        Attachment.owner_type.is_(None), Attachment.expires_at <= now
    )
    return [(id_, key) for id_, key in session.execute(stmt)]


def delete_expired(session: Session, now: datetime, limit: int) -> list[str]:
    """Deletes up to `limit` unlinked uploads past their day; returns their storage keys (the bytes go after commit).
    The condition is checked again by the DELETE itself, so an upload linked meanwhile is never taken."""
    unlinked = (Attachment.owner_type.is_(None), Attachment.expires_at <= now)
    some = select(Attachment.id).where(*unlinked).order_by(Attachment.id).limit(limit)
    stmt = delete(Attachment).where(Attachment.id.in_(some), *unlinked).returning(Attachment.storage_key)
    return list(session.scalars(stmt, execution_options={"synchronize_session": False}))


def ownerless(session: Session, owner_type: str, model: type[Any]) -> list[tuple[int, str]]:
    """Attachments whose record is gone (deleted with its parent by the database, e.g. an entity's)."""
    stmt = select(Attachment.id, Attachment.storage_key).where(
        Attachment.owner_type == owner_type, Attachment.owner_id.not_in(select(model.id))
    )
    return [(id_, key) for id_, key in session.execute(stmt)]


def avatars(session: Session, user_ids: Sequence[int]) -> list[Attachment]:
    """Each user's avatar (the newest image; an upload replaces the one before). Users belong to the customer,
    so an avatar shows in every entity."""
    if not user_ids:
        return []
    stmt = (
        select(Attachment)
        .where(Attachment.owner_type == "users", Attachment.owner_id.in_(list(user_ids)), Attachment.kind == "image")
        .order_by(Attachment.id)
    )
    return list(session.scalars(stmt))


def template_item_in_entity(repo: Repository[Any], item_id: int, template_id: int | None = None) -> bool:
    """Whether `item_id` is an item of a procedure template of the caller's entity (of `template_id`, if given)."""
    stmt = repo.in_entity_of(
        ProcedureTemplate,
        select(ProcedureItem.id)
        .join(ProcedureTemplate, ProcedureTemplate.id == ProcedureItem.procedure_template_id)
        .where(ProcedureItem.id == item_id),
    )
    if template_id is not None:
        stmt = stmt.where(ProcedureTemplate.id == template_id)
    return repo.session.scalar(stmt) is not None
