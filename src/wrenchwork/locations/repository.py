from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import Detail, json_bool, json_moment, json_object, json_ref
from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.files.urls import json_files
from wrenchwork.models import Asset, Location, PmTemplateWorkOrder, WorkOrder, WorkOrderRequest

Parent = aliased(Location, name="parent_location")
Child = aliased(Location, name="child_location")


def _joined(stmt: AnySelect) -> AnySelect:
    return stmt.outerjoin(Parent, Parent.id == Location.parent_id)


# The documented detail (locations/schemas.py `LocationDetail`), rendered by the database.
DETAIL = Detail("locations.detail", json_object(
    ("id", Location.id), ("name", Location.name), ("description", Location.description),
    ("address", Location.address),
    ("parent", json_ref(Location.parent_id, ("id", Location.parent_id), ("name", Parent.name))),
    ("root_id", Location.root_id), ("path", Location.path),
    ("has_children", json_bool(exists().where(Child.parent_id == Location.id))),
    ("qr_code", Location.qr_code),
    ("images", json_files("locations", Location.id, "image")),
    ("documents", json_files("locations", Location.id, "document")),
    ("created_at", json_moment(Location.created_at)), ("updated_at", json_moment(Location.updated_at)),
    ("created_by_id", Location.created_by_id), ("updated_by_id", Location.updated_by_id),
), _joined)  # fmt: skip

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
        return self.scoped(_joined(select(Location, Parent.name)))

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
