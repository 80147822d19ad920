"""What a visitor without an account does on a portal: see its form, file a request, follow it by a private link.

The visitor acts in the portal's entity with a scope of its own (core/auth.py `visitor_scope`): the request is
created by the requests service (its validation and messages), with no creator, and linked to the portal. Only
what the portal itself lists (its title, instructions, offered locations and assets) and the visitor's own
request are ever shown; nothing else of the entity.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope, hash_token, visitor_scope
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.files import lifecycle
from wrenchwork.files.service import Stored, record
from wrenchwork.models import Asset, PortalSubmission, RequestPortal, WorkOrder, WorkOrderRequest
from wrenchwork.request_portals.repository import PortalRepository, by_uuid, submission_contact
from wrenchwork.request_portals.schemas import PortalFields
from wrenchwork.request_portals.service import fields_of
from wrenchwork.users.schemas import Email
from wrenchwork.work_order_requests.schemas import Description, RequestCreate, Title
from wrenchwork.work_order_requests.service import create_request, visible_request

TOKEN_BYTES = 24
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
# The request's status in the visitor's words.
STATUS_WORDS = {
    "pending": "Received, waiting for review",
    "on_hold": "On hold",
    "approved": "Accepted: the work is planned",
    "declined": "Declined",
}


class SubmissionIn(BaseModel):
    """The form's values; empty optional fields arrive as None."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    location_id: int | None = None
    asset_id: int | None = None
    name: Short | None = None
    email: Email | None = None
    phone: Phone | None = None


@dataclass(frozen=True)
class Portal:
    row: RequestPortal
    scope: Scope
    fields: PortalFields


def open_portal(session: Session, uuid: str) -> Portal:
    """The portal at `/portal/{uuid}` (404 for an unknown one; a disabled one is found: its page says closed)."""
    found = by_uuid(session, uuid)
    if found is None:
        raise NotFound.of("Request portal")
    portal, customer, entity = found
    return Portal(portal, visitor_scope(customer, entity), fields_of(portal))


def offered(session: Session, portal: Portal) -> dict[str, list[dict[str, Any]]]:
    """The portal's own lists: the only records of the entity its page shows."""
    refs = PortalRepository(session, portal.scope).offered([portal.row.id])
    return {"locations": refs["locations"][portal.row.id], "assets": refs["assets"][portal.row.id]}


def asset_by_code(session: Session, portal: Portal, value: str) -> int | None:
    """The offered asset whose QR code is `value` (`?asset=` from a sticker), else None."""
    repo = PortalRepository(session, portal.scope)
    ids = {a["id"] for a in offered(session, portal)["assets"]}
    if not value or not ids:
        return None
    found = session.scalar(repo.in_entity_of(Asset, select(Asset.id).where(Asset.qr_code == value)))
    return found if found in ids else None


def check(session: Session, portal: Portal, data: SubmissionIn, photo_count: int) -> None:
    """The portal's own rules (asked, required, offered), before any photo is read; 422 naming the field."""
    fields = portal.fields
    lists = offered(session, portal)
    for name in ("description", "location", "asset", "name", "email", "phone"):
        key = f"{name}_id" if name in ("location", "asset") else name
        mode = getattr(fields, name)
        value = getattr(data, key)
        if mode == "hidden" and value not in (None, ""):
            raise Unprocessable.field(key, "is not asked on this portal")
        if mode == "required" and value in (None, ""):
            raise Unprocessable.field(key, "is required")
        if name in ("location", "asset") and value is not None and value not in {r["id"] for r in lists[name + "s"]}:
            raise Unprocessable.field(key, f"is not a {name} offered on this portal")
    if photo_count and fields.photos == "hidden":
        raise Unprocessable.field("photos", "are not asked on this portal")
    if not photo_count and fields.photos == "required":
        raise Unprocessable.field("photos", "are required")


def submit(session: Session, portal: Portal, data: SubmissionIn, photos: list[tuple[Stored, str]]) -> str:
    """Files the request (after `check`); returns the token of its private status link (only its hash is kept)."""
    request = RequestCreate(
        title=data.title,
        description=data.description or None,
        location_id=data.location_id or portal.row.default_location_id,
        asset_id=data.asset_id or portal.row.default_asset_id,
    )
    created = create_request(session, portal.scope, request, request_portal_id=portal.row.id)
    for stored, name in photos:
        lifecycle.written(session, stored.key)
        record(session, portal.scope, "work_order_requests", created["id"], stored, name)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        PortalSubmission(
            request_id=created["id"],
            name=data.name or None,
            email=data.email or None,
            phone=data.phone or None,
            token_hash=hash_token(token),
        )
    )
    session.flush()
    return token


def status_of(session: Session, token: str) -> dict[str, Any]:
    """What the status link shows: the request as filed, its status in words and its work's progress. 404 for an
    unknown token (the same as for a request deleted since)."""
    row = session.execute(
        select(
            WorkOrderRequest.title,
            WorkOrderRequest.description,
            WorkOrderRequest.status,
            WorkOrderRequest.created_at,
            WorkOrderRequest.updated_at,
            WorkOrder.completed_at,
            RequestPortal.title.label("portal_title"),
            RequestPortal.uuid.label("portal_uuid"),
        )
        .join(PortalSubmission, PortalSubmission.request_id == WorkOrderRequest.id)
        .outerjoin(WorkOrder, WorkOrder.id == WorkOrderRequest.work_order_id)
        .outerjoin(RequestPortal, RequestPortal.id == WorkOrderRequest.request_portal_id)
        .where(PortalSubmission.token_hash == hash_token(token))
    ).first()
    if row is None:
        raise NotFound.of("Request")
    updates = [("Received", row.created_at)]
    if row.status != "pending":
        updates.append((STATUS_WORDS[row.status], row.updated_at))
    if row.completed_at is not None:
        updates.append(("Done: the work is completed", row.completed_at))
    return {
        "title": row.title,
        "description": row.description,
        "status": row.status,
        "status_words": "Done: the work is completed" if row.completed_at else STATUS_WORDS[row.status],
        "updates": updates,
        "portal_title": row.portal_title,
        "portal_uuid": row.portal_uuid,
    }


def submitter(session: Session, scope: Scope, request_id: int) -> dict[str, Any] | None:
    """Who filed the request on a portal, as they gave it: `{request_id, name, email, phone, created_at}` (the
    fields the portal did not ask are null), or None for a request not filed on a portal. Whoever may read the
    request may read this (404 otherwise, as for the request)."""
    visible_request(session, scope, request_id)
    row = submission_contact(session, request_id)
    if row is None:
        return None
    return {"request_id": request_id, "name": row.name, "email": row.email, "phone": row.phone,
            "created_at": row.created_at}  # fmt: skip
