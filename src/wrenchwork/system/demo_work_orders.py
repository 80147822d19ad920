"""Demo work orders: one or more in every status, with checklists, labor, extra costs, parts and procedures.

Created through the services like everything else in the demo, so they obey the same rules (completion consumes
the assigned parts, labor is priced with each technician's rates). Parts and procedure templates are used when
the demo holds some (loaded before this).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import Asset, Part
from wrenchwork.parts import stock
from wrenchwork.system.demo_records import DemoRecords
from wrenchwork.work_orders import labor, service
from wrenchwork.work_orders.schemas import ChecklistItem, CostIn, TimeEntryIn, WorkOrderCreate, WorkOrderUpdate

# title, description, priority, status id, days until due (negative: overdue), checklist
JOBS = [
    ("Replace rooftop unit filters", "Quarterly filter change on the air handler", "medium", 5, -6,
     ["Lock out the unit", "Swap the filter bank", "Record the pressure drop"]),
    ("Boiler burner does not light", "Burner trips on flame failure after ignition", "high", 2, 1,
     ["Check the flame rod", "Inspect the igniter"]),
    ("Conveyor belt tracking off", "Belt drifts to the operator side", "medium", 1, 3, ["Adjust the take-up"]),
    ("Compressor oil change", "2000-hour service", "low", 3, 10, ["Drain oil", "Replace oil filter"]),
    ("Paint the loading dock rails", "Cosmetic; postponed to spring", "none", 4, 30, []),
    ("Water leak under the transfer pump", "Seal suspected", "high", 1, -2, ["Inspect the mechanical seal"]),
    ("Calibrate CNC spindle probe", "After the crash on line 1", "medium", 5, -1, ["Run the probe routine"]),
]  # fmt: skip


def load_work_orders(session: Session, scope: Scope, made: DemoRecords) -> str:
    assets = list(session.scalars(select(Asset).where(Asset.id.in_(made.equipment_ids)).order_by(Asset.id)))
    technicians = made.technician_ids
    # The demo's parts with stock to spare, so completing the demo jobs can consume them.
    parts = list(
        session.scalars(
            select(Part)
            .where(Part.id.in_(made.part_ids), (Part.on_hand_qty >= 10) | Part.is_non_stock.is_(True))
            .order_by(Part.id)
        )
    )
    templates = made.template_ids
    now = utcnow().replace(microsecond=0)
    for index, (title, description, priority, status_id, due_in, steps) in enumerate(JOBS):
        asset = assets[index % len(assets)] if assets else None
        people = technicians[index % max(len(technicians), 1) :][:2] if technicians else []
        work_order = service.create_work_order(
            session, scope,
            WorkOrderCreate(
                title=title, description=description, priority=priority, due_date=now + timedelta(days=due_in),
                asset_id=asset.id if asset else None, location_id=asset.location_id if asset else None,
                technicians_ids=people, procedure_template_ids=templates[:1] if index % 2 == 0 else [],
                checklist=[ChecklistItem(text=step, order=n, checked=status_id == 5)
                           for n, step in enumerate(steps, start=1)],
                asset_status="offline" if asset and status_id == 2 else None,
            ),
        )  # fmt: skip
        made.work_order_ids.append(work_order.id)
        if parts and status_id != 4:
            part = parts[index % len(parts)]
            stock.assign(session, work_order, part.id, Decimal(1 + index % 2), scope.user_id)
        for n, user_id in enumerate(people):
            started = now - timedelta(days=2, hours=n)
            entry = TimeEntryIn(user_id=user_id, started_at=started, duration=Decimal("1.5") + n,
                                rate_type="overtime1" if index == 1 and n == 0 else "regular")  # fmt: skip
            labor.add_time_entry(session, scope, work_order.id, entry)
        if index % 3 == 0:
            labor.add_cost(session, scope, work_order.id, CostIn(description="Equipment rental", amount=Decimal("45")))
        if status_id != 1:
            service.update_work_order(session, scope, work_order.id, WorkOrderUpdate(status_id=status_id))
    return f"{len(JOBS)} work orders"
