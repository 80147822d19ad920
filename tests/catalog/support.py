"""Shapes from the published examples and small helpers shared by the catalog tests."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import httpx
from sqlalchemy.orm import Session

from tests.helpers import Api

T = TypeVar("T")

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# Key sets of the documented examples (spec/clickmaint-api-examples.txt).
ENVELOPE_META = {"entity", "customer"}
LIST_META = ENVELOPE_META | {"pagination", "sort", "search", "filter"}

ASSET_DETAIL_KEYS = {
    "id", "name", "description", "model", "manufacturer", "serial_number", "warranty_expiration_notification",
    "life_expectancy", "root_id", "asset_code", "status", "purchase_cost", "replacement_cost", "salvage_value",
    "parent", "location", "technicians", "asset_types", "parts", "vendors", "has_children", "purchase_date",
    "warranty_exp_date", "qr_code", "images", "documents", "created_at", "updated_at", "created_by", "updated_by",
}  # fmt: skip
ASSET_LIST_KEYS = (ASSET_DETAIL_KEYS - {"root_id", "has_children", "images", "documents"}) | {"image"}

LOCATION_DETAIL_KEYS = {
    "id", "name", "description", "address", "parent", "root_id", "path", "has_children", "qr_code", "images",
    "documents", "created_at", "updated_at", "created_by_id", "updated_by_id",
}  # fmt: skip
LOCATION_LIST_KEYS = {
    "id", "name", "description", "address", "parent", "path", "qr_code", "image", "created_at", "updated_at",
}  # fmt: skip

VENDOR_LIST_KEYS = {
    "id", "name", "description", "is_active", "assign_to_work_orders", "parts_supplier", "tax_id", "address",
    "rating", "hourly_rate", "locations", "vendor_contacts", "categories", "assets", "parts", "image", "created_at",
    "updated_at", "created_by", "updated_by",
}  # fmt: skip
VENDOR_DETAIL_KEYS = (VENDOR_LIST_KEYS - {"image", "created_by", "updated_by"}) | {
    "images",
    "documents",
    "created_by_id",
    "updated_by_id",
}
CONTACT_KEYS = {"id", "name", "role", "email", "phone", "extension", "is_primary"}
PRIMARY_CONTACT_KEYS = {"id", "name", "email", "phone", "extension"}
TECHNICIAN_KEYS = {"id", "name", "surname", "avatar"}
USER_REF_KEYS = {"id", "name", "surname"}
LOOKUP_KEYS = {"id", "name", "created_at", "updated_at"}
NO_THUMBNAIL = {"small": None, "medium": None}

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The `data` of a successful response, after checking the status and the envelope."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "success"
    data: dict[str, Any] = body["data"]
    return data


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The body of an error response, after checking the status and the error envelope."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "error"
    assert isinstance(body["message"], str) and body["message"]
    if status == 422:
        assert body["errors"], body
    return body


def ids(response: httpx.Response) -> list[int]:
    """The ids of a list answer, in order."""
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def create_location(api: Api, name: str, parent_id: int | None = None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, **fields}
    if parent_id is not None:
        body["parent_id"] = parent_id
    return ok(api.post("/locations", json={"location": body}), 201)


def create_asset(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/assets", json={"asset": {"name": name, **fields}}), 201)


def create_vendor(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/vendors", json={"vendor": {"name": name, **fields}}), 201)


def create_lookup(api: Api, path: str, wrapper: str, name: str) -> dict[str, Any]:
    return ok(api.post(path, json={wrapper: {"name": name}}), 201)


def db_get(session: Session, model: type[T], id_: int) -> T | None:
    """A row as the database holds it now (nothing cached); the reading transaction is ended at once."""
    session.expire_all()
    found = session.get(model, id_)
    session.commit()  # SQLite holds a write lock from BEGIN IMMEDIATE until the transaction ends
    return found


def db_rows(session: Session, stmt: Any) -> list[Any]:
    """Every row of `stmt` as the database holds it now; the reading transaction is ended at once."""
    session.expire_all()
    rows = list(session.execute(stmt).all())
    session.commit()
    return rows


def db_scalars(session: Session, stmt: Any) -> list[Any]:
    """The first column of every row of `stmt`, read like `db_rows`."""
    return [row[0] for row in db_rows(session, stmt)]


def db_add(session: Session, *rows: Any) -> None:
    """Arranges rows directly in the database."""
    session.add_all(rows)
    session.commit()
