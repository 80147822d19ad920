from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from wrenchwork.core.repository import Link, Repository
from wrenchwork.models import (
    Asset,
    Customer,
    Entity,
    Location,
    PortalSubmission,
    RequestPortal,
    request_portal_assets,
    request_portal_locations,
)

LINKS = (
    Link("locations", request_portal_locations, "portal_id", "location_id", Location),
    Link("assets", request_portal_assets, "portal_id", "asset_id", Asset),
)


class PortalRepository(Repository[RequestPortal]):
    model = RequestPortal

    def offered(self, ids: Sequence[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """The locations and assets each portal offers, in one query."""
        return self.refs_through(LINKS, ids)

    def names(self, model: type[Any], ids: Sequence[int | None]) -> dict[int, str]:
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return {}
        rows = self.session.execute(self.in_entity_of(model, select(model.id, model.name).where(model.id.in_(wanted))))
        return {row.id: row.name for row in rows}

    def choices(self, model: type[Any], limit: int) -> list[dict[str, Any]]:
        """The entity's first `limit` records of `model` by name, for the admin page's offered lists."""
        stmt = self.in_entity_of(model, select(model.id, model.name).order_by(model.name, model.id).limit(limit))
        return [{"id": row.id, "name": row.name} for row in self.session.execute(stmt)]


def by_uuid(session: Any, uuid: str) -> tuple[RequestPortal, Customer, Entity] | None:
    """A portal found by its public address, with its entity and customer: the one lookup not scoped to a caller
    (the visitor has none; the uuid is the portal's secret-free public key, and finds exactly one entity)."""
    row = session.execute(
        select(RequestPortal, Customer, Entity)
        .join(Entity, Entity.id == RequestPortal.entity_id)
        .join(Customer, Customer.id == Entity.customer_id)
        .where(RequestPortal.uuid == uuid)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def submission_contact(session: Any, request_id: int) -> Any:
    """The contact kept with a request filed on a portal (None for any other request). Not scoped: the caller
    has already found the request in its scope (work_order_requests/service.py `visible_request`)."""
    return session.execute(
        select(
            PortalSubmission.name, PortalSubmission.email, PortalSubmission.phone, PortalSubmission.created_at
        ).where(PortalSubmission.request_id == request_id)
    ).first()
