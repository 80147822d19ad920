"""Locations: a tree per entity. `path` and `root_id` are kept in step with every rename and move."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core import qr, tree
from wrenchwork.core.auth import Scope
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import Conflict, NotFound
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.files.present import fill
from wrenchwork.locations.listing import LOCATION_LIST
from wrenchwork.locations.repository import DETAIL, LocationRepository
from wrenchwork.locations.schemas import LocationCreate, LocationUpdate, location_item
from wrenchwork.models import Location


def list_locations(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    """A page of list items, presented here rather than by the database: rendered by PostgreSQL (`json_page`),
    a page of a small locations table was planned as a hash join over the whole table (tests/perf)."""
    repo = LocationRepository(session, scope)
    rows, total = repo.page(LOCATION_LIST, query, repo.with_parent())
    items = [location_item(location, parent_name) for location, parent_name in rows]
    fill(session, scope, "locations", items)
    return items, total


def location_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` the caller sees, rendered by the database in
    one statement (locations/repository.py `DETAIL`)."""
    return LocationRepository(session, scope).json_details(DETAIL, ids)


# The detail of one location (the API's answer as the database rendered it), or as a dict (writes answer it).
_ONE = OneDetail(location_details, "Location")
get_location = _ONE.fragment
read_location = _ONE.read


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
    return read_location(session, scope, location.id)


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
    return read_location(session, scope, location.id)


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
