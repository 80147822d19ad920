"""Locations: a tree per entity. `path` and `root_id` are kept in step with every rename and move."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core import qr, tree
from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Conflict, NotFound
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.files.present import fill
from wrenchwork.locations.listing import LOCATION_LIST
from wrenchwork.locations.repository import LocationRepository
from wrenchwork.locations.schemas import LocationCreate, LocationUpdate, location_detail, location_item
from wrenchwork.models import Location


def list_locations(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = LocationRepository(session, scope)
    rows, total = repo.page(LOCATION_LIST, query, repo.with_parent())
    items = [location_item(loc, _parent_ref(loc, parent_name)) for loc, parent_name in rows]
    fill(session, scope, "locations", items)
    return items, total


def get_location(session: Session, scope: Scope, location_id: int) -> dict[str, Any]:
    repo = LocationRepository(session, scope)
    return _detail(repo, _get(repo, location_id))


def create_location(session: Session, scope: Scope, data: LocationCreate) -> dict[str, Any]:
    repo = LocationRepository(session, scope)
    parent = tree.checked_parent(repo, None, data.parent_id, "location.parent_id")
    code = qr.resolve(repo, None, data.qr_code_attributes, None, "location.qr_code_attributes.value")
    location = Location(
        name=data.name, description=data.description, address=data.address, parent_id=data.parent_id,
        qr_code=code, path=data.name,
    )  # fmt: skip
    repo.add(location)
    tree.place(repo, location, parent, with_path=True)
    return _detail(repo, location)


def update_location(session: Session, scope: Scope, location_id: int, data: LocationUpdate) -> dict[str, Any]:
    repo = LocationRepository(session, scope)
    location = _get(repo, location_id)
    moved = "parent_id" in data.model_fields_set and data.parent_id != location.parent_id
    parent = tree.checked_parent(repo, location.id, data.parent_id, "location.parent_id") if moved else None
    renamed = data.name is not None and data.name != location.name
    location.qr_code = qr.resolve(
        repo, location.qr_code, data.qr_code_attributes, location.id, "location.qr_code_attributes.value"
    )
    apply_update(
        location, data, "location", clearable={"description", "address", "parent_id"},
        skip=frozenset({"qr_code_attributes"}),
    )  # fmt: skip
    if moved or renamed:
        if not moved and location.parent_id is not None:
            parent = repo.get(location.parent_id)
        tree.place(repo, location, parent, with_path=True)
    repo.touch(location)
    return _detail(repo, location)


def delete_location(session: Session, scope: Scope, location_id: int) -> None:
    repo = LocationRepository(session, scope)
    location = _get(repo, location_id)
    in_use = repo.usage(location.id)
    if in_use:
        raise Conflict(f"Location is still referenced by {in_use}")
    repo.delete(location)


def _get(repo: LocationRepository, location_id: int) -> Location:
    location = repo.get(location_id)
    if location is None:
        raise NotFound.of("Location")
    return location


def _parent_ref(location: Location, parent_name: str | None) -> dict[str, Any] | None:
    return None if location.parent_id is None else {"id": location.parent_id, "name": parent_name}


def _detail(repo: LocationRepository, location: Location) -> dict[str, Any]:
    parent_name = repo.refs([location.parent_id]).get(location.parent_id, {}).get("name")
    has_children = location.id in tree.with_children(repo, [location.id])
    item = location_detail(location, _parent_ref(location, parent_name), has_children)
    fill(repo.session, repo.scope, "locations", [item])
    return item
