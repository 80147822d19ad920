"""Shapes from the published part examples and helpers shared by the parts tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api
from wrenchwork.models import Part, PartTransaction
from wrenchwork.parts.stock import Stock, replay

PART_DETAIL_KEYS = {
    "id", "name", "description", "is_non_stock", "number", "area", "lead_time", "on_hand_qty", "min_qty",
    "desired_qty", "unit_cost", "avg_unit_cost", "part_type", "storeroom", "measurement_unit", "available",
    "reserved", "reorder_qty", "assets", "vendors", "qr_code", "images", "documents", "created_at", "updated_at",
    "created_by", "updated_by",
}  # fmt: skip
PART_LIST_KEYS = (PART_DETAIL_KEYS - {"reserved", "reorder_qty", "images", "documents"}) | {"image"}
PART_VENDOR_KEYS = {"id", "name", "is_preferred", "vendor_part_number", "primary_contact"}
TRANSACTION_KEYS = {
    "id", "note", "type", "work_order_id", "cost", "total_cost", "quantity", "images", "documents", "created_at",
    "updated_at", "created_by", "updated_by",
}  # fmt: skip


def create_part(api: Api, name: str = "Air Filter", **fields: Any) -> dict[str, Any]:
    return ok(api.post("/parts", json={"part": {"name": name, **fields}}), 201)


def restock(api: Api, part_id: int, quantity: Any, cost: Any, note: str | None = "PO") -> dict[str, Any]:
    body: dict[str, Any] = {"quantity": quantity, "cost": cost}
    if note is not None:
        body["note"] = note
    return ok(api.patch(f"/parts/{part_id}/restock", json=body))


def ledger(session: Session, part_id: int) -> list[PartTransaction]:
    session.expire_all()
    rows = list(session.scalars(select(PartTransaction).where(PartTransaction.part_id == part_id).order_by("id")))
    session.commit()
    return rows


def cached(session: Session, part_id: int) -> Stock:
    """The part row's cached stock and costs, as the database holds them now."""
    session.expire_all()
    part = session.get(Part, part_id)
    session.commit()
    assert part is not None
    return Stock(part.on_hand_qty, part.unit_cost, part.avg_unit_cost, part.used_qty)


def assert_ledger_matches(session: Session, part_id: int) -> Stock:
    """The cached columns equal the replay of the ledger; returns them."""
    stock = cached(session, part_id)
    assert replay(ledger(session, part_id)) == stock
    return stock


def D(value: Any) -> Decimal:
    return Decimal(str(value))
