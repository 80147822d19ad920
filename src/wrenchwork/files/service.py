"""Uploads, links and deletions of attachments.

An upload steps around the request's one transaction (core/routing.py): it commits what authentication wrote before
it reads the body, then reads, checks and writes the bytes, and only then opens the transaction that records
them. Reading a large body and encoding a photo take a while and yield to the event loop (the byte work runs in a
worker thread, so other requests go on meanwhile); a transaction left open across that would hold SQLite's write
lock, or a snapshot that a later write could no longer build on, for all that time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound, PayloadTooLarge, Unprocessable
from wrenchwork.files import lifecycle
from wrenchwork.files.images import encode
from wrenchwork.files.owners import OWNERS, Owner
from wrenchwork.files.repository import AttachmentRepository, template_item_in_entity
from wrenchwork.files.sniff import sniff
from wrenchwork.files.storage import Storage, new_key
from wrenchwork.files.upload import Upload, clean_name, read_upload, require_multipart
from wrenchwork.files.urls import VARIANTS, shape
from wrenchwork.models import Attachment, ProcedureTemplate

# An upload not linked to a record within this time is removed (`POST /attachments`).
UNLINKED_LIFETIME = timedelta(days=1)
TOKEN_BYTES = 32


@dataclass(frozen=True)
class Stored:
    """An upload's bytes, written and durable, not yet in the database."""

    key: str
    kind: str
    content_type: str
    extension: str
    size: int
    stored_bytes: int


def store(storage: Storage, upload: Upload, max_bytes: int, images_only: bool = False) -> Stored:
    """Checks and writes an upload (blocking: run it in a thread). Nothing is left behind when it is refused."""
    size = upload.file.seek(0, 2)
    if size > max_bytes:
        raise PayloadTooLarge(f"File is too large (at most {max_bytes} bytes)")
    found = sniff(upload.file, upload.declared_type, upload.filename)
    if images_only and found.kind != "image":
        raise Unprocessable.field("file", "must be an image (JPEG, PNG, WebP or GIF)")
    key = new_key()
    try:
        if found.kind == "image":
            encoded = encode(upload.file, found.content_type)
            size = storage.put(key, f"original.{encoded.extension}", encoded.original)
            total = size + sum(
                storage.put(key, f"{name}.{encoded.extension}", data) for name, data in encoded.variants.items()
            )
            return Stored(key, "image", encoded.content_type, encoded.extension, size, total)
        upload.file.seek(0)
        size = storage.put(key, f"original.{found.extension}", upload.file)
        return Stored(key, "document", found.content_type, found.extension, size, size)
    except BaseException:
        storage.delete(key)
        raise


async def upload(
    request: Request,
    session: Session,
    scope: Scope,
    owner_type: str | None,
    owner_id: int | None,
    form_fields: tuple[str, ...] = (),
) -> dict[str, Any]:
    """`POST /{resource}/{id}/attachments` (with an owner) and `POST /attachments` (without: linked later); the
    web app's forms send `form_fields` besides the file (read_upload)."""
    owner = OWNERS[owner_type] if owner_type else None
    if owner is not None and owner_id is not None:
        _check_owner(session, scope, owner, owner_id)  # a missing record is 404 before its body is read
    require_multipart(request)  # before the commit: a batch op (JSON, possibly in an atomic batch) stops here
    session.commit()  # see the module's docstring
    data = await read_upload(request, form_fields)
    images_only = owner is not None and owner.single_image
    storage, max_bytes = request.app.state.storage, request.app.state.settings.max_upload_bytes
    try:
        stored = await run_in_threadpool(store, storage, data, max_bytes, images_only)
    finally:
        data.file.close()  # the temporary file of the upload
    lifecycle.written(session, stored.key)
    if owner is not None and owner_id is not None:
        _check_owner(session, scope, owner, owner_id)  # again: it may have gone meanwhile
    repo = AttachmentRepository(session, scope)
    if owner is not None and owner.single_image and owner_id is not None:
        _delete(repo, repo.of_owners(owner.owner_type, [owner_id]))
    return shape(record(session, scope, owner_type, owner_id, stored, data.name or data_name(data, stored.extension)))


