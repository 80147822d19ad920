"""Shapes from the published request examples and small helpers for the request tests."""

from __future__ import annotations

from typing import Any

from tests.catalog.support import ok
from tests.helpers import Api

DETAIL_KEYS = {
    "id", "title", "description", "status", "notify", "priority", "work_order_id", "location", "asset",
    "categories", "technicians", "vendors", "due_date", "completed_at", "request_portal", "images", "documents",
    "created_at", "updated_at", "created_by", "updated_by",
}  # fmt: skip
LIST_KEYS = (DETAIL_KEYS - {"notify", "images", "documents"}) | {"comments_count"}
REQUESTER_KEYS = {"id", "name", "surname", "phone_number", "email", "auth_type", "avatar"}


def create_request(api: Api, title: str = "Fix water leakage in Freezer", **fields: Any) -> dict[str, Any]:
    return ok(api.post("/work_order_requests", json={"work_order_request": {"title": title, **fields}}), 201)


def update_request(api: Api, request_id: int, **fields: Any) -> Any:
    return api.patch(f"/work_order_requests/{request_id}", json={"work_order_request": fields})
