"""Attachments as records show them: a detail's `images[]`/`documents[]`, a list item's `image{small, medium}`, a
person's `avatar`. One query for any number of records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Principal, Scope
from wrenchwork.files.repository import AttachmentRepository, avatars
from wrenchwork.files.urls import shape, thumbnail, url


def fill(session: Session, scope: Scope | Principal, owner_type: str, items: Sequence[dict[str, Any]]) -> None:
    """Sets the `images`, `documents` and `image` keys that `items` (records with an `id`) carry."""
    if not items:
        return
    rows = AttachmentRepository(session, scope).of_owners(owner_type, [item["id"] for item in items])
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.owner_id or 0, []).append(row)
    for item in items:
        files = grouped.get(item["id"], [])
        if "images" in item:
            item["images"] = [shape(row) for row in files if row.kind == "image"]
        if "documents" in item:
            item["documents"] = [shape(row) for row in files if row.kind == "document"]
        if "image" in item:
            item["image"] = thumbnail(next((row for row in files if row.kind == "image"), None))


def files_of(session: Session, scope: Scope | Principal, owner_type: str, owner_id: int) -> dict[str, Any]:
    """`{images, documents}` of one record."""
    item: dict[str, Any] = {"id": owner_id, "images": [], "documents": []}
    fill(session, scope, owner_type, [item])
    return {"images": item["images"], "documents": item["documents"]}


def shapes_by_id(
    session: Session, scope: Scope | Principal, owner_type: str, owner_ids: Sequence[int]
) -> dict[int, Any]:
    """`{attachment id: its documented shape}` of these records' files (signature and photo answers show theirs)."""
    return {row.id: shape(row) for row in AttachmentRepository(session, scope).of_owners(owner_type, owner_ids)}


def avatar_urls(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """`{user_id: small avatar URL}` of those users that have one."""
    wanted = sorted({i for i in user_ids if i is not None})
    return {row.owner_id or 0: url(row, "small") for row in avatars(session, wanted)}


def fill_avatars(session: Session, people: Iterable[dict[str, Any] | None]) -> None:
    """Sets `avatar` of person references (`{id, ..., avatar}`)."""
    listed = [p for p in people if p is not None and "avatar" in p]
    found = avatar_urls(session, (p["id"] for p in listed))
    for person in listed:
        person["avatar"] = found.get(person["id"])