def record(
    session: Session, scope: Scope, owner_type: str | None, owner_id: int | None, stored: Stored, name: str
) -> Attachment:
    """The attachment row of stored bytes (`store`), linked to its owner (or expiring when it has none)."""
    return AttachmentRepository(session, scope).add(
        Attachment(
            owner_type=owner_type,
            owner_id=owner_id,
            kind=stored.kind,
            content_type=stored.content_type,
            extension=stored.extension,
            name=name,
            size=stored.size,
            stored_bytes=stored.stored_bytes,
            storage_key=stored.key,
            token=_token(),
            **({f"{v}_token": _token() for v in VARIANTS} if stored.kind == "image" else {}),
            expires_at=None if owner_type else clock.now() + UNLINKED_LIFETIME,
        )
    )


def delete(session: Session, scope: Scope, owner_type: str, owner_id: int, attachment_id: int) -> None:
    owner = OWNERS[owner_type]
    _check_owner(session, scope, owner, owner_id)
    repo = AttachmentRepository(session, scope)
    row = repo.of_owner(owner_type, owner_id, attachment_id)
    if row is None:
        raise NotFound.of("Attachment")
    _delete(repo, [row])


def check_template_item(session: Session, scope: Scope, template_id: int, item_id: int) -> None:
    """The path's item must be one of the path's template (of the caller's entity)."""
    repo = AttachmentRepository(session, scope)
    if not repo.ids_in_scope(ProcedureTemplate, [template_id]):
        raise NotFound.of("Procedure template")
    if not template_item_in_entity(repo, item_id, template_id):
        raise NotFound.of("Procedure item")


def usage(session: Session, scope: Scope) -> dict[str, int]:
    return AttachmentRepository(session, scope).usage()


def link(session: Session, scope: Scope, ids: list[int] | None, owner_type: str, owner_id: int, path: str) -> None:
    """Gives uploads made with `POST /attachments` to a record: `ids` must be such uploads of this entity."""
    if not ids:
        return
    repo = AttachmentRepository(session, scope)
    rows = repo.unlinked(ids, clock.now())
    unknown = sorted(set(ids) - {row.id for row in rows})
    if unknown:
        raise Unprocessable.field(path, f"unknown or already used attachment ids: {unknown}")
    for row in rows:
        row.owner_type, row.owner_id, row.expires_at = owner_type, owner_id, None
    repo.session.flush()


def link_answer(
    session: Session, scope: Scope, answer_id: int, new_id: int | None, old_id: int | None, path: str
) -> None:
    """A signature or photo answer: `new_id` must be an image uploaded with `POST /attachments` (or the one the
    answer already holds). The image an answer no longer holds is deleted."""
    repo = AttachmentRepository(session, scope)
    if new_id is not None and new_id != old_id:
        rows = repo.unlinked([new_id], clock.now())
        if not rows or rows[0].kind != "image":
            raise Unprocessable.field(path, "must be the id of an image uploaded with POST /attachments")
        rows[0].owner_type, rows[0].owner_id, rows[0].expires_at = "procedure_answers", answer_id, None
        repo.session.flush()
    if old_id is not None and old_id != new_id:
        _delete(repo, repo.linked_to("procedure_answers", answer_id, [old_id]))


def data_name(data: Upload, extension: str) -> str:
    named = clean_name(data.filename) if data.filename else None
    return named or f"upload.{extension}"


def _check_owner(session: Session, scope: Scope, owner: Owner, owner_id: int) -> None:
    if not owner.found(session, scope, owner_id):
        raise NotFound.of(owner.label)


def _delete(repo: AttachmentRepository, rows: list[Attachment]) -> None:
    for row in rows:
        repo.session.delete(row)
    repo.session.flush()
    lifecycle.doomed(repo.session, [row.storage_key for row in rows])


def _token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
