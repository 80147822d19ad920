from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.models import Asset, Location

Parent = aliased(Location, name="parent_location")


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

    def usage(self, location_id: int) -> dict[str, int]:
        """What still points at a location: child locations and assets."""
        children = self.session.scalar(select(func.count()).where(Location.parent_id == location_id)) or 0
        assets = self.session.scalar(select(func.count()).where(Asset.location_id == location_id)) or 0
        return {"child locations": children, "assets": assets}
