"""Request portals (extension): admins and limited admins manage them, technicians read them.

A portal offers only the locations and assets listed on it (its scope); asking for one of them as `required`
while offering none is a 422, as is a default location or asset outside the entity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.models import Asset, Location, RequestPortal, request_portal_assets, request_portal_locations
from wrenchwork.request_portals.listing import PORTAL_LIST
from wrenchwork.request_portals.repository import PortalRepository
from wrenchwork.request_portals.schemas import PortalCreate, PortalFields, PortalIn, PortalUpdate

WRAPPER = "request_portal"
# body field -> (link table, its column of the offered id, model, the field mode it serves)
OFFERED = {
    "locations_ids": (request_portal_locations, "location_id", Location, "location"),
    "assets_ids": (request_portal_assets, "asset_id", Asset, "asset"),
}
DEFAULTS = {"default_location_id": (Location, "location"), "default_asset_id": (Asset, "asset")}


def url_of(portal: RequestPortal) -> str:
    return f"/portal/{portal.uuid}"


def fields_of(portal: RequestPortal) -> PortalFields:
    """The stored modes over the defaults: a portal stored before a field existed asks it as the default says."""
    return PortalFields.model_validate(
        {k: v for k, v in (portal.fields or {}).items() if k in PortalFields.model_fields}
    )


def present(repo: PortalRepository, portals: Sequence[RequestPortal]) -> list[dict[str, Any]]:
    """List item and detail alike; a fixed number of queries for any number of portals."""
    offered = repo.offered([p.id for p in portals])
    locations = repo.names(Location, [p.default_location_id for p in portals])
    assets = repo.names(Asset, [p.default_asset_id for p in portals])
    items = []
    for portal in portals:
        items.append({
            "id": portal.id,
            "uuid": portal.uuid,
            "title": portal.title,
            "enabled": portal.enabled,
            "description": portal.description,
            "fields": fields_of(portal).model_dump(),
            "url": url_of(portal),
            "default_location": _ref(portal.default_location_id, locations),
            "default_asset": _ref(portal.default_asset_id, assets),
            "locations": offered["locations"][portal.id],
            "assets": offered["assets"][portal.id],
            "created_at": portal.created_at,
            "updated_at": portal.updated_at,
            "created_by_id": portal.created_by_id,
            "updated_by_id": portal.updated_by_id,
        })  # fmt: skip
    return items


def _ref(id_: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    return None if id_ is None or id_ not in names else {"id": id_, "name": names[id_]}


def list_portals(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = PortalRepository(session, scope)
    rows, total = repo.page(PORTAL_LIST, query, repo.scoped())
    return present(repo, [r[0] for r in rows]), total


def get_portal(session: Session, scope: Scope, portal_id: int) -> dict[str, Any]:
    repo = PortalRepository(session, scope)
    return present(repo, [_get(repo, portal_id)])[0]


def create_portal(session: Session, scope: Scope, data: PortalCreate) -> dict[str, Any]:
    repo = PortalRepository(session, scope)
    fields = data.fields or PortalFields()
    _check(repo, data, fields, {"locations_ids": [], "assets_ids": []})
    portal = repo.add(
        RequestPortal(
            title=data.title,
            enabled=True if data.enabled is None else data.enabled,
            description=data.description,
            fields=fields.model_dump(),
            default_location_id=data.default_location_id,
            default_asset_id=data.default_asset_id,
        )
    )
    _save_offered(repo, portal, data)
    return present(repo, [portal])[0]


def update_portal(session: Session, scope: Scope, portal_id: int, data: PortalUpdate) -> dict[str, Any]:
    repo = PortalRepository(session, scope)
    portal = _get(repo, portal_id)
    fields = data.fields or fields_of(portal)
    current = {
        name: repo.linked_ids(link, "portal_id", portal.id, column) for name, (link, column, *_) in OFFERED.items()
    }
    _check(repo, data, fields, current)
    apply_update(
        portal,
        data,
        WRAPPER,
        clearable={"description", "default_location_id", "default_asset_id"},
        skip=frozenset({"fields", *OFFERED}),
    )
    if data.fields is not None:
        portal.fields = fields.model_dump()
    _save_offered(repo, portal, data)
    repo.touch(portal)
    return present(repo, [portal])[0]


def delete_portal(session: Session, scope: Scope, portal_id: int) -> None:
    """Requests filed on it stay (their `request_portal` becomes null) and their status links keep working."""
    repo = PortalRepository(session, scope)
    repo.delete(_get(repo, portal_id))


def _get(repo: PortalRepository, portal_id: int) -> RequestPortal:
    portal = repo.get(portal_id)
    if portal is None:
        raise NotFound.of("Request portal")
    return portal


def _check(repo: PortalRepository, data: PortalIn, fields: PortalFields, current: dict[str, list[int]]) -> None:
    for name, (model, _mode) in DEFAULTS.items():
        value = getattr(data, name)
        if value is not None and not repo.ids_in_scope(model, [value]):
            raise Unprocessable.field(f"{WRAPPER}.{name}", f"is not a {model.__tablename__[:-1]} of this entity")
    for name, (_link, _column, model, mode) in OFFERED.items():
        ids = getattr(data, name)
        if ids is None and name in data.model_fields_set:
            raise Unprocessable.field(f"{WRAPPER}.{name}", "cannot be null (send [] to clear)")
        if ids:
            unknown = sorted(set(ids) - repo.ids_in_scope(model, ids))
            if unknown:
                raise Unprocessable.field(f"{WRAPPER}.{name}", f"unknown ids in this entity: {unknown}")
        offered = ids if ids is not None else current[name]
        if getattr(fields, mode) == "required" and not offered:
            raise Unprocessable.field(f"{WRAPPER}.fields.{mode}", f"cannot be required while {name} is empty")


def _save_offered(repo: PortalRepository, portal: RequestPortal, data: PortalIn) -> None:
    for name, (link, column, _model, _mode) in OFFERED.items():
        ids = getattr(data, name)
        if ids is not None:
            repo.set_links(link, "portal_id", portal.id, column, ids)


def choices(session: Session, scope: Scope, limit: int = 200) -> dict[str, list[dict[str, Any]]]:
    """What the admin page lets a portal offer: the entity's locations and assets (the first `limit` of each)."""
    repo = PortalRepository(session, scope)
    return {"locations": repo.choices(Location, limit), "assets": repo.choices(Asset, limit)}
