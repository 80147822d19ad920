from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.models import Asset, Location, PmTemplateWorkOrder, WorkOrder, WorkOrderRequest

Parent = aliased(Location, name="parent_location")

# What may point at a location, by (singular, plural) name.
REFERRERS = {
    ("child location", "child locations"): Location.parent_id,
    ("asset", "assets"): Asset.location_id,
    ("work order", "work orders"): WorkOrder.location_id,
    ("request", "requests"): WorkOrderRequest.location_id,
    ("PM schedule", "PM schedules"): PmTemplateWorkOrder.location_id,
}


class LocationRepository(Repository[Location]):
    model = Location

    def with_parent(self) -> AnySelect:
        """Each location with its parent's name, in one query."""
        return self.scoped(select(Location, Parent.name).outerjoin(Parent, Parent.id == Location.parent_id))

    def refs(self, ids: Iterable[int | None]) -> dict[int | None, dict[str, Any]]:
        """`{id: {id, name, path}}` for references from other records."""
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = self.session.execute(select(Location.id, Location.name, Location.path).where(Location.id.in_(wanted)))
        return {r.id: {"id": r.id, "name": r.name, "path": r.path} for r in rows}

    def usage(self, location_id: int) -> str | None:
        """What still points at a location, in words (a location in use cannot be deleted)."""
        return self.still_referenced(location_id, REFERRERS)
