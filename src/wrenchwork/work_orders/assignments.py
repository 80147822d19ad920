"""Parts on a work order (documented ops 37-39). The stock rules themselves live in `wrenchwork.parts.stock`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.parts import stock
from wrenchwork.work_orders.repository import WorkOrderRepository
from wrenchwork.work_orders.schemas import PartAssignmentIn
from wrenchwork.work_orders.service import get_row


def _shown(session: Session, work_order_id: int, part_id: int) -> dict[str, Any]:
    return next(a for a in stock.assignments_of(session, [work_order_id])[work_order_id] if a["part_id"] == part_id)


def add_part(session: Session, scope: Scope, work_order_id: int, data: PartAssignmentIn) -> dict[str, Any]:
    """Adds `quantity` to the part's assignment (creating it when the part is not on the work order yet)."""
    work_order = get_row(WorkOrderRepository(session, scope), work_order_id)
    stock.assign(session, work_order, data.part_id, data.quantity, scope.user_id, add=True)
    return _shown(session, work_order.id, data.part_id)


def set_part(session: Session, scope: Scope, work_order_id: int, data: PartAssignmentIn) -> dict[str, Any]:
    """Sets the quantity of an existing assignment (404 when the part is not on the work order)."""
    work_order = get_row(WorkOrderRepository(session, scope), work_order_id)
    stock.assign(session, work_order, data.part_id, data.quantity, scope.user_id, add=False)
    return _shown(session, work_order.id, data.part_id)


def remove_part(session: Session, scope: Scope, work_order_id: int, part_id: int) -> None:
    work_order = get_row(WorkOrderRepository(session, scope), work_order_id)
    stock.remove(session, work_order, part_id)
