"""Request portals: public pages where anyone may file a request without an account (docs/api.md, "Request
portals"), and what a submission keeps beside its request (the submitter's contact, the status link's token)."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin, TimestampMixin
from wrenchwork.models.catalog import link_table

# The request fields a portal may ask, and how: not at all, optionally, or as required.
PORTAL_FIELDS = ("description", "location", "asset", "photos", "name", "email", "phone")
FIELD_MODES = ("hidden", "optional", "required")


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class RequestPortal(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "request_portals"

    # The public address `/portal/{uuid}`: random, never changes.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    title: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(Text)
    # {field: mode} for every name of PORTAL_FIELDS.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    default_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    default_asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))


# The locations and assets a portal offers (its scope); nothing else of the entity is shown on its page.
request_portal_locations = link_table(
    "request_portal_locations", ("request_portals", "portal_id"), ("locations", "location_id")
)
request_portal_assets = link_table("request_portal_assets", ("request_portals", "portal_id"), ("assets", "asset_id"))


class PortalSubmission(TimestampMixin, Base):
    """A request filed on a portal: who filed it (no account) and the hash of its private status link's token."""

    __tablename__ = "portal_submissions"

    request_id: Mapped[int] = mapped_column(ForeignKey("work_order_requests.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
