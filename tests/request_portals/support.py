"""Helpers shared by the portal tests: the API's portal and a page client for the public pages."""

from __future__ import annotations

from typing import Any

from tests.catalog.support import ok
from tests.helpers import Api

PORTAL_KEYS = {
    "id", "uuid", "title", "enabled", "description", "fields", "url", "default_location", "default_asset",
    "locations", "assets", "created_at", "updated_at", "created_by_id", "updated_by_id",
}  # fmt: skip
DEFAULT_FIELDS = {
    "description": "optional", "location": "optional", "asset": "optional", "photos": "optional",
    "name": "required", "email": "required", "phone": "hidden",
}  # fmt: skip


def create_portal(api: Api, title: str = "Main Request Portal", **fields: Any) -> dict[str, Any]:
    return ok(api.post("/request_portals", json={"request_portal": {"title": title, **fields}}), 201)
